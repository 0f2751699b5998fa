"""Write tests/compat/corpus: documents the reference renders, with the mistakes apps make.

Each document is shaped as `@videoflow/core` compiles (settings with `enabled`/`startTime`/
`sourceDuration`/`name`, `properties`, `animations` on every layer: the reference needs both
objects on a layer), small (160×90, 10 fps, 2 frames), and carries at least one thing the
reference ignores, so `--strict` fails it. `expected.json` lists, per document, the paths lenient
loading warns about (the same paths `--strict` reports, in document order) and a fragment of each
warning. Every document was checked with VideoFlow's own BrowserRenderer in Chromium (frame 0 and
the last frame render without an error; /work/ref/tools/check.mjs in the session that made them).

Run: python tests/compat/make_corpus.py (rewrites the corpus folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "corpus"
PNG_1PX = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

Doc = dict[str, Any]
EXPECTED: dict[str, list[list[str]]] = {}


def doc(*layers: Any, **top: Any) -> Doc:
    out: Doc = {"name": "compat", "duration": 0.2, "width": 160, "height": 90, "fps": 10,
                "backgroundColor": "#0b1020", "layers": list(layers)}  # fmt: skip
    out.update(top)
    return out


def settings(**extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"enabled": True, "startTime": 0, "sourceDuration": 0.2}
    out.update(extra)
    return out


def shape(i: int = 0, *, props: dict[str, Any] | None = None, **kw: Any) -> Doc:
    layer: Doc = {
        "id": f"shape-{i}", "type": "shape",
        "settings": settings(name="Shape", shapeType="rectangle"),
        "properties": {"width": 30, "height": 30, "fill": "#ff5a1f", "position": [0.3 + 0.2 * i, 0.5],
                       **(props or {})},
        "animations": [],
    }  # fmt: skip
    layer.update(kw)
    return layer


def text(i: int = 0, *, props: dict[str, Any] | None = None, **kw: Any) -> Doc:
    layer: Doc = {
        "id": f"text-{i}", "type": "text", "settings": settings(name="Text"),
        "properties": {"text": "Hello", "fontSize": 3, "fontWeight": 700, **(props or {})}, "animations": [],
    }  # fmt: skip
    layer.update(kw)
    return layer


def image(i: int = 0, *, props: dict[str, Any] | None = None, **kw: Any) -> Doc:
    layer: Doc = {
        "id": f"image-{i}", "type": "image", "settings": settings(name="Image", source=PNG_1PX),
        "properties": {"fit": "cover", **(props or {})}, "animations": [],
    }  # fmt: skip
    layer.update(kw)
    return layer


def group(*children: Any, **kw: Any) -> Doc:
    layer: Doc = {"id": "group", "type": "group", "settings": settings(name="Group"), "properties": {},
                  "animations": [], "children": list(children)}  # fmt: skip
    layer.update(kw)
    return layer


def anim(prop: str, *values: Any, easing: str | None = None, times: list[float] | None = None) -> Doc:
    times = times or [0.1 * k for k in range(len(values))]
    keyframes: list[Doc] = []
    for k, (t, v) in enumerate(zip(times, values, strict=True)):
        kf: Doc = {"time": t, "value": v}
        if easing is not None and k == 0:
            kf["easing"] = easing
        keyframes.append(kf)
    return {"property": prop, "keyframes": keyframes}


def write(name: str, document: Doc, *expected: tuple[str, str]) -> None:
    """`expected`: (path, fragment of the warning) for every tolerated thing, in document order."""
    assert expected, f"{name}: every corpus document carries something --strict refuses"
    (HERE / f"{name}.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    EXPECTED[name] = [[path, fragment] for path, fragment in expected]


IGNORED = "ignored, as the reference ignores it"
META: tuple[str, str] = ("meta", IGNORED)
"""Most documents also carry an app's metadata block (every real template does)."""


def with_meta(document: Doc) -> Doc:
    document["meta"] = {"app": "template-studio", "version": "4.2.0", "user": 1042}
    return document


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for old in HERE.glob("*.json"):
        old.unlink()

    # ---- the table, row by row
    write("text-glowamount", doc(text(props={"glowAmount": 3})),
          ("layers[0].properties.glowAmount", "unknown property for a text layer; " + IGNORED))  # fmt: skip
    write("image-width-height", doc(image(props={"width": 640, "height": 360})),
          ("layers[0].properties.width", IGNORED), ("layers[0].properties.height", IGNORED))  # fmt: skip
    write("settings-extra-key", doc(shape(settings=settings(name="Shape", foo=1))),
          ("layers[0].settings.foo", "unknown field; " + IGNORED))  # fmt: skip
    write("top-level-meta", with_meta(doc(shape())), META)
    write("oklch-fill", with_meta(doc(shape(props={"fill": "oklch(70% 0.1 200)"}))), META)
    write("unknown-easing", doc(shape(animations=[anim("opacity", 0, 1, easing="bounce")])),
          ("layers[0].animations[0].keyframes[0].easing", 'unknown easing "bounce"; rendered as linear'))  # fmt: skip
    write("unknown-layer-type", doc(shape(), {"id": "s", "type": "sticker", "settings": settings(), "properties": {},
                                              "animations": []}),
          ("layers[1].type", 'unknown layer type "sticker"; the layer is skipped'))  # fmt: skip

    # ---- extra keys at every level
    write("layer-editor-fields", doc(shape(locked=True, selected=False, uiColor="#ff0000")),
          ("layers[0].locked", IGNORED), ("layers[0].selected", IGNORED), ("layers[0].uiColor", IGNORED))  # fmt: skip
    write("animation-extra-keys", doc(shape(animations=[{**anim("opacity", 0, 1), "id": "a1", "loop": False}])),
          ("layers[0].animations[0].id", IGNORED), ("layers[0].animations[0].loop", IGNORED))  # fmt: skip
    kf_anim = anim("rotation", 0, 45)
    kf_anim["keyframes"][0]["handleIn"] = [0.2, 0.1]
    kf_anim["keyframes"][1]["selected"] = True
    write("keyframe-extra-keys", doc(shape(animations=[kf_anim])),
          ("layers[0].animations[0].keyframes[0].handleIn", IGNORED),
          ("layers[0].animations[0].keyframes[1].selected", IGNORED))  # fmt: skip
    write("transition-extra-key", doc(shape(transitionIn={"transition": "fade", "duration": 0.1, "direction": "left"})),
          ("layers[0].transitionIn.direction", IGNORED))  # fmt: skip
    write("effect-extra-key", doc(shape(effects=[{"effect": "vignette", "params": {}, "label": "Dark corners"}])),
          ("layers[0].effects[0].label", IGNORED))  # fmt: skip
    captions = {"id": "cap", "type": "captions",
                "settings": settings(name="Captions", captions=[
                    {"caption": "Hi", "startTime": 0, "endTime": 0.2, "speaker": "Ana", "confidence": 0.93}]),
                "properties": {"fontSize": 3}, "animations": []}  # fmt: skip
    write("caption-extra-keys", doc(captions),
          ("layers[0].settings.captions[0].speaker", IGNORED),
          ("layers[0].settings.captions[0].confidence", IGNORED))  # fmt: skip
    write("tracks-extra-key", doc(shape(track=0), tracks=[{"name": "Main", "enabled": True, "color": "#123456"}]),
          ("tracks[0].color", IGNORED))  # fmt: skip
    write("group-child-extra-key", doc(group(shape(0, hidden=False), text(1, props={"glow": 1}))),
          ("layers[0].children[0].hidden", IGNORED), ("layers[0].children[1].properties.glow", IGNORED))  # fmt: skip
    write("children-on-a-shape", doc(shape(children=[shape(1)])), ("layers[0].children", IGNORED))
    write("property-of-another-type", doc(shape(props={"fontSize": 4, "text": "not a text layer"})),
          ("layers[0].properties.fontSize", "unknown property for a shape layer"),
          ("layers[0].properties.text", "unknown property for a shape layer"))  # fmt: skip
    write("setting-of-another-type", doc(text(settings=settings(name="Text", source="a.png", shapeType="ellipse"))),
          ("layers[0].settings.source", IGNORED), ("layers[0].settings.shapeType", IGNORED))  # fmt: skip
    write("template-variables", with_meta(doc(text(props={"text": "Hi {{firstName}}"}),
                                              variables={"firstName": "Ana"}, schemaVersion=2)),
          ("variables", IGNORED), ("schemaVersion", IGNORED), META)  # fmt: skip
    kitchen = doc(
        group(
            text(props={"x-data": 1}, animations=[{**anim("opacity", 0, 1), "note": "fade"}]),
            editor={"open": True},
        ),
        shape(
            1,
            settings=settings(name="Shape", shapeType="ellipse", z=3),
            transitionOut={"transition": "fade", "duration": 0.1, "sound": "whoosh"},
        ),  # fmt: skip
        render={"quality": "high"},
    )
    write("kitchen-sink", kitchen,
          ("render", IGNORED), ("layers[0].editor", IGNORED), ("layers[0].children[0].properties.x-data", IGNORED),
          ("layers[0].children[0].animations[0].note", IGNORED), ("layers[1].settings.z", IGNORED),
          ("layers[1].transitionOut.sound", IGNORED))  # fmt: skip

    # ---- unknown easings, types and animated properties
    write("easing-cubic-bezier-string", doc(shape(animations=[anim("scale", 1, 1.5, easing="cubic-bezier(0.1, 0.7, 1, 0.1)")])),
          ("layers[0].animations[0].keyframes[0].easing", "unknown easing"))  # fmt: skip
    write("easing-misspelt", doc(shape(animations=[anim("opacity", 1, 0, easing="easeinout")])),
          ("layers[0].animations[0].keyframes[0].easing", "did you mean 'easeInOut'?"))  # fmt: skip
    write("easing-on-a-colour", doc(shape(animations=[anim("fill", "#ff0000", "#0000ff", easing="spring")])),
          ("layers[0].animations[0].keyframes[0].easing", "ease-in-out for colours"))  # fmt: skip
    write("easing-on-a-transition", doc(shape(transitionIn={"transition": "fade", "duration": 0.1, "easing": "elastic"})),
          ("layers[0].transitionIn.easing", "unknown easing"))  # fmt: skip
    write("easing-on-an-animation", doc(shape(animations=[{**anim("opacity", 0, 1), "easing": "smooth"}])),
          ("layers[0].animations[0].easing", "unknown easing"))  # fmt: skip
    write("unknown-type-in-a-group", doc(group(shape(), {"id": "l", "type": "lottie", "settings": settings(),
                                                         "properties": {"src": "a.json"}, "animations": []})),
          ("layers[0].children[1].type", 'unknown layer type "lottie"'))  # fmt: skip
    write("abstract-core-type", doc({"id": "v", "type": "visual", "settings": settings(), "properties": {},
                                     "animations": []}, shape()),
          ("layers[0].type", 'unknown layer type "visual"'))  # fmt: skip
    write("animated-unknown-property", doc(shape(animations=[anim("glow", 0, 1), anim("opacity", 0.5, 1)])),
          ("layers[0].animations[0].property", 'unknown property "glow" for a shape layer; the animation is skipped'))  # fmt: skip
    write("animated-property-of-another-type", doc(text(animations=[anim("fill", "#ff0000", "#00ff00")])),
          ("layers[0].animations[0].property", 'unknown property "fill" for a text layer'))  # fmt: skip

    # ---- odd colours (valid CSS the reference passes to Chromium), each with an app's metadata
    colours = {
        "colour-oklab-lab-lch": ["oklab(0.6 0.1 -0.1)", "lab(50% 40 30)", "lch(60% 50 120 / 0.8)"],
        "colour-display-p3": ["color(display-p3 1 0.5 0)", "color(rec2020 0.2 0.3 0.9)", "#ffffff"],
        "colour-hwb-none-slash": ["hwb(200 10% 20%)", "rgb(none 160 255 / 50%)", "hsl(280 60% 50% / 0.8)"],
        "colour-uppercase": ["RED", "#FFF", "RGB(10, 20, 30)"],
        "colour-currentcolor-transparent": ["currentColor", "transparent", "rgba(0 0 0 / 0)"],
        "colour-out-of-gamut": ["oklch(92% 0.35 140)", "lab(60 -100 80)", "oklab(0.9 0.3 0.2)"],
    }
    for name, fills in colours.items():
        layers = [
            shape(i, props={"fill": fill, "position": [0.2 + 0.3 * i, 0.5]}) for i, fill in enumerate(fills)
        ]
        write(name, with_meta(doc(*layers)), META)
    write("colour-background-oklch", with_meta(doc(shape(), backgroundColor="oklch(25% 0.05 260)")), META)
    write("colour-keyframes-oklch", with_meta(doc(shape(animations=[anim("fill", "oklch(60% 0.2 30)", "lab(50% 0 -60)")]))),
          META)  # fmt: skip
    write("colour-text-and-shadow", with_meta(doc(text(props={"color": "oklch(90% 0.05 90)", "textShadow": True,
                                                               "textShadowColor": "lab(10 0 0 / 0.6)",
                                                               "textShadowBlur": 0.2}))), META)  # fmt: skip

    # ---- numbers as strings where the reference's JavaScript reads them as numbers
    write("string-source-duration-and-speed", with_meta(doc(shape(settings=settings(name="Shape", sourceDuration="0.4",
                                                                                    speed="2")))), META)  # fmt: skip
    write("string-property-values", with_meta(doc(text(props={"fontSize": "3em", "opacity": "0.8", "rotation": "10deg",
                                                               "position": ["0.5", "0.4"], "fontWeight": "700",
                                                               "letterSpacing": "1px"}))), META)  # fmt: skip
    write("string-keyframe-values", with_meta(doc(shape(animations=[anim("scale", "1", "1.5"), anim("rotation", "0deg", "90deg")]))),
          META)  # fmt: skip

    # ---- empty arrays and missing optional blocks
    write("empty-layers", with_meta(doc()), META)
    write("empty-arrays", with_meta(doc(shape(effects=[]), group(), {**text(1), "animations": [{"property": "opacity",
                                                                                               "keyframes": []}]})),
          META)  # fmt: skip
    write(
        "empty-captions",
        with_meta(doc({**captions, "settings": settings(name="Captions", captions=[])})),
        META,
    )
    minimal = {"id": "m", "type": "shape", "settings": {"enabled": True, "sourceDuration": 0.2}, "properties": {},
               "animations": []}  # fmt: skip
    write("missing-optional-blocks", with_meta({"duration": 0.2, "width": 160, "height": 90, "fps": 10,
                                                "layers": [minimal, {"id": "t", "type": "text",
                                                                     "settings": {"enabled": True, "sourceDuration": 0.2},
                                                                     "properties": {}, "animations": []}]}), META)  # fmt: skip
    write("audio-without-source", with_meta(doc({"id": "au", "type": "audio", "settings": settings(name="Audio"),
                                                 "properties": {"volume": 0.5}, "animations": []}, shape())), META)  # fmt: skip
    write("disabled-layers-with-junk", doc({**shape(), "settings": {**settings(), "enabled": False, "legacy": 1}}),
          ("layers[0].settings.legacy", IGNORED))  # fmt: skip

    (HERE.parent / "expected.json").write_text(json.dumps(EXPECTED, indent=1) + "\n", encoding="utf-8")
    print(f"{len(EXPECTED)} documents")


if __name__ == "__main__":
    main()
