"""Generate the media the bench documents use (bench/documents/media/, not committed): photo, logo, video, music.

Everything is synthetic and deterministic (fixed seeds), drawn with skia and encoded with PyAV, so the
repository stays small and anyone can rebuild the inputs:

* ``photo.jpg``  2400×1600 landscape (sky gradient, sun glow, layered ridges, film grain), JPEG q90
  — the promo's full-frame photo; larger than the frame, as stock photos are, so it is downsampled.
* ``logo.png``   480×160 RGBA wordmark on a rounded badge (straight alpha).
* ``talking-head.mp4``  1920×1080@30, 10 s, H.264 (crf 20) + AAC voice-like track: a presenter
  (head and shoulders that sway, blink and "talk") in front of a bokeh background, with sensor grain
  so the encoder sees real-footage noise.
* ``music.m4a``  10 s stereo 48 kHz AAC: a four-chord pad with a soft kick.
* ``photo-2.jpg``, ``photo-3.jpg``  the same kind of landscape at other hours (other seeds and
  palettes), 2400×1600: the slideshow and effects showcase need three different photos.
* ``clip-a.mp4``, ``clip-b.mp4``  640×360@30, 10 s, H.264 (crf 20): the presenter scene drawn at a
  third of the size (clip B mirrored, a later time offset): phone/web footage smaller than the frame,
  shown ``fit: cover`` at 1080p.

    PYTHONPATH=src python bench/make_media.py [--out bench/documents/media] [--force]

Files that already exist are kept unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import skia

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "documents" / "media"
FPS = 30
VIDEO_SECONDS = 10
SAMPLE_RATE = 48_000


def _inter_typeface(weight: int = 700) -> skia.Typeface:
    """Inter from the fontpkg-inter package (a vfnative dependency), at `weight`; the default face otherwise."""
    try:
        import fontpkg_inter

        path = next(Path(fontpkg_inter.__file__).parent.joinpath("files").glob("Inter[[]*.ttf"))
    except (ImportError, StopIteration):
        return skia.Typeface("")
    face = skia.Typeface.MakeFromFile(str(path))
    vp = skia.FontArguments.VariationPosition
    args = skia.FontArguments()
    args.setVariationDesignPosition(
        vp(vp.Coordinates([vp.Coordinate(int.from_bytes(b"wght", "big"), float(weight))]))
    )
    return face.makeClone(args) or face


def _save(data: skia.Data, path: Path) -> None:
    if data is None:
        raise RuntimeError(f"encoding {path.name} failed")
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------------------------- photo


PALETTES = {
    "dusk": ((28, 52, 110), (236, 128, 84), (252, 206, 140)),
    "noon": ((40, 110, 200), (120, 180, 230), (220, 236, 246)),
    "night": ((8, 12, 40), (60, 40, 110), (200, 120, 150)),
}


def make_photo(
    path: Path, width: int = 2400, height: int = 1600, seed: int = 7, palette: str = "dusk"
) -> None:
    """A landscape at golden hour: gradient sky, sun glow, five ridges with fractal edges, grain."""
    rng = np.random.default_rng(seed)
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    sky = skia.GradientShader.MakeLinear(
        [skia.Point(0, 0), skia.Point(0, height * 0.75)],
        [skia.ColorSetRGB(*c) for c in PALETTES[palette]],
        [0.0, 0.65, 1.0],
    )
    canvas.drawPaint(skia.Paint(Shader=sky))
    sun = skia.GradientShader.MakeRadial(
        skia.Point(width * 0.62, height * 0.52),
        height * 0.45,
        [skia.ColorSetARGB(255, 255, 244, 214), skia.ColorSetARGB(120, 255, 190, 120), 0],
        [0.0, 0.18, 1.0],
    )
    canvas.drawPaint(skia.Paint(Shader=sun))
    palette = [(118, 84, 112), (88, 62, 96), (62, 44, 78), (40, 30, 58), (22, 18, 36)]
    for i, (r, g, b) in enumerate(palette):
        base = height * (0.50 + 0.09 * i)
        xs = np.linspace(0, width, 241)
        ys = np.full_like(xs, base)
        for octave in range(6):
            freq = (2 + 3 * i) * 2**octave / width
            amp = height * 0.07 / 1.9**octave
            ys += amp * np.sin(2 * math.pi * freq * xs + rng.uniform(0, 2 * math.pi))
        path_ = skia.Path()
        path_.moveTo(0, height)
        for x, y in zip(xs, ys, strict=True):
            path_.lineTo(float(x), float(y))
        path_.lineTo(width, height)
        path_.close()
        haze = skia.GradientShader.MakeLinear(
            [skia.Point(0, base - height * 0.1), skia.Point(0, height)],
            [
                skia.ColorSetRGB(min(255, r + 40), min(255, g + 30), min(255, b + 30)),
                skia.ColorSetRGB(r, g, b),
            ],
        )
        canvas.drawPath(path_, skia.Paint(AntiAlias=True, Shader=haze))
    pixels = surface.toarray(colorType=skia.kRGBA_8888_ColorType)  # opaque: premul == straight
    grain = rng.normal(0.0, 4.0, size=(height, width, 1)).astype(np.float32)
    pixels[..., :3] = np.clip(pixels[..., :3].astype(np.float32) + grain, 0, 255).astype(np.uint8)
    image = skia.Image.fromarray(pixels, colorType=skia.kRGBA_8888_ColorType)
    _save(image.encodeToData(skia.EncodedImageFormat.kJPEG, 90), path)


# ---------------------------------------------------------------------------------------------- logo


def make_logo(path: Path, width: int = 520, height: int = 160) -> None:
    """A rounded badge with a mark and the word NORTHWIND, on a transparent background."""
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorTRANSPARENT)
    canvas.drawRRect(
        skia.RRect.MakeRectXY(skia.Rect.MakeWH(width, height), 36, 36),
        skia.Paint(AntiAlias=True, Color=skia.ColorSetARGB(200, 12, 18, 32)),
    )
    mark = skia.Path()
    mark.moveTo(40, 120)
    mark.lineTo(80, 40)
    mark.lineTo(120, 120)
    mark.close()
    canvas.drawPath(mark, skia.Paint(AntiAlias=True, Color=skia.ColorSetRGB(255, 196, 64)))
    canvas.drawCircle(120, 56, 18, skia.Paint(AntiAlias=True, Color=skia.ColorSetRGB(255, 120, 80)))
    font = skia.Font(_inter_typeface(800), 56)
    canvas.drawString("NORTHWIND", 150, 100, font, skia.Paint(AntiAlias=True, Color=skia.ColorWHITE))
    image = surface.makeImageSnapshot()
    _save(image.encodeToData(skia.EncodedImageFormat.kPNG, 100), path)


# ---------------------------------------------------------------------------------------------- video


def _speech_envelope(t: np.ndarray, seed: int = 3) -> np.ndarray:
    """Syllable-like 0..1 loudness: 4-6 Hz bursts grouped into phrases with pauses."""
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * math.pi, 3)
    syll = 0.5 + 0.5 * np.sin(2 * math.pi * 4.7 * t + phases[0]) * np.sin(2 * math.pi * 1.3 * t + phases[1])
    phrase = (np.sin(2 * math.pi * 0.23 * t + phases[2]) > -0.55).astype(np.float64)
    return np.clip(syll, 0, 1) ** 1.5 * phrase


def _bokeh_background(width: int, height: int, seed: int = 11) -> skia.Image:
    """An out-of-focus office: warm gradient and blurred light discs, 10 % larger than the frame."""
    rng = np.random.default_rng(seed)
    w, h = int(width * 1.1), int(height * 1.1)
    surface = skia.Surface(w, h)
    canvas = surface.getCanvas()
    shader = skia.GradientShader.MakeLinear(
        [skia.Point(0, 0), skia.Point(w, h)],
        [skia.ColorSetRGB(58, 64, 82), skia.ColorSetRGB(126, 98, 78), skia.ColorSetRGB(42, 46, 60)],
    )
    canvas.drawPaint(skia.Paint(Shader=shader))
    blur = skia.ImageFilters.Blur(28, 28)
    for _ in range(36):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.7), rng.uniform(30, 110)
        color = skia.ColorSetARGB(int(rng.uniform(40, 110)), 255, int(rng.uniform(170, 235)), 150)
        canvas.drawCircle(x, y, r, skia.Paint(AntiAlias=True, Color=color, ImageFilter=blur))
    return surface.makeImageSnapshot()


def _draw_presenter(canvas: skia.Canvas, width: int, height: int, t: float, talk: float) -> None:
    """Head and shoulders, centred slightly right; sways, blinks and opens the mouth with `talk`."""
    cx = width * 0.56 + 14 * math.sin(2 * math.pi * 0.17 * t)
    cy = height * 0.42 + 6 * math.sin(2 * math.pi * 0.31 * t + 1.0)
    tilt = 2.5 * math.sin(2 * math.pi * 0.13 * t)
    aa = {"AntiAlias": True}
    # shoulders and torso
    torso = skia.Path()
    torso.moveTo(cx - 430, height)
    torso.cubicTo(cx - 420, cy + 330, cx - 200, cy + 250, cx, cy + 250)
    torso.cubicTo(cx + 200, cy + 250, cx + 420, cy + 330, cx + 430, height)
    torso.close()
    jacket = skia.GradientShader.MakeLinear(
        [skia.Point(cx - 400, 0), skia.Point(cx + 400, 0)],
        [skia.ColorSetRGB(30, 42, 70), skia.ColorSetRGB(52, 70, 108), skia.ColorSetRGB(28, 38, 64)],
    )
    canvas.drawPath(torso, skia.Paint(Shader=jacket, **aa))
    canvas.drawRect(
        skia.Rect.MakeXYWH(cx - 55, cy + 150, 110, 120),
        skia.Paint(Color=skia.ColorSetRGB(196, 144, 116), **aa),
    )
    canvas.save()
    canvas.rotate(tilt, cx, cy)
    skin = skia.GradientShader.MakeRadial(
        skia.Point(cx - 40, cy - 40), 260, [skia.ColorSetRGB(236, 190, 160), skia.ColorSetRGB(184, 132, 106)]
    )
    canvas.drawOval(skia.Rect.MakeXYWH(cx - 150, cy - 190, 300, 380), skia.Paint(Shader=skin, **aa))
    hair = skia.Path()
    hair.addArc(skia.Rect.MakeXYWH(cx - 162, cy - 205, 324, 300), 180, 180)
    canvas.drawPath(hair, skia.Paint(Color=skia.ColorSetRGB(48, 32, 26), **aa))
    blink = 0.12 if (t % 3.7) < 0.12 else 1.0
    for ex in (cx - 60, cx + 60):
        canvas.drawOval(
            skia.Rect.MakeXYWH(ex - 22, cy - 30 - 12 * blink, 44, 24 * blink),
            skia.Paint(Color=skia.ColorWHITE, **aa),
        )
        canvas.drawCircle(ex, cy - 30, 10 * blink, skia.Paint(Color=skia.ColorSetRGB(60, 40, 30), **aa))
    mouth_h = 6 + 34 * talk
    canvas.drawOval(
        skia.Rect.MakeXYWH(cx - 48, cy + 80 - mouth_h / 2, 96, mouth_h),
        skia.Paint(Color=skia.ColorSetRGB(120, 40, 46), **aa),
    )
    canvas.restore()


def make_talking_head(
    path: Path,
    width: int = 1920,
    height: int = 1080,
    seconds: int = VIDEO_SECONDS,
    *,
    offset: float = 0.0,
    mirror: bool = False,
    sound: bool = True,
) -> None:
    """The presenter clip: H.264 crf 20 yuv420p BT.709 + a mono-ish AAC voice track, 30 fps.

    Drawn at 1920×1080 coordinates scaled to `width`×`height`; `offset` shifts the scene's clock,
    `mirror` flips it left-right, `sound` adds the voice track."""
    rng = np.random.default_rng(5)
    frames = seconds * FPS
    background = _bokeh_background(1920, 1080)
    pixels = np.zeros((height, width, 4), np.uint8)
    surface = skia.Surface(pixels, colorType=skia.kBGRA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    canvas = surface.getCanvas()
    talk = _speech_envelope(np.arange(frames) / FPS)
    grain_bank = rng.normal(0, 3.0, size=(8, height, width, 1)).astype(np.int16)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.options = {"crf": "20", "preset": "veryfast"}
        video.codec_context.colorspace = video.codec_context.color_primaries = (
            video.codec_context.color_trc
        ) = 1
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo") if sound else None
        for i in range(frames):
            t = i / FPS + offset
            canvas.clear(skia.ColorBLACK)
            canvas.save()
            if mirror:
                canvas.translate(width, 0)
                canvas.scale(-1, 1)
            canvas.scale(width / 1920, height / 1080)
            dx = -0.05 * 1920 * (0.5 + 0.5 * math.sin(2 * math.pi * t / 20))
            canvas.drawImage(background, dx, -0.04 * 1080)
            _draw_presenter(canvas, 1920, 1080, t, float(talk[i]))
            canvas.restore()
            noisy = np.clip(pixels[..., :3].astype(np.int16) + grain_bank[i % len(grain_bank)], 0, 255)
            frame_px = np.concatenate([noisy.astype(np.uint8), pixels[..., 3:]], axis=2)
            frame = av.VideoFrame.from_ndarray(frame_px, format="bgra")
            frame = frame.reformat(format="yuv420p", dst_colorspace=av.video.reformatter.Colorspace.ITU709)
            frame.pts = i
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio is not None:
            _encode_audio(container, audio, _voice(seconds))
    tmp.replace(path)


def _voice(seconds: int) -> np.ndarray:
    """A voice-like stereo signal: a gliding 120-180 Hz buzz with two formants, gated by the envelope."""
    t = np.arange(seconds * SAMPLE_RATE) / SAMPLE_RATE
    f0 = 150 + 30 * np.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * np.cumsum(f0) / SAMPLE_RATE
    buzz = sum(
        np.sin(k * phase) / k * (1.0 + 2.0 * np.exp(-(((k * f0 - 700) / 250) ** 2))) for k in range(1, 16)
    )
    mono = 0.18 * buzz * _speech_envelope(t)
    return np.stack([mono, mono * 0.96]).astype(np.float32)


def _encode_audio(
    container: av.container.OutputContainer, stream: av.AudioStream, samples: np.ndarray
) -> None:
    """Encode planar float32 stereo `samples` (2, N) into `stream` in 1024-sample frames."""
    n = samples.shape[1]
    for start in range(0, n, 1024):
        chunk = np.ascontiguousarray(samples[:, start : start + 1024])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


# ---------------------------------------------------------------------------------------------- music


def make_music(path: Path, seconds: int = VIDEO_SECONDS) -> None:
    """Four pad chords (2.5 s each) with a detuned saw-ish timbre and a kick on every beat (96 bpm)."""
    t = np.arange(seconds * SAMPLE_RATE) / SAMPLE_RATE
    chords = [
        (220.0, 277.18, 329.63),
        (196.0, 246.94, 293.66),
        (174.61, 220.0, 261.63),
        (196.0, 246.94, 329.63),
    ]
    left = np.zeros_like(t)
    right = np.zeros_like(t)
    for index, chord in enumerate(chords * math.ceil(seconds / 10)):
        start, end = index * 2.5, (index + 1) * 2.5
        mask = (t >= start) & (t < end)
        if not mask.any():
            continue
        local = t[mask] - start
        env = np.minimum(1.0, local / 0.4) * np.minimum(1.0, (2.5 - local) / 0.3)
        for f in chord:
            for k in range(1, 6):
                left[mask] += env * np.sin(2 * math.pi * f * k * 1.002 * local) / (k * 6)
                right[mask] += env * np.sin(2 * math.pi * f * k * 0.998 * local) / (k * 6)
    beat = 60 / 96
    since = t % beat
    kick = np.exp(-since * 18) * np.sin(2 * math.pi * (50 + 80 * np.exp(-since * 30)) * since)
    samples = np.stack([0.25 * left + 0.35 * kick, 0.25 * right + 0.35 * kick]).astype(np.float32)
    tmp = path.with_suffix(".part.m4a")
    with av.open(str(tmp), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
        _encode_audio(container, stream, samples)
    tmp.replace(path)


MEDIA = {
    "photo.jpg": make_photo,
    "logo.png": make_logo,
    "talking-head.mp4": make_talking_head,
    "music.m4a": make_music,
    "photo-2.jpg": lambda path: make_photo(path, seed=21, palette="noon"),
    "photo-3.jpg": lambda path: make_photo(path, seed=33, palette="night"),
    "clip-a.mp4": lambda path: make_talking_head(path, 640, 360, sound=False),
    "clip-b.mp4": lambda path: make_talking_head(path, 640, 360, offset=4.0, mirror=True, sound=False),
}


def ensure_media(out: Path = DEFAULT_OUT, *, force: bool = False, quiet: bool = False) -> list[Path]:
    """Create every missing file in `out` (all of them with `force`); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in MEDIA.items():
        path = out / name
        if force or not path.exists():
            start = time.perf_counter()
            make(path)
            if not quiet:
                size = path.stat().st_size / 1e6
                print(f"wrote {path} ({size:.1f} MB) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder (default: bench/documents/media)"
    )
    parser.add_argument("--force", action="store_true", help="regenerate files that already exist")
    args = parser.parse_args(argv)
    ensure_media(args.out, force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
