from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vfnative.timeline import easing as e

NAMES = [e.EASE_LINEAR, e.EASE_EASE_IN, e.EASE_EASE_OUT, e.EASE_EASE_IN_OUT]


@pytest.mark.parametrize("ease", NAMES)
def test_endpoints(ease: int) -> None:
    assert e.poly_ease(ease, 0.0) == 0.0
    assert e.poly_ease(ease, 1.0) == 1.0
    assert e.css_ease(ease, 0.0) == 0.0
    assert e.css_ease(ease, 1.0) == pytest.approx(1.0)


@given(st.sampled_from(NAMES + [e.EASE_CUSTOM]), st.floats(0, 1), st.floats(0, 1))
def test_monotone_and_bounded(ease: int, a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    for fn in (e.poly_ease, e.css_ease):
        if fn is e.poly_ease and ease == e.EASE_CUSTOM:
            continue
        assert 0.0 <= fn(ease, lo) <= fn(ease, hi) <= 1.0 + 1e-12


@settings(deadline=None)  # the first call compiles the kernels
@given(st.sampled_from(NAMES + [e.EASE_STEP, e.EASE_CUSTOM]), st.floats(0, 1))
def test_kernels_equal_python(ease: int, u: float) -> None:
    assert e._poly_ease_kernel(ease, u) == e.poly_ease(ease, u)
    assert e._css_ease_kernel(ease, u) == e.css_ease(ease, u)


def test_polynomial_table() -> None:
    assert e.poly_ease(e.EASE_EASE_IN, 0.5) == 0.25
    assert e.poly_ease(e.EASE_EASE_OUT, 0.5) == 0.75
    assert e.poly_ease(e.EASE_EASE_IN_OUT, 0.25) == 0.125
    assert e.poly_ease(e.EASE_EASE_IN_OUT, 0.75) == 0.875
    assert e.poly_ease(e.EASE_STEP, 0.9) == 0.0
    assert e.easing_id("bounceMadeUp") == e.EASE_CUSTOM
    assert e.poly_ease(e.EASE_CUSTOM, 0.3) == 0.3


def test_css_ease_in_known_value() -> None:
    # cubic-bezier(0.42, 0, 1, 1) at x = 0.5 (value from the curve, solved independently).
    assert e.css_ease(e.EASE_EASE_IN, 0.5) == pytest.approx(0.3153568, abs=1e-6)
    assert e.css_ease(e.EASE_EASE_IN_OUT, 0.5) == pytest.approx(0.5, abs=1e-7)
