"""Property definitions per layer type: defaults, units, animatability and value kind.

This is the table the reference renderer resolves every property against (spec 01 §1.5):
a property missing from a layer takes its default; a unit-less number gets the first unit;
non-animatable properties step between keyframes. Plain data: imports nothing from vfnative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "PROPERTY_TABLES",
    "RENDERABLE_TYPES",
    "PropDef",
    "PropKind",
    "ZERO_PAD_ARRAYS",
    "property_table",
]

PropKind = Literal["number", "length", "angle", "color", "enum", "bool", "text", "vector"]
"""How a value is read. `length` = em/px (or shape units) resolved to px; `vector` = array of numbers."""


@dataclass(frozen=True)
class PropDef:
    """One property's definition (spec 01 §1.5)."""

    name: str
    default: Any
    kind: PropKind
    units: tuple[str, ...] = ("",)
    animatable: bool = True
    choices: tuple[str, ...] | None = None


BORDER_STYLES = ("none", "solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset")
BLEND_MODES = (
    "normal", "multiply", "screen", "overlay", "darken", "lighten", "color-dodge", "color-burn",
    "hard-light", "soft-light", "difference", "exclusion", "hue", "saturation", "color", "luminosity",
)  # fmt: skip

ZERO_PAD_ARRAYS = frozenset({"position", "rotation", "anchor"})
"""Arrays padded with 0 when interpolated against a shorter one (others repeat their last item)."""

_LEN = ("em", "px")


def _d(name: str, default: Any, kind: PropKind, units: tuple[str, ...] = ("",), anim: bool = True,
       choices: tuple[str, ...] | None = None) -> PropDef:  # fmt: skip
    return PropDef(name, default, kind, units, anim, choices)


VISUAL: tuple[PropDef, ...] = (
    _d("visible", True, "bool", anim=False),
    _d("opacity", 1, "number"),
    _d("position", [0.5, 0.5], "vector"),
    _d("scale", 1, "vector"),
    _d("rotation", 0, "angle", ("deg",)),
    _d("anchor", [0.5, 0.5], "vector"),
    _d("backgroundColor", "transparent", "color"),
    _d("borderWidth", 0, "length", _LEN),
    _d("borderStyle", "solid", "enum", anim=False, choices=BORDER_STYLES),
    _d("borderColor", "#000000", "color"),
    _d("innerBorder", False, "bool", anim=False),
    _d("borderRadius", 0, "length", ("em", "px", "%")),
    _d("boxShadow", False, "bool", anim=False),
    _d("boxShadowBlur", 0, "length", _LEN),
    _d("boxShadowOffset", [0, 0], "length", _LEN),
    _d("boxShadowSpread", 0, "length", _LEN),
    _d("boxShadowColor", "#000000", "color"),
    _d("outlineWidth", 0, "length", _LEN),
    _d("outlineStyle", "none", "enum", anim=False, choices=BORDER_STYLES),
    _d("outlineColor", "#000000", "color"),
    _d("outlineOffset", 0, "length", _LEN),
    _d("filterBlur", 0, "length", _LEN),
    _d("filterBrightness", 1, "number"),
    _d("filterContrast", 1, "number"),
    _d("filterGrayscale", 0, "number"),
    _d("filterSepia", 0, "number"),
    _d("filterInvert", 0, "number"),
    _d("filterHueRotate", 0, "angle", ("deg",)),
    _d("filterSaturate", 1, "number"),
    _d("blendMode", "normal", "enum", anim=False, choices=BLEND_MODES),
    _d("perspective", 100, "length", _LEN),
)

TEXTUAL: tuple[PropDef, ...] = (
    _d("fontSize", 4, "length", _LEN),
    _d("fontFamily", "Noto Sans", "text", anim=False),
    _d("fontWeight", 600, "number"),
    _d("fontStyle", "normal", "enum", anim=False, choices=("normal", "italic")),
    _d("fontStretch", 100, "number", ("%",)),
    _d("color", "#FFFFFF", "color"),
    _d("textAlign", "center", "enum", anim=False, choices=("left", "right", "center", "justify")),
    _d("verticalAlign", "middle", "enum", anim=False, choices=("top", "middle", "bottom")),
    _d("padding", 0, "length", _LEN),
    _d("textStroke", False, "bool", anim=False),
    _d("textStrokeWidth", 0, "length", _LEN),
    _d("textStrokeColor", "#000000", "color"),
    _d("textShadow", False, "bool", anim=False),
    _d("textShadowColor", "#000000", "color"),
    _d("textShadowOffset", [0, 0], "length", _LEN),
    _d("textShadowBlur", 0, "length", _LEN),
    _d("letterSpacing", 0, "length", _LEN),
    _d("lineHeight", 1, "length", ("", "em", "px")),
    _d("textTransform", "none", "enum", anim=False, choices=("none", "capitalize", "uppercase", "lowercase")),
    _d(
        "textDecoration",
        "none",
        "enum",
        anim=False,
        choices=("none", "underline", "overline", "line-through"),
    ),
    _d("wordSpacing", 0, "length", _LEN),
    _d("textIndent", 0, "length", _LEN),
    _d("direction", "ltr", "enum", anim=False, choices=("ltr", "rtl")),
)

TEXT: tuple[PropDef, ...] = (_d("text", "Type your text here", "text", anim=False),)
CAPTIONS: tuple[PropDef, ...] = (_d("text", None, "text", anim=False),)

AUDIO: tuple[PropDef, ...] = (
    _d("volume", 1, "number"),
    _d("pan", 0, "number"),
    _d("pitch", 1, "number"),
    _d("mute", False, "bool", anim=False),
)

_SHAPE_U = ("em",)
SHAPE: tuple[PropDef, ...] = (
    _d("width", 100, "length", _SHAPE_U),
    _d("height", 100, "length", _SHAPE_U),
    _d("fill", "#ffffff", "color"),
    _d("strokeColor", "#000000", "color"),
    _d("strokeWidth", 0, "length", _SHAPE_U),
    _d("strokeAlignment", "inner", "enum", anim=False, choices=("inner", "center", "outer")),
    _d("strokeDash", 0, "length", _SHAPE_U),
    _d("strokeGap", 0, "length", _SHAPE_U),
    _d("strokeLinejoin", "miter", "enum", anim=False, choices=("miter", "round", "bevel")),
    _d("cornerRadius", 0, "length", _SHAPE_U),
    _d("sides", 6, "number", anim=False),
    _d("innerRadius", 0.5, "number"),
)

SHAPE_GEOMETRY = frozenset(p.name for p in SHAPE)
"""Shape properties measured in shape units, 1 = min(W, H)/100 px, whatever unit is written."""


def _media(fit_default: str) -> tuple[PropDef, ...]:
    return (_d("fit", fit_default, "enum", anim=False, choices=("contain", "cover")),)


def _table(*groups: tuple[PropDef, ...]) -> dict[str, PropDef]:
    out: dict[str, PropDef] = {}
    for group in groups:
        for p in group:
            out[p.name] = p
    return out


PROPERTY_TABLES: dict[str, dict[str, PropDef]] = {
    "text": _table(VISUAL, TEXTUAL, TEXT),
    "captions": _table(VISUAL, TEXTUAL, CAPTIONS),
    "image": _table(VISUAL, _media("contain")),
    "video": _table(VISUAL, _media("cover"), AUDIO),
    "audio": _table(AUDIO),
    "shape": _table(VISUAL, SHAPE),
    "group": _table(VISUAL),
}
"""Layer type -> property name -> definition (the union of the type's ancestors' tables)."""

RENDERABLE_TYPES = frozenset({"text", "captions", "image", "video", "shape", "group"})


def property_table(layer_type: str) -> dict[str, PropDef]:
    """The definitions for a layer type; an empty table for types with no properties."""
    return PROPERTY_TABLES.get(layer_type, {})
