"""FontRegistry: discovery from fontpkg, fallback warning, weight instancing."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest

from vfnative.fonts.registry import FontRegistry


@pytest.fixture(scope="module")
def registry() -> FontRegistry:
    return FontRegistry()


def test_noto_sans_found_from_fontpkg(registry: FontRegistry) -> None:
    font = registry.resolve("noto sans", weight=800)
    assert font.face.family == "Noto Sans"
    assert "fontpkg_noto_sans" in str(font.face.path)
    assert not font.fallback
    assert dict(font.variations) == {"wght": 800.0, "wdth": 100.0}
    assert (font.upem, font.ascent, font.descent) == (1000, 1069.0, 293.0)


def test_inter_found_opsz_left_at_default(registry: FontRegistry) -> None:
    font = registry.resolve("Inter", weight=900, size=38.4)
    assert font.face.family == "Inter"
    assert dict(font.variations) == {"opsz": 14.0, "wght": 900.0}  # local fonts: no auto opsz
    web = FontRegistry(apply_optical_size=True).resolve("Inter", weight=900, size=38.4)
    assert dict(web.variations)["opsz"] == 32.0  # clamped to the axis range


def test_italic_face_and_stretch(registry: FontRegistry) -> None:
    font = registry.resolve("Noto Sans", weight=500, style="italic", stretch=75)
    assert font.face.italic
    assert not font.synthetic_italic
    assert dict(font.variations)["wdth"] == 100.0  # Chrome leaves wdth alone on local fonts
    web = FontRegistry(apply_stretch_axis=True).resolve("Noto Sans", weight=500, stretch=75)
    assert dict(web.variations)["wdth"] == 75.0


def test_unknown_family_falls_back_with_one_warning() -> None:
    warnings: list[str] = []
    reg = FontRegistry(on_warning=warnings.append)
    a = reg.resolve("Arial, sans-serif")
    b = reg.resolve("arial, sans-serif", weight=700)
    assert a.fallback
    assert b.fallback
    assert a.face.family == "Noto Sans"
    assert len(warnings) == 1
    assert "Arial, sans-serif" in warnings[0]


def test_weight_instancing_changes_advances_and_outlines(registry: FontRegistry) -> None:
    light = registry.resolve("Noto Sans", weight=300)
    black = registry.resolve("Noto Sans", weight=900)
    gid = light.hb_font.get_nominal_glyph(ord("H"))
    assert light.hb_font.get_glyph_h_advance(gid) < black.hb_font.get_glyph_h_advance(gid)
    fl = light.make_skia_font(100.0, [gid])
    fb = black.make_skia_font(100.0, [gid])
    wl = fl.getPath(gid).computeTightBounds().width()
    wb = fb.getPath(gid).computeTightBounds().width()
    assert wb > wl + 3


def test_resolve_is_cached(registry: FontRegistry) -> None:
    assert registry.resolve("Noto Sans", weight=650) is registry.resolve("NOTO SANS", weight=650)


def test_instance_cache_dir_may_be_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An instance cache nobody can write, root included (its folder would sit under a regular file),
    and no writable temp dir either: the instance is built in memory and draws the same outlines."""
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    registry = FontRegistry(cache_dir=blocker / "cache")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))  # the temp-dir fallback fails too
    caplog.set_level(logging.DEBUG, logger="vfnative.fonts")
    font = registry.resolve("Noto Sans", weight=420)
    gid = font.hb_font.get_nominal_glyph(ord("a"))
    ours = font.make_skia_font(100.0, [gid]).getPath(gid)
    failed = [r.getMessage() for r in caplog.records if "font instance cache not writable" in r.getMessage()]
    assert len(failed) == 2, failed  # both places were tried, and both refused the write
    assert blocker.is_file()
    monkeypatch.undo()

    cached = FontRegistry(cache_dir=tmp_path / "cache").resolve("Noto Sans", weight=420)
    assert list((tmp_path / "cache" / "instances").glob("*.ttf")) == []  # nothing drawn yet
    want = cached.make_skia_font(100.0, [gid]).getPath(gid)
    assert len(list((tmp_path / "cache" / "instances").glob("*.ttf"))) == 1  # a writable cache is used
    bold = FontRegistry(cache_dir=tmp_path / "cache").resolve("Noto Sans", weight=700)
    other = bold.make_skia_font(100.0, [gid]).getPath(gid)
    assert ours.computeTightBounds() == want.computeTightBounds() != other.computeTightBounds()
    assert ours.countPoints() == want.countPoints() > 0


def test_synthetic_bold_for_single_weight_face(tmp_path) -> None:
    """A static 400 face: local fonts embold above 600 (Blink on Linux: requested > face + 200),
    web fonts from 600 (CSSSegmentedFontFace: requested >= 600 and face max < 600)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    from vfnative.fonts.registry import _fontpkg_roots

    src = next(p for root in _fontpkg_roots() for p in root.rglob("NotoSans[[]wdth,wght].ttf"))
    static = instancer.instantiateVariableFont(TTFont(str(src)), {"wght": 400, "wdth": 100})
    name = static["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = "Static Test Sans"
    static.save(str(tmp_path / "StaticTestSans.ttf"))
    reg = FontRegistry([tmp_path], include_installed=False)
    assert not reg.resolve("static test sans", weight=600).synthetic_bold
    font = reg.resolve("static test sans", weight=700, style="italic")
    assert font.synthetic_bold
    assert font.synthetic_italic
    skf = font.make_skia_font(20.0)
    assert skf.isEmbolden()
    assert skf.getSkewX() == pytest.approx(-0.25)
    web = FontRegistry([tmp_path], include_installed=False, local_fonts=False)
    assert web.resolve("static test sans", weight=600).synthetic_bold


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(666.67, 700.0), (640.0, 600.0), (550.0, 500.0), (420.0, 400.0), (870.0, 900.0), (50.0, 100.0)],
)
def test_local_variable_fonts_snap_to_named_instances(
    registry: FontRegistry, weight: float, expected: float
) -> None:
    """Fontconfig lists named instances and matches weight on its own scale (text-fonts frame 20)."""
    font = registry.resolve("Noto Sans", weight=weight)
    assert dict(font.variations)["wght"] == expected
    web = FontRegistry(local_fonts=False).resolve("Noto Sans", weight=weight)
    assert dict(web.variations)["wght"] == min(max(weight, 100.0), 900.0)


def test_fc_weight_scale() -> None:
    from vfnative.fonts.registry import fc_weight

    assert [fc_weight(w) for w in (100, 400, 600, 700, 900)] == [0.0, 80.0, 180.0, 200.0, 210.0]
    assert fc_weight(666) == pytest.approx(193.2)


def test_sfnt_from_typeface_round_trips(registry: FontRegistry) -> None:
    """System typefaces reach HarfBuzz as their tables packed into an sfnt (no file path)."""
    import skia
    import uharfbuzz as hb

    from vfnative.fonts.registry import _sfnt_from_typeface

    face = registry.faces("Noto Sans")[0]
    tf = skia.Typeface.MakeFromFile(str(face.path), face.index)
    raw = _sfnt_from_typeface(tf)
    font = hb.Font(hb.Face(hb.Blob(raw)))
    assert font.get_nominal_glyph(ord("A")) == tf.unicharToGlyph(ord("A"))
    assert skia.Typeface.MakeFromData(skia.Data.MakeWithCopy(raw)).getFamilyName() == "Noto Sans"


def test_system_fallback_can_be_switched_off() -> None:
    reg = FontRegistry(system_fallback=False)
    assert reg.system_font_for(ord("A")) is None
    primary = reg.resolve("Noto Sans")
    assert reg.font_for_character(0x10FFFD, primary) is None


def test_fallback_packages_never_shadow_fontpkg_families(registry: FontRegistry) -> None:
    """manimgx-fonts ships its own Noto Sans; the fontpkg one (the goldens' instances) stays."""
    assert all("fontpkg_noto_sans" in str(f.path) for f in registry.faces("Noto Sans"))


def test_scan_results_are_cached_on_disk(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second registry reads the faces from fontscan-v1.json: equal faces, no font files read."""
    import json

    from vfnative.fonts import discovery

    first = FontRegistry(cache_dir=tmp_path)
    faces = {name: first.faces(name) for name in ("Inter", "Noto Sans")}
    cache = tmp_path / "fontscan-v1.json"
    assert cache.is_file()
    assert len(json.loads(cache.read_text())) >= 4

    calls: list[object] = []
    real = discovery.scan_file
    monkeypatch.setattr(discovery, "scan_file", lambda path: calls.append(path) or real(path))
    second = FontRegistry(cache_dir=tmp_path)
    assert {name: second.faces(name) for name in faces} == faces
    assert not calls  # everything came from the cache
    cache.write_text("{not json")  # a broken cache is ignored and rewritten
    third = FontRegistry(cache_dir=tmp_path)
    assert {name: third.faces(name) for name in faces} == faces
    assert calls
    assert json.loads(cache.read_text())
