"""Effects benchmark: ms per 1080p frame for each of the 42 effects (raster/effects.apply_effects).

Hot path: the numba kernels of one effect call, params at their defaults, on a 1920×1080
premultiplied canvas. Two workloads per effect:

* `full`  — the layer covers the whole canvas (`bounds=None`), the worst case;
* `layer` — the effects golden's photo (fixtures/goldens/media/photo.jpg) scaled to 960×540 in the
  middle of a transparent canvas, with its `bounds`, as the Compositor calls it.

The JIT warm-up (and numba's on-disk cache load) is excluded; each figure is the median of N runs,
wall clock and (in parentheses) process CPU time, which is what to compare on a shared machine —
the kernels are single-threaded. The ratio column is full/layer CPU: what the bounded passes save.

    PYTHONPATH=src python bench/bench_effects.py [--runs N] [NAME ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.raster.effects import EFFECT_NAMES, SCHEMAS, EffectCall, apply_effects  # noqa: E402
from vfnative.settings import cpu_limit  # noqa: E402

W, H = 1920, 1080
PHOTO = ROOT / "fixtures" / "goldens" / "media" / "photo.jpg"


def header() -> str:
    versions = dict(library_versions())
    return (
        f"# cpus={cpu_limit()} python={versions['python']} skia-python={versions['skia-python']} "
        f"av={versions['av']} (libavcodec {versions['libavcodec']}) numba={versions['numba']} "
        f"numpy={versions['numpy']}"
    )


def photo(width: int, height: int) -> np.ndarray:
    """The golden's photo at width×height RGB (a synthetic pattern if PIL or the file is missing)."""
    try:
        from PIL import Image

        with Image.open(PHOTO) as im:
            return np.asarray(im.convert("RGB").resize((width, height), Image.Resampling.BILINEAR))
    except (ImportError, OSError):
        yy, xx = np.mgrid[0:height, 0:width]
        return np.stack([xx * 255 // width, yy * 255 // height, (xx ^ yy) & 255], -1).astype(np.uint8)


def canvases() -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """(full canvas, layer canvas, layer bounds), opaque content so premultiplied == straight."""
    full = np.full((H, W, 4), 255, np.uint8)
    full[..., :3] = photo(W, H)
    lw, lh = W // 2, H // 2
    x0, y0 = (W - lw) // 2, (H - lh) // 2
    layer = np.zeros((H, W, 4), np.uint8)
    layer[y0 : y0 + lh, x0 : x0 + lw, :3] = photo(lw, lh)
    layer[y0 : y0 + lh, x0 : x0 + lw, 3] = 255
    return full, layer, (x0, y0, x0 + lw, y0 + lh)


def median_ms(
    img: np.ndarray, calls: list[EffectCall], bounds: tuple[int, int, int, int] | None, runs: int
) -> tuple[float, float]:
    """(wall, CPU) median ms; the kernels are single-threaded, so CPU time is the contention-free figure."""
    apply_effects(img, calls, time_s=1.0, width=W, height=H, bounds=bounds)  # warm-up / JIT
    wall, cpu = [], []
    for i in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        apply_effects(img, calls, time_s=1.0 + i / 30, width=W, height=H, bounds=bounds)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("names", nargs="*", default=list(EFFECT_NAMES))
    args = parser.parse_args()
    full, layer, bounds = canvases()
    print(header())
    for name in args.names:
        calls = [EffectCall(name, {p.name: p.default for p in SCHEMAS[name]})]
        t_full, c_full = median_ms(full, calls, None, args.runs)
        t_layer, c_layer = median_ms(layer, calls, bounds, args.runs)
        print(
            f"effects  {name:20s} full {t_full:8.1f} ms/frame (cpu {c_full:7.1f})   "
            f"layer {t_layer:7.1f} ms/frame (cpu {c_layer:7.1f})   full/layer {c_full / max(c_layer, 1e-6):5.1f}x"
        )


if __name__ == "__main__":
    main()
