"""Author-facing time values ('5s', '500ms', '01:30', '120f', 2.5) -> seconds and frames.

The builder accepts the same `Time` values as @videoflow/core and must turn them into the same
numbers, or the compiled document drifts by a frame. So the rules follow the core's `parseTime`
exactly, including its order of tests and JavaScript's `parseFloat` (leading number, rest
ignored): numbers are seconds; a string of digits and colons is mm:ss, hh:mm:ss or hh:mm:ss:ff;
otherwise the suffixes are tried in the order f, ms, h, m, s; a bare decimal string is seconds.

Two deliberate differences, both for input the core turns into garbage rather than an error:
a colon form with more than four fields (the core silently reads it as 0) and a value that parses
to NaN or infinity (the core carries NaN into the JSON, where it becomes null) raise
`TimecodeError` here.

Imports the standard library, `errors` and `timeline.timecode` (for `js_round`) only.
"""

from __future__ import annotations

import math
import re
from typing import TypeAlias

from vfnative.errors import TimecodeError
from vfnative.timeline.timecode import js_round

__all__ = ["JS_WHITESPACE", "Time", "js_parse_float", "parse_time", "time_to_frames"]

Time: TypeAlias = str | float
"""A duration or instant: seconds as a number, or a string such as '5s', '500ms', '2m', '1h',
'120f' (frames), '01:30' (mm:ss), '01:02:30' (hh:mm:ss), '01:02:30:15' (hh:mm:ss:ff) or '2.5'."""

JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
"""What JavaScript's `trim()` and `parseFloat` skip (Python's `str.strip()` uses a different set)."""

_JS_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_COLON_FORM = re.compile(r"[0-9:]+")
_PLAIN_DECIMAL = re.compile(r"[0-9.]+")

_SCALED_SUFFIXES: tuple[tuple[str, float], ...] = (("h", 3600), ("m", 60), ("s", 1))
"""Tried after 'f' and 'ms', in this order (so '500ms' is milliseconds and '2m' minutes)."""


def js_parse_float(text: str) -> float:
    """JavaScript `parseFloat`: the longest leading decimal literal, NaN when there is none.

    '1.5abc' -> 1.5, ' 12' -> 12, '.5' -> 0.5, 'abc' -> nan. Used wherever the core parses a number
    out of a string, so odd input ('2 s', '1.5.5s') reads the same way in both implementations.
    """
    match = _JS_FLOAT_PREFIX.match(text.lstrip(JS_WHITESPACE))
    if match is None:
        return math.nan
    literal = match.group(0)
    if literal.lstrip("+-") == "Infinity":
        return -math.inf if literal.startswith("-") else math.inf
    return float(literal)


def _js_number(text: str) -> float:
    """JavaScript `Number(s)` for the digit-only fields of the colon form ('' is 0)."""
    stripped = text.strip(JS_WHITESPACE)
    return float(stripped) if stripped else 0.0


def parse_time(value: Time, fps: float = 30) -> float:
    """Seconds for an author-facing time value, exactly as the core's `parseTime` computes them.

    Numbers pass through unchanged (an int stays an int, as JSON output would show it); strings
    follow the order in the module docstring. `fps` is only read by the frame forms ('120f' and
    the fourth field of 'hh:mm:ss:ff'). Raises `TimecodeError` for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TimecodeError(f"expected a time (seconds, or a string like '5s' or '01:30'); got {value!r}")
    if isinstance(value, int | float):
        return _finite(value, value)
    text = value.strip(JS_WHITESPACE)

    if _COLON_FORM.fullmatch(text) and ":" in text:
        parts = [_js_number(p) for p in text.split(":")]
        if len(parts) > 4:
            raise TimecodeError(f"expected mm:ss, hh:mm:ss or hh:mm:ss:ff; got {value!r}")
        hours = minutes = seconds = frames = 0.0
        if len(parts) == 2:
            minutes, seconds = parts
        elif len(parts) == 3:
            hours, minutes, seconds = parts
        else:
            hours, minutes, seconds, frames = parts
        # Same association as the core: ((h*3600 + m*60) + s) + f/fps.
        return _finite(hours * 3600 + minutes * 60 + seconds + frames / fps, value)

    if text.endswith("f"):
        return _finite(js_parse_float(text[:-1]) / fps, value)
    if text.endswith("ms"):
        return _finite(js_parse_float(text[:-2]) / 1000, value)
    for suffix, factor in _SCALED_SUFFIXES:
        if text.endswith(suffix):
            return _finite(js_parse_float(text[:-1]) * factor, value)
    if _PLAIN_DECIMAL.fullmatch(text):
        return _finite(js_parse_float(text), value)
    raise TimecodeError(
        f"expected a time such as 2.5, '5s', '500ms', '2m', '1h', '120f', '01:30' or '01:02:30:15'; got {value!r}"
    )


def time_to_frames(value: Time, fps: float) -> int:
    """Frames for a time value: JavaScript `Math.round(parseTime(value) * fps)` (the core's `timeToFrames`)."""
    return js_round(parse_time(value, fps) * fps)


def _finite(seconds: float, original: Time) -> float:
    if not math.isfinite(seconds):
        raise TimecodeError(f"time is not a finite number of seconds; got {original!r}")
    return seconds
