"""Frame difference metrics for parity with the reference renderer: PSNR, max abs diff, diff images.

Metrics run over the RGB channels only: the reference frames are opaque captures and the encoder
drops alpha anyway. Inputs are (H, W, 3 or 4) uint8 arrays of the same size; whether alpha is
premultiplied does not matter for opaque frames. Imports numpy only.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from vfnative.types import RGBA8

__all__ = [
    "DIFF_GAIN",
    "IDENTICAL_PSNR",
    "MISMATCH_THRESHOLD",
    "PSNR_EXCELLENT_DB",
    "PSNR_GOOD_DB",
    "PSNR_PEAK",
    "diff_image",
    "max_abs_diff",
    "mismatch_ratio",
    "psnr",
]

PSNR_PEAK = 255.0
"""Peak signal value for 8-bit channels."""

IDENTICAL_PSNR = math.inf
"""What `psnr` returns for identical frames."""

PSNR_EXCELLENT_DB = 40.0
"""At or above this the difference is invisible in motion (AA and rounding noise only)."""

PSNR_GOOD_DB = 35.0
"""At or above this geometry matches; residual is anti-aliasing, glyph coverage or resampling."""

MISMATCH_THRESHOLD = 8
"""A channel differing by more than this (of 255) counts as a mismatched pixel in `mismatch_ratio`."""

DIFF_GAIN = 8.0
"""Amplification of `diff_image`: a difference of 32 levels already shows at full brightness."""


def _rgb(
    a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"frames differ in size: {a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}")
    if a.ndim != 3 or b.ndim != 3 or a.shape[2] < 3 or b.shape[2] < 3:
        raise ValueError(f"expected (H, W, 3|4) frames; got {a.shape} and {b.shape}")
    return a[..., :3].astype(np.int16), b[..., :3].astype(np.int16)


def psnr(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    """Peak signal-to-noise ratio in dB over all RGB values (peak 255); inf when identical."""
    x, y = _rgb(a, b)
    d = (x - y).astype(np.int32)
    mse = float(np.mean(d * d))
    if mse == 0.0:
        return IDENTICAL_PSNR
    return 10.0 * math.log10(PSNR_PEAK * PSNR_PEAK / mse)


def max_abs_diff(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> int:
    """The largest absolute difference of any RGB channel value."""
    x, y = _rgb(a, b)
    return int(np.abs(x - y).max(initial=0))


def mismatch_ratio(
    a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], threshold: int = MISMATCH_THRESHOLD
) -> float:
    """Fraction of pixels where some RGB channel differs by more than `threshold`."""
    x, y = _rgb(a, b)
    bad = (np.abs(x - y) > threshold).any(axis=2)
    return float(bad.mean()) if bad.size else 0.0


def diff_image(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], gain: float = DIFF_GAIN) -> RGBA8:
    """An opaque RGBA8 picture of |a − b| per channel, amplified by `gain` (black = equal)."""
    x, y = _rgb(a, b)
    d = np.abs(x - y).astype(np.float32) * gain
    out = np.empty((*d.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = np.clip(d, 0, 255).astype(np.uint8)
    out[..., 3] = 255
    return out
