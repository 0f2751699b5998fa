"""Golden parity: every manifest frame of every fixture renders within its PSNR floor.

The manifest and THRESHOLDS must list the same fixtures (a fixture without a floor would go
unchecked, a floor without a fixture checks nothing), and every fixture must have frames.

The full still pipeline runs (model.load → build_timeline → scene_at → Compositor.render) and
each frame is compared with the reference capture from Chromium. `--show-diff` writes
ours/golden/diff PNGs into tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vfnative.parity.compare import diff_image, max_abs_diff, psnr

try:  # tests/ is a rootdir (no __init__.py) under pytest's default import mode
    from golden_thresholds import THRESHOLDS
except ImportError:  # pragma: no cover - tests/ imported as a package
    from tests.golden_thresholds import THRESHOLDS

GOLDENS = Path(__file__).resolve().parent.parent / "fixtures" / "goldens"
MANIFEST = json.loads((GOLDENS / "manifest.json").read_text())["fixtures"]

pytestmark = pytest.mark.golden


def _golden(name: str, frame: int) -> np.ndarray:
    with Image.open(GOLDENS / "frames" / name / f"frame_{frame:05d}.png") as im:
        return np.asarray(im.convert("RGBA"))


def test_thresholds_and_manifest_list_the_same_fixtures() -> None:
    assert sorted(THRESHOLDS) == sorted(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_every_fixture_has_its_document_and_frames(name: str) -> None:
    frames = MANIFEST[name]["frames"]
    assert frames, f"{name}: the manifest lists no frames"
    assert (GOLDENS / f"{name}.json").is_file()
    on_disk = sorted(p.name for p in (GOLDENS / "frames" / name).glob("frame_*.png"))
    assert on_disk == sorted(f"frame_{frame:05d}.png" for frame in frames)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_golden_fixture(name: str, show_diff: bool, tmp_path: Path) -> None:
    from vfnative.model import load
    from vfnative.raster.compose import Compositor
    from vfnative.timeline.plan import build_timeline
    from vfnative.timeline.scalar import scene_at

    floor = THRESHOLDS[name]  # a KeyError here: a manifest fixture without a floor
    assert MANIFEST[name]["frames"], f"{name}: the manifest lists no frames"
    doc = load(GOLDENS / f"{name}.json")
    timeline = build_timeline(doc)
    compositor = Compositor(doc, base_dir=GOLDENS, on_warning=lambda _msg: None)
    failures: list[str] = []
    for frame in MANIFEST[name]["frames"]:
        ours = compositor.render(scene_at(timeline, frame))
        gold = _golden(name, frame)
        score = psnr(ours, gold)
        if show_diff:
            Image.fromarray(ours[..., :3]).save(tmp_path / f"{name}_{frame:05d}_ours.png")
            Image.fromarray(gold[..., :3]).save(tmp_path / f"{name}_{frame:05d}_golden.png")
            Image.fromarray(diff_image(ours, gold)).save(tmp_path / f"{name}_{frame:05d}_diff.png")
        if score < floor:
            failures.append(
                f"frame {frame}: {score:.2f} dB < {floor} dB (max abs diff {max_abs_diff(ours, gold)})"
            )
    assert not failures, f"{name}: " + "; ".join(failures) + (f"; diffs in {tmp_path}" if show_diff else "")
