"""The frame cache pays only for reuse: forward playback keeps a small window, backward access retains."""

from __future__ import annotations

from pathlib import Path

from make_video import level

from vfnative.media import decode
from vfnative.media.cache import FrameCache
from vfnative.media.decode import VideoDecoder


def test_forward_playback_keeps_only_a_small_window(numbered_clip: Path, monkeypatch) -> None:
    monkeypatch.setattr(decode, "_FORWARD_BYTES", 0)  # the minimum: the current and the next picture
    cache = FrameCache()
    d = VideoDecoder(numbered_clip, cache=cache)
    assert [level(d.frame_at(f / 10)) for f in range(20)] == list(range(20))
    assert not d.retaining
    assert len(cache) <= 2
    assert d.decoded_frames == 20


def test_backward_access_retains_then_decays(numbered_clip: Path, monkeypatch) -> None:
    monkeypatch.setattr(decode, "_FORWARD_BYTES", 0)
    monkeypatch.setattr(decode, "_RETAIN_REQUESTS", 5)
    cache = FrameCache()
    d = VideoDecoder(numbered_clip, cache=cache)
    assert [level(d.frame_at(1.95 - f / 10)) for f in range(20)] == list(range(19, -1, -1))
    assert d.retaining
    assert len(cache) > 2
    assert [level(d.frame_at(f / 10)) for f in range(8)] == list(range(8))
    assert not d.retaining
    assert len(cache) <= 2
    d.close()
    assert len(cache) == 0
