"""MoviePy 2 equivalent of bench/documents/promo.json (10 s, 1920×1080@30).

The photo is fitted to cover the frame and colour-corrected once (brightness, contrast, saturation
on the still, as a MoviePy user would; moviepy_promo_kenburns.py also pushes in slowly, a per-frame
resize); a translucent band,
the logo fading in, the titles sliding/zooming/fading, a call-to-action button and four captions.
Text shadows are a dark copy offset under the text (MoviePy has no blur for text).

    python bench/peers/moviepy_promo.py OUT.mp4 [--scale 0.5]
"""

from __future__ import annotations

import numpy as np
from _common import MEDIA, arguments, ease_in_out, ease_out, font, write
from moviepy import ColorClip, CompositeVideoClip, ImageClip, TextClip, vfx

DURATION = 10.0


def colour_correct(frame: np.ndarray) -> np.ndarray:
    """CSS brightness(1.08) contrast(1.12) saturate(1.25) on an RGB frame."""
    x = frame.astype(np.float32) / 255.0
    x = x * 1.08
    x = (x - 0.5) * 1.12 + 0.5
    luma = x @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    x = luma[..., None] + (x - luma[..., None]) * 1.25
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


def text(words: str, size: float, weight: int, color: str, **kw: object) -> TextClip:
    return TextClip(font=font(weight), text=words, font_size=round(size), color=color, margin=(8, 8), **kw)


def centred(clip, x: float, y: float, w: float, h: float, dy=None):  # type: ignore[no-untyped-def]
    """Position `clip` centred on (x·W, y·H); `dy(t)` optionally offsets it vertically."""
    cx, cy = x * w - clip.w / 2, y * h - clip.h / 2
    if dy is None:
        return clip.with_position((cx, cy))
    return clip.with_position(lambda t: (cx, cy + dy(t)))


def build(scale: float, ken_burns: bool = False) -> CompositeVideoClip:
    W, H = round(1920 * scale), round(1080 * scale)
    em = W / 100  # vfnative's em: 1/100 of the frame width

    photo = ImageClip(str(MEDIA / "photo.jpg"))
    cover = max(W / photo.w, H / photo.h)
    photo = photo.resized(cover).image_transform(colour_correct)  # once, on the still
    if ken_burns:
        zoom = lambda t: 1.0 + 0.08 * t / DURATION  # noqa: E731
        w0, h0 = photo.w, photo.h
        photo = photo.resized(zoom).with_position(
            lambda t: (
                W / 2 - w0 * zoom(t) / 2 - 0.03 * W * ease_in_out(t / DURATION),
                H / 2 - h0 * zoom(t) / 2,
            )
        )
    else:
        photo = photo.with_position(("center", "center"))
    photo = photo.with_duration(DURATION)

    band = ColorClip((W, round(34 * min(W, H) / 100)), color=(8, 10, 24)).with_opacity(0.5)
    band = centred(band, 0.5, 0.84, W, H).with_duration(DURATION)

    logo = ImageClip(str(MEDIA / "logo.png"))
    logo = logo.resized(0.13 * W / logo.w)
    logo = centred(logo, 0.11, 0.09, W, H).with_duration(DURATION).with_effects([vfx.CrossFadeIn(0.6)])

    def titled(words, size, weight, color, x, y, start, dur, enter, leave, shadow):  # type: ignore[no-untyped-def]
        slide = (lambda t: 0.1 * H * (1 - ease_out(t / enter))) if enter else None
        parts = []
        if shadow:
            s = text(words, size, weight, "black").with_opacity(0.45)
            parts.append(centred(s, x, y + 0.004, W, H, slide))
        parts.append(centred(text(words, size, weight, color), x, y, W, H, slide))
        effects = [vfx.CrossFadeIn(enter or 0.8)] + ([vfx.CrossFadeOut(leave)] if leave else [])
        return [p.with_start(start).with_duration(dur).with_effects(effects) for p in parts]

    layers = [photo, band, logo]
    layers += titled("Summer Collection", 7 * em, 800, "white", 0.5, 0.38, 0.3, 4.4, 0.8, 0.5, True)
    layers += titled(
        "Light layers for long evenings", 3 * em, 500, "#f1f5f9", 0.5, 0.5, 0.9, 3.8, 0, 0.5, False
    )

    offer = text("Up to 40% off", 8 * em, 900, "#ffd166")
    offer = offer.resized(lambda t: 0.6 + 0.4 * ease_out(t / 0.6))
    offer = offer.with_position(
        lambda t: (W / 2 - offer.w * (0.6 + 0.4 * ease_out(t / 0.6)) / 2,
                   0.4 * H - offer.h * (0.6 + 0.4 * ease_out(t / 0.6)) / 2)
    ).with_start(5.0).with_duration(5.0).with_effects([vfx.CrossFadeIn(0.6)])  # fmt: skip
    layers.append(offer)

    button = ColorClip((round(30 * min(W, H) / 100), round(8 * min(W, H) / 100)), color=(255, 255, 255))
    label = text("Shop the collection", 1.9 * em, 700, "#111827")
    rise = lambda t: 0.1 * H * (1 - ease_out(t / 0.5))  # noqa: E731
    for part in (button, label):
        layers.append(centred(part, 0.5, 0.6, W, H, rise).with_start(6.4).with_duration(3.6)
                      .with_effects([vfx.CrossFadeIn(0.5)]))  # fmt: skip

    captions = [
        ("New season, new light.", 0.2, 2.6),
        ("Linen, cotton and wool blends made to layer.", 2.6, 5.0),
        ("This week only: up to 40% off everything.", 5.0, 7.6),
        ("Free returns. Free shipping over $50.", 7.6, 10.0),
    ]
    for words, start, end in captions:
        c = text(words, 2.2 * em, 600, "white", stroke_color="black", stroke_width=max(1, round(0.08 * em)))
        layers.append(centred(c, 0.5, 0.86, W, H).with_start(start).with_duration(end - start))

    return CompositeVideoClip(layers, size=(W, H), bg_color=(0, 0, 0)).with_duration(DURATION)


if __name__ == "__main__":
    write(build, arguments(__doc__.splitlines()[0]))
