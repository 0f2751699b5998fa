"""The Skia → PyAV hand-off: damage-aware yuv420p conversion equals converting every frame whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import vfnative
from vfnative.encode.mux import Muxer, _patch_yuv420p, _planes_of, _to_yuv420p
from vfnative.settings import EncodeSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", [(1080, 1920), (54, 96), (90, 160)])
def test_patched_conversion_equals_whole_frame(size: tuple[int, int]) -> None:
    h, w = size
    rng = np.random.default_rng(h)
    for _ in range(25):
        before = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
        after = before.copy()
        boxes = []
        for _ in range(int(rng.integers(1, 4))):
            x0, y0 = int(rng.integers(0, w - 1)), int(rng.integers(0, h - 1))
            x1 = int(rng.integers(x0 + 1, min(w, x0 + 300) + 1))
            y1 = int(rng.integers(y0 + 1, min(h, y0 + 200) + 1))
            after[y0:y1, x0:x1] = rng.integers(0, 256, (y1 - y0, x1 - x0, 4), dtype=np.uint8)
            boxes.append((x0, y0, x1, y1))
        patched = _patch_yuv420p(_to_yuv420p(before, "bgra"), after, boxes, "bgra")
        whole = _to_yuv420p(after, "bgra")
        for a, b in zip(_planes_of(patched), _planes_of(whole), strict=True):
            assert np.array_equal(a, b)


def _decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray() for f in c.decode(video=0)]


@pytest.mark.parametrize("doc", ["bench/documents/dashboard.json", "fixtures/goldens/keyframes-easing.json"])
def test_render_with_damage_hints_equals_whole_frame_conversion(
    doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = vfnative.RenderSettings(width=160, height=90, encode=EncodeSettings(lossless=True, threads=1))
    muxers: list[Muxer] = []
    original = Muxer.write

    def spy(self: Muxer, frame: np.ndarray, *, damage: Any = None) -> None:
        if self not in muxers:
            muxers.append(self)
        original(self, frame, damage=damage)

    monkeypatch.setattr(Muxer, "write", spy)
    with vfnative.Renderer(ROOT / doc, settings=settings) as renderer:
        renderer.render_video(tmp_path / "hints.mp4")
    (hinted,) = muxers
    assert hinted.frames_patched > 0  # the damage-aware path ran (moving layers patch their boxes)
    monkeypatch.setattr(Muxer, "write", lambda self, frame, *, damage=None: spy(self, frame))
    with vfnative.Renderer(ROOT / doc, settings=settings) as renderer:
        renderer.render_video(tmp_path / "whole.mp4")
    whole = muxers[1]
    assert (whole.frames_patched, whole.frames_reused) == (0, 0)  # every frame converted whole
    a, b = _decoded(tmp_path / "hints.mp4"), _decoded(tmp_path / "whole.mp4")
    assert len(a) == len(b) > 0
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_unchanged_frames_reuse_the_conversion(tmp_path: Path) -> None:
    frame = np.full((36, 64, 4), 200, np.uint8)
    with Muxer(tmp_path / "o.mp4", width=64, height=36, fps=30, frame_count=5, pixel_format="bgra",
               settings=EncodeSettings(keyframe_interval_s=0.1)) as mux:  # fmt: skip
        mux.write(frame)
        for _ in range(4):
            mux.write(frame, damage=[])
    assert (mux.frames_reused, mux.frames_patched) == (4, 0)
    with av.open(str(tmp_path / "o.mp4")) as c:
        keys = [p.is_keyframe for p in c.demux(c.streams.video[0]) if p.size]
    assert keys == [True, False, False, True, False]  # a shared frame object still gets its own type
