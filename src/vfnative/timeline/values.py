"""Normalising written property values and turning resolved numbers into pixels (spec 01 §3.4, §8.1).

Both evaluators (scalar and batch) read document values through `normalize_numeric` and hand
their results to `finalize`, so they differ only in how they look keyframes up and interpolate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vfnative.model.color import is_color_like, oklab_to_srgb, parse_color, parse_color_space, srgb_to_oklab
from vfnative.model.properties import SHAPE_GEOMETRY, ZERO_PAD_ARRAYS, PropDef
from vfnative.timeline.scene import Percent
from vfnative.types import Color

__all__ = [
    "Component",
    "EmContext",
    "finalize",
    "js_parse_float",
    "normalize_color",
    "oklab_color",
    "oklab_value",
    "normalize_numeric",
    "pad_components",
    "to_px",
]

Component = tuple[float, str]
"""One number with its CSS unit ('' for unit-less)."""

_NUM_UNIT = re.compile(r"^[0-9.\-]+([a-z%]*)$", re.IGNORECASE)
_JS_FLOAT = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_FONT_WEIGHT_KEYWORDS = {"normal": 400.0, "bold": 700.0, "lighter": 100.0, "bolder": 900.0}


def js_parse_float(text: str) -> float:
    """JavaScript parseFloat: the longest numeric prefix, NaN when there is none."""
    if text.strip().startswith(("Infinity", "+Infinity")):
        return math.inf
    if text.strip().startswith("-Infinity"):
        return -math.inf
    m = _JS_FLOAT.match(text)
    return float(m.group(1)) if m else math.nan


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _split(value: Any) -> Component:
    """Split a written value into number and unit (`getNumUnit`)."""
    text = _js_string(value)
    m = _NUM_UNIT.match(text)
    if m:
        unit = m.group(1).lower()
        return js_parse_float(text), unit
    return js_parse_float(text), ""


def _component(value: Any, pdef: PropDef) -> Component:
    """One scalar through `ensureUnit`: keep an allowed unit, else '' if allowed, else units[0]."""
    if pdef.name in SHAPE_GEOMETRY:
        # Shape geometry ignores whatever unit is written: parseFloat, non-finite -> 0.
        n = js_parse_float(_js_string(value))
        return (n if math.isfinite(n) else 0.0), "em"
    if isinstance(value, str) and pdef.name == "fontWeight" and value.lower() in _FONT_WEIGHT_KEYWORDS:
        return _FONT_WEIGHT_KEYWORDS[value.lower()], ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "" in pdef.units:
        return float(value), ""
    n, unit = _split(value)
    if unit in pdef.units:
        return n, unit
    if "" in pdef.units:
        return n, ""
    return n, pdef.units[0]


def normalize_numeric(value: Any, pdef: PropDef) -> tuple[list[Component], bool]:
    """A written numeric value as components plus whether it was written as an array."""
    if isinstance(value, list | tuple):
        return [_component(v, pdef) for v in value], True
    return [_component(value, pdef)], False


_NAN_PAINT: dict[str, Color] = {"fill": (0.0, 0.0, 0.0, 1.0)}
"""What a colour property draws when the reference hands it NaN: SVG's initial `fill` is black;
every other colour property (a CSS declaration or `stroke`) drops the value and paints nothing."""


def normalize_color(value: Any, name: str = "") -> Color | None:
    """A written colour value of property `name`, or None when it does not paint ('none', '', unparsable).

    The reference's `ensureUnit` passes a value through only if `isColor` says it is one (a string
    starting with #, rgb, hsl, hwb, lab, lch, oklab or oklch, or a bare word); anything else becomes
    `parseFloat(value)`, NaN for `color(display-p3 1 0 0)`. So a `color()` value, valid CSS as it is,
    draws what NaN draws (captured in Chromium: a black shape fill, no background).
    """
    if isinstance(value, str) and is_color_like(value):
        return parse_color(value)
    if isinstance(value, str) and parse_color(value) is not None:
        return _NAN_PAINT.get(name)
    return None


def oklab_value(value: Any, pdef: PropDef) -> tuple[tuple[float, float, float, float], bool] | None:
    """A written colour keyframe as ((L, a, b, alpha), legacy), for Oklab interpolation; None if it
    does not paint. A colour the reference draws as NaN paints what `normalize_color` says."""
    if isinstance(value, str) and is_color_like(value):
        parsed = parse_color_space(value)
        if parsed is None:
            return None
        return (*parsed.oklab, parsed.srgb[3]), parsed.legacy
    painted = normalize_color(value, pdef.name)
    if painted is None:
        return None
    return (*srgb_to_oklab(painted), painted[3]), True


def oklab_color(lab_alpha: tuple[float, float, float, float]) -> Color:
    """(L, a, b, alpha) back to the sRGB colour Chromium draws (channels clipped, see model.color)."""
    r, g, b = oklab_to_srgb(lab_alpha[:3], gamut_map=False)
    return (r, g, b, lab_alpha[3])


def pad_components(comps: Sequence[Component], width: int, pdef: PropDef) -> list[Component]:
    """Pad to `width` as `matchArraySizes` does: 0 for position/rotation/anchor, else repeat the last."""
    out = list(comps)
    while len(out) < width:
        if pdef.name in ZERO_PAD_ARRAYS or not out:
            out.append((0.0, pdef.units[0] if pdef.units else ""))
        else:
            out.append(out[-1])
    return out


@dataclass(frozen=True)
class EmContext:
    """What one px is worth per unit for one layer at one frame (spec 01 §8.1)."""

    root_em: float
    """W/100: the root font size; 1em for every non-text layer and for text's own fontSize."""
    shape_unit: float
    """min(W, H)/100: shape geometry units."""
    em: float
    """1em on this element: root_em, or the font size in px on text/captions layers."""


def to_px(comp: Component, pdef: PropDef, ctx: EmContext) -> float | Percent:
    """Resolve one length component to px (or a Percent for CSS % values)."""
    n, unit = comp
    if pdef.name in SHAPE_GEOMETRY:
        return n * ctx.shape_unit
    if unit == "px":
        return n
    if unit == "%":
        return Percent(n)
    if pdef.name == "fontSize":
        return n * ctx.root_em
    # 'em', and '' for lineHeight (a multiple of the font size).
    return n * ctx.em


def finalize(pdef: PropDef, comps: Sequence[Component], is_array: bool, ctx: EmContext) -> Any:
    """Turn resolved numeric components into the value raster receives (scene.py contract)."""
    if pdef.kind == "length":
        px = [to_px(c, pdef, ctx) for c in comps]
        return tuple(px) if is_array else px[0]
    nums = [float(c[0]) for c in comps]
    if pdef.name in ("position", "anchor"):
        if not is_array:
            return (0.5, 0.5)
        if len(nums) == 1:
            nums.append(0.5)
        return tuple(nums)
    return tuple(nums) if is_array else nums[0]
