"""Retained-mode raster (raster/retain.py): reuse across frames must never change a pixel.

An incremental render (layer pictures reused, only damaged boxes redrawn over a cached static base)
must equal, bit for bit, a fresh render of every frame from scratch; this is also what makes a chunk
rendered in another process equal the same frames of a single-process render.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import vfnative
from vfnative.api.render import _Clock
from vfnative.raster.retain import RetainedLayers

ROOT = Path(__file__).resolve().parents[2]
GOLDENS = ROOT / "fixtures" / "goldens"
BENCH = ROOT / "bench" / "documents"
SIZE = {"width": 192, "height": 108}

DOCUMENTS = [
    GOLDENS / "shapes.json",  # animated and static shapes: frames reused and partly redrawn
    GOLDENS / "groups.json",  # groups: pictures holding child snapshots
    GOLDENS / "keyframes-easing.json",  # many small moving layers: partial redraws
    GOLDENS / "transitions-css.json",  # opacity/slide/zoom/3D transitions (perspective: full frames)
    GOLDENS / "transform-3d.json",
    GOLDENS / "captions.json",  # text changing in place
    BENCH / "dashboard.json",  # 63 layers, staggered entrances, a few layers animating to the end
]
MOVED = {
    # image filters: the blurred and the sepia photo slide, so blur outsets meet damaged boxes
    "filters": (GOLDENS / "filters.json", (0, 4)),
    # box shadows (blur masks that must never be cut by a clip): the shadowed card and the text card slide
    "box-model": (GOLDENS / "box-model.json", (0, 5)),
}
"""Goldens where nothing moves, given a slow slide on a few layers so that partial redraws happen."""


def _moved(name: str) -> dict[str, object]:
    """`MOVED[name]`'s document with its layers sliding 0.04 of the width to the right over its length."""
    import json

    path, moving = MOVED[name]
    doc = json.loads(path.read_text())
    for i in moving:
        layer = doc["layers"][i]
        x, y = layer["properties"]["position"]
        layer["animations"] = [{"property": "position", "keyframes": [
            {"time": 0, "value": [x, y]}, {"time": doc["duration"], "value": [x + 0.04, y]}]}]  # fmt: skip
    return doc


class _Fresh(RetainedLayers):
    """Draws every frame from scratch (through the same pictures): the reference."""

    def _draw(self, surface, scene, paint_layer) -> None:  # type: ignore[no-untyped-def]
        self.reset()
        super()._draw(surface, scene, paint_layer)


def _renderer(doc: Path | dict[str, object], *, fresh: bool = False) -> vfnative.Renderer:
    base_dir = GOLDENS if isinstance(doc, dict) else None  # the moved goldens' media
    renderer = vfnative.Renderer(doc, settings=vfnative.RenderSettings(**SIZE), base_dir=base_dir)
    if fresh:
        renderer.compositor._retained.__class__ = _Fresh  # type: ignore[union-attr]
    return renderer


def _frames(renderer: vfnative.Renderer, frames: list[int]) -> dict[int, np.ndarray]:
    return {n: px.copy() for n, _scene, px in renderer._render_scenes(frames, _Clock(), bgra=True)}


@pytest.mark.parametrize("case", [*(p.stem for p in DOCUMENTS), *(f"{n}-moved" for n in MOVED)])
def test_incremental_equals_fresh(case: str) -> None:
    """Bit-exact against a fresh render, with partial redraws (the path under test) on every case."""
    doc: Path | dict[str, object]
    if case.endswith("-moved"):
        doc = _moved(case.removesuffix("-moved"))
    else:
        doc = next(p for p in DOCUMENTS if p.stem == case)
    incremental, fresh = _renderer(doc), _renderer(doc, fresh=True)
    frames = list(range(min(incremental.frame_count, 60)))
    got, want = _frames(incremental, frames), _frames(fresh, frames)
    bad = [n for n in frames if not np.array_equal(got[n], want[n])]
    assert not bad, f"{case}: frames differ from a fresh render: {bad[:10]}"
    stats = incremental.compositor.retain_stats
    assert stats is not None
    assert stats.frames == len(frames)
    assert stats.frames_reused + stats.frames_partial + stats.frames_full == len(frames)
    assert stats.frames_partial > 0, f"{case}: no partial redraw: {stats}"


@pytest.mark.parametrize(
    "doc", [GOLDENS / "keyframes-easing.json", BENCH / "dashboard.json"], ids=lambda p: p.stem
)
def test_any_frame_order_and_chunk_start(doc: Path) -> None:
    """Frames drawn in a shuffled order, or starting mid-document (a chunk), equal fresh ones."""
    fresh = _renderer(doc, fresh=True)
    count = min(fresh.frame_count, 40)
    want = _frames(fresh, list(range(count)))
    order = list(range(count))
    random.Random(7).shuffle(order)
    shuffled = _renderer(doc)
    got = {n: px.copy() for n, px in ((n, shuffled._render_scenes([n], _Clock(), bgra=True)) for n in order)
           for n, _s, px in px}  # fmt: skip
    assert all(np.array_equal(got[n], want[n]) for n in order)
    chunk = _frames(_renderer(doc), list(range(count // 2, count)))
    assert all(np.array_equal(chunk[n], want[n]) for n in chunk)


def test_static_frames_are_not_redrawn() -> None:
    renderer = _renderer(GOLDENS / "text-styles.json")  # nothing moves
    _frames(renderer, list(range(30)))
    stats = renderer.compositor.retain_stats
    assert stats is not None
    assert stats.frames_full == 1
    assert stats.frames_reused == 29
    assert stats.layers_recorded == len(renderer.document.layers)  # each layer recorded once


def test_retained_matches_direct_drawing_closely() -> None:
    """Pictures replay the same draws; Skia's picture optimiser may fold an opacity layer into its
    single draw, which can move a few pixels by one level, never more."""
    doc = GOLDENS / "transitions-css.json"
    retained = _renderer(doc)
    direct = vfnative.Renderer(doc, settings=vfnative.RenderSettings(**SIZE))
    direct.compositor._retained = None
    frames = list(range(0, 60, 3))
    a, b = _frames(retained, frames), _frames(direct, frames)
    for n in frames:
        diff = np.abs(a[n].astype(np.int16) - b[n].astype(np.int16))
        assert diff.max() <= 8, n
        assert (diff > 0).mean() < 0.01, n


def _moving_under_static(tmp_path: Path) -> Path:
    """A square sliding under a static card and over another, with a pulsing dot elsewhere."""
    import json

    def shape(ident: str, pos: list[float], size: float, fill: str, **extra: object) -> dict[str, object]:
        layer: dict[str, object] = {
            "id": ident, "type": "shape",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": 3.0, "shapeType": "rectangle"},
            "properties": {"width": size, "height": size, "fill": fill, "position": pos, "cornerRadius": 1.0,
                           "boxShadow": True, "boxShadowBlur": 1.0, "boxShadowColor": "rgba(0,0,0,0.6)"},
            "animations": [],
        }  # fmt: skip
        layer.update(extra)
        return layer

    slide = [
        {
            "property": "position",
            "keyframes": [{"time": 0, "value": [0.1, 0.5]}, {"time": 3, "value": [0.9, 0.5]}],
        }
    ]
    pulse = [{"property": "opacity", "keyframes": [{"time": 0, "value": 1.0}, {"time": 1.5, "value": 0.2}, {"time": 3, "value": 1.0}]}]  # fmt: skip
    doc = {
        "name": "overlay", "width": 192, "height": 108, "fps": 30, "duration": 3.0, "backgroundColor": "#102030",
        "layers": [
            shape("under", [0.3, 0.5], 30, "#335577"),
            shape("dot", [0.9, 0.15], 6, "#ff4444", animations=pulse),
            shape("mover", [0.1, 0.5], 12, "#ffcc00", animations=slide),
            shape("over", [0.6, 0.5], 25, "#cc3366"),
            shape("aside", [0.2, 0.85], 10, "#44aa88"),
        ],
    }  # fmt: skip
    path = tmp_path / "overlay.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("case", ["dashboard", "moving-under-static"])
def test_overlay_base_equals_fresh(case: str, tmp_path: Path) -> None:
    """Partial frames over the overlay base (all settled layers, not only a prefix) stay bit-exact,
    including a layer moving under a static one and a changing layer below the settled ones."""
    doc = BENCH / "dashboard.json" if case == "dashboard" else _moving_under_static(tmp_path)
    incremental, fresh = _renderer(doc), _renderer(doc, fresh=True)
    frames = list(range(incremental.frame_count))
    got, want = _frames(incremental, frames), _frames(fresh, frames)
    bad = [n for n in frames if not np.array_equal(got[n], want[n])]
    assert not bad, f"{doc.name}: frames differ from a fresh render: {bad[:10]}"
    stats = incremental.compositor.retain_stats
    assert stats is not None
    assert stats.overlay_builds >= 1
    if case == "dashboard":  # cards settling one after another: the overlay grows in place
        assert stats.overlay_extends >= 5


def _effects_doc(tmp_path: Path) -> Path:
    """A photo with a static colour grade, one with film grain (reads the clock), and a moving dot."""
    import json
    import shutil

    (tmp_path / "media").mkdir()
    shutil.copy(GOLDENS / "media" / "photo.jpg", tmp_path / "media" / "photo.jpg")

    def photo(ident: str, pos: list[float], effect: str, params: dict[str, float]) -> dict[str, object]:
        return {
            "id": ident, "type": "image",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1.0, "source": "media/photo.jpg"},
            "properties": {"fit": "contain", "scale": 0.45, "position": pos}, "animations": [],
            "effects": [{"effect": effect, "params": params}],
        }  # fmt: skip

    dot = {
        "id": "dot", "type": "shape", "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1.0,
                                                  "shapeType": "ellipse"},
        "properties": {"width": 8, "height": 8, "fill": "#ff5a1f", "position": [0.1, 0.5]},
        "animations": [{"property": "position", "keyframes": [{"time": 0, "value": [0.1, 0.5]},
                                                              {"time": 1, "value": [0.9, 0.5]}]}],
    }  # fmt: skip
    doc = {
        "name": "effects", "width": 192, "height": 108, "fps": 30, "duration": 1.0, "backgroundColor": "#000000",
        "layers": [photo("graded", [0.27, 0.5], "colorCorrection", {"contrast": 0.3, "saturation": 0.4}),
                   photo("grainy", [0.73, 0.5], "filmGrain", {"amount": 0.4}), dot],
    }  # fmt: skip
    path = tmp_path / "effects.json"
    path.write_text(json.dumps(doc))
    return path


def test_static_effect_output_is_reused(tmp_path: Path) -> None:
    """A layer whose effects do not read the clock and whose props do not change runs its effects
    once (its picture holds the output); one with a clock effect runs them every frame; both equal
    a fresh render of every frame."""
    doc = _effects_doc(tmp_path)
    incremental, fresh = _renderer(doc), _renderer(doc, fresh=True)
    frames = list(range(incremental.frame_count))
    got, want = _frames(incremental, frames), _frames(fresh, frames)
    bad = [n for n in frames if not np.array_equal(got[n], want[n])]
    assert not bad, f"frames differ from a fresh render: {bad[:10]}"
    grain = [got[n][:, 110:180] for n in (5, 6)]
    assert not np.array_equal(*grain), "the film grain did not move: the test would not see stale reuse"
    stats = incremental.compositor.retain_stats
    assert stats is not None
    # graded photo once, grainy photo and dot every frame
    assert stats.layers_recorded == 1 + 2 * len(frames)
