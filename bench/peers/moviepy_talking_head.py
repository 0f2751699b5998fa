"""MoviePy 2 equivalent of bench/documents/talking-head.json (10 s, 1920×1080@30, with audio).

The presenter video full frame with its own sound, background music at 25 % volume mixed in, a
lower third (translucent bar, amber accent, name and title) sliding in from the left at 1 s and
fading out at 7.5 s, and a logo bug at 85 % opacity.

    python bench/peers/moviepy_talking_head.py OUT.mp4 [--scale 0.5]
"""

from __future__ import annotations

from _common import MEDIA, arguments, ease_out, font, write
from moviepy import (
    AudioFileClip,
    ColorClip,
    CompositeAudioClip,
    CompositeVideoClip,
    ImageClip,
    TextClip,
    VideoFileClip,
    afx,
    vfx,
)

DURATION = 10.0


def build(scale: float) -> CompositeVideoClip:
    W, H = round(1920 * scale), round(1080 * scale)
    em, unit = W / 100, min(W, H) / 100
    video = VideoFileClip(str(MEDIA / "talking-head.mp4"))
    if scale != 1.0:
        video = video.resized((W, H))
    video = video.with_duration(DURATION)
    music = AudioFileClip(str(MEDIA / "music.m4a")).with_effects([afx.MultiplyVolume(0.25)])
    audio = CompositeAudioClip([video.audio, music]).with_duration(DURATION)

    lt_x, lt_y, lt_w, lt_h = 0.26 * W, 0.8 * H, round(640 * scale), round(12 * unit)

    def lower_third(clip, x: float, y: float, start: float, end: float):  # type: ignore[no-untyped-def]
        # slide in from 12 % of the width to the left (kept inside the frame: MoviePy 2.2 cannot
        # composite a masked clip that starts left of the frame)
        reach = min(0.12 * W, x)

        def dx(t: float) -> float:
            return -reach * (1 - ease_out(t / 0.6))

        return (clip.with_position(lambda t: (x + dx(t), y)).with_start(start).with_duration(end - start)
                .with_effects([vfx.CrossFadeIn(0.6), vfx.CrossFadeOut(0.5)]))  # fmt: skip

    bar = ColorClip((lt_w, lt_h), color=(15, 23, 42)).with_opacity(0.86)
    accent = ColorClip((max(1, round(0.9 * unit)), lt_h), color=(245, 158, 11))
    name = TextClip(
        font=font(700), text="Dr. Amelia Hart", font_size=round(2.6 * em), color="white", margin=(6, 6)
    )
    title = TextClip(font=font(500), text="Head of Research, Northwind Labs", font_size=round(1.5 * em),
                     color="#cbd5e1", margin=(6, 6))  # fmt: skip
    logo = ImageClip(str(MEDIA / "logo.png"))
    logo = logo.resized(0.1 * W / logo.w).with_opacity(0.85)
    layers = [
        video,
        lower_third(bar, lt_x - lt_w / 2, lt_y - lt_h / 2, 1.0, 7.5),
        lower_third(accent, lt_x - lt_w / 2, lt_y - lt_h / 2, 1.0, 7.5),
        lower_third(name, lt_x - name.w / 2, lt_y - 0.025 * H - name.h / 2, 1.2, 7.5),
        lower_third(title, lt_x - title.w / 2, lt_y + 0.03 * H - title.h / 2, 1.4, 7.5),
        logo.with_position((0.9 * W - logo.w / 2, 0.08 * H - logo.h / 2)).with_duration(DURATION),
    ]
    return CompositeVideoClip(layers, size=(W, H)).with_duration(DURATION).with_audio(audio)


if __name__ == "__main__":
    write(build, arguments(__doc__.splitlines()[0]), audio=True)
