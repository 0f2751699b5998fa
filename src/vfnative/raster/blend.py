"""Blend modes and opacity: how one flattened layer meets the backdrop (spec 02 §1.4, §5.4).

The reference composites every layer as an isolated W×H surface with
`globalCompositeOperation = blendMode`; Chrome's canvas maps the 16 CSS names 1:1 onto Skia
blend modes. Opacity multiplies the layer's flattened result once. Imports skia only.
"""

from __future__ import annotations

from typing import Any

import skia

__all__ = ["BLEND_MODES", "blend_mode", "clamp_opacity", "layer_paint"]

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


def layer_paint(opacity: float, mode: skia.BlendMode) -> skia.Paint | None:
    """The paint that composites an isolated layer; None when plain source-over at full opacity."""
    if opacity >= 1.0 and mode == skia.BlendMode.kSrcOver:
        return None
    paint = skia.Paint()
    paint.setAlphaf(opacity)
    paint.setBlendMode(mode)
    return paint
