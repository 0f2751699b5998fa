"""Shared array aliases and small value types. Imports numpy only."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FrameIndex: TypeAlias = int
"""An output frame number, 0-based."""

Seconds: TypeAlias = float
"""Seconds on some clock (timeline or source); the name of the variable says which."""

RGBA8: TypeAlias = npt.NDArray[np.uint8]
"""(H, W, 4) uint8 pixels, RGBA channel order, straight (un-premultiplied) alpha."""

PremulRGBA8: TypeAlias = npt.NDArray[np.uint8]
"""(H, W, 4) uint8 pixels, RGBA channel order, premultiplied alpha (Skia's native storage)."""

PropBlock: TypeAlias = npt.NDArray[np.float64]
"""(frames, slots) float64: every resolved property of every layer for a batch of frames."""

Color: TypeAlias = tuple[float, float, float, float]
"""An sRGB colour as (r, g, b, a) floats in [0, 1], straight alpha, gamma-encoded."""
