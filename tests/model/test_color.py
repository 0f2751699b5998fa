"""CSS colour parsing: every syntax the reference's browser accepts, and what it rejects."""

from __future__ import annotations

import pytest

from vfnative.model.color import NAMED_COLORS, format_css_color, is_color_like, parse_color

H = 1 / 255

VALID: list[tuple[str, tuple[float, float, float, float]]] = [
    # hex
    ("#f00", (1, 0, 0, 1)),
    ("#F00", (1, 0, 0, 1)),
    ("#f008", (1, 0, 0, 0x88 / 255)),
    ("#ff8000", (1, 0x80 / 255, 0, 1)),
    ("#FF800080", (1, 0x80 / 255, 0, 0x80 / 255)),
    ("  #000000  ", (0, 0, 0, 1)),
    # rgb(), comma syntax
    ("rgb(255, 0, 0)", (1, 0, 0, 1)),
    ("rgb(255,128,0)", (1, 128 * H, 0, 1)),
    ("rgba(255, 0, 0, 0.5)", (1, 0, 0, 0.5)),
    ("rgba(255, 0, 0, .25)", (1, 0, 0, 0.25)),
    ("rgba(255, 0, 0, 50%)", (1, 0, 0, 0.5)),
    ("rgb(255, 0, 0, 0.5)", (1, 0, 0, 0.5)),
    ("RGB( 10 , 20 , 30 )", (10 * H, 20 * H, 30 * H, 1)),
    ("rgb(100%, 50%, 0%)", (1, 0.5, 0, 1)),
    ("rgb(127.5, 0, 0)", (0.5, 0, 0, 1)),  # not rounded
    ("rgb(300, -5, 0)", (1, 0, 0, 1)),  # clamped
    ("rgba(0, 0, 0, 2)", (0, 0, 0, 1)),
    ("rgba(0, 0, 0, -1)", (0, 0, 0, 0)),
    ("rgb(1e2, 0, 0)", (100 * H, 0, 0, 1)),
    # rgb(), space syntax
    ("rgb(255 0 0)", (1, 0, 0, 1)),
    ("rgb(255 0 0 / 0.5)", (1, 0, 0, 0.5)),
    ("rgb(255 0 0/50%)", (1, 0, 0, 0.5)),
    ("rgba(100% 0% 0% / 25%)", (1, 0, 0, 0.25)),
    ("rgb(none 255 0)", (0, 1, 0, 1)),
    # hsl()
    ("hsl(0, 100%, 50%)", (1, 0, 0, 1)),
    ("hsl(120, 100%, 25%)", (0, 0.5, 0, 1)),
    ("hsl(240, 100%, 50%)", (0, 0, 1, 1)),
    ("hsl(360, 100%, 50%)", (1, 0, 0, 1)),
    ("hsl(-120, 100%, 50%)", (0, 0, 1, 1)),
    ("hsl(480, 100%, 50%)", (0, 1, 0, 1)),
    ("hsl(0, 0%, 50%)", (0.5, 0.5, 0.5, 1)),
    ("hsl(0, 100%, 100%)", (1, 1, 1, 1)),
    ("hsl(0, 100%, 0%)", (0, 0, 0, 1)),
    ("hsl(0, 150%, 50%)", (1, 0, 0, 1)),
    ("hsla(120, 100%, 50%, 0.3)", (0, 1, 0, 0.3)),
    ("hsl(120deg 100% 50% / 30%)", (0, 1, 0, 0.3)),
    ("hsl(120 100 50)", (0, 1, 0, 1)),
    ("hsl(0.5turn 100% 50%)", (0, 1, 1, 1)),
    ("hsl(200grad 100% 50%)", (0, 1, 1, 1)),
    ("hsl(3.141592653589793rad 100% 50%)", (0, 1, 1, 1)),
    ("hsl(30, 100%, 50%)", (1, 0.5, 0, 1)),
    # hwb()
    ("hwb(0 0% 0%)", (1, 0, 0, 1)),
    ("hwb(0 20% 30%)", (0.7, 0.2, 0.2, 1)),
    ("hwb(120 0% 50% / 0.5)", (0, 0.5, 0, 0.5)),
    ("hwb(0 60% 60%)", (0.5, 0.5, 0.5, 1)),
    ("hwb(0 100% 0%)", (1, 1, 1, 1)),
    # keywords
    ("transparent", (0, 0, 0, 0)),
    ("TRANSPARENT", (0, 0, 0, 0)),
    ("rebeccapurple", (102 * H, 51 * H, 153 * H, 1)),
    ("RebeccaPurple", (102 * H, 51 * H, 153 * H, 1)),
    ("white", (1, 1, 1, 1)),
    (" red ", (1, 0, 0, 1)),
    ("grey", (128 * H, 128 * H, 128 * H, 1)),
    ("lightgoldenrodyellow", (250 * H, 250 * H, 210 * H, 1)),
]

INVALID = [
    "",
    "   ",
    "none",
    "None",
    "bold",
    "auto",
    "#",
    "#12",
    "#12345",
    "#1234567",
    "#ggg",
    "f00",
    "rgb(1, 2)",
    "rgb(1, 2, 3, 4, 5)",
    "rgb(1 2)",
    "rgb(1 2 3 4)",
    "rgb(1 2 3 / )",
    "rgb(1 2 3 / 0.5 0.5)",
    "rgb(1, 2, 3 / 0.5)",
    "rgb(1, none, 3)",
    "rgb (1, 2, 3)",
    "rgb(1, 2, 3",
    "rgb(1px, 2, 3)",
    "rgb(a, b, c)",
    "rgb()",
    "hsl(120, 100, 50)",
    "hsl(120%, 100%, 50%)",
    "hsl(120, 100%)",
    "hwb(0, 20%, 30%)",
    "hwb(0 20px 30%)",
    "lab(50%, 40, 59)",
    "oklch(0.7 0.1)",
    "oklch(0.7 0.1 120px)",
    "lch(50% 40deg 59)",
    "color(display-p4 1 0 0)",
    "color(srgb 1 0)",
    "color(srgb, 1, 0, 0)",
    "color()",
    "cmyk(0, 0, 0, 0)",
    "12px",
    "1",
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_color_valid(text: str, expected: tuple[float, ...]) -> None:
    got = parse_color(text)
    assert got is not None
    assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("text", INVALID)
def test_parse_color_invalid(text: str) -> None:
    assert parse_color(text) is None


def test_parse_color_non_string_is_none() -> None:
    assert parse_color(12) is None  # type: ignore[arg-type]


def test_named_colours_complete() -> None:
    assert len(NAMED_COLORS) == 148
    for name, (r, g, b) in NAMED_COLORS.items():
        assert name == name.lower()
        assert all(0 <= ch <= 255 for ch in (r, g, b))
        assert parse_color(name.upper()) == (r / 255, g / 255, b / 255, 1.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#fff", True),
        ("rgb(0,0,0)", True),
        ("RGBA(0,0,0,0)", True),
        ("hsl(0 0% 0%)", True),
        ("hwb(0 0% 0%)", True),
        ("lab(50% 40 59)", True),
        ("lch(50% 40 59)", True),
        ("oklab(0.5 0 0)", True),
        ("oklch(0.5 0 0)", True),
        ("transparent", True),
        ("bold", True),
        ("Auto", True),
        ("", False),
        ("12px", False),
        ("50%", False),
        ("line-through", False),
        ("red ", False),
        (12, False),
        (None, False),
        (["#fff"], False),
    ],
)
def test_is_color_like(value: object, expected: bool) -> None:
    assert is_color_like(value) is expected


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ((1.0, 0.0, 0.0, 1.0), "rgb(255, 0, 0)"),
        ((0.5, 0.5, 0.5, 1.0), "rgb(128, 128, 128)"),
        ((1.0, 0.0, 0.0, 0.5), "rgba(255, 0, 0, 0.5)"),
        ((0.0, 0.0, 0.0, 0.0), "rgba(0, 0, 0, 0)"),
        ((0.0, 0.0, 0.0, 0.12345), "rgba(0, 0, 0, 0.123)"),
        ((2.0, -1.0, 0.0, 1.5), "rgb(255, 0, 0)"),
    ],
)
def test_format_css_color(color: tuple[float, float, float, float], expected: str) -> None:
    assert format_css_color(color) == expected


@pytest.mark.parametrize("text", ["#336699", "rgba(10, 20, 30, 0.5)", "hsl(200, 50%, 40%)", "navy"])
def test_format_then_parse_round_trips_to_8_bits(text: str) -> None:
    color = parse_color(text)
    assert color is not None
    again = parse_color(format_css_color(color))
    assert again == pytest.approx(color, abs=0.5 / 255 + 1e-3)


# CSS Color 4 spaces: 8-bit values as Chromium 156 draws them on an sRGB surface (captured through the
# reference; the colors-css4 golden checks the same forms as pixels).
COLOR4 = [
    ("oklch(70% 0.1 200)", (64, 177, 183, 1.0)),
    ("oklch(0.7 0.1 200 / 50%)", (64, 177, 183, 0.5)),
    ("oklch(92% 0.35 140)", (0, 255, 0, 1.0)),  # out of gamut: clipped, not CSS gamut-mapped
    ("oklab(0.9 0.3 0.2)", (255, 53, 0, 1.0)),  # out of gamut: clipped
    ("oklab(0.5 0.1 -0.1)", (129, 70, 154, 1.0)),
    ("lab(50% 40 30)", (187, 88, 71, 1.0)),
    ("lch(60 50 120)", (118, 156, 63, 1.0)),
    ("oklch(50% 0.15 0.5turn)", (0, 125, 102, 1.0)),
    ("color(srgb 0.5 0.2 1)", (128, 51, 255, 1.0)),
    ("color(srgb-linear 0.5 0.5 0.5)", (188, 188, 188, 1.0)),
    ("color(display-p3 1 0 0)", (255, 0, 0, 1.0)),
    ("color(display-p3 0.1 0.15 0.3)", (22, 39, 79, 1.0)),  # the golden's background, as captured
    ("color(xyz-d65 0.9505 1 1.089)", (255, 255, 255, 1.0)),  # D65 white
    ("color(xyz-d50 0.9642 1 0.8249)", (255, 255, 255, 1.0)),  # D50 white, adapted
    ("color(rec2020 1 1 1)", (255, 255, 255, 1.0)),
    ("color(prophoto-rgb 1 1 1)", (255, 255, 255, 1.0)),
    ("color(a98-rgb 0 0 0)", (0, 0, 0, 1.0)),
    ("rgb(none 128 0)", (0, 128, 0, 1.0)),
    ("lab(none 0 0)", (0, 0, 0, 1.0)),
    ("LCH(50% 0 60deg / 0.25)", (119, 119, 119, 0.25)),
    ("currentColor", (255, 255, 255, 1.0)),  # the reference's layers inherit CSS `color: white`
]


@pytest.mark.parametrize(("text", "expected"), COLOR4)
def test_parse_css_color4(text: str, expected: tuple[float, ...]) -> None:
    got = parse_color(text)
    assert got is not None
    assert [round(c * 255) for c in got[:3]] == pytest.approx(list(expected[:3]), abs=1)
    assert got[3] == pytest.approx(expected[3])


def test_color4_oklab_coordinates_and_legacy_flag() -> None:
    from vfnative.model.color import parse_color_space, srgb_to_oklab

    white = parse_color_space("#ffffff")
    assert white is not None
    assert white.legacy
    assert white.oklab == pytest.approx((1.0, 0.0, 0.0), abs=1e-4)
    oklch = parse_color_space("oklch(60% 0.2 30)")
    assert oklch is not None
    assert not oklch.legacy
    assert oklch.oklab == pytest.approx((0.6, 0.2 * 0.8660254, 0.2 * 0.5), abs=1e-9)
    assert srgb_to_oklab((1.0, 0.0, 0.0)) == pytest.approx((0.62796, 0.22486, 0.12585), abs=1e-4)


def test_css_gamut_mapping_stays_available() -> None:
    """Chromium clips; CSS Color 4 gamut mapping (reduce chroma in OkLCh) is kept for callers who want it."""
    from vfnative.model.color import oklab_to_srgb

    lab = (0.92, 0.35 * -0.766044, 0.35 * 0.642788)  # oklch(92% 0.35 140)
    clipped = oklab_to_srgb(lab, gamut_map=False)
    mapped = oklab_to_srgb(lab, gamut_map=True)
    assert [round(c * 255) for c in clipped] == [0, 255, 0]
    assert all(0 <= c <= 1 for c in mapped)
    assert mapped[0] > 0.3  # chroma reduced: lighter and less saturated than the clip
