"""Which effects read the clock: the effect names whose passes use ``u_time`` (spec 03 §B.4, flag T).

A layer whose effects are all outside `TIME_EFFECTS` draws the same pixels at every frame where its
resolved props are equal, so its effect output can be reused from the last frame (raster/retain.py).
Kept apart from raster/effects.py so that deciding this does not load numba. Imports nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["TIME_EFFECTS", "effects_use_time"]

TIME_EFFECTS: frozenset[str] = frozenset({
    "rgbSplit", "displacement", "scanReveal", "heatHaze", "frostedGlass", "sliceGlitch", "digitalBlocks",
    "datamoshSmear", "vhsDistortion", "filmGrain",
})  # fmt: skip
"""Effects with a pass kernel that reads its `time` argument (tests/raster check this against the
kernels' source, so the set cannot drift from them)."""


def effects_use_time(names: Iterable[object]) -> bool:
    """True when any of `names` may depend on the frame's time: a time effect, or a name that is
    not a string (unknown shapes count as time-dependent; unknown *strings* are skipped by
    `apply_effects`, so they draw nothing at any time)."""
    return any(not isinstance(n, str) or n in TIME_EFFECTS for n in names)
