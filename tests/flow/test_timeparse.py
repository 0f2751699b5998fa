"""Time values read like the core's parseTime: formats, parse order, rounding to frames."""

from __future__ import annotations

import math

import pytest

from vfnative.errors import TimecodeError
from vfnative.flow.timeparse import js_parse_float, parse_time, time_to_frames


@pytest.mark.parametrize(
    ("value", "fps", "seconds"),
    [
        (5, 30, 5),
        (2.5, 30, 2.5),
        (-1, 30, -1),
        ("5s", 30, 5.0),
        ("500ms", 30, 0.5),
        ("2m", 30, 120.0),
        ("1h", 30, 3600.0),
        ("1.5h", 30, 5400.0),
        ("120f", 30, 4.0),
        ("45f", 25, 1.8),
        ("01:30", 30, 90.0),
        ("01:02:30", 30, 3750.0),
        ("01:02:30:15", 30, 3750.5),
        ("00:00:01:06", 24, 1.25),
        ("2.5", 30, 2.5),
        ("0.8s", 30, 0.8),
        ("600ms", 30, 0.6),
        # the core trims, then tries f, ms, h, m, s, and parses a leading number (parseFloat)
        ("  2s  ", 30, 2.0),
        ("2 s", 30, 2.0),
        ("1.5.5s", 30, 1.5),
        ("-5s", 30, -5.0),
        ("1e1s", 30, 10.0),
        ("1:", 30, 60.0),
        ("3.", 30, 3.0),
    ],
)
def test_formats(value: str | float, fps: float, seconds: float) -> None:
    assert parse_time(value, fps) == seconds


def test_numbers_pass_through_unchanged() -> None:
    assert type(parse_time(3)) is int
    assert type(parse_time(0.25)) is float


def test_suffix_order_ms_before_m_and_s() -> None:
    assert parse_time("500ms") == 0.5  # not 500 minutes, not 500 seconds
    assert parse_time("2m") == 120  # minutes, not milliseconds


def test_same_float_as_javascript() -> None:
    # JS: parseFloat('0.3') / 1 -> 0.3; 7/30 etc. Python floats are the same IEEE doubles.
    assert parse_time("7f", 30) == 7 / 30
    assert parse_time("300ms") == 300 / 1000
    assert parse_time("01:00:00:01", 30) == 3600 + 1 / 30


@pytest.mark.parametrize(
    "value", ["abc", "", "-5", "5x", "1:2:3:4:5", "NaNs", "Infinitys", "s", True, None, [1]]
)
def test_invalid(value: object) -> None:
    with pytest.raises(TimecodeError):
        parse_time(value)  # type: ignore[arg-type]


def test_invalid_is_a_document_error_and_value_error() -> None:
    with pytest.raises(ValueError, match="expected a time"):
        parse_time("soon")


@pytest.mark.parametrize(
    ("value", "fps", "frames"),
    [
        ("0.05s", 30, 2),  # 1.5 rounds half up, like Math.round
        ("-0.05s", 30, -1),  # -1.5 rounds toward +inf
        (1 / 60, 30, 1),
        ("1.5", 24, 36),
        ("12f", 24, 12),
        (0.01, 30, 0),
    ],
)
def test_time_to_frames(value: str | float, fps: float, frames: int) -> None:
    assert time_to_frames(value, fps) == frames


def test_js_parse_float() -> None:
    assert js_parse_float("1.5abc") == 1.5
    assert js_parse_float(" \u00a0 12") == 12
    assert js_parse_float(".5") == 0.5
    assert js_parse_float("-.5e1x") == -5
    assert js_parse_float("Infinity") == math.inf
    assert math.isnan(js_parse_float("abc"))
    assert math.isnan(js_parse_float(""))
