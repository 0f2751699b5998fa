"""Seconds <-> frames and the source-time mapping of one layer (spec 01 §2).

`js_round` lives here and nowhere else: the reference rounds with JavaScript's Math.round
(halves toward +inf), never banker's rounding. Imports the standard library and numpy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "LayerClock",
    "frame_count",
    "frame_to_seconds",
    "js_round",
    "js_round_array",
    "seconds_to_frame",
]


def js_round(x: float) -> int:
    """JavaScript Math.round: floor(x + 0.5), so round(2.5) = 3 and round(-2.5) = -2."""
    return math.floor(x + 0.5)


def js_round_array(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Vectorised `js_round`."""
    return np.floor(x + 0.5).astype(np.int64)


def seconds_to_frame(seconds: float, fps: float) -> int:
    """The frame that shows timeline instant `seconds` (reference `timeToFrames`)."""
    return js_round(seconds * fps)


def frame_to_seconds(frame: int, fps: float) -> float:
    """The timeline instant frame `frame` displays."""
    return frame / fps


def frame_count(duration: float, fps: float) -> int:
    """Frames rendered for a project: round(duration * fps), frames 0 .. N-1."""
    return max(0, js_round(duration * fps))


@dataclass(frozen=True)
class LayerClock:
    """One layer's timing settings and the frame window they give (spec 01 §2.4).

    `end_frame` rounds the *sum* start + duration, not start_frame + round(duration), as the
    reference does; the window is start-inclusive, end-exclusive.
    """

    start_time: float
    source_duration: float
    source_start: float
    speed: float
    fps: float

    @property
    def duration(self) -> float:
        """Timeline seconds the layer lasts: sourceDuration / |speed|, 0 when speed is 0."""
        if self.speed == 0:
            return 0.0
        return self.source_duration / abs(self.speed)

    @property
    def start_frame(self) -> int:
        return js_round(self.start_time * self.fps)

    @property
    def end_frame(self) -> int:
        return js_round((self.start_time + self.duration) * self.fps)

    def active(self, frame: int) -> bool:
        return self.start_frame <= frame < self.end_frame

    def source_time(self, frame: int) -> float:
        """Source seconds at `frame` (not frame-quantised; reverse speed starts at the segment end)."""
        elapsed = frame / self.fps - self.start_time
        if self.speed == 0:
            return self.source_start
        if self.speed > 0:
            return self.source_start + elapsed * self.speed
        return self.source_start + self.source_duration - elapsed * abs(self.speed)

    def source_times(self, frames: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Vectorised `source_time` (same float operations in the same order)."""
        elapsed = frames / self.fps - self.start_time
        if self.speed == 0:
            return np.full(frames.shape, self.source_start, dtype=np.float64)
        if self.speed > 0:
            return self.source_start + elapsed * self.speed
        return self.source_start + self.source_duration - elapsed * abs(self.speed)
