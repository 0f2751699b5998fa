"""timeline.evaluate: the Python path (small workloads, no numba start-up) equals the numba kernel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vfnative
from vfnative.timeline import evaluate as ev

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(p for p in (ROOT / "fixtures" / "goldens").glob("*.json") if p.name != "manifest.json")
DOCUMENTS += [
    ROOT / "bench" / "documents" / "dashboard.json",
    ROOT / "src" / "vfnative" / "demo" / "demo.json",
]


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.stem)
def test_python_and_numba_kernels_agree_bit_for_bit(doc: Path) -> None:
    timeline = vfnative.Renderer(doc).timeline
    n = timeline.frame_count
    for start in range(0, n, 64):
        frames = range(start, min(n, start + 64))
        a = ev.evaluate(timeline, frames, kernel="numba")
        b = ev.evaluate(timeline, frames, kernel="python")
        assert a.tobytes() == b.tobytes(), (doc.name, frames)


def test_auto_picks_python_for_small_workloads(monkeypatch: pytest.MonkeyPatch) -> None:
    timeline = vfnative.Renderer(ROOT / "fixtures" / "goldens" / "keyframes-easing.json").timeline
    calls = []
    monkeypatch.setattr(ev, "_eval_tracks_python", lambda *a: calls.append("python"))
    ev.evaluate(timeline, range(10))
    assert calls == ["python"]
    monkeypatch.setattr(ev, "PYTHON_TRACK_WORK", 0)
    block = ev.evaluate(timeline, range(10))  # the numba kernel fills the block
    assert calls == ["python"]
    assert np.isfinite(block).any()


def _flat(scene: list) -> list:
    out = []
    for lf in scene:
        out.append((lf.path, lf.frame, dict(lf.props), {k: type(v) for k, v in lf.props.items()}))
        out.extend(_flat(list(lf.children)))
    return out


@pytest.mark.parametrize(
    "doc",
    [
        ROOT / "fixtures" / "goldens" / f"{name}.json"
        for name in ("transitions-css", "transitions-text", "captions")
    ]
    + [ROOT / "bench" / "documents" / "dashboard.json"],
    ids=lambda p: p.stem,
)
def test_memoised_scenes_equal_the_scalar_reference(doc: Path) -> None:
    """scene_from_block reuses props across rows and re-finalises only what a transition replaced."""
    from vfnative.timeline.scalar import scene_at

    timeline = vfnative.Renderer(doc).timeline
    n = timeline.frame_count
    for start in range(0, n, 64):
        frames = range(start, min(n, start + 64))
        block = ev.evaluate(timeline, frames)
        for i, frame in enumerate(frames):
            assert _flat(ev.scene_from_block(timeline, block, i)) == _flat(scene_at(timeline, frame)), frame


def test_transition_writing_a_property_the_layer_lacks() -> None:
    """trackingExpand on a shape writes letterSpacing, which shapes do not have: dropped, as the scalar does."""
    from vfnative.timeline.scalar import scene_at

    doc = {
        "width": 64, "height": 36, "fps": 30, "duration": 1,
        "layers": [{"id": "s", "type": "shape", "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1},
                    "properties": {"width": 20, "height": 20}, "animations": [],
                    "transitionIn": {"transition": "trackingExpand", "duration": 0.5}}],
    }  # fmt: skip
    timeline = vfnative.Renderer(doc).timeline
    block = ev.evaluate(timeline, range(30))
    for i in range(30):
        scene = ev.scene_from_block(timeline, block, i)
        assert "letterSpacing" not in scene[0].props
        assert _flat(scene) == _flat(scene_at(timeline, i))
