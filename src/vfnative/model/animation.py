"""Keyframes, animations, transition and effect specs; and the base every document model shares.

Validation only, no maths: easing curves and interpolation belong to `timeline/`. This is the leaf
module of `model/`, so it also owns the two things every model needs:

* `DocModel`, the base config (frozen, extra keys forbidden, camelCase aliases, strict JSON types,
  NaN/Infinity rejected), so a typo in a document fails with a path instead of being ignored;
* `issues_error`, the way a validator reports *several* problems below its own location. Pydantic
  gives each validator failure one location; a validator that checks a whole `properties` dict
  raises one `PydanticCustomError` of type `ISSUES_ERROR` whose context carries every
  `(sub-location, message)` pair, and `model.load` expands them into separate `DocumentIssue`s.

Imports pydantic and `errors` only.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from vfnative.errors import format_docpath

__all__ = [
    "ISSUES_ERROR",
    "KNOWN_EASINGS",
    "LENIENT_CONTEXT",
    "MAX_MAGNITUDE",
    "Animation",
    "DocModel",
    "EasingName",
    "EffectSpec",
    "Issue",
    "JsonInt",
    "JsonValue",
    "Keyframe",
    "Loc",
    "TransitionSpec",
    "describe_value",
    "is_lenient",
    "issues_error",
    "json_value_issues",
]

EasingName = Literal["linear", "easeIn", "easeOut", "easeInOut", "step"]
"""Easing names the reference knows. The reference quietly treats any other name as linear (ease-in-out
for colours, spec 01 §3.3). Lenient loading keeps such a name (the timeline renders it the same way)
and warns; strict loading rejects it with the list of known names."""

KNOWN_EASINGS: frozenset[str] = frozenset(get_args(EasingName))

LENIENT_CONTEXT: dict[str, Any] = {"lenient": True}
"""Validation context of lenient loading (`model.lenient`): validators let through what the reference
tolerates and `model.lenient.relax` has already reported."""


def is_lenient(info: ValidationInfo) -> bool:
    """Is this validation running for lenient loading?"""
    context = info.context
    return isinstance(context, dict) and bool(context.get("lenient"))


def _check_easing(value: str | None, info: ValidationInfo) -> str | None:
    if value is None or value in KNOWN_EASINGS or is_lenient(info):
        return value
    close = difflib.get_close_matches(value, get_args(EasingName), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise PydanticCustomError(
        "easing",
        "unknown easing; expected one of {known}; got {got}{hint}",
        {"known": ", ".join(get_args(EasingName)), "got": describe_value(value), "hint": hint},
    )


Easing = Annotated[str | None, AfterValidator(_check_easing)]
"""An easing name from `KNOWN_EASINGS`, or null (linear)."""

MAX_MAGNITUDE = 1e7
"""Largest |number| a document value may hold (property values, keyframe values, transition and effect
params). JavaScript accepts any double and the browser clamps at render time (Blink's LayoutUnit stops
near 3.4e7 px); past 1e7, font sizes, borders, filter matrices and effect maths overflow Skia's and
FreeType's fixed-point arithmetic. No real document comes close."""

ISSUES_ERROR = "vfnative_issues"
"""Pydantic error type whose ``ctx["issues"]`` holds several `Issue`s below the error's location."""

Loc: TypeAlias = tuple[str | int, ...]
Issue: TypeAlias = tuple[Loc, str]
"""One problem below a validator's location: (sub-location, message)."""


class DocModel(BaseModel):
    """Base of every VideoJSON model: immutable, strict, camelCase in JSON, snake_case in Python.

    Strict mode keeps JSON types honest (`"30"` is not a number, `1` is not `true`), matching what
    the reference's compiler writes; ints are still accepted where floats are expected.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        strict=True,
        allow_inf_nan=False,
    )


def describe_value(value: object, limit: int = 60) -> str:
    """Render a document value for the `; got <value>` tail of a message (JSON, truncated)."""
    try:
        text = json.dumps(_js_numbers(value), ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _js_numbers(value: object) -> object:
    """Write integral floats as JavaScript would (`2`, not `2.0`): documents come from JS."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    return value


def _show_number(value: float) -> str:
    """`1e+300`, `123456789`: a number for a message, never thousands of digits."""
    try:
        return format(float(value), ".10g")
    except OverflowError:  # an integer beyond the double range
        return "a number beyond ±1.8e308"


def issues_error(issues: Sequence[Issue]) -> PydanticCustomError:
    """Bundle several problems into one pydantic error; `model.load` splits them apart again."""
    summary = "; ".join(f"{format_docpath(loc)}: {msg}" if loc else msg for loc, msg in issues)
    return PydanticCustomError(ISSUES_ERROR, "{summary}", {"summary": summary, "issues": tuple(issues)})


def json_value_issues(value: object, loc: Loc = ()) -> list[Issue]:
    """Problems that stop `value` from being a plain JSON value: non-finite numbers, odd types.

    Free-form values (keyframe values, effect params) bypass typed fields, so NaN/Infinity
    (which Python's json module accepts) must be caught here.
    """
    if value is None or isinstance(value, bool | str):
        return []
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return [(loc, f"expected a finite number; got {describe_value(value)}")]
        if abs(value) > MAX_MAGNITUDE:
            return [(loc, f"expected a number within ±{MAX_MAGNITUDE:.0e}; got {_show_number(value)}")]
        return []
    if isinstance(value, list):
        return [issue for i, item in enumerate(value) for issue in json_value_issues(item, (*loc, i))]
    if isinstance(value, dict):
        out: list[Issue] = []
        for key, item in value.items():
            if not isinstance(key, str):
                out.append(((*loc, str(key)), "object keys must be strings"))
            else:
                out.extend(json_value_issues(item, (*loc, key)))
        return out
    return [(loc, f"expected a JSON value; got {type(value).__name__}")]


def _check_json(value: Any) -> Any:
    issues = json_value_issues(value)
    if issues:
        raise issues_error(issues)
    return value


def _integral_float_to_int(value: Any) -> Any:
    """Let `1920.0` through as `1920`: JSON has one number type; fractional values still fail."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonValue = Annotated[Any, AfterValidator(_check_json)]
"""Any JSON value (null, bool, finite number, string, list, object)."""

JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json)]
"""A JSON object with string keys and JSON values (effect/transition params)."""

JsonInt = Annotated[int, BeforeValidator(_integral_float_to_int)]
"""An integer that may be written as `3` or `3.0`."""


class Keyframe(DocModel):
    """One keyframe. `time` is in source seconds (spec 01 §2.4); `easing` applies to the segment after it."""

    time: float
    value: JsonValue
    easing: Easing = None


class Animation(DocModel):
    """A keyframed property. The animation-level `easing` is never read by the reference (spec 01 §10.18)."""

    property: str
    keyframes: list[Keyframe]
    easing: Easing = None


class TransitionSpec(DocModel):
    """`transitionIn` / `transitionOut`: a named preset over `duration` timeline seconds (spec 01 §4)."""

    transition: str
    duration: float = Field(default=0.2, ge=0)
    easing: Easing = None
    params: JsonObject = Field(default_factory=dict)


class EffectSpec(DocModel):
    """One effect pass on the rasterized layer; `enabled: false` entries are skipped (spec 01 §3.7)."""

    effect: str
    enabled: bool = True
    params: JsonObject = Field(default_factory=dict)
