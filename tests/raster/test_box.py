"""Box decorations of one layer through the Compositor (spec 02 §4)."""

from __future__ import annotations

import numpy as np
import pytest
import skia

from vfnative.raster.box import dark
from vfnative.raster.compose import Compositor
from vfnative.timeline.scene import Percent

RED = (1.0, 0.0, 0.0, 1.0)
BLUE = (0.0, 0.0, 1.0, 1.0)
GREEN = (0.0, 1.0, 0.0, 1.0)


def _box(make_doc, make_layer, **props) -> np.ndarray:
    base = {"width": 100.0, "height": 50.0, "fill": None, "strokeWidth": 0.0}
    base.update(props)
    layer = make_layer("shape", settings={"shape_type": "rectangle"}, **base)
    return Compositor(make_doc()).render([layer])


def test_background_fills_the_border_box(make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, backgroundColor=BLUE)
    lit = np.argwhere(out[..., 2] == 255)
    assert lit.min(axis=0).tolist() == [25, 50]
    assert lit.max(axis=0).tolist() == [74, 149]


def test_background_shows_under_a_translucent_border(make_doc, make_layer) -> None:
    out = _box(
        make_doc, make_layer, backgroundColor=BLUE, borderWidth=10.0,
        borderColor=(1.0, 0.0, 0.0, 0.5), borderStyle="solid",
    )  # fmt: skip
    assert abs(int(out[50, 55, 0]) - 128) <= 1
    assert abs(int(out[50, 55, 2]) - 128) <= 1


def test_border_widths_per_side(make_doc, make_layer) -> None:
    out = _box(
        make_doc, make_layer, backgroundColor=BLUE, borderWidth=(2.0, 4.0, 6.0, 8.0),
        borderColor=RED, borderStyle="solid",
    )  # fmt: skip
    # box x 50..150, y 25..75; t 2, r 4, b 6, l 8
    assert out[26, 100, 0] == 255
    assert out[27, 100, 2] == 255
    assert out[50, 146, 0] == 255
    assert out[50, 145, 2] == 255
    assert out[69, 100, 0] == 255
    assert out[68, 100, 2] == 255
    assert out[50, 57, 0] == 255
    assert out[50, 58, 2] == 255


def test_percent_radius_is_elliptical_and_cuts_the_corner(make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, backgroundColor=RED, borderRadius=Percent(50.0))
    assert out[25, 50, 0] == 0  # the corner pixel shows the frame background
    assert out[74, 149, 0] == 0
    assert out[50, 51, 0] == 255  # ellipse touches the middle of each side
    assert out[26, 100, 0] == 255
    # on an ellipse with rx 50, ry 25 the point (60, 32) is outside; on a 25 px circle it is inside
    assert out[31, 60, 0] < 64


def test_box_shadow_offset_pixel(make_doc, make_layer) -> None:
    out = _box(
        make_doc, make_layer, backgroundColor=RED, boxShadow=True, boxShadowColor=BLUE,
        boxShadowOffset=(6.0, 4.0), boxShadowBlur=0.0, boxShadowSpread=0.0,
    )  # fmt: skip
    assert out[77, 120, :3].tolist() == [0, 0, 255]  # below the box, inside the shifted shadow
    assert out[50, 153, :3].tolist() == [0, 0, 255]
    assert out[50, 157, :3].tolist() == [0, 0, 0]
    assert out[50, 100, :3].tolist() == [255, 0, 0]


@pytest.mark.parametrize("offset", [0.0, 3.0])
def test_outline_offset_ring_position(offset: float, make_doc, make_layer) -> None:
    out = _box(
        make_doc, make_layer, outlineStyle="solid", outlineWidth=2.0, outlineOffset=offset, outlineColor=GREEN
    )
    x0 = int(150 + offset)
    assert out[50, x0, 1] == 255
    assert out[50, x0 + 1, 1] == 255
    assert out[50, x0 + 2, 1] == 0
    assert out[50, x0 - 1, 1] == 0


def test_dark_matches_blink() -> None:
    assert _bytes(dark(skia.Color4f(1, 1, 1, 1))) == [171, 171, 171]
    assert _bytes(dark(skia.Color4f(0, 0, 0, 1))) == [0, 0, 0]
    # v = 1: m = 0.67 → trunc(0.67·255) = 170
    assert _bytes(dark(skia.Color4f(1, 0, 0, 1))) == [170, 0, 0]
    assert _bytes(dark(skia.Color4f(0, 0, 1, 1))) == [0, 0, 170]


def _bytes(c: skia.Color4f) -> list[int]:
    return [round(c.fR * 255), round(c.fG * 255), round(c.fB * 255)]


@pytest.mark.parametrize(
    ("style", "top_left", "bottom_right"),
    [("inset", 170, 255), ("outset", 255, 170)],
)
def test_inset_outset_shading(style: str, top_left: int, bottom_right: int, make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, borderWidth=6.0, borderColor=RED, borderStyle=style)
    assert out[27, 100, 0] == top_left  # top
    assert out[50, 52, 0] == top_left  # left
    assert out[72, 100, 0] == bottom_right  # bottom
    assert out[50, 147, 0] == bottom_right  # right


@pytest.mark.parametrize(
    ("style", "outer", "inner"),
    [("groove", (170, 255), (255, 170)), ("ridge", (255, 170), (170, 255))],
)
def test_groove_ridge_halves(style: str, outer, inner, make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, borderWidth=8.0, borderColor=RED, borderStyle=style)
    # top side rows 25..33: outer half 25..29, inner half 29..33
    assert out[26, 100, 0] == outer[0]
    assert out[31, 100, 0] == inner[0]
    # bottom side rows 67..75: outer half 71..75
    assert out[73, 100, 0] == outer[1]
    assert out[68, 100, 0] == inner[1]


def test_black_inset_lightens_the_other_side(make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, borderWidth=6.0, borderColor=(0.0, 0.0, 0.0, 1.0), borderStyle="inset")
    assert out[27, 100, :3].tolist() == [0, 0, 0]
    assert out[72, 100, :3].tolist() == [84, 84, 84]


def test_dashed_outline_has_gaps(make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, outlineStyle="dashed", outlineWidth=2.0, outlineColor=GREEN)
    row = out[76, 50:150, 1]
    assert (row == 255).any()
    assert (row == 0).any()


def test_inset_outline_is_shaded(make_doc, make_layer) -> None:
    out = _box(make_doc, make_layer, outlineStyle="inset", outlineWidth=4.0, outlineColor=RED)
    assert out[23, 100, 0] == 170  # top: dark
    assert out[77, 100, 0] == 255  # bottom: colour
