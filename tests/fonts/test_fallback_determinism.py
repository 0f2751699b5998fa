"""Installing a font package for one document must not change another document's pixels.

Installed ``fontpkg-*`` families serve the documents that name them, never as per-character
fallbacks (`vfnative.fonts.fallback`), so a worker with extra packages renders what a worker
without them renders.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import vfnative
from vfnative.fonts.registry import FontRegistry

from .fontmaker import install_fake_fontpkg, make_box_font

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"
SYMBOLS = "→★✓"


def _symbols_doc() -> dict:
    return {
        "width": 480, "height": 120, "fps": 30, "duration": 1,
        "layers": [{"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
                    "properties": {"text": f"Next {SYMBOLS} done", "fontSize": 8, "color": "#ffffff"}}],
    }  # fmt: skip


def _frames() -> list[np.ndarray]:
    golden = json.loads((FIXTURES / "text-fonts.json").read_text())
    return [
        vfnative.render_frame(golden, 20, base_dir=FIXTURES),
        vfnative.render_frame(_symbols_doc(), 0),
    ]


def test_an_unrelated_font_package_changes_no_pixel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = _frames()
    # A package whose family sorts first and covers the symbols Noto Sans lacks, with glyphs unlike
    # any other font's (filled boxes): if it were a fallback, the symbols would change.
    font = make_box_font(tmp_path / "AaaSymbols.ttf", "Aaa Symbols", [ord(c) for c in SYMBOLS])
    site = install_fake_fontpkg(tmp_path / "site", "Aaa Symbols", font)
    monkeypatch.syspath_prepend(str(site))
    registry = FontRegistry()
    assert registry.has_family("Aaa Symbols")  # the package is installed and found ...
    assert all(registry.resolve("Aaa Symbols").covers(ord(c)) for c in SYMBOLS)
    assert "Aaa Symbols" not in registry.fallback_families("Noto Sans")  # ... but is no fallback
    after = _frames()
    assert np.count_nonzero(before[1][..., :3]) > 500  # the symbols line is drawn
    for a, b in zip(before, after, strict=True):
        assert np.array_equal(a, b)
    # A document that names the family does get it.
    named = _symbols_doc()
    named["layers"][0]["properties"]["fontFamily"] = "Aaa Symbols"
    assert not np.array_equal(vfnative.render_frame(named, 0), after[1])


def test_configured_fallback_families_are_used(tmp_path: Path) -> None:
    make_box_font(tmp_path / "AaaSymbols.ttf", "Aaa Symbols", [ord(c) for c in SYMBOLS])
    primary_only = FontRegistry([tmp_path], system_fallback=False)
    noto = primary_only.resolve("Noto Sans")
    assert primary_only.font_for_character(ord("→"), noto) is None
    configured = FontRegistry([tmp_path], system_fallback=False, fallback_families=["Aaa Symbols"])
    found = configured.font_for_character(ord("→"), configured.resolve("Noto Sans"))
    assert found is not None
    assert found.face.family == "Aaa Symbols"


def test_css_stack_families_only_when_the_document_names_them(tmp_path: Path) -> None:
    """The reference's stack is "<name>", "Noto Sans", Roboto, Verdana, Helvetica: Roboto is in the
    page only when the document loads it."""
    make_box_font(tmp_path / "Roboto.ttf", "Roboto", [ord("→")])
    plain = FontRegistry([tmp_path], system_fallback=False)
    assert plain.fallback_families("Inter") == ["Noto Sans"]
    named = FontRegistry([tmp_path], system_fallback=False, document_families=["Inter", "roboto"])
    assert named.fallback_families("Inter") == ["Noto Sans", "Roboto"]
