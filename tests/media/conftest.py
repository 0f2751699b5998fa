"""Fixtures: the numbered clips of make_video (generated once per module, a few KB each)."""

from __future__ import annotations

from pathlib import Path

import pytest
from make_video import write_numbered_clip


@pytest.fixture(scope="module")
def numbered_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s at 10 fps, a keyframe every 5 frames, no B-frames."""
    return write_numbered_clip(tmp_path_factory.mktemp("media") / "numbered.mp4")


@pytest.fixture(scope="module")
def bframe_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2.4 s at 10 fps, a keyframe every 10 frames, 2 B-frames (pts != dts, reordered output)."""
    return write_numbered_clip(tmp_path_factory.mktemp("media") / "bframes.mp4", frames=24, gop=10, bframes=2)
