"""Decode video frames at source times, as the reference's <video> element shows them (spec 01 §8.5).

The frame shown for source time t is the last one whose presentation time is <= t, compared in
whole microseconds as the browser does: the seek target is truncated to microseconds and each
frame's timestamp rounded to them (measured on the video-layer golden: at t = 59/30 s the frame
stamped 1.9666667 s is *not* yet shown), with t clamped to [0, duration]: before the start the first frame, past the end the
last. Playback that moves forward decodes sequentially (no seek per frame); a jump backwards or
far ahead seeks to the keyframe before the target and decodes forward. Colour conversion honours
the stream's matrix and range tags; untagged streams are treated as BT.601 limited range, the
browser's assumption for them. Imports av and numpy only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np

from vfnative.errors import MediaDecodeError, MissingAssetError
from vfnative.types import RGBA8

__all__ = ["VideoDecoder", "probe_duration"]

log = logging.getLogger(__name__)

_EPSILON = 1e-6
"""Slack for deciding that a target lies before the current frame (then a seek is needed)."""
_SEEK_AHEAD_S = 1.0
"""Targets further ahead than this seek instead of decoding every frame in between."""

# AVColorSpace values -> swscale colourspace names understood by VideoFrame.reformat.
_MATRIX = {1: "ITU709", 5: "ITU601", 6: "SMPTE170M", 7: "SMPTE240M", 9: "BT2020"}


def probe_duration(path: str | Path) -> float:
    """Container duration in seconds (what ffprobe's format.duration gives), > 0 or an error."""
    try:
        with av.open(str(path)) as container:
            if container.duration:
                return float(container.duration) / 1_000_000
            for stream in container.streams:
                if stream.duration and stream.time_base:
                    return float(stream.duration * stream.time_base)
    except (av.FFmpegError, OSError) as exc:
        raise MediaDecodeError(f"cannot probe media: {exc}", source=str(path)) from exc
    raise MediaDecodeError("media has no known duration", source=str(path))


class VideoDecoder:
    """Frames of one video file as RGBA8 at chosen source times; one instance per source."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise MissingAssetError(f"video not found: {self.path}", source=str(self.path))
        try:
            self._container = av.open(str(self.path))
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError) as exc:
            raise MediaDecodeError(f"cannot open video: {exc}", source=str(self.path)) from exc
        self._stream.thread_type = "AUTO"
        ctx = self._stream.codec_context
        self.width: int = int(ctx.width)
        self.height: int = int(ctx.height)
        tb = self._stream.time_base
        self._time_base = float(tb) if tb else 1.0 / 90000
        self._start = float(self._stream.start_time or 0) * self._time_base
        self.duration: float = probe_duration(self.path)
        self._matrix = _MATRIX.get(int(ctx.colorspace or 2), "ITU601")
        self._full_range = int(ctx.color_range or 0) == 2
        self._frames: Iterator[Any] | None = None
        self._current: tuple[float, Any] | None = None
        self._pending: tuple[float, Any] | None = None
        self._converted: tuple[tuple[float, str], RGBA8] | None = None
        self._exhausted = False

    def __repr__(self) -> str:
        return f"<VideoDecoder {self.path.name} {self.width}x{self.height} {self.duration:.3f}s>"

    def close(self) -> None:
        self._container.close()

    def _restart(self, target: float) -> None:
        if target > 0:
            self._container.seek(
                int((target + self._start) / self._time_base), stream=self._stream, backward=True
            )
        else:
            self._container.seek(0, stream=self._stream, backward=True)
        self._frames = self._container.decode(self._stream)
        self._current = None
        self._pending = None
        self._exhausted = False

    def _read(self) -> tuple[float, Any] | None:
        if self._exhausted or self._frames is None:
            return None
        try:
            frame = next(self._frames)
        except StopIteration:
            self._exhausted = True
            return None
        except av.FFmpegError as exc:
            log.warning("decode error in %s: %s; keeping the last good frame", self.path, exc)
            self._exhausted = True
            return None
        return (float(frame.pts or 0) * self._time_base - self._start, frame)

    def frame_at(self, t: float, *, pixel_format: str = "rgba") -> RGBA8:
        """The picture shown at source time `t`: (H, W, 4) uint8, opaque, channels in `pixel_format`
        order ('rgba' or 'bgra', Skia's native order). Valid until the next call."""
        t = min(max(t, 0.0), self.duration)
        cur = self._current
        if self._frames is None or cur is None or t < cur[0] - _EPSILON or t > cur[0] + _SEEK_AHEAD_S:
            self._restart(t)
        if self._current is None:
            self._current = self._read()
            self._pending = self._read()
        target_us = math.floor(t * 1e6)
        while self._pending is not None and round(self._pending[0] * 1e6) <= target_us:
            self._current = self._pending
            self._pending = self._read()
        if self._current is None:
            raise MediaDecodeError("video has no decodable frames", source=str(self.path))
        when, frame = self._current
        if self._converted is None or self._converted[0] != (when, pixel_format):
            rgb = frame.reformat(
                format=pixel_format,
                src_colorspace=self._matrix,
                src_color_range=2 if self._full_range else 1,
            ).to_ndarray()
            self._converted = ((when, pixel_format), np.ascontiguousarray(rgb))
        return self._converted[1]
