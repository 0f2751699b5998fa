"""Timeline benchmark: the per-frame scenes of the bench documents, with no raster and no encoder.

Hot path: `compile_layout` (keyframes packed once per document) → `evaluate` (one PropBlock per
batch of frames) → `scene_from_block` per frame (a layer whose columns did not change gets its
previous props back; a changed one re-reads only the slots that changed; transitions re-finalise
what they replace). Baseline in the same process: `scalar.scene_at`, the reference evaluator the
batch path must agree with, which resolves every layer from the document at every frame.

Workload: bench/documents/*.json (or the documents given), all frames. Each figure is the median of
`--runs` runs on a fresh Timeline (so no cache carries over), timed with `time.perf_counter`.

    PYTHONPATH=src python bench/bench_timeline.py [DOC ...] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.model import load  # noqa: E402
from vfnative.timeline.evaluate import compile_layout, evaluate, scene_from_block  # noqa: E402
from vfnative.timeline.plan import build_timeline  # noqa: E402
from vfnative.timeline.scalar import scene_at  # noqa: E402

BATCH = 64
"""Frames per PropBlock, as `RenderSettings.batch_frames` defaults."""


def _batch_run(doc: object) -> tuple[float, float, float]:
    """(compile_layout, evaluate, scene_from_block) seconds over all frames, on a fresh timeline."""
    timeline = build_timeline(doc)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    compile_layout(timeline)
    t1 = time.perf_counter()
    n = int(timeline.frame_count)
    blocks = [evaluate(timeline, range(s, min(s + BATCH, n))) for s in range(0, n, BATCH)]
    t2 = time.perf_counter()
    for block in blocks:
        for row in range(block.shape[0]):
            scene_from_block(timeline, block, row)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2


def _scalar_run(doc: object) -> float:
    timeline = build_timeline(doc)  # type: ignore[arg-type]
    start = time.perf_counter()
    for f in range(int(timeline.frame_count)):
        scene_at(timeline, f)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    docs = args.documents or sorted((HERE / "documents").glob("*.json"))
    v = dict(library_versions())
    print(f"# python={v['python']} numba={v['numba']} runs={args.runs} batch={BATCH}")
    print(f"{'document':<22} {'frames':>6} {'layers':>6} {'compile ms':>10} {'evaluate ms':>11} "
          f"{'scenes ms':>9} {'ms/frame':>8} {'scalar ms/frame':>15} {'scalar / batch':>14}")  # fmt: skip
    for path in docs:
        doc = load(path)
        timeline = build_timeline(doc)
        frames = int(timeline.frame_count)
        batch = [_batch_run(doc) for _ in range(args.runs)]
        compile_s, eval_s, scenes_s = (statistics.median(b[i] for b in batch) for i in range(3))
        scalar_s = statistics.median(_scalar_run(doc) for _ in range(max(1, args.runs // 2)))
        per_frame = (compile_s + eval_s + scenes_s) / frames
        print(f"{path.name:<22} {frames:>6} {len(timeline.all_layers):>6} {compile_s * 1e3:>10.1f} "
              f"{eval_s * 1e3:>11.1f} {scenes_s * 1e3:>9.1f} {per_frame * 1e3:>8.2f} "
              f"{scalar_s / frames * 1e3:>15.2f} {scalar_s / frames / per_frame:>13.1f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
