"""Shared plumbing for the MoviePy 2 peer scripts: fonts, sizes, easing, timing, the JSON report.

Each peer builds, with MoviePy's own idioms, the scene its bench document describes, and writes it
with the same encoder settings vfnative uses by default (libx264 ``veryfast``, the reference
bitrate, yuv420p, 30 fps, threads = the CPU limit). The last stdout line is a JSON report that
bench/compare.py reads: seconds spent building the clip tree, compositing frames and writing them
to ffmpeg's pipe (the time the writer blocked on the encoder).

Fonts: MoviePy takes a font *file*; Inter ships as a variable font, so static instances at the
weights the documents use are cut once with fontTools into bench/documents/media/fonts/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MEDIA = HERE.parent / "documents" / "media"
FPS = 30


def cpu_limit() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cpus = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return cpus


def font(weight: int) -> str:
    """A static Inter instance at `weight` (cut from the variable font once, then cached)."""
    folder = MEDIA / "fonts"
    path = folder / f"Inter-{weight}.ttf"
    if path.exists():
        return str(path)
    import fontpkg_inter
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    source = next(Path(fontpkg_inter.__file__).parent.joinpath("files").glob("Inter[[]*.ttf"))
    folder.mkdir(parents=True, exist_ok=True)
    static = instancer.instantiateVariableFont(TTFont(source), {"wght": weight, "opsz": 14})
    tmp = path.with_suffix(".part")
    static.save(tmp)
    tmp.replace(path)
    return str(path)


def ease_out(x: float) -> float:
    """CSS ``ease-out``-like curve (cubic), clamped to [0, 1]."""
    x = min(1.0, max(0.0, x))
    return 1 - (1 - x) ** 3


def ease_in_out(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return 3 * x * x - 2 * x * x * x


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("output", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="scale the 1920x1080 frame (quick checks)")
    parser.add_argument(
        "--bitrate", default=None, help="x264 bitrate (default: vfnative's reference bitrate)"
    )
    parser.add_argument("--threads", type=int, default=None, help="ffmpeg threads (default: the CPU limit)")
    return parser.parse_args()


def reference_bitrate(width: int, height: int) -> str:
    """vfnative's default: 3 Mb/s · (w·h / 1920·1080)^0.95 · 2, in kb/s."""
    bps = 3_000_000 * ((width * height) / 2_073_600) ** 0.95 * 2.0
    return f"{int(-(-bps // 1000))}k"


def write(build: Callable[[float], Any], args: argparse.Namespace, *, audio: bool = False) -> None:
    """Build the clip (timed), write it with vfnative's encoder settings (timed), print the report."""
    import moviepy.video.io.ffmpeg_writer as ffmpeg_writer

    writing = {"seconds": 0.0, "frames": 0}
    original = ffmpeg_writer.FFMPEG_VideoWriter.write_frame

    def timed_write(self: Any, frame: Any) -> None:
        t0 = time.perf_counter()
        original(self, frame)
        writing["seconds"] += time.perf_counter() - t0
        writing["frames"] += 1

    ffmpeg_writer.FFMPEG_VideoWriter.write_frame = timed_write  # type: ignore[method-assign]
    started = time.perf_counter()
    clip = build(args.scale)
    built = time.perf_counter()
    width, height = clip.size
    clip.write_videofile(
        str(args.output),
        fps=FPS,
        codec="libx264",
        bitrate=args.bitrate or reference_bitrate(width, height),
        preset="veryfast",
        threads=args.threads or cpu_limit(),
        audio=audio,
        audio_codec="aac",
        audio_bitrate="192k",
        audio_fps=48_000,
        pixel_format="yuv420p",
        logger=None,
    )
    done = time.perf_counter()
    clip.close()
    report = {
        "contender": f"moviepy {version('moviepy')}",
        "frames": writing["frames"],
        "width": width,
        "height": height,
        "seconds": done - started,
        "stages": {
            "build": built - started,
            "compose": (done - built) - writing["seconds"],
            "pipe": writing["seconds"],
        },
    }
    print(json.dumps(report), flush=True)
    sys.stdout.flush()
