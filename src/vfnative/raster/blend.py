"""Blend modes, opacity and CSS filters: how one flattened layer meets the backdrop.

The reference composites every layer as an isolated W×H surface with
`globalCompositeOperation = blendMode` (spec 02 §1.4); Chrome's canvas maps the 16 CSS names 1:1
onto Skia blend modes. Opacity multiplies the layer's flattened result once (§5.4). The CSS
`filter` list (§5.2, §5.3) becomes one Skia image-filter chain applied to the layer in its
local space before opacity and blending. Imports skia only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import skia

__all__ = ["BLEND_MODES", "blend_mode", "clamp_opacity", "filter_chain", "layer_paint"]

BLEND_MODES: dict[str, skia.BlendMode] = {
    "normal": skia.BlendMode.kSrcOver,
    "multiply": skia.BlendMode.kMultiply,
    "screen": skia.BlendMode.kScreen,
    "overlay": skia.BlendMode.kOverlay,
    "darken": skia.BlendMode.kDarken,
    "lighten": skia.BlendMode.kLighten,
    "color-dodge": skia.BlendMode.kColorDodge,
    "color-burn": skia.BlendMode.kColorBurn,
    "hard-light": skia.BlendMode.kHardLight,
    "soft-light": skia.BlendMode.kSoftLight,
    "difference": skia.BlendMode.kDifference,
    "exclusion": skia.BlendMode.kExclusion,
    "hue": skia.BlendMode.kHue,
    "saturation": skia.BlendMode.kSaturation,
    "color": skia.BlendMode.kColor,
    "luminosity": skia.BlendMode.kLuminosity,
}
"""CSS `mix-blend-mode` name → Skia mode (Chrome's canvas `globalCompositeOperation` mapping)."""


def blend_mode(value: Any) -> skia.BlendMode:
    """A `blendMode` prop → Skia mode; unknown names fall back to source-over, as Canvas2D does."""
    if not value:
        return skia.BlendMode.kSrcOver
    return BLEND_MODES.get(str(value), skia.BlendMode.kSrcOver)


def clamp_opacity(value: Any) -> float:
    """`opacity` clamped to [0, 1] (CSS and `globalAlpha` both clamp); non-numbers → 1."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 1.0
    if f != f:  # NaN
        return 1.0
    return min(max(f, 0.0), 1.0)


def layer_paint(
    opacity: float,
    mode: skia.BlendMode,
    image_filter: skia.ImageFilter | None = None,
    color_filter: skia.ColorFilter | None = None,
) -> skia.Paint | None:
    """The paint that composites an isolated layer; None when nothing needs a layer."""
    if opacity >= 1.0 and mode == skia.BlendMode.kSrcOver and image_filter is None and color_filter is None:
        return None
    paint = skia.Paint()
    paint.setAlphaf(opacity)
    paint.setBlendMode(mode)
    if image_filter is not None:
        paint.setImageFilter(image_filter)
    if color_filter is not None:
        paint.setColorFilter(color_filter)
    return paint


def filter_parts(props: Mapping[str, Any]) -> tuple[skia.ImageFilter | None, skia.ColorFilter | None]:
    """`filter_chain` as (image filter, None), or as (None, colour filter) when it has no blur.

    A colour-only chain on the layer paint gives the image filter's pixels (bit for bit when the
    layer is opaque, within 1 LSB on rare pixels when translucent: tests/raster/test_filters.py)
    without Skia's image-filter result cache,
    which keeps every filtered layer (W·H·4 bytes, up to 128 MB) of every re-recorded picture, and
    lets the layer be bounded.
    """
    chain = filter_chain(props)
    if chain is None or _num(props.get("filterBlur"), 0.0) > 0:
        return chain, None
    colour = chain.asAColorFilter()
    return (chain, None) if colour is None else (None, colour)


def _num(value: Any, default: float) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def _rgb_matrix(m: tuple[float, ...], offset: float = 0.0) -> skia.ColorFilter:
    """A 3×3 RGB matrix (row-major) plus a constant offset (0..1 units); alpha untouched."""
    return skia.ColorFilters.Matrix([
        m[0], m[1], m[2], 0.0, offset,
        m[3], m[4], m[5], 0.0, offset,
        m[6], m[7], m[8], 0.0, offset,
        0.0, 0.0, 0.0, 1.0, 0.0,
    ])  # fmt: skip


def _grayscale(g: float) -> tuple[float, ...]:
    k = 1.0 - min(g, 1.0)
    return (
        0.2126 + 0.7874 * k, 0.7152 - 0.7152 * k, 0.0722 - 0.0722 * k,
        0.2126 - 0.2126 * k, 0.7152 + 0.2848 * k, 0.0722 - 0.0722 * k,
        0.2126 - 0.2126 * k, 0.7152 - 0.7152 * k, 0.0722 + 0.9278 * k,
    )  # fmt: skip


def _hue_rotate(deg: float) -> tuple[float, ...]:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (
        0.213 + 0.787 * c - 0.213 * s, 0.715 - 0.715 * c - 0.715 * s, 0.072 - 0.072 * c + 0.928 * s,
        0.213 - 0.213 * c + 0.143 * s, 0.715 + 0.285 * c + 0.140 * s, 0.072 - 0.072 * c - 0.283 * s,
        0.213 - 0.213 * c - 0.787 * s, 0.715 - 0.715 * c + 0.715 * s, 0.072 + 0.928 * c + 0.072 * s,
    )  # fmt: skip


def _saturate(v: float) -> tuple[float, ...]:
    return (
        0.213 + 0.787 * v, 0.715 - 0.715 * v, 0.072 - 0.072 * v,
        0.213 - 0.213 * v, 0.715 + 0.285 * v, 0.072 - 0.072 * v,
        0.213 - 0.213 * v, 0.715 - 0.715 * v, 0.072 + 0.928 * v,
    )  # fmt: skip


def _sepia(p: float) -> tuple[float, ...]:
    k = 1.0 - min(p, 1.0)
    return (
        0.393 + 0.607 * k, 0.769 - 0.769 * k, 0.189 - 0.189 * k,
        0.349 - 0.349 * k, 0.686 + 0.314 * k, 0.168 - 0.168 * k,
        0.272 - 0.272 * k, 0.534 - 0.534 * k, 0.131 + 0.869 * k,
    )  # fmt: skip


def filter_chain(props: Mapping[str, Any]) -> skia.ImageFilter | None:
    """The layer's CSS `filter` list as one Skia image filter, or None when it is the identity.

    Fixed order (spec 02 §5.2): blur, brightness, contrast, grayscale, hue-rotate, invert,
    saturate, sepia. Any negative value makes the whole declaration invalid → no filter at all.
    Colour functions act on unpremultiplied values and clamp after each step (Skia's matrix
    filter does exactly that); blur is a decal Gaussian with σ = the value in px.
    """
    blur = _num(props.get("filterBlur"), 0.0)
    bright = _num(props.get("filterBrightness"), 1.0)
    contrast = _num(props.get("filterContrast"), 1.0)
    gray = _num(props.get("filterGrayscale"), 0.0)
    hue = _num(props.get("filterHueRotate"), 0.0)
    invert = _num(props.get("filterInvert"), 0.0)
    saturate = _num(props.get("filterSaturate"), 1.0)
    sepia = _num(props.get("filterSepia"), 0.0)
    if min(blur, bright, contrast, gray, invert, saturate, sepia) < 0:
        return None
    chain: skia.ImageFilter | None = None
    if blur > 0:
        chain = skia.ImageFilters.Blur(blur, blur, skia.TileMode.kDecal, None)
    colour: list[skia.ColorFilter] = []
    if bright != 1.0:
        colour.append(_rgb_matrix((bright, 0, 0, 0, bright, 0, 0, 0, bright)))
    if contrast != 1.0:
        colour.append(_rgb_matrix((contrast, 0, 0, 0, contrast, 0, 0, 0, contrast), 0.5 * (1.0 - contrast)))
    if gray != 0.0:
        colour.append(_rgb_matrix(_grayscale(gray)))
    if hue != 0.0:
        colour.append(_rgb_matrix(_hue_rotate(hue)))
    if invert != 0.0:
        i = min(invert, 1.0)
        colour.append(_rgb_matrix((1 - 2 * i, 0, 0, 0, 1 - 2 * i, 0, 0, 0, 1 - 2 * i), i))
    if saturate != 1.0:
        colour.append(_rgb_matrix(_saturate(saturate)))
    if sepia != 0.0:
        colour.append(_rgb_matrix(_sepia(sepia)))
    for cf in colour:
        chain = skia.ImageFilters.ColorFilter(cf, chain)
    return chain
