"""What a font *is*: `FontFace` (one face in one file, with what matching needs), `ResolvedFont`
(a face at one variation position, ready for HarfBuzz and Skia) and reading both from font tables.

Owns the name/OS-2/fvar table reading a scan does per file (`scan_file`) and how Chrome on Linux
configures a `skia.Font` for a resolved face (spec 02 §6.6). Imports skia, uharfbuzz and fontTools
only; nothing else of vfnative.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import skia
import uharfbuzz as hb
from fontTools.ttLib import TTCollection, TTFont

__all__ = [
    "DEFAULT_FAMILY",
    "FONT_SUFFIXES",
    "FontFace",
    "FontStyle",
    "ResolvedFont",
    "VariationMode",
    "scan_file",
]

log = logging.getLogger(__name__)

DEFAULT_FAMILY = "Noto Sans"
"""The reference's first fallback (`font-family: "<name>", "Noto Sans", ...`) and default family."""

FontStyle = Literal["normal", "italic"]
VariationMode = Literal["clone", "instance"]

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})
_ENTRY_POINT_GROUP = "fontpkg.family"
_BOLD_THRESHOLD = 600.0
"""Blink synthesises bold when >= 600 is requested and the face cannot reach 600 (spec 02 §6.4)."""

_SYNTHETIC_ITALIC_SKEW = -0.25
"""Blink's fake oblique: `SkFont::setSkewX(-1/4)`."""

_WIDTH_CLASS_PERCENT = {1: 50.0, 2: 62.5, 3: 75.0, 4: 87.5, 5: 100.0, 6: 112.5, 7: 125.0, 8: 150.0, 9: 200.0}


@dataclass(frozen=True)
class FontFace:
    """One font in one file (a TTC member has its own `index`), with what matching needs."""

    path: Path
    index: int
    family: str
    italic: bool
    weight_range: tuple[float, float]
    """Weights this face can draw: (w, w) for a static face, the `wght` axis range if variable."""
    width_range: tuple[float, float]
    """font-stretch percentages: from the `wdth` axis or the OS/2 width class."""
    axis_table: tuple[tuple[str, float, float, float], ...] = ()
    """Variation axes as (tag, min, default, max), fvar order. Empty for static fonts."""
    named_instances: tuple[tuple[tuple[str, float], ...], ...] = ()
    """fvar named instances as sorted (tag, value) tuples, in fvar order (what fontconfig lists)."""

    @property
    def axes(self) -> dict[str, tuple[float, float, float]]:
        """Variation axes: tag -> (min, default, max)."""
        return {t: (lo, d, hi) for t, lo, d, hi in self.axis_table}

    @property
    def is_variable(self) -> bool:
        return bool(self.axis_table)


@dataclass(frozen=True, eq=False)
class ResolvedFont:
    """A face at one variation position, ready to shape (HarfBuzz) and draw (Skia).

    Metrics are in font units (scale = `upem`), so callers multiply by `size / upem`. `ascent`
    and `descent` are both positive, with the face's MVAR deltas applied, and follow the same
    table choice as FreeType/Skia (OS/2 typo metrics when USE_TYPO_METRICS is set, else hhea).
    """

    face: FontFace
    requested_family: str
    variations: tuple[tuple[str, float], ...]
    typeface_provider: Callable[[Iterable[int] | None], skia.Typeface]
    """Builds (and caches) the typeface; see `typeface_for`."""
    hb_font: hb.Font
    upem: int
    ascent: float
    descent: float
    synthetic_bold: bool
    synthetic_italic: bool
    fallback: bool
    """True when the requested family was not found and this is Noto Sans instead."""

    @property
    def key(self) -> tuple[str, int, tuple[tuple[str, float], ...], bool, bool]:
        """Hashable identity of this font setting, for caches keyed by font."""
        return (
            str(self.face.path),
            self.face.index,
            self.variations,
            self.synthetic_bold,
            self.synthetic_italic,
        )

    def covers(self, codepoint: int) -> bool:
        """True when the face maps `codepoint` to a glyph (cmap lookup through HarfBuzz)."""
        return bool(self.hb_font.get_nominal_glyph(codepoint))

    @property
    def is_color(self) -> bool:
        """True for colour glyph fonts (CBDT/sbix bitmaps, COLR layers, SVG): drawn without masks."""
        face = self.hb_font.face
        return bool(face.has_color_png or face.has_color_layers or face.has_color_paint or face.has_color_svg)

    @property
    def typeface(self) -> skia.Typeface:
        """The typeface with every glyph (for a variable face: a full static instance, slow once)."""
        return self.typeface_provider(None)

    def typeface_for(self, glyphs: Iterable[int]) -> skia.Typeface:
        """A typeface that draws at least `glyphs` (glyph ids of the original face) correctly.

        For variable faces this is a static instance subset to those glyphs plus the ASCII
        letters and digits (ids unchanged); building it takes ~50 ms instead of seconds.
        """
        return self.typeface_provider(glyphs)

    def make_skia_font(self, size: float, glyphs: Iterable[int] | None = None) -> skia.Font:
        """A skia.Font configured like Chrome on Linux draws text (spec 02 §6.6).

        Grayscale AA (`kAntiAlias`), slight hinting (FreeType light = vertical-only), subpixel
        positioning (Chrome forces it unless hinting is full), linear metrics off, embedded
        bitmaps allowed; synthetic bold/italic the way Blink's FontPlatformData sets them up.
        """
        tf = self.typeface_provider(glyphs)
        font = skia.Font(tf, size)
        font.setEdging(skia.Font.Edging.kAntiAlias)
        font.setHinting(skia.FontHinting.kSlight)
        font.setSubpixel(True)
        font.setLinearMetrics(False)
        font.setEmbeddedBitmaps(True)
        if self.synthetic_bold:
            font.setEmbolden(True)
        if self.synthetic_italic:
            font.setSkewX(_SYNTHETIC_ITALIC_SKEW)
        return font

    def __repr__(self) -> str:
        axes = ",".join(f"{t}={v:g}" for t, v in self.variations)
        flags = "".join(f" {f}" for f, on in (("fake-bold", self.synthetic_bold),
                                               ("fake-italic", self.synthetic_italic),
                                               ("fallback", self.fallback)) if on)  # fmt: skip
        return f"<ResolvedFont {self.face.family!r} {self.face.path.name} [{axes}]{flags}>"


def _read_name(font: TTFont, *ids: int) -> str | None:
    name = font.get("name")
    if name is None:
        return None
    for name_id in ids:
        rec = name.getName(name_id, 3, 1, 0x409) or name.getName(name_id, 1, 0, 0)
        if rec is None:
            rec = next((n for n in name.names if n.nameID == name_id), None)
        if rec is not None:
            try:
                return str(rec.toUnicode()).strip()
            except UnicodeDecodeError:
                continue
    return None


def _family_names(font: TTFont) -> set[str]:
    """Every family name the face answers to: typographic (16) and legacy (1), all languages."""
    out: set[str] = set()
    if "name" not in font:
        return out
    for rec in font["name"].names:
        if rec.nameID in (1, 16, 21):
            try:
                out.add(str(rec.toUnicode()).strip())
            except UnicodeDecodeError:
                continue
    return {n for n in out if n}


def _face_from_ttfont(path: Path, index: int, font: TTFont) -> tuple[FontFace, set[str]] | None:
    family = _read_name(font, 16, 1)
    if not family:
        return None
    os2 = font.get("OS/2")
    axes: dict[str, tuple[float, float, float]] = {}
    if "fvar" in font:
        for axis in font["fvar"].axes:
            axes[axis.axisTag] = (float(axis.minValue), float(axis.defaultValue), float(axis.maxValue))
    if "wght" in axes:
        weight_range = (axes["wght"][0], axes["wght"][2])
    else:
        w = float(os2.usWeightClass) if os2 is not None else 400.0
        weight_range = (w, w)
    if "wdth" in axes:
        width_range = (axes["wdth"][0], axes["wdth"][2])
    else:
        pct = _WIDTH_CLASS_PERCENT.get(int(os2.usWidthClass) if os2 is not None else 5, 100.0)
        width_range = (pct, pct)
    if (os2 is not None and os2.fsSelection & 1) or ("head" in font and font["head"].macStyle & 2):
        italic = True
    else:
        sub = (_read_name(font, 17, 2) or "").lower()
        italic = "italic" in sub or "oblique" in sub
    table = tuple((t, lo, d, hi) for t, (lo, d, hi) in axes.items())
    instances: list[tuple[tuple[str, float], ...]] = []
    if "fvar" in font:
        for inst in font["fvar"].instances:
            coords = {t: d for t, (_lo, d, _hi) in axes.items()}
            coords.update({t: float(v) for t, v in inst.coordinates.items() if t in axes})
            key = tuple(sorted(coords.items()))
            if key not in instances:
                instances.append(key)
    face = FontFace(path, index, family, italic, weight_range, width_range, table, tuple(instances))
    return face, _family_names(font)


def scan_file(path: Path) -> Iterator[tuple[FontFace, set[str]]]:
    """Read only the tables matching needs (lazy load); skip unreadable files with a debug log."""
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            collection = TTCollection(str(path), lazy=True)
            fonts: list[TTFont] = list(collection.fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
    except Exception as exc:  # a broken file in a font dir must not stop the render
        log.debug("skipping unreadable font %s: %s", path, exc)
        return
    for index, font in enumerate(fonts):
        try:
            found = _face_from_ttfont(path, index, font)
        except Exception as exc:
            log.debug("skipping font %s#%d: %s", path, index, exc)
            continue
        finally:
            font.close()
        if found is not None:
            yield found
