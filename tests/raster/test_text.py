"""TextPainter: Blink line box numbers, box sizes, spacing, alignment, and a golden spot check."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import skia
from tests.fonts.fontmaker import make_box_font

from vfnative.fonts.registry import FontRegistry
from vfnative.raster.text import (
    FITTED_COVERAGE_EXPONENT,
    TextPainter,
    coverage_table,
    line_metrics,
)

GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"
WHITE = (1.0, 1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def painter() -> TextPainter:
    return TextPainter(FontRegistry(), width=1280, height=720)


def props(text: str, size: float = 115.2, **kw: object) -> dict[str, object]:
    p: dict[str, object] = {
        "text": text,
        "fontSize": size,
        "fontWeight": 800,
        "color": WHITE,
        "lineHeight": size,
    }
    p.update(kw)
    return p


@pytest.mark.parametrize(
    ("asc", "desc", "lh", "expected"),
    [
        (1069 * 0.1152, 293 * 0.1152, 115.2, (123, 34, 115.203125, 102.0)),  # basic-text, spec 06
        (1069 * 0.0768, 293 * 0.0768, 76.8, (82, 23, 76.796875, 67.0)),  # spec 02 §6.5 example
        (1069 * 0.0864, 293 * 0.0864, 86.4, (92, 25, 86.40625, 76.0)),  # text-box title, no descent hack
    ],
)
def test_line_metrics(asc: float, desc: float, lh: float, expected: tuple[int, int, float, float]) -> None:
    assert line_metrics(asc, desc, lh) == expected


def test_descent_hack_is_optional() -> None:
    assert line_metrics(92.36, 25.32, 86.4, subpixel_descent_hack=True)[:2] == (91, 26)


def test_basic_text_box(painter: TextPainter) -> None:
    box = painter.measure(props("Hello, VideoFlow!"))
    assert (box.ascent, box.descent, box.line_height) == (123, 34, 115.203125)
    assert box.h == 115.203125
    assert box.w * 64 == int(box.w * 64)  # 1/64 px
    assert len(box.lines) == 1
    assert box.lines[0].baseline == 102.0
    assert box.w == pytest.approx(997.640625, abs=1 / 64)  # Skia advances at the 26.6 size 115.1875


def test_advances_use_freetype_26_6_size(painter: TextPainter) -> None:
    """The long captions line (38.4 px, bold): Blink's box is < 1625 px, so its left edge rounds to -172."""
    text = "A much longer caption that needs to wrap over more than one line because it is long."
    box = painter.measure(props(text, 38.4, fontWeight=700))
    assert 1624.5 < box.w < 1625.0
    assert math.floor((1280 - box.w) / 2 + 0.5) == -172


def test_multiline_heights_and_newlines(painter: TextPainter) -> None:
    one = painter.measure(props("a", 40.0))
    three = painter.measure(props("a\n\nb\n", 40.0))  # interior empty line counts, trailing \n does not
    assert len(three.lines) == 3
    assert three.h == pytest.approx(3 * one.h)
    crlf = painter.measure(props("a\r\nb", 40.0))
    assert len(crlf.lines) == 2
    assert painter.measure(props("  \n\t ", 40.0)).h == 0.0
    assert painter.measure(props("", 40.0, padding=(5.0, 7.0))).h == 10.0


def test_line_height_and_padding_border(painter: TextPainter) -> None:
    box = painter.measure(props("Ab", 40.0, lineHeight=52.0, padding=(3.0, 8.0), borderWidth=2.6))
    assert box.content_h == 52.0
    assert box.h == 52.0 + 6.0 + 4.0  # border 2.6 px is snapped down to 2 px
    assert box.w == pytest.approx(box.content_w + 16.0 + 4.0)
    assert box.lines[0].baseline == line_metrics(1069 * 0.04, 293 * 0.04, 52.0)[3]


def test_letter_spacing_after_every_character(painter: TextPainter) -> None:
    plain = painter.measure(props("TRACKED", 44.8))
    spaced = painter.measure(props("TRACKED", 44.8, letterSpacing=26.88))
    assert spaced.content_w == pytest.approx(plain.content_w + 7 * 26.88, abs=2 / 64)


def test_word_spacing_and_indent(painter: TextPainter) -> None:
    plain = painter.measure(props("a b c", 30.0))
    words = painter.measure(props("a b c", 30.0, wordSpacing=10.0))
    assert words.content_w == pytest.approx(plain.content_w + 20.0, abs=2 / 64)
    indented = painter.measure(props("ab\nab", 30.0, textIndent=12.0, textAlign="left"))
    first, second = indented.lines
    assert first.width == pytest.approx(second.width + 12.0)
    assert first.positions[0, 0] == pytest.approx(second.positions[0, 0] + 12.0, abs=1e-3)


@pytest.mark.parametrize("align", ["left", "right", "center", "justify"])
def test_alignment_offsets(painter: TextPainter, align: str) -> None:
    box = painter.measure(props("Left aligned\nsecond line is longer", 32.0, textAlign=align))
    short, long_ = box.lines
    assert long_.x == 0.0
    free = box.content_w - math.ceil(short.width * 64) / 64
    expected = {"left": 0.0, "justify": 0.0, "right": free, "center": math.trunc(free / 2 * 64) / 64}[align]
    assert short.x == pytest.approx(expected)


def test_text_transform(painter: TextPainter) -> None:
    assert painter.measure(props("straße", 20.0, textTransform="uppercase")).lines[0].text == "STRASSE"
    cap = painter.measure(props("capitalize every-word here", 20.0, textTransform="capitalize"))
    assert cap.lines[0].text == "Capitalize Every-Word Here"


def test_measure_is_cached(painter: TextPainter) -> None:
    assert painter.measure(props("cache me", 30.0)) is painter.measure(props("cache me", 30.0))


def test_coverage_table_endpoints() -> None:
    t = coverage_table(FITTED_COVERAGE_EXPONENT)
    assert t[0] == 0
    assert t[255] == 255
    assert np.all(np.diff(t.astype(int)) >= 0)


def test_paint_draws_fill_stroke_shadow_decoration(painter: TextPainter) -> None:
    p = props("Ag", 60.0, color=(1.0, 0.0, 0.0, 1.0), textStroke=True, textStrokeWidth=4.0,
              textStrokeColor=(0.0, 0.0, 1.0, 1.0), textShadow=True, textShadowColor=(0, 0, 0, 0.8),
              textShadowOffset=(4.0, 4.0), textShadowBlur=6.0, textDecoration="underline")  # fmt: skip
    box = painter.measure(p)
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(300, 200))
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    canvas.translate(20, 20)
    painter.paint(canvas, p, box)
    px = surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType)
    red = (px[..., 0] > 200) & (px[..., 1] < 60) & (px[..., 2] < 60)
    blue = (px[..., 2] > 200) & (px[..., 0] < 60)
    assert red.sum() > 200
    assert blue.sum() > 50


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * math.log10(255**2 / mse) if mse else math.inf


@pytest.mark.golden
def test_basic_text_frame_30_by_hand() -> None:
    """basic-text frame 30 (opacity 1, scale 1) placed per spec 02 §3.2; ≥ 48 dB (measured 48.47)."""
    from PIL import Image

    w, h = 1280, 720
    painter = TextPainter(FontRegistry(), width=w, height=h)
    p = props("Hello, VideoFlow!", 9 * w / 100)
    box = painter.measure(p)
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(w, h))
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorBLACK)
    canvas.translate(math.floor((w - box.w) / 2 + 0.5), math.floor((h - box.h) / 2 + 0.5))
    painter.paint(canvas, p, box)
    ours = surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType)[..., :3]
    gold = np.asarray(Image.open(GOLDENS / "frames" / "basic-text" / "frame_00030.png").convert("RGB"))
    assert _psnr(ours, gold) >= 48.0


def test_decoration_bands_follow_blink_offsets(painter: TextPainter) -> None:
    """38.4 px Noto Sans (A = 41): overline grows up from the text top, line-through at 2/3 ascent."""
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(400, 120))
    rows = {}
    for kind in ("overline", "line-through", "underline"):
        p = props("xx", 38.4, fontWeight=600, textDecoration=kind, color=WHITE)
        box = painter.measure(p)
        canvas = surface.getCanvas()
        canvas.clear(skia.ColorBLACK)
        canvas.translate(10, 20)
        painter.paint(canvas, p, box)
        canvas.resetMatrix()
        px = surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType)[..., 0]
        col = px[:, 10]  # the box's first pixel column: band only, no glyph ink
        band = np.nonzero(col > 250)[0]
        rows[kind] = (int(band[0]) - 20, len(band), 20 + box.lines[0].baseline)
    base = rows["overline"][2] - 20
    assert rows["overline"][:2] == (base - 41 - 3, 3)
    assert rows["line-through"][:2] == (math.floor(base - 41 + 2 * 41.0496 / 3 - 3.84 / 2 + 0.5), 3)
    assert rows["underline"][:2] == (base + 2, 3)


def test_rotated_text_is_rasterised_locally_and_cached() -> None:
    painter = TextPainter(FontRegistry(), width=400, height=200)
    p = props("Tilt", 40.0)
    box = painter.measure(p)
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(400, 200))
    for _ in range(2):
        canvas = surface.getCanvas()
        canvas.clear(skia.ColorBLACK)
        canvas.save()
        canvas.translate(100, 60)
        canvas.rotate(-6)
        painter.paint(canvas, p, box)
        canvas.restore()
    assert len(painter._raster_cache) == 1
    px = surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType)
    assert (px[..., 0] > 200).sum() > 300


# -- fallback, bidi, missing families ------------------------------------------------------

EMOJI = 0x1F600


HEBREW = [0x05D0 + i for i in range(27)]  # א..ת


@pytest.fixture(scope="module")
def fallback_painter(tmp_path_factory: pytest.TempPathFactory) -> TextPainter:
    """Noto Sans plus a generated box font for an emoji and Hebrew; no system fonts."""
    d = tmp_path_factory.mktemp("fallback")
    make_box_font(d / "TestBoxes.ttf", "Test Boxes", [EMOJI, *HEBREW])
    return TextPainter(FontRegistry(fallback_dirs=[d], system_fallback=False), width=1280, height=720)


def _render(
    painter: TextPainter, p: dict[str, object], w: int = 1000, h: int = 160
) -> tuple[np.ndarray, object]:
    box = painter.measure(p)
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(w, h))
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorBLACK)
    canvas.translate(10, 20)
    painter.paint(canvas, p, box)
    return surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType), box


def test_fallback_draws_every_glyph(fallback_painter: TextPainter) -> None:
    """Latin, Cyrillic, Greek and an emoji: no .notdef, and ink inside every glyph's box."""
    text = "Hi Жж Ωλ \U0001f600!"
    px, box = _render(fallback_painter, props(text, 48.0, fontWeight=600))
    (line,) = box.lines
    assert [f.face.family for f in box.fonts] == ["Noto Sans", "Test Boxes"]
    assert np.all(line.glyphs != 0)
    fidx = line.font_indices
    assert fidx is not None
    emoji_glyphs = [i for i, k in enumerate(fidx) if box.fonts[k].face.family == "Test Boxes"]
    assert len(emoji_glyphs) == 1
    cx0, cy0 = box.content_origin
    for i, (gid, k) in enumerate(zip(line.glyphs.tolist(), fidx.tolist(), strict=True)):
        bounds = box.skia_fonts[k].getBounds([gid])[0]
        if bounds.isEmpty():
            continue  # the space
        x, y = line.positions[i]
        r = bounds.makeOffset(10 + cx0 + float(x), 20 + cy0 + float(y)).roundOut()
        patch = px[r.top() : r.bottom(), r.left() : r.right(), 0]
        assert patch.max() > 200, f"glyph {i} ({gid}) drew nothing in {r}"


def test_fallback_families_order_and_system_switch(tmp_path: Path) -> None:
    make_box_font(tmp_path / "A.ttf", "Test Boxes", [EMOJI])
    reg = FontRegistry(fallback_dirs=[tmp_path], system_fallback=False)
    fams = reg.fallback_families("Inter")
    assert fams[:2] == ["Noto Sans", "Test Boxes"]
    primary = reg.resolve("Noto Sans", weight=600)
    assert reg.font_for_character(EMOJI, primary, weight=600).face.family == "Test Boxes"
    assert reg.font_for_character(0x10FFFD, primary, weight=600) is None  # private use: nobody


def test_missing_glyph_everywhere_warns_once(tmp_path: Path) -> None:
    warnings: list[str] = []
    painter = TextPainter(
        FontRegistry(system_fallback=False), width=640, height=360, on_warning=warnings.append
    )
    box = painter.measure(props("a\U0010fffdb", 30.0))
    assert box.lines[0].glyphs[1] == 0
    painter.measure(props("c\U0010fffd", 30.0))
    assert len([w for w in warnings if "U+10FFFD" in w]) == 2  # one per distinct line text
    assert "notdef" in warnings[0]


def test_tab_draws_no_tofu(painter: TextPainter) -> None:
    px, box = _render(painter, props("a\tb", 40.0))
    assert np.all(box.lines[0].glyphs != 0)


@pytest.mark.parametrize(
    ("text", "base", "levels"),
    [
        ("abc", 0, None),
        ("abc \u05d0\u05d1 12 d", 0, [0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 0]),
        ("\u05d0\u05d1 (\u05d2) ab 12", 1, [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]),
        ("ab ", 1, [2, 2, 1]),  # L1: trailing white space takes the paragraph level
        ("\u0627\u0644 123", 0, [1, 1, 1, 2, 2, 2]),  # W2: digits after Arabic letters are AN
    ],
)
def test_bidi_levels(text: str, base: int, levels: list[int] | None) -> None:
    from vfnative.raster.text import bidi_levels

    assert bidi_levels(text, base) == levels


def test_visual_order() -> None:
    from vfnative.raster.text import visual_order

    assert visual_order([0, 0, 1, 1, 2, 2, 0]) == [0, 1, 4, 5, 3, 2, 6]  # level 2 reads LTR again
    assert visual_order([1, 1, 1]) == [2, 1, 0]
    assert visual_order([0, 0]) == [0, 1]


def test_rtl_line_is_reordered(fallback_painter: TextPainter) -> None:
    """'abc אבג' in an LTR paragraph: Latin on the left; the Hebrew run runs right to left."""
    text = "abc \u05d0\u05d1\u05d2"
    box = fallback_painter.measure(props(text, 40.0, textAlign="left"))
    (line,) = box.lines
    xs = line.positions[:, 0]
    fidx = line.font_indices
    heb = [i for i, k in enumerate(fidx) if box.fonts[k].face.family == "Test Boxes"]
    lat = [
        i
        for i, k in enumerate(fidx)
        if k == 0 and line.glyphs[i] != box.fonts[0].hb_font.get_nominal_glyph(32)
    ]
    assert max(xs[lat]) < min(xs[heb])
    # glyphs are stored left to right, so the three Hebrew boxes are the last three glyphs
    assert heb == [len(xs) - 3, len(xs) - 2, len(xs) - 1]


def test_rtl_paragraph_alignment_and_indent(fallback_painter: TextPainter) -> None:
    """direction: rtl — justify aligns right, left/right/center stay physical, indent on the right."""
    text = "\u05d0\u05d1\n\u05d0\u05d1\u05d2\u05d3"
    for align, expect_right in (("justify", True), ("right", True), ("left", False)):
        box = fallback_painter.measure(props(text, 40.0, direction="rtl", textAlign=align))
        short, long_ = box.lines
        assert long_.x == 0.0
        assert (short.x > 0.0) == expect_right
    box = fallback_painter.measure(props(text, 40.0, direction="rtl", textAlign="right", textIndent=12.0))
    first, _ = box.lines
    assert first.positions[0, 0] == pytest.approx(first.x, abs=1e-3)  # the indent is at the right end
    assert first.width == pytest.approx(2 * 32.0 + 12.0, abs=0.1)  # 800/1000 em boxes at 40 px


def test_inter_renders_with_inter() -> None:
    painter = TextPainter(FontRegistry(system_fallback=False), width=1280, height=720)
    box = painter.measure(props("Inter Regular", 38.4, fontFamily="Inter", fontWeight=400))
    assert box.font.face.family == "Inter"
    assert not box.font.fallback


def test_inter_missing_falls_back_to_noto_sans_with_warning() -> None:
    """A registry that cannot see fontpkg-inter: Noto Sans, and one warning naming "Inter"."""
    from vfnative.fonts.registry import _fontpkg_roots

    noto = next(r for r in _fontpkg_roots() if "noto_sans" in str(r))
    warnings: list[str] = []
    reg = FontRegistry([noto], include_installed=False, system_fallback=False, on_warning=warnings.append)
    assert not reg.has_family("Inter")
    painter = TextPainter(reg, width=1280, height=720)
    box = painter.measure(props("Inter Regular", 38.4, fontFamily="Inter", fontWeight=400))
    painter.measure(props("again", 38.4, fontFamily="Inter", fontWeight=700))
    assert box.font.face.family == "Noto Sans"
    assert box.font.fallback
    assert len(warnings) == 1
    assert "'Inter'" in warnings[0]


def test_fitted_coverage_follows_text_luma() -> None:
    from vfnative.raster.text import fitted_coverage_table, text_luma

    white, black = text_luma((1.0, 1.0, 1.0, 1.0)), text_luma((0.0, 0.0, 0.0, 1.0))
    assert (white, black) == (1.0, 0.0)
    for luma in (black, 0.5, white):
        t = fitted_coverage_table(luma)
        assert t[0] == 0
        assert t[255] == 255
        assert np.all(np.diff(t.astype(int)) >= 0)
    # dark text gets thinner edges than light text (Chrome's pre-blend depends on the colour)
    assert fitted_coverage_table(black)[64] < fitted_coverage_table(white)[64]


def test_baseline_snaps_to_whole_pixels_of_the_box(painter: TextPainter) -> None:
    """transitions-css: padding 16.375 px, baseline 36 → box-local baseline 52, not 52.375."""
    box = painter.measure(props("slideUp", 40.96, padding=16.384, lineHeight=40.96))
    (line,) = box.lines
    local = box.content_origin[1] + line.baseline
    assert local == 52.0
    assert box.content_origin[1] + float(line.positions[0, 1]) == 52.0
    two = painter.measure(props("a\nb", 30.0, lineHeight=30.7))
    for ln in two.lines:
        assert ln.baseline == math.floor(ln.baseline)


def _make_colour_font(path: Path, family: str, codepoint: int) -> Path:
    """A COLR v0 / CPAL font: `codepoint` is a yellow square with a dark-red bar, two colour layers."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def rect(x0: int, y0: int, x1: int, y1: int) -> object:
        pen = TTGlyphPen(None)
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
        return pen.glyph()

    base = f"u{codepoint:05X}"
    names = [".notdef", "space", base, "face", "bar"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x20: "space", codepoint: base})
    fb.setupGlyf({
        ".notdef": rect(50, 0, 450, 700), "space": TTGlyphPen(None).glyph(), base: rect(100, -100, 900, 700),
        "face": rect(100, -100, 900, 700), "bar": rect(250, 100, 750, 300),
    })  # fmt: skip
    fb.setupHorizontalMetrics({n: (1000 if n != ".notdef" else 500, 0) for n in names})
    fb.setupHorizontalHeader(ascent=900, descent=-250)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=900, sTypoDescender=-250, usWinAscent=900, usWinDescent=250, usWeightClass=400)
    fb.setupPost()
    fb.setupCPAL([[(1.0, 0.8, 0.0, 1.0), (0.5, 0.0, 0.0, 1.0)]])  # yellow, dark red (RGBA 0..1)
    fb.setupCOLR({base: [("face", 0), ("bar", 1)]})
    fb.save(str(path))
    return path


def test_colour_glyphs_keep_their_colours(tmp_path: Path) -> None:
    """An emoji from a colour (COLR) font is drawn from its own blob in the font's colours, whatever
    the text colour; a mask font's glyph next to it takes the text colour (white)."""
    _make_colour_font(tmp_path / "TestColour.ttf", "Test Colour", EMOJI)
    reg = FontRegistry(fallback_dirs=[tmp_path], system_fallback=False)
    font = reg.font_for_character(EMOJI, reg.resolve("Noto Sans", weight=600), weight=600, emoji=True)
    assert font is not None
    assert font.face.family == "Test Colour"
    assert font.is_color
    painter = TextPainter(reg, width=640, height=360)
    px, box = _render(painter, props("a \U0001f600", 48.0, fontWeight=600), w=300, h=100)
    assert box.color_blob is not None
    rgb = px[..., :3].astype(int)
    yellow = (rgb[..., 0] > 240) & (np.abs(rgb[..., 1] - 204) < 8) & (rgb[..., 2] < 16)
    dark_red = (np.abs(rgb[..., 0] - 128) < 8) & (rgb[..., 1] < 16) & (rgb[..., 2] < 16)
    white = (rgb > 240).all(axis=-1)
    assert yellow.sum() > 300  # the face layer, 800 × 800 units at 48 px ≈ 38 × 38 px
    assert dark_red.sum() > 60  # the bar layer drawn over it
    assert white.sum() > 20  # the "a" in the text colour
    ys, xs = np.nonzero(yellow)
    assert not white[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].any()  # no text colour in the emoji
