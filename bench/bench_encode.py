"""Encoder benchmark: `Muxer` alone on synthetic frames (no timeline, no raster).

Hot path: copy into the frame ring → RGBA→yuv420p (swscale, BT.709) → libx264 → MP4 mux, on the
encoder thread, at 1920×1080@30 by default. Frames are pre-generated (a moving gradient with a bar,
opaque premultiplied RGBA) so only the encoder is measured. One line per x264 speed preset with
ms/frame, × realtime and the ratio to the default speed (``veryfast``).

Warm-up (codec start-up, first frames) is excluded; figures are the median of `--runs` runs.

    PYTHONPATH=src python bench/bench_encode.py [--width 1920 --height 1080 --frames 120 --runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.encode.mux import Muxer  # noqa: E402
from vfnative.settings import EncodeSettings, cpu_limit, target_bitrate  # noqa: E402

SPEEDS = ("superfast", "veryfast", "faster", "medium")


def header() -> str:
    versions = dict(library_versions())
    return (
        f"# cpus={cpu_limit()} python={versions['python']} skia-python={versions['skia-python']} "
        f"av={versions['av']} (libavcodec {versions['libavcodec']}) numba={versions['numba']} "
        f"numpy={versions['numpy']}"
    )


def synthetic_frames(width: int, height: int, count: int) -> list[np.ndarray]:
    """Opaque premultiplied RGBA frames with motion, so x264 has real work to do."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    frames = []
    for i in range(count):
        f = np.empty((height, width, 4), np.uint8)
        f[..., 0] = ((x + 4 * i) % 256).astype(np.uint8)
        f[..., 1] = ((y + 2 * i) % 256).astype(np.uint8)
        f[..., 2] = ((x + y) / 2).astype(np.uint8)
        f[..., 3] = 255
        bar = (i * 16) % width
        f[:, bar : bar + 64, :3] = 255
        frames.append(f)
    return frames


def encode_once(frames: list[np.ndarray], fps: float, settings: EncodeSettings, out: Path) -> float:
    h, w = frames[0].shape[:2]
    start = time.perf_counter()
    with Muxer(out, width=w, height=h, fps=fps, frame_count=len(frames), settings=settings) as mux:
        for frame in frames:
            mux.write(frame)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=float, default=30)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(header(), flush=True)
    frames = synthetic_frames(args.width, args.height, args.frames)
    bitrate = target_bitrate(args.width, args.height)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="vfnative-bench-") as tmp:
        out = Path(tmp) / "encode.mp4"
        for speed in SPEEDS:
            settings = EncodeSettings(speed=speed)
            encode_once(frames[: min(30, len(frames))], args.fps, settings, out)  # warm-up
            seconds = statistics.median(
                encode_once(frames, args.fps, settings, out) for _ in range(args.runs)
            )
            results[speed] = seconds * 1000 / args.frames
        base = results["veryfast"]
        for speed, ms in results.items():
            realtime = (1000 / args.fps) / ms
            print(
                f"encode  {speed:<10} {args.width}x{args.height}@{args.fps:g} {bitrate / 1e6:.2f} Mb/s  "
                f"{ms:6.2f} ms/frame  {realtime:5.2f}x realtime  vs veryfast {ms / base:4.2f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
