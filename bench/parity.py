"""Parity of every golden fixture: render the manifest frames and compare them with the goldens.

Hot path: the whole still pipeline (model.load → build_timeline → scene_at → Compositor.render),
no encoding. Prints one row per fixture (frames, min/mean PSNR over RGB, worst frame, ms/frame)
and the warnings each fixture raised (features not drawn yet). A fixture that fails to load or
render is reported, never fatal.

    PYTHONPATH=src python bench/parity.py [--diff-dir DIR] [NAME ...]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vfnative.parity.compare import diff_image, psnr  # noqa: E402

GOLDENS = ROOT / "fixtures" / "goldens"


def load_golden(name: str, frame: int) -> np.ndarray:
    with Image.open(GOLDENS / "frames" / name / f"frame_{frame:05d}.png") as im:
        return np.asarray(im.convert("RGBA"))


def measure(name: str, frames: list[int], diff_dir: Path | None) -> dict[str, object]:
    from vfnative.model import load
    from vfnative.raster.compose import Compositor
    from vfnative.timeline.plan import build_timeline
    from vfnative.timeline.scalar import scene_at

    warnings: list[str] = []
    doc = load(GOLDENS / f"{name}.json")
    timeline = build_timeline(doc)
    compositor = Compositor(doc, base_dir=GOLDENS, on_warning=warnings.append)
    scores: list[tuple[float, int]] = []
    elapsed = 0.0
    for frame in frames:
        t0 = time.perf_counter()
        buf = compositor.render(scene_at(timeline, frame))
        elapsed += time.perf_counter() - t0
        gold = load_golden(name, frame)
        scores.append((psnr(buf, gold), frame))
        if diff_dir is not None:
            diff_dir.mkdir(parents=True, exist_ok=True)
            Image.fromarray(diff_image(buf, gold)).save(diff_dir / f"{name}_{frame:05d}_diff.png")
            Image.fromarray(buf[..., :3]).save(diff_dir / f"{name}_{frame:05d}_ours.png")
    values = [s for s, _ in scores]
    worst = min(scores)
    finite = [v for v in values if math.isfinite(v)]
    return {
        "frames": len(frames),
        "min": worst[0],
        "mean": sum(finite) / len(finite) if finite else math.inf,
        "worst": worst[1],
        "ms": 1000 * elapsed / max(1, len(frames)),
        "warnings": warnings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="fixtures to measure (default: all in the manifest)")
    parser.add_argument("--diff-dir", type=Path, help="write NAME_FRAME_diff.png / _ours.png here")
    args = parser.parse_args(argv)

    import json

    manifest = json.loads((GOLDENS / "manifest.json").read_text())["fixtures"]
    names = args.names or sorted(manifest)
    print(f"{'fixture':<18} {'frames':>6} {'min dB':>8} {'mean dB':>8} {'worst':>6} {'ms/frame':>9}")
    failures = 0
    notes: list[str] = []
    for name in names:
        if name not in manifest:
            print(f"{name:<18} not in the manifest")
            failures += 1
            continue
        try:
            r = measure(name, list(manifest[name]["frames"]), args.diff_dir)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next fixture
            print(f"{name:<18} FAILED: {type(exc).__name__}: {exc}")
            notes.append(f"{name}: {traceback.format_exc(limit=3).strip().splitlines()[-1]}")
            failures += 1
            continue
        print(
            f"{name:<18} {r['frames']:>6} {r['min']:>8.2f} {r['mean']:>8.2f} {r['worst']:>6} {r['ms']:>9.1f}"
        )
        notes.extend(f"{name}: {w}" for w in r["warnings"])  # type: ignore[attr-defined]
    if notes:
        print("\nmissing features / warnings:")
        for n in notes:
            print(f"  {n}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
