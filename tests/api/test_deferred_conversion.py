"""The yuv420p conversion runs on the muxer's thread while the next frame is prepared: never racing the drawing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import vfnative
import vfnative.encode.mux as mux_module
from vfnative.encode.mux import Muxer
from vfnative.settings import EncodeSettings

from .test_jobs import _document

LOSSLESS = vfnative.RenderSettings(encode=EncodeSettings(lossless=True, threads=1))


def _decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray() for f in c.decode(video=0)]


def test_slow_deferred_conversion_equals_synchronous_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, muxer_threads: Callable[[], list[str]]
) -> None:
    """A converter slowed down well past the drawing still reads each frame's own pixels (the fence)."""
    doc = _document(1.0)
    with monkeypatch.context() as m:
        original = Muxer.write

        def synchronous(self: Muxer, frame: Any, damage: Any = None) -> None:
            original(self, frame, damage=damage)
            self.fence()

        m.setattr(Muxer, "write", synchronous)
        vfnative.render(doc, tmp_path / "sync.mp4", settings=LOSSLESS)

    def slowed(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            time.sleep(0.004)
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(mux_module, "_to_yuv420p", slowed(mux_module._to_yuv420p))
    monkeypatch.setattr(mux_module, "_patch_yuv420p", slowed(mux_module._patch_yuv420p))
    report = vfnative.render(doc, tmp_path / "deferred.mp4", settings=LOSSLESS)
    want, got = _decoded(tmp_path / "sync.mp4"), _decoded(tmp_path / "deferred.mp4")
    assert len(got) == len(want) == report.frames == 30
    bad = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if not np.array_equal(a, b)]
    assert not bad, f"frames differ: {bad}"
    assert report.timings.converter_thread > 0
    assert muxer_threads() == []


def test_cancel_with_a_pending_conversion_leaves_nothing(
    tmp_path: Path, muxer_threads: Callable[[], list[str]]
) -> None:
    token = vfnative.CancelToken()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "render" and done == 5:
            token.cancel()

    with pytest.raises(vfnative.RenderCancelled):
        vfnative.render(_document(1.0), tmp_path / "out.mp4", on_progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []
    assert muxer_threads() == []
