"""Output-format benchmark: one bench document rendered to every format, at 1080p.

Hot path: the whole render (timeline, raster, conversion, encoder) to each output kind of
`encode/formats.py`, with H.264 MP4 (the default) run first in the same command as the baseline, so
each format is reported as a ratio to it (the project's rule on a shared machine). Columns:

* render fps: frames / wall seconds of the whole render (after a discarded warm-up render, so
  fonts, media and numba kernels are loaded before the baseline);
* frames per CPU-second: frames / CPU seconds (user + system, every thread) of the whole render,
  steadier than wall time on a shared machine and fair to encoders with their own thread pools
  (SVT-AV1, x265), whose work does not show as busy time of the muxer's encoder thread;
* size of the output (image sequences: all files) and the wall ratio to H.264.

The first `--seconds` of ``bench/documents/promo.json`` (1920×1080@30, with photo, logo, text and
captions; media from bench/make_media.py) are rendered; the machine load (``os.getloadavg``) is
printed before and after, since other processes share the CPUs.

    PYTHONPATH=src python bench/bench_formats.py [--seconds 3] [--only h264,vp9]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import vfnative  # noqa: E402
from vfnative.settings import EncodeSettings, RenderSettings  # noqa: E402

CASES: list[tuple[str, str, dict[str, object]]] = [
    ("h264", "out.mp4", {}),
    ("h265", "out.mp4", {"codec": "h265"}),
    ("h265 10-bit", "out.mp4", {"codec": "h265", "pix_fmt": "yuv420p10le"}),
    ("av1", "out.mp4", {"codec": "av1"}),
    ("vp9", "out.webm", {}),
    ("vp9 alpha", "out.webm", {"alpha": True}),
    ("prores 422 hq", "out.mov", {}),
    ("prores 4444 alpha", "out.mov", {"alpha": True}),
    ("gif", "out.gif", {}),
    ("webp anim", "out.webp", {}),
    ("png seq", "seq/%05d.png", {}),
    ("jpeg seq", "seq/%05d.jpg", {}),
    ("webp seq", "seq/%05d.webp", {}),
    ("wav", "out.wav", {}),
    ("m4a", "out.m4a", {}),
    ("mp3", "out.mp3", {}),
    ("opus", "out.opus", {}),
    ("flac", "out.flac", {}),
]


def _cpu() -> float:
    """CPU seconds (user + system) of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _size(path: Path) -> int:
    if "%" in path.name:
        return sum(p.stat().st_size for p in path.parent.iterdir())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds of the promo document")
    parser.add_argument("--only", help="comma-separated case names (h264 always runs first)")
    args = parser.parse_args()
    from make_media import ensure_media

    ensure_media(quiet=True)
    doc = json.loads((ROOT / "bench" / "documents" / "promo.json").read_text())
    doc["duration"] = min(float(doc["duration"]), args.seconds)
    cases = CASES
    if args.only:
        wanted = {"h264", *args.only.split(",")}
        cases = [c for c in CASES if c[0] in wanted]
    print(f"# promo.json, first {doc['duration']:g} s at {doc['width']}x{doc['height']}@{doc['fps']}; "
          f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f}")  # fmt: skip
    print("| format | render fps | frames / CPU-s | size | wall / h264 | CPU / h264 |")
    print("|---|---|---|---|---|---|")
    base_dir = ROOT / "bench" / "documents"
    baseline: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory(prefix="vfnative-bench-warmup-") as tmp:
        vfnative.render(doc, Path(tmp) / "warmup.mp4", base_dir=base_dir)
    for name, output, encode in cases:
        folder = Path(tempfile.mkdtemp(prefix="vfnative-bench-formats-"))
        try:
            out = folder / output
            settings = RenderSettings(encode=EncodeSettings(**encode))  # type: ignore[arg-type]
            cpu0 = _cpu()
            started = time.perf_counter()
            report = vfnative.render(doc, out, settings=settings, base_dir=base_dir)
            wall = time.perf_counter() - started
            cpu = _cpu() - cpu0
            baseline = baseline or (wall, cpu)
            audio_only = output.endswith((".wav", ".m4a", ".mp3", ".opus", ".flac"))
            fps = "-" if audio_only else f"{report.frames / wall:.1f}"
            per_cpu = "-" if audio_only else f"{report.frames / cpu:.1f}"
            print(f"| {name} | {fps} | {per_cpu} | {_size(out) / 1e6:.2f} MB | {wall / baseline[0]:.2f}x "
                  f"| {cpu / baseline[1]:.2f}x |", flush=True)  # fmt: skip
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"# load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
