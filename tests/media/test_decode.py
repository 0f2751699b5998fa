from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vfnative.errors import MediaDecodeError, MissingAssetError
from vfnative.media.decode import VideoDecoder, probe_duration


@pytest.fixture(scope="module")
def numbered_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s, 10 fps clip whose frame k is filled with grey level 10*k (made here, a few KB)."""
    path = tmp_path_factory.mktemp("media") / "numbered.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 10)
        stream.options = {"g": "5", "bf": "0", "qp": "0"}
        for k in range(20):
            img = np.full((48, 64, 3), 10 * k + 20, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = k
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _level(decoder: VideoDecoder, t: float) -> int:
    return int(round((int(decoder.frame_at(t)[24, 32, 0]) - 20) / 10))


def test_last_frame_at_or_before_target(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    assert (d.width, d.height) == (64, 48)
    assert [_level(d, t) for t in (0.0, 0.05, 0.1, 0.19999, 0.2, 1.95)] == [0, 0, 1, 1, 2, 19]


def test_clamps_before_start_and_after_end(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    assert _level(d, -1.0) == 0
    assert _level(d, 99.0) == 19


def test_backwards_and_forward_jumps_seek(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    order = [1.5, 0.3, 1.9, 0.0, 0.7, 0.6]
    assert [_level(d, t) for t in order] == [15, 3, 19, 0, 7, 6]


def test_probe_and_errors(numbered_clip: Path, tmp_path: Path) -> None:
    assert probe_duration(numbered_clip) == pytest.approx(2.0, abs=0.11)
    with pytest.raises(MissingAssetError):
        VideoDecoder(tmp_path / "nope.mp4")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(MediaDecodeError):
        VideoDecoder(bad)
