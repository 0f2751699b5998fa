"""Tiny generated video for the media tests (a few KB each, written with PyAV into tmp folders)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_numbered_clip(
    path: Path,
    *,
    frames: int = 20,
    fps: int = 10,
    size: tuple[int, int] = (64, 48),
    gop: int = 5,
    bframes: int = 0,
    rotation: int = 0,
    sar: Fraction | None = None,
    audio_seconds: float = 0.0,
) -> Path:
    """An H.264 clip whose frame k is filled with grey level 10·k + 20 (lossless, so exact).

    `rotation` (CCW degrees) goes into the display matrix; the left quarter of every frame is
    white so orientation can be checked. `audio_seconds` > 0 adds a 48 kHz mono 440 Hz AAC track.
    """
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {
            "g": str(gop),
            "keyint_min": str(gop),
            "bf": str(bframes),
            "qp": "0",
            "sc_threshold": "0",
        }
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        if rotation:
            stream.set_display_rotation(rotation)
        astream = None
        if audio_seconds > 0:
            astream = out.add_stream("aac", rate=48000)
            astream.layout = "mono"
        for k in range(frames):
            img = np.full((h, w, 3), 10 * k + 20, dtype=np.uint8)
            if rotation:
                img[:, : w // 4] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = k
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if astream is not None:
            n = int(audio_seconds * 48000)
            tone = (0.25 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype(np.float32)[None, :]
            for start in range(0, n, 1024):
                af = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(tone[:, start : start + 1024]), format="fltp", layout="mono"
                )
                af.sample_rate, af.pts = 48000, start
                out.mux(astream.encode(af))
            out.mux(astream.encode(None))
    return path


def level(pixels: np.ndarray) -> int:
    """The frame number a numbered-clip picture shows (from its centre pixel)."""
    h, w = pixels.shape[:2]
    return int(round((int(pixels[h // 2, w // 2, 0]) - 20) / 10))
