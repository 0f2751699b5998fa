"""Raster surfaces over numpy buffers: the frame surface and the private group surfaces.

Every surface is RGBA 8888, premultiplied, with **no colour space**: Skia then blends
gamma-encoded sRGB values directly, as Chrome's canvas does (spec 02 §1.1). The pixels live in a
numpy array that Skia draws into in place, so encode can read a frame without a copy.
Imports skia, numpy and types only.
"""

from __future__ import annotations

import numpy as np
import skia

from vfnative.types import RGBA8, PremulRGBA8

__all__ = ["RasterSurface", "to_rgba8"]


class RasterSurface:
    """One W×H premultiplied RGBA surface whose pixels are `array` (zero-copy).

    `array` is (H, W, 4) uint8, RGBA order, premultiplied. It stays the same object for the
    surface's lifetime; Skia writes into it directly (CPU raster, no flush needed).
    """

    __slots__ = ("array", "canvas", "height", "surface", "width")

    def __init__(self, width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"surface size must be positive; got {width}x{height}")
        self.width = width
        self.height = height
        self.array: PremulRGBA8 = np.zeros((height, width, 4), dtype=np.uint8)
        self.surface = skia.Surface(
            self.array, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType
        )
        self.canvas: skia.Canvas = self.surface.getCanvas()

    def clear(self, color: skia.Color4f | None = None) -> None:
        """Reset the matrix/clip stack and fill every pixel (transparent when `color` is None)."""
        self.canvas.restoreToCount(1)
        self.canvas.resetMatrix()
        if color is None:
            self.array.fill(0)
        else:
            self.canvas.clear(color)

    def snapshot(self) -> skia.Image:
        """An immutable image of the current pixels (copy-on-write: cheap until drawn over again)."""
        return self.surface.makeImageSnapshot()

    def __repr__(self) -> str:
        return f"<RasterSurface {self.width}x{self.height} rgba8888 premul>"


def to_rgba8(buf: PremulRGBA8) -> RGBA8:
    """Un-premultiply a (H, W, 4) premultiplied buffer into a new straight-alpha RGBA8 array.

    Rounds like Skia's unpremul (c·255/a, round half up); fully opaque pixels are copied as is.
    """
    if buf.ndim != 3 or buf.shape[2] != 4 or buf.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 4) uint8 pixels; got {buf.shape} {buf.dtype}")
    out = buf.copy()
    alpha = buf[..., 3]
    partial = (alpha != 255) & (alpha != 0)
    if partial.any():
        a = alpha[partial].astype(np.uint32)[:, None]
        c = buf[partial][:, :3].astype(np.uint32)
        out[partial, :3] = np.minimum((c * 255 + a // 2) // a, 255).astype(np.uint8)
    return out
