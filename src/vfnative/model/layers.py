"""LayerJSON variants as a union discriminated on `type`; settings kept apart from properties.

Settings are timing and type-specific configuration (never keyframed); properties are the visual
and audio attributes a layer resolves every frame (spec 01 §1.2-1.5). Property keys and values are
checked here against `model/properties.py`, once, so later stages never re-check dicts: a key must
belong to the layer type's table or be an effect dot-path (spec 01 §3.7), and each value (static
or keyframed) must be readable as its definition's kind. The reference ignores unknown keys:
lenient loading (`model.lenient`) removes them first with a warning, strict loading reports them
here. A bad value fails in both modes, with a path and a suggestion (the browser would drop it).

Imports pydantic, `model.animation`, `model.color` and `model.properties`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from vfnative.model.animation import (
    MAX_MAGNITUDE,
    Animation,
    DocModel,
    EffectSpec,
    Issue,
    JsonInt,
    TransitionSpec,
    describe_value,
    issues_error,
    json_value_issues,
)
from vfnative.model.color import NAMED_COLORS, parse_color
from vfnative.model.properties import SHAPE_GEOMETRY, PropDef, property_table

__all__ = [
    "EFFECT_PARAM_PATH",
    "LAYER_TYPES",
    "MAX_MAGNITUDE",
    "AudioLayer",
    "CaptionEntry",
    "CaptionsLayer",
    "CaptionsSettings",
    "EffectPath",
    "GroupLayer",
    "ImageLayer",
    "Layer",
    "LayerSettings",
    "MediaSettings",
    "ShapeLayer",
    "ShapeSettings",
    "TextLayer",
    "VideoLayer",
    "LAYER_CLASSES",
    "animation_issues",
    "parse_effect_path",
    "property_issues",
    "property_value_issues",
    "unknown_property",
]

LAYER_TYPES: tuple[str, ...] = ("text", "captions", "image", "video", "audio", "shape", "group")
"""Every `type` a layer may have, in spec order (spec 01 §1.4)."""

EFFECT_PARAM_PATH = re.compile(r"effects\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?\.([A-Za-z_]\w*)", re.ASCII)
"""The reference's `EFFECT_PARAM_PATH_RE`: `effects.<name>.<param>` or `effects.<name>[<k>].<param>`."""

NonNegInt = Annotated[JsonInt, Field(ge=0)]


@dataclass(frozen=True)
class EffectPath:
    """A parsed effect dot-path: the `index`-th enabled effect called `name`, parameter `param`."""

    name: str
    index: int
    param: str


def parse_effect_path(key: str) -> EffectPath | None:
    """Split `effects.blur[1].radius` into ('blur', 1, 'radius'); None if it is not an effect path."""
    match = EFFECT_PARAM_PATH.fullmatch(key)
    if match is None:
        return None
    return EffectPath(match.group(1), int(match.group(2) or 0), match.group(3))


# --------------------------------------------------------------------------- settings


class CaptionEntry(DocModel):
    """One caption, shown while `startTime <= t <= endTime` in project (or group-local) seconds (§7)."""

    caption: str
    start_time: float
    end_time: float

    @field_validator("end_time")
    @classmethod
    def _end_not_before_start(cls, value: float, info: ValidationInfo) -> float:
        start = info.data.get("start_time")
        if start is not None and value < start:
            raise PydanticCustomError(
                "caption_order",
                "expected endTime >= startTime ({start}); got {end}",
                {"start": describe_value(start), "end": describe_value(value)},
            )
        return value


_JS_DECIMAL = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)


def _number_from_string(value: Any) -> Any:
    """A decimal string as its number, as JavaScript's arithmetic coerces it (`"2" / 1 == 2`).

    Only for settings the reference uses in coercing arithmetic alone: `sourceDuration` (divided
    by the speed) and `speed` (`Math.abs`, comparisons, products). `startTime` or `sourceStart`
    as strings are *added* to numbers, which concatenates in JavaScript, so they stay errors.
    """
    if isinstance(value, str) and _JS_DECIMAL.fullmatch(value):
        return float(value)
    return value


JsNumber = Annotated[float, BeforeValidator(_number_from_string)]


class LayerSettings(DocModel):
    """Timing settings every layer has (spec 01 §1.3).

    `enabled` defaults to False because the reference tests its truthiness: a hand-written layer
    without `enabled: true` never shows. `sourceDuration` defaults to 0, a layer that is never active.
    """

    enabled: bool = False
    start_time: float = 0.0
    source_duration: JsNumber = Field(default=0.0, ge=0)
    speed: JsNumber = 1.0
    source_start: float = 0.0
    media_duration: float | None = Field(default=None, ge=0)
    source_end: float | None = None
    name: str | None = None
    audio_source: str | None = None


class MediaSettings(LayerSettings):
    """Settings of image, video and audio layers: `source` is a URL or a path (relative to the document)."""

    source: str | None = None


class ShapeSettings(LayerSettings):
    """Shape settings. Any `shapeType` other than ellipse/polygon/star draws a rectangle (reference)."""

    shape_type: str = "rectangle"


class CaptionsSettings(LayerSettings):
    """Captions settings. `maxCharsPerLine` / `maxLines` are kept but ignored by every renderer (§7)."""

    captions: list[CaptionEntry] | None = None
    max_chars_per_line: NonNegInt | None = None
    max_lines: NonNegInt | None = None


# --------------------------------------------------------------------------- property values

_NUM_UNIT = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([A-Za-z%]*)\s*")
_FONT_WEIGHT_KEYWORDS = ("normal", "bold", "bolder", "lighter")
_NONE_COLOR_OK = frozenset({"fill", "strokeColor", "backgroundColor"})
"""Colour properties where 'none' or '' means "paint nothing" (shape fill, stroke, background)."""
_SHAPE_UNITS = ("em", "px")
"""Shape geometry accepts em or px; the runtime strips the suffix and reads shape-em either way."""
_ARRAY_KINDS = frozenset({"length", "angle", "vector"})


def _units_of(defn: PropDef) -> tuple[str, ...]:
    if defn.kind == "length" and defn.name in SHAPE_GEOMETRY:
        return _SHAPE_UNITS
    return tuple(u for u in defn.units if u)


def _expected_number(defn: PropDef, units: tuple[str, ...]) -> str:
    what = "a number"
    if units:
        what += f" or a string like '12{units[0]}' (units: {', '.join(units)})"
    if defn.kind in _ARRAY_KINDS:
        what += ", or a list of those"
    if defn.name == "fontWeight":
        what += f", or one of {', '.join(_FONT_WEIGHT_KEYWORDS)}"
    return f"expected {what}"


def _number_of(value: object, units: tuple[str, ...]) -> float | None:
    """The number in a JSON number or a numeric string whose unit (if any) is one of `units`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the double range
            return math.inf
    if isinstance(value, str):
        match = _NUM_UNIT.fullmatch(value)
        if match is not None and match.group(2) in ("", *units):
            return float(match.group(1))
    return None


def _is_number(value: object, units: tuple[str, ...]) -> bool:
    """A finite JSON number, or a numeric string whose unit (if any) is one of `units`, within ±`MAX_MAGNITUDE`."""
    number = _number_of(value, units)
    return number is not None and abs(number) <= MAX_MAGNITUDE


def _number_issue(defn: PropDef, value: object, units: tuple[str, ...]) -> str:
    """The message for a value `_is_number` refused: out of range, or not a number of this property."""
    number = _number_of(value, units)
    if number is not None and math.isfinite(number):
        got = format(value, ".10g") if isinstance(value, float) else describe_value(value)
        return f"expected a number within ±{MAX_MAGNITUDE:.0e}; got {got}"
    return f"{_expected_number(defn, units)}; got {describe_value(value)}"


def _suggest(word: str, candidates: Sequence[str] | Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def property_value_issues(defn: PropDef, value: Any) -> list[Issue]:
    """Problems reading `value` as property `defn` (locations relative to the value).

    Used for static values and for every keyframe value alike: whatever the reference could resolve
    (spec 01 §3.4) passes; what it would turn into NaN or a dropped CSS declaration does not.
    """
    got = describe_value(value)
    kind = defn.kind
    if kind == "bool":
        return [] if isinstance(value, bool) else [((), f"expected true or false; got {got}")]
    if kind == "text":
        return [] if isinstance(value, str) else [((), f"expected a string; got {got}")]
    if kind == "enum":
        choices = defn.choices or ()
        if isinstance(value, str) and value in choices:
            return []
        hint = _suggest(value, choices) if isinstance(value, str) else ""
        return [((), f"expected one of {', '.join(choices)}; got {got}{hint}")]
    if kind == "color":
        if isinstance(value, str):
            if parse_color(value) is not None:
                return []
            if defn.name in _NONE_COLOR_OK and value.strip().lower() in ("", "none"):
                return []
        hint = _suggest(value.strip().lower(), NAMED_COLORS) if isinstance(value, str) else ""
        return [
            ((), f"expected a CSS colour (#rrggbb, rgb(), hsl(), hwb(), lab(), lch(), oklab(), oklch(), color() or a colour name); got {got}{hint}")
        ]
    units = _units_of(defn)
    if defn.name == "fontWeight" and isinstance(value, str) and value in _FONT_WEIGHT_KEYWORDS:
        return []
    if isinstance(value, list) and kind in _ARRAY_KINDS:
        if not value:
            return [((), f"{_expected_number(defn, units)}; got []")]
        return [
            ((i,), _number_issue(defn, item, units))
            for i, item in enumerate(value)
            if not _is_number(item, units)
        ]
    if _is_number(value, units):
        return []
    return [((), _number_issue(defn, value, units))]


def unknown_property(layer_type: str, key: str, *, quoted: bool = False) -> str:
    """`unknown property ...` with the closest valid name; `quoted` names the key when the path does not."""
    hint = _suggest(key, property_table(layer_type))
    if not hint and key.startswith("effects."):
        hint = " (effect paths look like effects.<name>.<param> or effects.<name>[<k>].<param>)"
    name = f" {describe_value(key)}" if quoted else ""
    article = "an" if layer_type[:1] in "aeiou" else "a"
    return f"unknown property{name} for {article} {layer_type} layer{hint}"


def property_issues(layer_type: str, properties: Mapping[str, Any]) -> list[Issue]:
    """Every problem in a layer's static `properties` (locations start at the key)."""
    table = property_table(layer_type)
    issues: list[Issue] = []
    for key, value in properties.items():
        if parse_effect_path(key) is not None:
            issues.extend(json_value_issues(value, (key,)))
        elif key in table:
            issues.extend(((key, *loc), msg) for loc, msg in property_value_issues(table[key], value))
        else:
            issues.append(((key,), unknown_property(layer_type, key)))
    return issues


def animation_issues(layer_type: str, animations: Sequence[Animation]) -> list[Issue]:
    """Every problem in a layer's `animations`: unknown property names and unreadable keyframe values."""
    table = property_table(layer_type)
    issues: list[Issue] = []
    for j, animation in enumerate(animations):
        name = animation.property
        if parse_effect_path(name) is not None:
            continue  # keyframe values were already checked to be plain JSON
        defn = table.get(name)
        if defn is None:
            issues.append(((j, "property"), unknown_property(layer_type, name, quoted=True)))
            continue
        for k, keyframe in enumerate(animation.keyframes):
            loc = (j, "keyframes", k, "value")
            issues.extend(((*loc, *sub), msg) for sub, msg in property_value_issues(defn, keyframe.value))
    return issues


# --------------------------------------------------------------------------- layers


class _LayerBase(DocModel):
    """Fields every layer type has; subclasses narrow `type` and `settings`.

    `type` and `settings` are declared here so they stay first in serialised output.
    """

    id: str
    type: str
    settings: LayerSettings
    properties: dict[str, Any] = Field(default_factory=dict)
    animations: list[Animation] = Field(default_factory=list)
    track: NonNegInt | None = None
    transition_in: TransitionSpec | None = None
    transition_out: TransitionSpec | None = None
    effects: list[EffectSpec] = Field(default_factory=list)

    def model_post_init(self, context: Any, /) -> None:
        """Count `type` as set even when it came from the class default.

        `to_dict()` dumps only set fields, and a layer without `type` would not load again.
        """
        self.model_fields_set.add("type")

    @classmethod
    def _layer_type(cls) -> str:
        return str(cls.model_fields["type"].default)

    @field_validator("properties")
    @classmethod
    def _check_properties(cls, value: dict[str, Any]) -> dict[str, Any]:
        issues = property_issues(cls._layer_type(), value)
        if issues:
            raise issues_error(issues)
        return value

    @field_validator("animations")
    @classmethod
    def _check_animations(cls, value: list[Animation]) -> list[Animation]:
        issues = animation_issues(cls._layer_type(), value)
        if issues:
            raise issues_error(issues)
        return value


class TextLayer(_LayerBase):
    """A text box (Visual + Textual + Text properties)."""

    type: Literal["text"] = "text"
    settings: LayerSettings


class CaptionsLayer(_LayerBase):
    """A text box whose text comes from `settings.captions` at each frame (spec 01 §7)."""

    type: Literal["captions"] = "captions"
    settings: CaptionsSettings


class ImageLayer(_LayerBase):
    """A still image, fitted into the frame (`fit`, default contain)."""

    type: Literal["image"] = "image"
    settings: MediaSettings


class VideoLayer(_LayerBase):
    """A video clip with its audio (`fit` default cover)."""

    type: Literal["video"] = "video"
    settings: MediaSettings


class AudioLayer(_LayerBase):
    """Sound only: no visual, audio properties only."""

    type: Literal["audio"] = "audio"
    settings: MediaSettings


class ShapeLayer(_LayerBase):
    """A rectangle, ellipse, polygon or star, sized in shape-em (min(W, H)/100 px)."""

    type: Literal["shape"] = "shape"
    settings: ShapeSettings


class GroupLayer(_LayerBase):
    """Layers composited together; children's times are group-local (spec 01 §5)."""

    type: Literal["group"] = "group"
    settings: LayerSettings
    children: list[Layer] = Field(default_factory=list)


Layer = Annotated[
    TextLayer | CaptionsLayer | ImageLayer | VideoLayer | AudioLayer | ShapeLayer | GroupLayer,
    Field(discriminator="type"),
]
"""Any layer; pydantic picks the class from `type`."""

GroupLayer.model_rebuild()

LAYER_CLASSES: dict[str, type[_LayerBase]] = {
    cls._layer_type(): cls
    for cls in (TextLayer, CaptionsLayer, ImageLayer, VideoLayer, AudioLayer, ShapeLayer, GroupLayer)
}
"""Layer `type` -> its model class, in spec order."""
