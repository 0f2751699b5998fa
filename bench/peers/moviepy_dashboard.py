"""MoviePy 2 equivalent of bench/documents/dashboard.json (8 s, 1920×1080@30).

Twelve cards enter one after another (slide up + fade): a rounded card with a soft shadow (drawn
once with Pillow, as MoviePy users do for static artwork), a label, a value that counts up for
1.2 s (a `VideoClip` drawing the number with Pillow each frame, then the final text) and a progress
bar growing to its value (a per-frame resize); three bars keep moving to the end, and a red "live"
dot pulses.

    python bench/peers/moviepy_dashboard.py OUT.mp4 [--scale 0.5]
"""

from __future__ import annotations

import re

import numpy as np
from _common import arguments, ease_in_out, ease_out, font, write
from moviepy import ColorClip, CompositeVideoClip, ImageClip, TextClip, VideoClip, concatenate_videoclips, vfx
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DURATION = 8.0
CARDS = [
    ("Revenue", "$182,450", "#38bdf8", 0.82), ("Orders", "12,904", "#a78bfa", 0.64),
    ("Conversion", "3.8%", "#34d399", 0.38), ("Avg. order", "$64.20", "#fbbf24", 0.55),
    ("Visitors", "341,220", "#f472b6", 0.91), ("Returns", "2.1%", "#f87171", 0.21),
    ("Support tickets", "1,208", "#60a5fa", 0.47), ("NPS", "62", "#4ade80", 0.62),
    ("Uptime", "99.98%", "#2dd4bf", 0.99), ("Latency p95", "184 ms", "#fb923c", 0.44),
    ("Active users", "58,310", "#c084fc", 0.73), ("Churn", "1.4%", "#facc15", 0.14),
]  # fmt: skip
LIVE = (0, 5, 10)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def card_image(w: int, h: int, radius: int, blur: float, offset: int) -> np.ndarray:
    """A rounded #1e293b card over its blurred shadow, RGBA."""
    pad = int(blur * 3) + offset
    img = Image.new("RGBA", (w + 2 * pad, h + 2 * pad), (0, 0, 0, 0))
    shadow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).rounded_rectangle((pad, pad + offset, pad + w, pad + h + offset), radius,
                                             fill=(0, 0, 0, 115))  # fmt: skip
    img = Image.alpha_composite(img, shadow.filter(ImageFilter.GaussianBlur(blur)))
    ImageDraw.Draw(img).rounded_rectangle((pad, pad, pad + w, pad + h), radius, fill=(30, 41, 59, 255))
    return np.asarray(img)


def counter(value: str, size: int, duration: float) -> VideoClip:
    """The number in `value` counting up from 0 over `duration`, drawn with Pillow each frame."""
    typeface = ImageFont.truetype(font(700), size)
    match = re.search(r"[\d,.]+", value)
    digits = match.group(0) if match else "0"
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    target = float(digits.replace(",", ""))
    box = typeface.getbbox(value)
    w, h = box[2] + 16, box[3] + 16

    def label(t: float) -> str:
        n = target * ease_out(t / duration)
        shown = f"{n:,.{decimals}f}" if "," in digits else f"{n:.{decimals}f}"
        return value.replace(digits, shown)

    def frame(t: float) -> np.ndarray:
        img = Image.new("RGB", (w, h))
        ImageDraw.Draw(img).text((8, 8), label(t), font=typeface, fill="#f8fafc")
        return np.asarray(img)

    def mask(t: float) -> np.ndarray:
        img = Image.new("L", (w, h))
        ImageDraw.Draw(img).text((8, 8), label(t), font=typeface, fill=255)
        return np.asarray(img) / 255.0

    return VideoClip(frame, duration=duration).with_mask(VideoClip(mask, is_mask=True, duration=duration))


def build(scale: float) -> CompositeVideoClip:
    W, H = round(1920 * scale), round(1080 * scale)
    em, unit = W / 100, min(W, H) / 100
    layers = [ColorClip((W, H), color=(15, 23, 42)).with_duration(DURATION)]
    header = TextClip(font=font(800), text="Q3 Operations Overview", font_size=round(2.6 * em), color="#f8fafc",
                      margin=(8, 8))  # fmt: skip
    layers.append(header.with_position((0.2 * W - header.w / 2, 0.09 * H - header.h / 2))
                  .with_duration(DURATION).with_effects([vfx.CrossFadeIn(0.5)]))  # fmt: skip
    d = round(1.6 * unit)
    dot = ColorClip((d, d), color=(239, 68, 68))
    yy, xx = np.mgrid[0:d, 0:d]
    disc = (((xx - d / 2 + 0.5) ** 2 + (yy - d / 2 + 0.5) ** 2) <= (d / 2) ** 2).astype(float)
    pulse = VideoClip(
        lambda t: disc * (0.625 + 0.375 * np.cos(2 * np.pi * t)), is_mask=True, duration=DURATION
    )
    layers.append(
        dot.with_mask(pulse).with_position((0.86 * W - d / 2, 0.09 * H - d / 2)).with_duration(DURATION)
    )
    live = TextClip(font=font(700), text="LIVE", font_size=round(1.2 * em), color="#fca5a5", margin=(4, 4))
    layers.append(live.with_position((0.9 * W - live.w / 2, 0.09 * H - live.h / 2)).with_duration(DURATION))

    card_w, card_h = round(420 * scale), round(230 * scale)
    art = card_image(card_w, card_h, round(1.6 * unit), 0.5 * em, round(0.3 * em))
    pad = (art.shape[1] - card_w) // 2
    for i, (label, value, accent, fill) in enumerate(CARDS):
        cx, cy = (i % 4 + 0.5) / 4 * W, (0.3 + (i // 4) * 0.255) * H
        start = 0.2 + 0.12 * i
        life = DURATION - start
        rise = lambda t: 0.1 * H * (1 - ease_out(t / 0.6))  # noqa: E731

        def place(clip, x, y, rise=rise):  # type: ignore[no-untyped-def]
            return clip.with_position(lambda t: (x, y + rise(t)))

        card = ImageClip(art).with_duration(life)
        layers.append(place(card, cx - card_w / 2 - pad, cy - card_h / 2 - pad).with_start(start)
                      .with_effects([vfx.CrossFadeIn(0.6)]))  # fmt: skip
        name = TextClip(font=font(500), text=label, font_size=round(1.1 * em), color="#94a3b8", margin=(4, 4))
        layers.append(place(name, cx - name.w / 2, cy - 0.068 * H - name.h / 2).with_start(start)
                      .with_duration(life).with_effects([vfx.CrossFadeIn(0.6)]))  # fmt: skip
        size = round(2.4 * em)
        count = counter(value, size, 1.2)
        final = TextClip(font=font(700), text=value, font_size=size, color="#f8fafc", margin=(8, 8))
        number = concatenate_videoclips([count, final.with_duration(life - 1.2)])
        layers.append(number.with_position((cx - number.w / 2, cy - number.h / 2)).with_start(start))
        bar_w, bar_h = card_w - round(56 * scale), max(2, round(1.0 * unit))
        track = ColorClip((bar_w, bar_h), color=(51, 65, 85))
        layers.append(place(track, cx - bar_w / 2, cy + 0.07 * H - bar_h / 2).with_start(start)
                      .with_duration(life).with_effects([vfx.CrossFadeIn(0.6)]))  # fmt: skip
        if i in LIVE:
            wobble = [fill, fill * 0.8, fill * 0.95, fill * 0.7, fill * 0.9, fill]
            step = (life - 1.4) / (len(wobble) - 1)

            def width(t: float, wobble=wobble, step=step, fill=fill) -> float:
                if t < 1.4:
                    return fill * ease_out(t / 1.4)
                k = min(len(wobble) - 2, int((t - 1.4) // step))
                return wobble[k] + (wobble[k + 1] - wobble[k]) * ease_in_out((t - 1.4 - k * step) / step)
        else:

            def width(t: float, fill=fill) -> float:
                return fill * ease_out(t / 1.4)

        bar = ColorClip((bar_w, bar_h), color=rgb(accent))
        bar = bar.resized(
            lambda t, width=width, bar_w=bar_w, bar_h=bar_h: (max(1, round(bar_w * width(t))), bar_h)
        )
        layers.append(bar.with_position((cx - bar_w / 2, cy + 0.07 * H - bar_h / 2)).with_start(start)
                      .with_duration(life))  # fmt: skip
    return CompositeVideoClip(layers, size=(W, H)).with_duration(DURATION)


if __name__ == "__main__":
    write(build, arguments(__doc__.splitlines()[0]))
