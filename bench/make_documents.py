"""Write the bench documents (bench/documents/*.json): three representative 1920×1080@30 VideoJSON files.

* ``promo.json`` (10 s) — a full-frame photo with colour correction (brightness/contrast/saturate
  filters), a legibility band, a logo, titles with slide/zoom/fade transitions, a call-to-action
  button and captions.
* ``promo-kenburns.json`` — the same with a slow Ken Burns push-in on the photo: the 2400×1600
  photo is resampled (trilinear) and colour-filtered anew every frame, the costliest case for a
  CPU rasteriser; kept as a stress case beside the promo.
* ``dashboard.json`` (8 s) — a dozen animated cards (rounded shape with a box shadow, label, a value
  that counts up, a progress bar that grows) entering one after another; three cards and the "live"
  dot keep animating until the end, so the frame is never fully static.
* ``talking-head.json`` (10 s) — a full-frame presenter video, a lower third (bar, accent, name,
  title) sliding in and out, a logo bug and background music.

Documents of the kinds users send most (issue 16), written as a user writes them:

* ``photo-effect.json`` (10 s) — a full-frame photo (``fit: cover``) with a *static*
  ``colorCorrection`` effect, two titles, captions and a moving dot: nothing about the photo
  changes from the first frame to the last.
* ``clips.json`` (9 s) — two 640×360 H.264 clips shown ``fit: cover`` at 1080p (the second with
  ``filterSaturate``), then the 1080p presenter clip (a source at the output size), background
  music and a lower third.
* ``slideshow.json`` (9.5 s) — a Ken Burns slideshow: three photos, each scaling 1 → 1.15 and
  panning over 3.5 s, crossfading for 0.5 s, under a title with a text shadow.
* ``effects-showcase.json`` (9 s) — three photos, 3 s each, with effects from every family: blur
  (gaussianBlur, motionBlur), distortion (waveWarp), light (bloom, glow, lightSweep, lightRays),
  colour (colorCorrection, vignette, duotone), glitch (rgbSplit, sliceGlitch, vhsDistortion),
  stylise (frostedGlass, filmGrain, pixelate) and reveal (radialReveal).
* ``photo-effect-4k.json`` — ``photo-effect.json`` at 3840×2160.

The JSON files are committed (small); this script documents how they were made and rewrites them.
Media paths point to ``media/`` beside the documents (written by make_media.py, not committed).

    python bench/make_documents.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "documents"
W, H, FPS = 1920, 1080, 30
SHAPE_UNIT = min(W, H) / 100  # px per shape unit
EM = W / 100  # px per em for non-text lengths


def settings(start: float, duration: float, name: str, **extra: Any) -> dict[str, Any]:
    return {"enabled": True, "startTime": start, "sourceDuration": duration, "name": name, **extra}


def layer(kind: str, ident: str, settings_: dict[str, Any], props: dict[str, Any], animations: list[Any] | None = None,
          **extra: Any) -> dict[str, Any]:  # fmt: skip
    out = {
        "id": ident,
        "type": kind,
        "settings": settings_,
        "properties": props,
        "animations": animations or [],
    }
    out.update(extra)
    return out


def track(prop: str, *keys: tuple[float, Any, str]) -> dict[str, Any]:
    """An animation: (time, value, easing) keyframes; the easing applies to the segment after the key."""
    return {"property": prop, "keyframes": [{"time": t, "value": v, "easing": e} for t, v, e in keys]}


def transition(name: str, duration: float, **params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"transition": name, "duration": duration}
    if params:
        out["params"] = params
    return out


def promo(ken_burns: bool = False) -> dict[str, Any]:
    duration = 10.0
    push_in = [track("scale", (0, 1.0, "linear"), (duration, 1.08, "step")),
               track("position", (0, [0.5, 0.5], "easeInOut"), (duration, [0.47, 0.5], "step"))]  # fmt: skip
    layers = [
        layer("image", "photo", settings(0, duration, "photo", source="media/photo.jpg"),
              {"fit": "cover", "filterBrightness": 1.08, "filterContrast": 1.12, "filterSaturate": 1.25},
              push_in if ken_burns else []),
        layer("shape", "band", settings(0, duration, "band", shapeType="rectangle"),
              {"width": W / SHAPE_UNIT + 1, "height": 34, "fill": "rgba(8,10,24,0.5)", "position": [0.5, 0.84]}),
        layer("image", "logo", settings(0, duration, "logo", source="media/logo.png"),
              {"fit": "contain", "scale": 0.13, "position": [0.11, 0.09]}, transitionIn=transition("fade", 0.6)),
        layer("text", "title", settings(0.3, 4.4, "title"),
              {"text": "Summer Collection", "fontSize": 7, "fontWeight": 800, "fontFamily": "Inter",
               "color": "#ffffff", "position": [0.5, 0.38], "textShadow": True,
               "textShadowColor": "rgba(0,0,0,0.45)", "textShadowOffset": [0, 0.15], "textShadowBlur": 0.4},
              transitionIn=transition("slideUp", 0.8), transitionOut=transition("fade", 0.5)),
        layer("text", "subtitle", settings(0.9, 3.8, "subtitle"),
              {"text": "Light layers for long evenings", "fontSize": 3, "fontWeight": 500, "fontFamily": "Inter",
               "color": "#f1f5f9", "position": [0.5, 0.5]},
              transitionIn=transition("fade", 0.8), transitionOut=transition("fade", 0.5)),
        layer("text", "offer", settings(5.0, 5.0, "offer"),
              {"text": "Up to 40% off", "fontSize": 8, "fontWeight": 900, "fontFamily": "Inter",
               "color": "#ffd166", "position": [0.5, 0.4], "textShadow": True,
               "textShadowColor": "rgba(0,0,0,0.5)", "textShadowOffset": [0, 0.2], "textShadowBlur": 0.5},
              transitionIn=transition("zoom", 0.6)),
        layer("shape", "cta-button", settings(6.4, 3.6, "cta button", shapeType="rectangle"),
              {"width": 30, "height": 8, "fill": "#ffffff", "cornerRadius": 4, "position": [0.5, 0.6]},
              transitionIn=transition("slideUp", 0.5)),
        layer("text", "cta-label", settings(6.4, 3.6, "cta label"),
              {"text": "Shop the collection", "fontSize": 1.9, "fontWeight": 700, "fontFamily": "Inter",
               "color": "#111827", "position": [0.5, 0.6]},
              transitionIn=transition("slideUp", 0.5)),
        layer("captions", "captions", settings(0, duration, "captions", captions=[
                  {"caption": "New season, new light.", "startTime": 0.2, "endTime": 2.6},
                  {"caption": "Linen, cotton and wool blends made to layer.", "startTime": 2.6, "endTime": 5.0},
                  {"caption": "This week only: up to 40% off everything.", "startTime": 5.0, "endTime": 7.6},
                  {"caption": "Free returns. Free shipping over $50.", "startTime": 7.6, "endTime": 10.0},
              ]),
              {"fontSize": 2.2, "fontWeight": 600, "fontFamily": "Inter", "color": "#ffffff",
               "position": [0.5, 0.86], "textStroke": True, "textStrokeWidth": 0.08, "textStrokeColor": "#000000"}),
    ]  # fmt: skip
    name = "Bench promo (Ken Burns)" if ken_burns else "Bench promo"
    return {"name": name, "width": W, "height": H, "fps": FPS, "duration": duration,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


CARDS = [
    ("Revenue", "$182,450", "#38bdf8", 0.82), ("Orders", "12,904", "#a78bfa", 0.64),
    ("Conversion", "3.8%", "#34d399", 0.38), ("Avg. order", "$64.20", "#fbbf24", 0.55),
    ("Visitors", "341,220", "#f472b6", 0.91), ("Returns", "2.1%", "#f87171", 0.21),
    ("Support tickets", "1,208", "#60a5fa", 0.47), ("NPS", "62", "#4ade80", 0.62),
    ("Uptime", "99.98%", "#2dd4bf", 0.99), ("Latency p95", "184 ms", "#fb923c", 0.44),
    ("Active users", "58,310", "#c084fc", 0.73), ("Churn", "1.4%", "#facc15", 0.14),
]  # fmt: skip
LIVE_CARDS = (0, 5, 10)


def dashboard() -> dict[str, Any]:
    duration = 8.0
    layers: list[dict[str, Any]] = [
        layer("text", "header", settings(0, duration, "header"),
              {"text": "Q3 Operations Overview", "fontSize": 2.6, "fontWeight": 800, "fontFamily": "Inter",
               "color": "#f8fafc", "position": [0.2, 0.09]}, transitionIn=transition("fade", 0.5)),
        layer("shape", "live-dot", settings(0, duration, "live dot", shapeType="ellipse"),
              {"width": 1.6, "height": 1.6, "fill": "#ef4444", "position": [0.86, 0.09]},
              [track("opacity", *[(t * 0.5, 1.0 if t % 2 == 0 else 0.25, "easeInOut") for t in range(16)],
                     (duration, 1.0, "step"))]),
        layer("text", "live-label", settings(0, duration, "live label"),
              {"text": "LIVE", "fontSize": 1.2, "fontWeight": 700, "fontFamily": "Inter", "color": "#fca5a5",
               "position": [0.9, 0.09]}),
    ]  # fmt: skip
    card_w, card_h = 420, 230
    for i, (label, value, accent, fill) in enumerate(CARDS):
        col, row = i % 4, i // 4
        cx, cy = (col + 0.5) / 4, 0.3 + row * 0.255
        start = 0.2 + 0.12 * i
        life = duration - start
        enter = transition("slideUp", 0.6)
        left = cx - (card_w / 2 - 28) / W  # card content's left edge, as a fraction of the width
        bar_w = (card_w - 56) / SHAPE_UNIT
        bar_y = cy + 0.07
        bar_keys = [(0.0, 0.0, "easeOut"), (1.4, bar_w * fill, "step")]
        if i in LIVE_CARDS:  # keeps moving until the end
            wobble = [fill, fill * 0.8, fill * 0.95, fill * 0.7, fill * 0.9, fill]
            bar_keys = [(0.0, 0.0, "easeOut")] + [
                (1.4 + k * (life - 1.4) / (len(wobble) - 1), bar_w * w, "easeInOut")
                for k, w in enumerate(wobble)
            ]
            bar_keys[-1] = (*bar_keys[-1][:2], "step")
        layers += [
            layer("shape", f"card-{i}", settings(start, life, f"card {i}", shapeType="rectangle"),
                  {"width": card_w / SHAPE_UNIT, "height": card_h / SHAPE_UNIT, "fill": "#1e293b", "cornerRadius": 1.6,
                   "position": [cx, cy], "boxShadow": True, "boxShadowBlur": 1.0, "boxShadowOffset": [0, 0.3],
                   "boxShadowColor": "rgba(0,0,0,0.45)"}, transitionIn=enter),
            layer("text", f"label-{i}", settings(start, life, f"label {i}"),
                  {"text": label, "fontSize": 1.1, "fontWeight": 500, "fontFamily": "Inter", "color": "#94a3b8",
                   "position": [cx, cy - 0.068]}, transitionIn=enter),
            layer("text", f"value-{i}", settings(start, life, f"value {i}"),
                  {"text": value, "fontSize": 2.4, "fontWeight": 700, "fontFamily": "Inter", "color": "#f8fafc",
                   "position": [cx, cy]}, transitionIn=transition("numberCountUp", 1.2)),
            layer("shape", f"track-{i}", settings(start, life, f"track {i}", shapeType="rectangle"),
                  {"width": bar_w, "height": 1.0, "fill": "#334155", "cornerRadius": 0.5, "position": [cx, bar_y]},
                  transitionIn=enter),
            layer("shape", f"bar-{i}", settings(start, life, f"bar {i}", shapeType="rectangle"),
                  {"width": 0, "height": 1.0, "fill": accent, "cornerRadius": 0.5, "position": [left, bar_y],
                   "anchor": [0, 0.5]},
                  [track("width", *bar_keys)]),
        ]  # fmt: skip
    return {"name": "Bench dashboard", "width": W, "height": H, "fps": FPS, "duration": duration,
            "backgroundColor": "#0f172a", "layers": layers}  # fmt: skip


def talking_head() -> dict[str, Any]:
    duration = 10.0
    lt_x, lt_y = 0.26, 0.8
    lt_w_px = 640
    left = lt_x - lt_w_px / 2 / W
    enter, leave = transition("slideRight", 0.6), transition("fade", 0.5)
    layers = [
        layer("video", "presenter", settings(0, duration, "presenter", source="media/talking-head.mp4",
                                              mediaDuration=10),
              {"fit": "cover", "volume": 1}),
        layer("audio", "music", settings(0, duration, "music", source="media/music.m4a", mediaDuration=10),
              {"volume": 0.25}),
        layer("shape", "lt-bar", settings(1.0, 6.5, "lower third", shapeType="rectangle"),
              {"width": lt_w_px / SHAPE_UNIT, "height": 12, "fill": "rgba(15,23,42,0.86)", "position": [lt_x, lt_y]},
              transitionIn=enter, transitionOut=leave),
        layer("shape", "lt-accent", settings(1.0, 6.5, "accent", shapeType="rectangle"),
              {"width": 0.9, "height": 12, "fill": "#f59e0b", "position": [left, lt_y], "anchor": [0, 0.5]},
              transitionIn=enter, transitionOut=leave),
        layer("text", "lt-name", settings(1.2, 6.3, "name"),
              {"text": "Dr. Amelia Hart", "fontSize": 2.6, "fontWeight": 700, "fontFamily": "Inter",
               "color": "#ffffff", "position": [lt_x, lt_y - 0.025]}, transitionIn=enter, transitionOut=leave),
        layer("text", "lt-title", settings(1.4, 6.1, "title"),
              {"text": "Head of Research, Northwind Labs", "fontSize": 1.5, "fontWeight": 500, "fontFamily": "Inter",
               "color": "#cbd5e1", "position": [lt_x, lt_y + 0.03]}, transitionIn=enter, transitionOut=leave),
        layer("image", "logo-bug", settings(0, duration, "logo bug", source="media/logo.png"),
              {"fit": "contain", "scale": 0.1, "opacity": 0.85, "position": [0.9, 0.08]}),
    ]  # fmt: skip
    return {"name": "Bench talking head", "width": W, "height": H, "fps": FPS, "duration": duration,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


def _captions(*lines: tuple[float, float, str]) -> list[dict[str, Any]]:
    return [{"caption": text, "startTime": a, "endTime": b} for a, b, text in lines]


def _title(
    ident: str, text: str, start: float, duration: float, y: float, size: float, **props: Any
) -> dict[str, Any]:
    return layer("text", ident, settings(start, duration, ident),
                 {"text": text, "fontSize": size, "fontWeight": 800, "fontFamily": "Inter", "color": "#ffffff",
                  "position": [0.5, y], **props},
                 transitionIn=transition("slideUp", 0.7), transitionOut=transition("fade", 0.5))  # fmt: skip


CAPTION_STYLE = {"fontSize": 2.2, "fontWeight": 600, "fontFamily": "Inter", "color": "#ffffff",
                 "position": [0.5, 0.88], "textStroke": True, "textStrokeWidth": 0.08, "textStrokeColor": "#000000"}  # fmt: skip


def photo_effect(width: int = W, height: int = H) -> dict[str, Any]:
    """A photo background with a static colour grade, titles, captions and a moving dot."""
    duration = 10.0
    layers = [
        layer("image", "photo", settings(0, duration, "photo", source="media/photo.jpg"), {"fit": "cover"},
              effects=[{"effect": "colorCorrection",
                        "params": {"exposure": 0.1, "contrast": 0.15, "saturation": 0.2, "temperature": 0.1}}]),
        _title("title", "Golden Hour", 0.3, 4.5, 0.4, 8, textShadow=True, textShadowColor="rgba(0,0,0,0.45)",
               textShadowOffset=[0, 0.15], textShadowBlur=0.4),
        _title("subtitle", "A weekend in the hills", 5.0, 4.8, 0.42, 4),
        layer("shape", "dot", settings(0, duration, "dot", shapeType="ellipse"),
              {"width": 3, "height": 3, "fill": "#ff5a1f", "position": [0.1, 0.12]},
              [track("position", (0, [0.1, 0.12], "easeInOut"), (duration, [0.9, 0.12], "step"))]),
        layer("captions", "captions", settings(0, duration, "captions", captions=_captions(
                  (0.2, 3.0, "We left before sunrise."), (3.0, 6.0, "The light came over the ridge at six."),
                  (6.0, 10.0, "Worth every early alarm."))), CAPTION_STYLE),
    ]  # fmt: skip
    name = "Bench photo with a static effect" + (f" ({width}x{height})" if (width, height) != (W, H) else "")
    return {"name": name, "width": width, "height": height, "fps": FPS, "duration": duration,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


def clips() -> dict[str, Any]:
    """Two small clips upscaled to the frame (one saturated), a full-size clip, music and a lower third."""
    duration = 9.0
    fade = transition("fade", 0.4)
    layers = [
        layer("video", "clip-a", settings(0, 3.2, "clip a", source="media/clip-a.mp4", mediaDuration=10),
              {"fit": "cover"}, transitionOut=fade),
        layer("video", "clip-b", settings(3.0, 3.2, "clip b", source="media/clip-b.mp4", mediaDuration=10,
                                          sourceStart=2),
              {"fit": "cover", "filterSaturate": 1.4}, transitionIn=fade, transitionOut=fade),
        layer("video", "presenter", settings(6.0, 3.0, "presenter", source="media/talking-head.mp4",
                                             mediaDuration=10),
              {"fit": "cover", "volume": 0}, transitionIn=fade),
        layer("audio", "music", settings(0, duration, "music", source="media/music.m4a", mediaDuration=10),
              {"volume": 0.4}),
        layer("shape", "lt-bar", settings(0.8, 7.5, "lower third", shapeType="rectangle"),
              {"width": 640 / SHAPE_UNIT, "height": 12, "fill": "rgba(15,23,42,0.86)", "position": [0.26, 0.8]},
              transitionIn=transition("slideRight", 0.6), transitionOut=transition("fade", 0.5)),
        layer("text", "lt-name", settings(1.0, 7.3, "name"),
              {"text": "Field notes, day 3", "fontSize": 2.6, "fontWeight": 700, "fontFamily": "Inter",
               "color": "#ffffff", "position": [0.26, 0.8]},
              transitionIn=transition("slideRight", 0.6), transitionOut=transition("fade", 0.5)),
    ]  # fmt: skip
    return {"name": "Bench upscaled clips", "width": W, "height": H, "fps": FPS, "duration": duration,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


SLIDES = (("media/photo.jpg", [0.5, 0.5], [0.46, 0.52]), ("media/photo-2.jpg", [0.5, 0.5], [0.54, 0.47]),
          ("media/photo-3.jpg", [0.52, 0.5], [0.48, 0.5]))  # fmt: skip


def slideshow() -> dict[str, Any]:
    """Ken Burns: each photo scales 1 -> 1.15 and pans over 3.5 s; 0.5 s crossfades; a shadowed title."""
    span, overlap = 3.5, 0.5
    duration = len(SLIDES) * (span - overlap) + overlap
    layers: list[dict[str, Any]] = []
    for i, (source, start_pos, end_pos) in enumerate(SLIDES):
        start = i * (span - overlap)
        layers.append(layer(
            "image", f"slide-{i}", settings(start, span, f"slide {i}", source=source), {"fit": "cover"},
            [track("scale", (0, 1.0, "linear"), (span, 1.15, "step")),
             track("position", (0, start_pos, "easeInOut"), (span, end_pos, "step"))],
            **({"transitionIn": transition("fade", overlap)} if i else {})))  # fmt: skip
    layers.append(layer("text", "title", settings(0.4, duration - 0.8, "title"),
                        {"text": "Three Days North", "fontSize": 7, "fontWeight": 800, "fontFamily": "Inter",
                         "color": "#ffffff", "position": [0.5, 0.82], "textShadow": True,
                         "textShadowColor": "rgba(0,0,0,0.6)", "textShadowOffset": [0, 0.2], "textShadowBlur": 0.6},
                        transitionIn=transition("fade", 0.8), transitionOut=transition("fade", 0.4)))  # fmt: skip
    return {"name": "Bench Ken Burns slideshow", "width": W, "height": H, "fps": FPS, "duration": duration,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


SHOWCASE = (
    ("media/photo.jpg", [
        {"effect": "colorCorrection", "params": {"contrast": 0.2, "saturation": 0.25}},
        {"effect": "bloom", "params": {"threshold": 0.65, "intensity": 0.7}},
        {"effect": "lightSweep", "params": {"angle": 25}},
        {"effect": "vignette", "params": {"intensity": 0.5}},
    ]),
    ("media/photo-2.jpg", [
        {"effect": "rgbSplit", "params": {"amount": 0.006}},
        {"effect": "sliceGlitch", "params": {"sliceCount": 24, "offsetAmount": 0.03}},
        {"effect": "vhsDistortion", "params": {"noiseAmount": 0.3}},
        {"effect": "waveWarp", "params": {"amplitude": 0.01}},
        {"effect": "filmGrain", "params": {"amount": 0.15}},
    ]),
    ("media/photo-3.jpg", [
        {"effect": "frostedGlass", "params": {"blurRadius": 0.4}},
        {"effect": "glow", "params": {"intensity": 0.8, "source": "brightness"}},
        {"effect": "lightRays", "params": {"intensity": 1.0, "centerY": 0.35}},
        {"effect": "duotone", "params": {"mix": 0.35}},
    ]),
)  # fmt: skip


def effects_showcase() -> dict[str, Any]:
    """Three photos, 3 s each, with effects from every family (the params a user would set)."""
    span = 3.0
    layers: list[dict[str, Any]] = []
    for i, (source, effects) in enumerate(SHOWCASE):
        animations = [track("scale", (0, 1.0, "linear"), (span, 1.06, "step"))] if i == 0 else []
        if i == 1:  # the glitch slide resolves its motion blur in its first second
            effects = [*effects, {"effect": "motionBlur", "params": {"amount": 0.6}}]
        extra: dict[str, Any] = {"transitionIn": transition("fade", 0.4)} if i else {}
        layers.append(layer("image", f"photo-{i}", settings(i * span, span, f"photo {i}", source=source),
                            {"fit": "cover"}, animations, effects=effects, **extra))  # fmt: skip
    layers += [
        layer("text", "title", settings(0.3, 8.4, "title"),
              {"text": "Effects", "fontSize": 6, "fontWeight": 800, "fontFamily": "Inter", "color": "#ffffff",
               "position": [0.5, 0.15]},
              transitionIn=transition("fade", 0.5),
              effects=[{"effect": "gaussianBlur", "params": {"radius": 0.1}}]),
        layer("shape", "badge", settings(6.0, 3.0, "badge", shapeType="rectangle"),
              {"width": 40, "height": 12, "fill": "#111827", "cornerRadius": 3, "position": [0.5, 0.8]},
              effects=[{"effect": "radialReveal", "params": {"progress": 0.8}},
                       {"effect": "pixelate", "params": {"pixelSize": 0.2}}]),
    ]  # fmt: skip
    return {"name": "Bench effects showcase", "width": W, "height": H, "fps": FPS, "duration": 9.0,
            "backgroundColor": "#000000", "layers": layers}  # fmt: skip


DOCUMENTS = {
    "promo.json": promo,
    "promo-kenburns.json": lambda: promo(ken_burns=True),
    "dashboard.json": dashboard,
    "talking-head.json": talking_head,
    "photo-effect.json": photo_effect,
    "photo-effect-4k.json": lambda: photo_effect(3840, 2160),
    "clips.json": clips,
    "slideshow.json": slideshow,
    "effects-showcase.json": effects_showcase,
}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, build in DOCUMENTS.items():
        path = OUT / name
        path.write_text(json.dumps(build(), indent=1) + "\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
