"""Blend modes and opacity of one layer over the frame background (W3C Compositing 1 formulas)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from vfnative.raster.blend import BLEND_MODES
from vfnative.raster.compose import Compositor

Rgb = tuple[float, float, float]


# separable B(Cb, Cs) per channel
def _multiply(b: float, s: float) -> float:
    return b * s


def _screen(b: float, s: float) -> float:
    return b + s - b * s


def _hard_light(b: float, s: float) -> float:
    return _multiply(b, 2 * s) if s <= 0.5 else _screen(b, 2 * s - 1)


def _color_dodge(b: float, s: float) -> float:
    if b == 0:
        return 0.0
    if s >= 1:
        return 1.0
    return min(1.0, b / (1 - s))


def _color_burn(b: float, s: float) -> float:
    if b >= 1:
        return 1.0
    if s <= 0:
        return 0.0
    return 1 - min(1.0, (1 - b) / s)


def _soft_light(b: float, s: float) -> float:
    if s <= 0.5:
        return b - (1 - 2 * s) * b * (1 - b)
    d = ((16 * b - 12) * b + 4) * b if b <= 0.25 else math.sqrt(b)
    return b + (2 * s - 1) * (d - b)


SEPARABLE: dict[str, Callable[[float, float], float]] = {
    "normal": lambda b, s: s,
    "multiply": _multiply,
    "screen": _screen,
    "overlay": lambda b, s: _hard_light(s, b),
    "darken": min,
    "lighten": max,
    "color-dodge": _color_dodge,
    "color-burn": _color_burn,
    "hard-light": _hard_light,
    "soft-light": _soft_light,
    "difference": lambda b, s: abs(b - s),
    "exclusion": lambda b, s: b + s - 2 * b * s,
}


# non-separable helpers
def _lum(c: Rgb) -> float:
    return 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]


def _clip_color(c: Rgb) -> Rgb:
    lum = _lum(c)
    n, x = min(c), max(c)
    out = list(c)
    if n < 0:
        out = [lum + (v - lum) * lum / (lum - n) for v in out]
    if x > 1:
        out = [lum + (v - lum) * (1 - lum) / (x - lum) for v in out]
    return (out[0], out[1], out[2])


def _set_lum(c: Rgb, lum: float) -> Rgb:
    d = lum - _lum(c)
    return _clip_color((c[0] + d, c[1] + d, c[2] + d))


def _sat(c: Rgb) -> float:
    return max(c) - min(c)


def _set_sat(c: Rgb, s: float) -> Rgb:
    order = sorted(range(3), key=lambda i: c[i])
    lo, mid, hi = order
    out = [0.0, 0.0, 0.0]
    if c[hi] > c[lo]:
        out[mid] = (c[mid] - c[lo]) * s / (c[hi] - c[lo])
        out[hi] = s
    return (out[0], out[1], out[2])


NON_SEPARABLE: dict[str, Callable[[Rgb, Rgb], Rgb]] = {
    "hue": lambda b, s: _set_lum(_set_sat(s, _sat(b)), _lum(b)),
    "saturation": lambda b, s: _set_lum(_set_sat(b, _sat(s)), _lum(b)),
    "color": lambda b, s: _set_lum(s, _lum(b)),
    "luminosity": lambda b, s: _set_lum(b, _lum(s)),
}

BACKDROP = (51, 153, 204)  # #3399cc
TOPS = [(230, 64, 26), (20, 210, 120), (128, 128, 128)]


def _expected(mode: str, backdrop: tuple[int, ...], top: tuple[int, ...]) -> list[int]:
    b = (backdrop[0] / 255, backdrop[1] / 255, backdrop[2] / 255)
    s = (top[0] / 255, top[1] / 255, top[2] / 255)
    if mode in SEPARABLE:
        f = SEPARABLE[mode]
        out = (f(b[0], s[0]), f(b[1], s[1]), f(b[2], s[2]))
    else:
        out = NON_SEPARABLE[mode](b, s)
    return [round(min(max(v, 0.0), 1.0) * 255) for v in out]


def _render(make_doc, make_layer, backdrop, top, **props) -> np.ndarray:
    doc = make_doc(background="#{:02x}{:02x}{:02x}".format(*backdrop))
    layer = make_layer(
        "shape", settings={"shape_type": "rectangle"}, width=100.0, height=50.0,
        fill=(top[0] / 255, top[1] / 255, top[2] / 255, 1.0), strokeWidth=0.0, **props,
    )  # fmt: skip
    return Compositor(doc).render([layer])


def test_every_css_mode_is_mapped() -> None:
    assert set(BLEND_MODES) == set(SEPARABLE) | set(NON_SEPARABLE)
    assert len(BLEND_MODES) == 16


@pytest.mark.parametrize("top", TOPS)
@pytest.mark.parametrize("mode", sorted(SEPARABLE) + sorted(NON_SEPARABLE))
def test_blend_mode_over_known_backdrop(mode: str, top, make_doc, make_layer) -> None:
    out = _render(make_doc, make_layer, BACKDROP, top, blendMode=mode)
    px = out[50, 100]
    assert px[3] == 255
    expected = _expected(mode, BACKDROP, top)
    assert np.abs(px[:3].astype(int) - expected).max() <= 1, (px[:3].tolist(), expected)
    # outside the layer's footprint the backdrop is untouched (transparent source = identity)
    assert out[5, 5, :3].tolist() == list(BACKDROP)


@pytest.mark.parametrize("mode", ["color-dodge", "color-burn", "soft-light"])
def test_edge_cases_of_dodge_burn_soft_light(mode: str, make_doc, make_layer) -> None:
    backdrop = (0, 255, 40)
    top = (255, 0, 40)
    out = _render(make_doc, make_layer, backdrop, top, blendMode=mode)
    assert np.abs(out[50, 100, :3].astype(int) - _expected(mode, backdrop, top)).max() <= 1


def test_unknown_mode_is_source_over(make_doc, make_layer) -> None:
    out = _render(make_doc, make_layer, BACKDROP, TOPS[0], blendMode="plus-darker")
    assert out[50, 100, :3].tolist() == list(TOPS[0])


def test_half_opacity_white_over_black_is_128(make_doc, make_layer) -> None:
    out = _render(make_doc, make_layer, (0, 0, 0), (255, 255, 255), opacity=0.5)
    assert np.abs(out[50, 100, :3].astype(int) - 128).max() <= 1
    assert out[50, 100, 3] == 255


def test_opacity_multiplies_the_blended_result(make_doc, make_layer) -> None:
    # CSS: result = (1 − α)·Cb + α·B(Cb, Cs)
    top = TOPS[0]
    out = _render(make_doc, make_layer, BACKDROP, top, blendMode="difference", opacity=0.5)
    blended = _expected("difference", BACKDROP, top)
    expected = [0.5 * b + 0.5 * m for b, m in zip(BACKDROP, blended, strict=True)]
    assert np.abs(out[50, 100, :3].astype(float) - expected).max() <= 1.01


def test_opacity_zero_draws_nothing(make_doc, make_layer) -> None:
    out = _render(make_doc, make_layer, BACKDROP, TOPS[0], opacity=0.0)
    assert (out[..., :3] == BACKDROP).all()


def test_visible_false_draws_nothing(make_doc, make_layer) -> None:
    out = _render(make_doc, make_layer, BACKDROP, TOPS[0], visible=False)
    assert (out[..., :3] == BACKDROP).all()
