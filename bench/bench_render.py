"""Whole-pipeline render benchmark: document → timeline → raster → encode, at 1920×1080.

Hot path: `Renderer.render_video` (batched timeline evaluation, Skia raster, threaded libx264 encode),
for each document rescaled to the target size (layout is relative, so the composition is kept).
Per document it prints ms/frame per stage (timeline, raster, encode = time the render loop spent handing
frames to the encoder, including waiting on it), total ms/frame, × realtime, and the ratio of total time
to an x264-only encode of the same frames with the same settings in the same process (1.0 would mean
rendering is free; the browser pipelines this replaces spend most of their time capturing frames).

Warm-up (numba compile, fonts, image decode, first render) is excluded; each figure is the median of
`--runs` runs, timed with `time.perf_counter`.

    PYTHONPATH=src python bench/bench_render.py [DOC ...] [--width 1920 --height 1080] [--runs 3]

Without DOC it runs the bundled demo and the golden fixtures whose features the foundation draws.
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

import vfnative  # noqa: E402
from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.encode.mux import Muxer  # noqa: E402
from vfnative.settings import RenderSettings, cpu_limit  # noqa: E402

DEFAULT_DOCS = [
    ROOT / "src" / "vfnative" / "demo" / "demo.json",
    ROOT / "fixtures" / "goldens" / "shapes.json",
    ROOT / "fixtures" / "goldens" / "groups.json",
    ROOT / "fixtures" / "goldens" / "basic-text.json",
    ROOT / "fixtures" / "goldens" / "image-fit.json",
]


def header() -> str:
    versions = dict(library_versions())
    return (
        f"# cpus={cpu_limit()} python={versions['python']} skia-python={versions['skia-python']} "
        f"av={versions['av']} (libavcodec {versions['libavcodec']}) numba={versions['numba']} "
        f"numpy={versions['numpy']}"
    )


def fitted_size(doc_w: int, doc_h: int, width: int, height: int) -> tuple[int, int]:
    """The largest even size with the document's aspect ratio that fits in width×height."""
    scale = min(width / doc_w, height / doc_h)
    return max(2, round(doc_w * scale / 2) * 2), max(2, round(doc_h * scale / 2) * 2)


def x264_only(frames: list[np.ndarray], fps: float, settings: RenderSettings, out: Path) -> float:
    """Seconds to encode pre-rendered frames alone, with the render's encode settings."""
    h, w = frames[0].shape[:2]
    start = time.perf_counter()
    with Muxer(out, width=w, height=h, fps=fps, frame_count=len(frames), settings=settings.encode) as mux:
        for frame in frames:
            mux.write(frame)
    return time.perf_counter() - start


def bench_document(path: Path, width: int, height: int, runs: int, tmp: Path) -> str:
    doc = vfnative.load(path)
    w, h = fitted_size(doc.width, doc.height, width, height)
    settings = RenderSettings(width=w, height=h)
    renderer = vfnative.Renderer(doc, settings=settings)
    out = tmp / "bench.mp4"
    renderer.render_video(out)  # warm-up: numba, fonts, images, SkSL, x264 start-up
    reports = [renderer.render_video(out) for _ in range(runs)]
    n = reports[0].frames
    fps = reports[0].fps

    def med(values: list[float]) -> float:
        return statistics.median(values) * 1000 / n

    timeline = med([r.timings.timeline for r in reports])
    raster = med([r.timings.raster for r in reports])
    encode = med([r.timings.encode for r in reports])
    total = med([r.seconds for r in reports])
    realtime = (1000 / fps) / total

    # the same frames, encoded alone (held in memory; backgrounds are opaque, so straight == premultiplied)
    frames = [pixels for _n, pixels in renderer.iter_frames(range(n))]
    x264_only(frames, fps, settings, out)  # warm-up
    encode_alone = statistics.median([x264_only(frames, fps, settings, out) for _ in range(runs)]) * 1000 / n
    ratio = total / encode_alone
    warn = f"  ({len(reports[0].warnings)} warnings)" if reports[0].warnings else ""
    return (
        f"render  {path.name:<18} {w}x{h} {n:4d} frames  "
        f"timeline {timeline:5.2f}  raster {raster:6.2f}  encode {encode:5.2f} ms/frame  "
        f"total {total:6.2f} ms/frame  {realtime:5.2f}x realtime  "
        f"x264-only {encode_alone:5.2f} ms/frame  total/x264-only {ratio:4.2f}x{warn}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per document (median reported)")
    args = parser.parse_args(argv)
    docs = args.documents or DEFAULT_DOCS
    print(header(), flush=True)
    with tempfile.TemporaryDirectory(prefix="vfnative-bench-") as tmp:
        for path in docs:
            try:
                print(bench_document(path, args.width, args.height, args.runs, Path(tmp)), flush=True)
            except vfnative.VfnativeError as exc:
                print(f"render  {path.name:<18} failed: {type(exc).__name__}: {exc}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
