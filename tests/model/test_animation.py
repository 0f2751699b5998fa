"""Keyframes, animations, transition/effect specs and the shared DocModel behaviour."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from vfnative.model.animation import (
    ISSUES_ERROR,
    KNOWN_EASINGS,
    Animation,
    EffectSpec,
    Keyframe,
    TransitionSpec,
    describe_value,
    issues_error,
    json_value_issues,
)


def test_known_easings() -> None:
    assert {"linear", "easeIn", "easeOut", "easeInOut", "step"} == KNOWN_EASINGS


@pytest.mark.parametrize("value", [None, True, 0, 1.5, "x", [1, "a", None], {"a": {"b": [1.0]}}])
def test_keyframe_value_any_json(value: Any) -> None:
    assert Keyframe.model_validate({"time": 1, "value": value}).value == value


def test_keyframe_unknown_easing_rejected_with_known_list() -> None:
    # the reference treats unknown names as linear; a misspelt easing is a document bug here
    assert Keyframe.model_validate({"time": 0, "value": 1, "easing": None}).easing is None
    with pytest.raises(ValidationError) as info:
        Keyframe.model_validate({"time": 0, "value": 1, "easing": "easeinout"})
    (error,) = info.value.errors()
    assert error["loc"] == ("easing",)
    assert error["msg"] == (
        "unknown easing; expected one of linear, easeIn, easeOut, easeInOut, step; "
        "got \"easeinout\" (did you mean 'easeInOut'?)"
    )


@pytest.mark.parametrize("model", [Animation, TransitionSpec])
def test_unknown_easing_rejected_on_animations_and_transitions(model: Any) -> None:
    data = {"property": "opacity", "keyframes": []} if model is Animation else {"transition": "fade"}
    with pytest.raises(ValidationError, match="unknown easing"):
        model.model_validate({**data, "easing": "bounce"})


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"value": 1}, ("time",)),
        ({"time": 0}, ("value",)),
        ({"time": "0", "value": 1}, ("time",)),
        ({"time": float("nan"), "value": 1}, ("time",)),
        ({"time": float("inf"), "value": 1}, ("time",)),
        ({"time": 0, "value": 1, "easing": 3}, ("easing",)),
        ({"time": 0, "value": 1, "ease": "linear"}, ("ease",)),
        ({"time": 0, "value": [1, float("nan")]}, ("value",)),
    ],
)
def test_keyframe_invalid(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        Keyframe.model_validate(data)
    assert [e["loc"] for e in info.value.errors()] == [loc]


def test_nan_in_value_names_its_sub_path() -> None:
    with pytest.raises(ValidationError) as info:
        Keyframe.model_validate({"time": 0, "value": {"a": [1, float("nan")]}})
    (error,) = info.value.errors()
    assert error["type"] == ISSUES_ERROR
    assert error["ctx"]["issues"] == ((("a", 1), "expected a finite number; got NaN"),)


def test_animation() -> None:
    anim = Animation.model_validate(
        {"property": "opacity", "keyframes": [{"time": 0, "value": 0}], "easing": "step"}
    )
    assert anim.keyframes[0].time == 0
    assert anim.easing == "step"
    with pytest.raises(ValidationError):
        Animation.model_validate({"property": "opacity", "keyframes": {"time": 0}})


def test_transition_spec() -> None:
    spec = TransitionSpec.model_validate({"transition": "fade"})
    assert (spec.duration, spec.easing, spec.params) == (0.2, None, {})
    assert TransitionSpec.model_validate({"transition": "fade", "duration": 0}).duration == 0
    with pytest.raises(ValidationError):
        TransitionSpec.model_validate({"transition": "fade", "duration": -0.1})
    with pytest.raises(ValidationError):
        TransitionSpec.model_validate({"duration": 1})
    with pytest.raises(ValidationError):
        TransitionSpec.model_validate({"transition": "fade", "params": {"x": float("inf")}})


def test_effect_spec() -> None:
    spec = EffectSpec.model_validate({"effect": "blur"})
    assert (spec.enabled, spec.params) == (True, {})
    with pytest.raises(ValidationError):
        EffectSpec.model_validate({"effect": "blur", "enabled": "no"})
    with pytest.raises(ValidationError):
        EffectSpec.model_validate({"effect": "blur", "params": [1]})


def test_by_name_and_by_alias() -> None:
    from vfnative.model import CaptionEntry

    a = CaptionEntry(caption="x", start_time=0, end_time=1)
    b = CaptionEntry.model_validate({"caption": "x", "startTime": 0, "endTime": 1})
    assert a == b
    assert b.model_dump(by_alias=True) == {"caption": "x", "startTime": 0, "endTime": 1}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (float("nan"), "NaN"),
        ("a", '"a"'),
        ([1.0, 2], "[1, 2]"),
        (None, "null"),
        ({1, 2}, "<set>"),
        ("x" * 100, '"' + "x" * 56 + "..."),
    ],
)
def test_describe_value(value: object, text: str) -> None:
    assert describe_value(value) == text


def test_json_value_issues() -> None:
    assert json_value_issues({"a": [1, {"b": float("-inf")}], "c": object()}) == [
        (("a", 1, "b"), "expected a finite number; got -Infinity"),
        (("c",), "expected a JSON value; got object"),
    ]


def test_issues_error_summary() -> None:
    err = issues_error([(("a", 0), "bad"), ((), "worse")])
    assert str(err) == "a[0]: bad; worse"
