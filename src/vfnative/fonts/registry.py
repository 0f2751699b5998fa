"""Font lookup: family/weight/style/stretch -> a ready skia.Typeface + HarfBuzz font, loaded once.

Owns the mapping from a CSS-ish font request (what a text layer's props say) to a concrete font
file, the variable-axis position, and the synthetic bold/italic flags Blink would apply
(spec 02 §6.4). Imports skia, uharfbuzz and fontTools; nothing from the rest of vfnative except
`errors`.

Where fonts come from, in order:

1. the caller's font dirs (scanned recursively for .ttf/.otf/.ttc),
2. installed ``fontpkg-*`` distributions (entry-point group ``fontpkg.family``; every font file
   under the package is read and keyed by the family name in its ``name`` table),
3. Noto Sans (the reference's first fallback in its CSS stack), with ONE warning per missing
   family. If Noto Sans itself is missing, `FontError`.

Per-character fallback (`font_for_character`, used by the text engine for every grapheme cluster
the primary font cannot draw): Noto Sans, then fonts from ``fallback_dirs`` and the optional
`FALLBACK_DISTRIBUTIONS` (Noto Emoji/Symbols/scripts/CJK), other Noto families, every other
known family, and finally system fonts through Skia's font manager (fontconfig), which
``system_fallback=False`` turns off. Emoji-presentation clusters prefer a colour font.

Matching (``local_fonts=True``, the default). The goldens were captured with the fonts installed
locally, so Chrome resolved them through fontconfig rather than CSS `@font-face` matching:
fontconfig lists a variable font's *named instances* as separate patterns and matches slant,
then weight on its own scale (`fc_weight`), then width; Skia opens the chosen instance and sets
no other axis. So weights snap to named instances (666.67 is drawn as Bold), `wdth`/`opsz` stay
at the instances' values, and Blink embolds only when the requested weight exceeds the matched
face's by more than 200. ``local_fonts=False`` gives the web-font behaviour of spec 02 §6.4
(CSS Fonts 4 matching, continuous axes, synthetic bold from 600).

Variable fonts. The default (``variation_mode="instance"``) draws with a *static instance* built
by ``fontTools.varLib.instancer``: measured on the basic-text golden it gives 37.0 dB (39.9 dB
with the text pre-blend), while ``Typeface.makeClone(FontArguments)`` in skia-python 144.1 gives
25.6 dB: at some sizes its outlines come out at a different weight (e.g. 'H' at 115.2 px is
~1.5 px wider than the same clone measured at 1000 px). Full instancing costs ~6 s for Noto Sans,
fatal for an animated fontWeight, so instances are built per glyph set: layout tables dropped,
subset with ``retain_gids`` to the glyphs a text needs plus ASCII letters/digits (FreeType's
autohinter measures blue zones on those; without them light hinting differs), then instanced:
~50 ms. Instances are cached in memory per (file, axes, glyph set) and on disk (best effort).
HarfBuzz always shapes the *original* face with ``set_variations``, so advances are the exact
interpolated ones (Blink takes advances from FreeType with light hinting = linear metrics).
``variation_mode="clone"`` is kept for speed experiments only.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import skia
import uharfbuzz as hb
from fontTools.ttLib import TTCollection, TTFont

from vfnative.errors import FontError
from vfnative.fonts.fontconfig import quiet_fontconfig

__all__ = [
    "DEFAULT_FAMILY",
    "FALLBACK_DISTRIBUTIONS",
    "FontFace",
    "FontRegistry",
    "FontStyle",
    "ResolvedFont",
    "VariationMode",
    "default_cache_dir",
    "fc_weight",
]

log = logging.getLogger(__name__)

DEFAULT_FAMILY = "Noto Sans"
"""The reference's first fallback (`font-family: "<name>", "Noto Sans", ...`) and default family."""

FontStyle = Literal["normal", "italic"]
VariationMode = Literal["clone", "instance"]

_FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})
_ENTRY_POINT_GROUP = "fontpkg.family"
_BOLD_THRESHOLD = 600.0
"""Blink synthesises bold when >= 600 is requested and the face cannot reach 600 (spec 02 §6.4)."""
_LOCAL_BOLD_DELTA = 200.0
"""Blink on Linux embolds a local font when the requested weight exceeds the matched face's by
more than 200 (`FontCache::CreateFontPlatformData`, font_cache_skia.cc)."""
_SYNTHETIC_ITALIC_SKEW = -0.25
"""Blink's fake oblique: `SkFont::setSkewX(-1/4)`."""

_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "STAT", "morx", "kerx", "feat")
_HINTING_REFERENCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

_WIDTH_CLASS_PERCENT = {1: 50.0, 2: 62.5, 3: 75.0, 4: 87.5, 5: 100.0, 6: 112.5, 7: 125.0, 8: 150.0, 9: 200.0}


def _tag(tag: str) -> int:
    """A four-character OpenType tag as the integer Skia wants."""
    return int.from_bytes(tag.encode("ascii"), "big")


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/vfnative` (or `~/.cache/vfnative`); the caller may pass any other dir."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vfnative"


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


def _scan_file(path: Path) -> Iterator[tuple[FontFace, set[str]]]:
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


class _ScanCache:
    """`_scan_file` results kept on disk (``fontscan-v1.json`` in the cache dir), keyed by path, size
    and mtime: reading the name/OS2/fvar tables of every installed font costs ~20 ms a file, paid
    by every render process otherwise. Best effort: an unreadable or unwritable cache is ignored."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "fontscan-v1.json"
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    def __call__(self, path: Path) -> list[tuple[FontFace, set[str]]]:
        try:
            st = path.stat()
        except OSError:
            return list(_scan_file(path))
        key = f"{path}|{st.st_size}|{st.st_mtime_ns}"
        cached = self.entries.get(key)
        if isinstance(cached, list):
            try:
                return [(_face_from_json(path, item[0]), set(item[1])) for item in cached]
            except (TypeError, ValueError, IndexError, KeyError):
                pass
        found = list(_scan_file(path))
        self.entries[key] = [[_face_to_json(face), sorted(names)] for face, names in found]
        self.dirty = True
        return found

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".fontscan-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.entries, f)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.debug("font scan cache not written (%s): %s", self.path, exc)


def _face_to_json(face: FontFace) -> dict[str, Any]:
    return {"index": face.index, "family": face.family, "italic": face.italic,
            "weight": list(face.weight_range), "width": list(face.width_range),
            "axes": [list(a) for a in face.axis_table],
            "instances": [[list(c) for c in inst] for inst in face.named_instances]}  # fmt: skip


def _face_from_json(path: Path, d: dict[str, Any]) -> FontFace:
    return FontFace(
        path=path,
        index=int(d["index"]),
        family=str(d["family"]),
        italic=bool(d["italic"]),
        weight_range=(float(d["weight"][0]), float(d["weight"][1])),
        width_range=(float(d["width"][0]), float(d["width"][1])),
        axis_table=tuple((str(t), float(lo), float(df), float(hi)) for t, lo, df, hi in d["axes"]),
        named_instances=tuple(tuple((str(t), float(v)) for t, v in inst) for inst in d["instances"]),
    )


def _iter_font_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        if root.suffix.lower() in _FONT_SUFFIXES:
            yield root
        return
    if not root.is_dir():
        return
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            p = Path(dirpath) / name
            if p.suffix.lower() in _FONT_SUFFIXES:
                yield p


FALLBACK_DISTRIBUTIONS = ("manimgx-fonts", "manimgx-fonts-cjk")
"""Font distributions (not fontpkg-*) used for per-character fallback when installed.

``manimgx-fonts`` (OFL, 3.5 MB): Noto Emoji (monochrome), Noto Sans Symbols and Noto Sans for
Arabic, Hebrew, Devanagari, Thai, Georgian, Armenian, Ethiopic and other scripts;
``manimgx-fonts-cjk``: Noto Sans CJK. Their families join the registry only when no font dir
or fontpkg distribution already provides that family (their "Noto Sans" never shadows
fontpkg-noto-sans, whose instances the goldens were measured with).
"""


def _distribution_roots(names: Iterable[str]) -> list[Path]:
    """Directories holding the font files of the named installed distributions, in that order."""
    roots: list[Path] = []
    for name in names:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            if Path(str(f)).suffix.lower() in _FONT_SUFFIXES:
                top = Path(str(dist.locate_file(f))).parent
                if top not in roots:
                    roots.append(top)
    return roots


def _sfnt_from_typeface(tf: skia.Typeface) -> bytes:
    """The typeface's tables packed into an sfnt file (checksums computed, tables 4-byte aligned)."""
    tags = sorted(int(t) for t in tf.getTableTags())
    tables = [(t, bytes(tf.getTableData(t) or b"")) for t in tags]
    n = len(tables)
    sel = max(n.bit_length() - 1, 0)
    search = (1 << sel) * 16
    cff = any(t in (_tag("CFF "), _tag("CFF2")) for t, _ in tables)
    out = [struct.pack(">4sHHHH", b"OTTO" if cff else b"\x00\x01\x00\x00", n, search, sel, n * 16 - search)]
    offset = 12 + 16 * n
    records: list[bytes] = []
    bodies: list[bytes] = []
    for t, data in tables:
        padded = data + b"\0" * (-len(data) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
        records.append(struct.pack(">IIII", t, checksum, offset, len(data)))
        bodies.append(padded)
        offset += len(padded)
    return b"".join(out + records + bodies)


def _fontpkg_distributions() -> list[importlib.metadata.Distribution]:
    """Installed distributions named ``fontpkg-*``, found by their metadata folder names.

    Asking `importlib.metadata.distributions()` for every name parses each installed package's
    METADATA (~50 ms with 140 packages, paid by every render process); the folder name already
    carries the normalised name (``fontpkg_noto_sans-1.0.dist-info``).
    """
    found: list[importlib.metadata.Distribution] = []
    seen: set[str] = set()
    for entry in sys.path:
        try:
            folder = Path(entry or ".")
            if not folder.is_dir():
                continue
            candidates = sorted(folder.glob("fontpkg[-_]*.dist-info")) + sorted(
                folder.glob("fontpkg[-_]*.egg-info")
            )
        except OSError:
            continue
        for meta in candidates:
            key = meta.name.split("-")[0].lower()
            if key not in seen:
                seen.add(key)
                found.append(importlib.metadata.PathDistribution(meta))
    return found


def _fontpkg_roots() -> list[Path]:
    """Package directories of installed fontpkg-* distributions.

    Entry points (group ``fontpkg.family``) name the package; its directory is found through
    `find_spec` without importing it. Distributions named ``fontpkg-*`` without the entry
    point are found through their file lists.
    """
    roots: list[Path] = []
    seen: set[str] = set()
    for ep in importlib.metadata.entry_points(group=_ENTRY_POINT_GROUP):
        module = ep.value.split(":")[0].strip()
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for loc in spec.submodule_search_locations:
            if loc not in seen:
                seen.add(loc)
                roots.append(Path(loc))
    for dist in _fontpkg_distributions():
        for f in dist.files or ():
            if Path(str(f)).suffix.lower() in _FONT_SUFFIXES:
                located = Path(str(dist.locate_file(f)))
                top = located.parent
                if str(top) not in seen:
                    seen.add(str(top))
                    roots.append(top)
    return roots


def _match_weight(faces: Sequence[FontFace], weight: float) -> FontFace:
    """CSS Fonts 4 §5.2 weight matching over faces with weight ranges (Blink's FontStyleMatcher)."""

    def inside(f: FontFace) -> bool:
        return f.weight_range[0] <= weight <= f.weight_range[1]

    exact = [f for f in faces if inside(f)]
    if exact:
        return exact[0]
    lo = [f for f in faces if f.weight_range[1] < weight]
    hi = [f for f in faces if f.weight_range[0] > weight]

    def nearest_below(cands: list[FontFace]) -> FontFace | None:
        return max(cands, key=lambda f: f.weight_range[1]) if cands else None

    def nearest_above(cands: list[FontFace], limit: float | None = None) -> FontFace | None:
        c = [f for f in cands if limit is None or f.weight_range[0] <= limit]
        return min(c, key=lambda f: f.weight_range[0]) if c else None

    if 400 <= weight <= 500:
        pick = nearest_above(hi, 500) or nearest_below(lo) or nearest_above(hi)
    elif weight < 400:
        pick = nearest_below(lo) or nearest_above(hi)
    else:
        pick = nearest_above(hi) or nearest_below(lo)
    assert pick is not None  # faces is non-empty
    return pick


def _match_width(faces: Sequence[FontFace], stretch: float) -> list[FontFace]:
    """Keep the faces with the best font-stretch match (narrower first for <= 100%, per CSS)."""
    inside = [f for f in faces if f.width_range[0] <= stretch <= f.width_range[1]]
    if inside:
        return inside

    def dist(f: FontFace) -> tuple[int, float]:
        lo, hi = f.width_range
        if hi < stretch:
            d = stretch - hi
            return (0 if stretch <= 100 else 1, d)
        d = lo - stretch
        return (1 if stretch <= 100 else 0, d)

    best = min(dist(f) for f in faces)
    return [f for f in faces if dist(f) == best]


_SKIA_TO_FC_WEIGHT = ((100.0, 0.0), (200.0, 40.0), (300.0, 50.0), (400.0, 80.0), (500.0, 100.0),
                      (600.0, 180.0), (700.0, 200.0), (800.0, 205.0), (900.0, 210.0), (1000.0, 215.0))  # fmt: skip
"""Skia's `SkFontStyle` weight -> fontconfig `FC_WEIGHT` table (SkFontMgr_fontconfig `weightRanges`)."""


def fc_weight(weight: float) -> float:
    """A CSS weight on fontconfig's scale (piecewise linear, as Skia maps it before matching).

    Fontconfig compares weights on this scale, so "nearest" is not what it is in CSS units:
    666 maps to 193.2 and goes to Bold (200), 640 maps to 188 and goes to SemiBold (180).
    """
    pts = _SKIA_TO_FC_WEIGHT
    w = min(max(float(weight), pts[0][0]), pts[-1][0])
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if w <= x1:
            return y0 + (w - x0) * (y1 - y0) / (x1 - x0)
    return pts[-1][1]


@dataclass(frozen=True)
class _LocalCandidate:
    """One pattern fontconfig lists for a family: a static face, or one named instance."""

    face: FontFace
    variations: tuple[tuple[str, float], ...]
    weight: float
    width: float


def _local_candidates(faces: Sequence[FontFace]) -> list[_LocalCandidate]:
    out: list[_LocalCandidate] = []
    for face in faces:
        if face.named_instances:
            for coords in face.named_instances:
                c = dict(coords)
                out.append(_LocalCandidate(face, coords, c.get("wght", face.weight_range[0]),
                                           c.get("wdth", face.width_range[0])))  # fmt: skip
        else:
            out.append(_LocalCandidate(face, (), face.weight_range[0], face.width_range[0]))
    return out


def _match_local(faces: Sequence[FontFace], weight: float, stretch: float, italic: bool) -> _LocalCandidate:
    """Fontconfig's choice among a family's patterns: slant, then weight, then width (fcmatch order).

    Weight distance is taken on fontconfig's scale (`fc_weight`); ties keep the first pattern
    (file order, then fvar order), as `FcFontMatch` keeps the first best score.
    """
    cands = _local_candidates(faces)
    styled = [c for c in cands if c.face.italic == italic] or cands
    target = fc_weight(weight)
    best_w = min(abs(fc_weight(c.weight) - target) for c in styled)
    by_weight = [c for c in styled if abs(fc_weight(c.weight) - target) - best_w < 1e-9]
    best_s = min(abs(c.width - stretch) for c in by_weight)
    return next(c for c in by_weight if abs(c.width - stretch) - best_s < 1e-9)


class FontRegistry:
    """Resolve family names to faces and build the typeface/HarfBuzz pair for a setting.

    One registry per render: faces are scanned once (lazily, on the first `resolve`), typefaces
    and HarfBuzz faces are loaded once per file, and every (face, variation, synthetic flags)
    combination is built once and kept. Thread-safe for concurrent `resolve` calls.
    """

    def __init__(
        self,
        font_dirs: Sequence[str | os.PathLike[str]] = (),
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        variation_mode: VariationMode = "instance",
        on_warning: Callable[[str], None] | None = None,
        include_installed: bool = True,
        local_fonts: bool = True,
        apply_stretch_axis: bool | None = None,
        apply_optical_size: bool | None = None,
        fallback_dirs: Sequence[str | os.PathLike[str]] = (),
        system_fallback: bool = True,
    ) -> None:
        quiet_fontconfig()  # before the first Typeface: keeps fontconfig's config warnings off stderr
        self._font_dirs = tuple(Path(d) for d in font_dirs)
        self._fallback_dirs = tuple(Path(d) for d in fallback_dirs)
        self._system_fallback = system_fallback
        self._fallback_order: list[str] = []
        self._fallback_cache: dict[tuple[object, ...], ResolvedFont | None] = {}
        self._system_fonts: dict[tuple[str, int, int, int], ResolvedFont] = {}
        self._font_mgr: skia.FontMgr | None = None
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._variation_mode: VariationMode = variation_mode
        self._on_warning = on_warning
        self._include_installed = include_installed
        self._local_fonts = local_fonts
        self._apply_stretch_axis = (not local_fonts) if apply_stretch_axis is None else apply_stretch_axis
        self._apply_optical_size = (not local_fonts) if apply_optical_size is None else apply_optical_size
        self._lock = threading.RLock()
        self._families: dict[str, list[FontFace]] | None = None
        self._warned: set[str] = set()
        self._file_data: dict[Path, skia.Data] = {}
        self._typefaces: dict[tuple[Path, int], skia.Typeface] = {}
        self._hb_faces: dict[tuple[Path, int], hb.Face] = {}
        self._instances: dict[tuple[Path, int, tuple[tuple[str, float], ...], frozenset[int] | None],
                              skia.Typeface] = {}  # fmt: skip
        self._glyph_sets: dict[tuple[Path, int, tuple[tuple[str, float], ...]], frozenset[int]] = {}
        self._ref_glyphs: dict[tuple[Path, int], frozenset[int]] = {}
        self._resolved: dict[tuple[object, ...], ResolvedFont] = {}
        self._requests: dict[tuple[object, ...], ResolvedFont] = {}
        """resolve() arguments -> result: a text layer asks again every frame."""

    def __repr__(self) -> str:
        fams = "?" if self._families is None else str(len(self._families))
        return f"<FontRegistry families={fams} dirs={len(self._font_dirs)} mode={self._variation_mode}>"

    # -- discovery -------------------------------------------------------------------------

    def _scan(self) -> dict[str, list[FontFace]]:
        if self._families is not None:
            return self._families
        with self._lock:
            if self._families is not None:
                return self._families
            families: dict[str, list[FontFace]] = {}
            scan_file = _ScanCache(self._cache_dir if self._cache_dir is not None else default_cache_dir())
            roots: list[Path] = list(self._font_dirs)
            if self._include_installed:
                roots += _fontpkg_roots()
            seen_files: set[Path] = set()
            for root in roots:
                for path in _iter_font_files(root):
                    rp = path.resolve()
                    if rp in seen_files:
                        continue
                    seen_files.add(rp)
                    for face, names in scan_file(rp):
                        for name in names | {face.family}:
                            lst = families.setdefault(name.casefold(), [])
                            if face not in lst:
                                lst.append(face)
            # Fallback fonts: their families join only where nothing above provides them.
            fallback_roots = list(self._fallback_dirs)
            if self._include_installed:
                fallback_roots += _distribution_roots(FALLBACK_DISTRIBUTIONS)
            primary = set(families)
            order: list[str] = []
            for root in fallback_roots:
                for path in _iter_font_files(root):
                    rp = path.resolve()
                    if rp in seen_files:
                        continue
                    seen_files.add(rp)
                    for face, names in scan_file(rp):
                        keys = {n.casefold() for n in names | {face.family}}
                        if keys & primary:
                            continue
                        for key in keys:
                            lst = families.setdefault(key, [])
                            if face not in lst:
                                lst.append(face)
                        if face.family.casefold() not in order:
                            order.append(face.family.casefold())
            scan_file.save()
            self._fallback_order = order
            self._families = families
            log.debug("font registry: %d families from %d roots", len(families), len(roots))
            return families

    def families(self) -> list[str]:
        """Every family name known (case as written in the fonts), sorted."""
        out = {f.family for faces in self._scan().values() for f in faces}
        return sorted(out)

    def has_family(self, family: str) -> bool:
        return family.strip().casefold() in self._scan()

    def faces(self, family: str) -> list[FontFace]:
        """The faces of a family (case-insensitive); empty if unknown."""
        return list(self._scan().get(family.strip().casefold(), ()))

    def _warn(self, message: str) -> None:
        log.warning(message)
        if self._on_warning is not None:
            self._on_warning(message)

    # -- resolution ------------------------------------------------------------------------

    def resolve(
        self,
        family: str = DEFAULT_FAMILY,
        *,
        weight: float = 400.0,
        style: FontStyle | str = "normal",
        stretch: float = 100.0,
        size: float | None = None,
    ) -> ResolvedFont:
        """The font Chrome would use for this request (spec 02 §6.4).

        `size` (px) feeds the `opsz` axis (font-optical-sizing: auto) when the face has one.
        Unknown families fall back to Noto Sans with one warning per family name.
        """
        request = (family, float(weight), style, float(stretch), size)
        cached = self._requests.get(request)
        if cached is not None:
            return cached
        name = family.strip().strip('"').strip("'").strip() or DEFAULT_FAMILY
        weight = float(weight)
        stretch = float(stretch)
        families = self._scan()
        faces = families.get(name.casefold())
        fallback = False
        if not faces:
            fallback = True
            faces = families.get(DEFAULT_FAMILY.casefold())
            if name.casefold() not in self._warned:
                self._warned.add(name.casefold())
                self._warn(f"font family {name!r} is not installed; using {DEFAULT_FAMILY}")
            if not faces:
                raise FontError(f"font family {name!r} not found and the fallback {DEFAULT_FAMILY!r} "
                                "is not installed either (pip install fontpkg-noto-sans)")  # fmt: skip
        italic = style == "italic" or style == "oblique"
        if self._local_fonts:
            pick = _match_local(faces, weight, stretch, italic)
            face = pick.face
            synthetic_italic = italic and not face.italic
            synthetic_bold = weight > _LOCAL_BOLD_DELTA + pick.weight
            variations = self._variations(face, weight, stretch, size, pick.variations or None)
        else:
            candidates = _match_width(faces, stretch)
            styled = [f for f in candidates if f.italic == italic]
            synthetic_italic = False
            if not styled:
                styled = candidates
                synthetic_italic = italic and not any(f.italic for f in candidates)
            face = _match_weight(styled, weight)
            synthetic_bold = weight >= _BOLD_THRESHOLD and face.weight_range[1] < _BOLD_THRESHOLD
            variations = self._variations(face, weight, stretch, size)
        key = (face, variations, synthetic_bold, synthetic_italic, fallback)
        with self._lock:
            resolved = self._resolved.get(key)
            if resolved is None:
                resolved = self._build(face, name, variations, synthetic_bold, synthetic_italic, fallback)
                self._resolved[key] = resolved
            self._requests[request] = resolved
            return resolved

    # -- per-character fallback ------------------------------------------------------------

    def fallback_families(self, primary: str = DEFAULT_FAMILY) -> list[str]:
        """Families tried, in order, for a character the `primary` family cannot draw.

        Noto Sans first (the reference's CSS stack: `"<name>", "Noto Sans", Roboto, Verdana,
        Helvetica, sans-serif`), then the CSS stack's other names when installed, then the
        fallback fonts (`fallback_dirs`, `FALLBACK_DISTRIBUTIONS`, in scan order), then other
        Noto families, then every other known family (sorted, so the choice is deterministic).
        System fonts (`system_font_for`) come after all of these.
        """
        families = self._scan()
        skip = {primary.strip().casefold()}
        out: list[str] = []

        def add(key: str) -> None:
            if key in families and key not in skip and key not in out:
                out.append(key)

        for key in (DEFAULT_FAMILY.casefold(), "roboto", "verdana", "helvetica"):
            add(key)
        for key in self._fallback_order:
            add(key)
        rest = sorted({f.family.casefold() for faces in families.values() for f in faces})
        for key in rest:
            if key.startswith("noto"):
                add(key)
        for key in rest:
            add(key)
        return [families[k][0].family for k in out]

    def font_for_character(
        self,
        codepoint: int,
        primary: ResolvedFont,
        *,
        weight: float = 400.0,
        style: FontStyle | str = "normal",
        stretch: float = 100.0,
        size: float | None = None,
        emoji: bool = False,
    ) -> ResolvedFont | None:
        """The first font of the fallback chain that has a glyph for `codepoint`, or None.

        Registry families are resolved with the same weight/style/stretch (so they snap to
        named instances like the primary font); then the system fonts through Skia's font
        manager (fontconfig on Linux), the way Chrome's system fallback ends. With `emoji`
        (an emoji-presentation cluster) a colour font wins over the chain order, as Blink's
        emoji fallback priority asks for the colour emoji font first (`und-Zsye`). Cached.
        """
        key = (
            codepoint,
            primary.requested_family.casefold(),
            float(weight),
            str(style),
            float(stretch),
            size,
            emoji,
        )
        if key in self._fallback_cache:
            return self._fallback_cache[key]
        found: ResolvedFont | None = None
        first: ResolvedFont | None = None
        for family in self.fallback_families(primary.face.family):
            cand = self.resolve(family, weight=weight, style=style, stretch=stretch, size=size)
            if cand.covers(codepoint):
                if not emoji or cand.is_color:
                    found = cand
                    break
                first = first or cand
        if found is None and emoji:
            sys_font = self.system_font_for(codepoint, weight=weight, style=style, languages=("und-Zsye",))
            if sys_font is not None and sys_font.is_color:
                found = sys_font
        if found is None:
            found = first or self.system_font_for(codepoint, weight=weight, style=style)
        self._fallback_cache[key] = found
        return found

    def system_font_for(
        self,
        codepoint: int,
        *,
        weight: float = 400.0,
        style: FontStyle | str = "normal",
        languages: Sequence[str] = ("und",),
    ) -> ResolvedFont | None:
        """A system font that draws `codepoint` (Skia `FontMgr.matchFamilyStyleCharacter`), or None.

        Off with ``system_fallback=False`` (tests, reproducible renders). The typeface's tables
        are reassembled into an sfnt for HarfBuzz (skia-python exposes no font file).
        """
        if not self._system_fallback:
            return None
        if self._font_mgr is None:
            self._font_mgr = skia.FontMgr()
        italic = style in ("italic", "oblique")
        slant = skia.FontStyle.kItalic_Slant if italic else skia.FontStyle.kUpright_Slant
        fs = skia.FontStyle(int(weight), skia.FontStyle.kNormal_Width, slant)
        tf = self._font_mgr.matchFamilyStyleCharacter("", fs, list(languages), int(codepoint))
        if tf is None or not tf.unicharToGlyph(int(codepoint)):
            return None
        tstyle = tf.fontStyle()
        k = (tf.getFamilyName(), int(tstyle.weight()), int(tstyle.width()), int(tstyle.slant()))
        with self._lock:
            hit = self._system_fonts.get(k)
            if hit is None:
                hit = self._from_typeface(tf, weight, italic)
                self._system_fonts[k] = hit
        return hit

    def _from_typeface(self, tf: skia.Typeface, weight: float, italic: bool) -> ResolvedFont:
        raw = _sfnt_from_typeface(tf)
        hb_face = hb.Face(hb.Blob(raw))
        hb_font = hb.Font(hb_face)
        ext = hb_font.get_font_extents("ltr")
        tw = float(tf.fontStyle().weight())
        face = FontFace(Path(f"<system>/{tf.getFamilyName()}"), 0, tf.getFamilyName(), bool(tf.isItalic()),
                        (tw, tw), (100.0, 100.0))  # fmt: skip

        def provider(_glyphs: Iterable[int] | None) -> skia.Typeface:
            return tf

        return ResolvedFont(
            face=face,
            requested_family=tf.getFamilyName(),
            variations=(),
            typeface_provider=provider,
            hb_font=hb_font,
            upem=int(hb_face.upem),
            ascent=float(ext.ascender),
            descent=float(-ext.descender),
            synthetic_bold=self._local_fonts and weight > _LOCAL_BOLD_DELTA + tw,
            synthetic_italic=italic and not tf.isItalic(),
            fallback=True,
        )

    def _variations(self, face: FontFace, weight: float, stretch: float, size: float | None,
                    instance: tuple[tuple[str, float], ...] | None = None,
                    ) -> tuple[tuple[str, float], ...]:  # fmt: skip
        """Axis values for the chosen face, clamped to its axes.

        Local fonts (default): the coordinates of the named instance fontconfig matched
        (`instance`); Skia opens it through FreeType's named-instance face index and sets no
        other axis. The goldens show it three ways: "Condensed 75%" is drawn at full width
        and Inter at 38 px keeps opsz 14 (every named instance of those files has wdth 100 /
        opsz 14), and an animated weight of 666.67 is drawn as Bold 700 (text-fonts frame 20:
        40.5 dB at 700, 19.5 dB at 666.67). A variable face without named instances gets
        `wght` = weight. Web fonts (``local_fonts=False``): `wght` = weight, and by default
        `wdth` = font-stretch %, `opsz` = px size (spec 02 §6.4); `apply_stretch_axis` /
        `apply_optical_size` override those two either way.
        """
        if not face.axis_table:
            return ()
        base = dict(instance) if instance else {}
        wanted: dict[str, float] = {}
        for tag, (lo, default, hi) in face.axes.items():
            if tag == "wdth" and self._apply_stretch_axis:
                v = stretch
            elif tag == "opsz" and size is not None and self._apply_optical_size:
                v = size
            elif tag in base:
                v = base[tag]
            elif tag == "wght":
                v = weight
            else:
                v = default
            wanted[tag] = min(max(v, lo), hi)
        return tuple(sorted(wanted.items()))

    def _data(self, path: Path) -> skia.Data:
        data = self._file_data.get(path)
        if data is None:
            data = skia.Data.MakeFromFileName(str(path))
            if data is None:
                raise FontError(f"cannot read font file; got {path}", source=str(path))
            self._file_data[path] = data
        return data

    def _base_typeface(self, face: FontFace) -> skia.Typeface:
        k = (face.path, face.index)
        tf = self._typefaces.get(k)
        if tf is None:
            tf = skia.Typeface.MakeFromData(self._data(face.path), face.index)
            if tf is None:
                raise FontError(f"Skia cannot load font; got {face.path}", source=str(face.path))
            self._typefaces[k] = tf
        return tf

    def _hb_face(self, face: FontFace) -> hb.Face:
        k = (face.path, face.index)
        f = self._hb_faces.get(k)
        if f is None:
            blob = hb.Blob.from_file_path(str(face.path))
            f = hb.Face(blob, face.index)
            self._hb_faces[k] = f
        return f

    def _build(self, face: FontFace, requested: str, variations: tuple[tuple[str, float], ...],
               synthetic_bold: bool, synthetic_italic: bool, fallback: bool) -> ResolvedFont:  # fmt: skip
        hb_face = self._hb_face(face)
        hb_font = hb.Font(hb_face)
        if variations:
            hb_font.set_variations(dict(variations))
        ext = hb_font.get_font_extents("ltr")

        def provider(glyphs: Iterable[int] | None) -> skia.Typeface:
            return self._typeface_at(face, variations, glyphs)

        return ResolvedFont(
            face=face,
            requested_family=requested,
            variations=variations,
            typeface_provider=provider,
            hb_font=hb_font,
            upem=int(hb_face.upem),
            ascent=float(ext.ascender),
            descent=float(-ext.descender),
            synthetic_bold=synthetic_bold,
            synthetic_italic=synthetic_italic,
            fallback=fallback,
        )

    def _typeface_at(self, face: FontFace, variations: tuple[tuple[str, float], ...],
                     glyphs: Iterable[int] | None) -> skia.Typeface:  # fmt: skip
        base = self._base_typeface(face)
        if not variations:
            return base
        if self._variation_mode == "clone":
            k = (face.path, face.index, variations, None)
            tf = self._instances.get(k)
            if tf is None:
                vp = skia.FontArguments.VariationPosition
                coords = vp.Coordinates([vp.Coordinate(_tag(t), float(v)) for t, v in variations])
                args = skia.FontArguments()
                args.setCollectionIndex(face.index)
                args.setVariationDesignPosition(vp(coords))
                tf = base.makeClone(args)
                if tf is None:
                    raise FontError(f"Skia cannot apply variations {dict(variations)}; got {face.path}",
                                    source=str(face.path))  # fmt: skip
                self._instances[k] = tf
            return tf
        with self._lock:
            fam_key = (face.path, face.index, variations)
            if glyphs is None:
                want: frozenset[int] | None = None
            else:
                have = self._glyph_sets.get(fam_key)
                need = frozenset(int(g) for g in glyphs)
                if have is not None and need <= have:
                    tf = self._instances.get((face.path, face.index, variations, have))
                    if tf is not None:
                        return tf
                # Grow the glyph set monotonically so boxes drawn earlier and later share one instance.
                want = (have or self._reference_glyphs(face)) | need
            tf = self._instances.get((face.path, face.index, variations, want))
            if tf is None:
                tf = self._instanced_typeface(face, variations, want)
                self._instances[(face.path, face.index, variations, want)] = tf
            if want is not None:
                self._glyph_sets[fam_key] = want
            return tf

    def _reference_glyphs(self, face: FontFace) -> frozenset[int]:
        """Glyphs FreeType's autohinter measures blue zones and stems on (ASCII letters, digits).

        A subset without them hints differently (measured: up to 34/255 per pixel at 115 px),
        so every subset instance keeps them.
        """
        k = (face.path, face.index)
        hit = self._ref_glyphs.get(k)
        if hit is None:
            font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
            try:
                cmap = font.getBestCmap() or {}
                names = [cmap[ord(c)] for c in _HINTING_REFERENCE_CHARS if ord(c) in cmap]
                hit = frozenset([0] + [font.getGlyphID(n) for n in names])
            finally:
                font.close()
            self._ref_glyphs[k] = hit
        return hit

    # -- fontTools instancing (variation_mode="instance") -----------------------------------

    def _instance_cache_paths(self, face: FontFace, variations: tuple[tuple[str, float], ...],
                              glyphs: frozenset[int] | None) -> list[Path]:  # fmt: skip
        """Where an instance may be cached: the cache dir, then a temp-dir fallback."""
        try:
            st = face.path.stat()
        except OSError:
            return []
        gl = "all" if glyphs is None else ",".join(map(str, sorted(glyphs)))
        ident = f"{face.path}|{face.index}|{st.st_size}|{st.st_mtime_ns}|{variations}|{gl}"
        name = f"{face.path.stem}-{hashlib.sha1(ident.encode()).hexdigest()[:24]}.ttf"
        base = self._cache_dir if self._cache_dir is not None else default_cache_dir()
        return [base / "instances" / name, Path(tempfile.gettempdir()) / "vfnative" / "instances" / name]

    def _instanced_typeface(self, face: FontFace, variations: tuple[tuple[str, float], ...],
                            glyphs: frozenset[int] | None) -> skia.Typeface:  # fmt: skip
        """Static instance via `instancer.instantiateVariableFont`, cached in memory and on disk.

        Layout tables are dropped first (HarfBuzz shapes the original face; Skia only draws
        glyph ids), and unless `glyphs` is None the font is subset with `retain_gids` so ids
        stay valid: ~50 ms instead of ~6 s for Noto Sans. The disk cache is best effort: a
        read-only cache dir falls back to a temp dir, then to memory only.
        """
        paths = self._instance_cache_paths(face, variations, glyphs)
        for cached in paths:
            if cached.is_file():
                data = skia.Data.MakeFromFileName(str(cached))
                tf = skia.Typeface.MakeFromData(data) if data is not None else None
                if tf is not None:
                    return tf
        from fontTools import subset  # slow imports (~40 ms): only a disk-cache miss needs them
        from fontTools.varLib import instancer

        font = TTFont(str(face.path), fontNumber=face.index)
        for tag in _LAYOUT_TABLES:
            if tag in font:
                del font[tag]
        if glyphs is not None:
            opts = subset.Options()
            opts.retain_gids = True
            opts.notdef_outline = True
            opts.name_IDs = ["*"]
            opts.name_languages = ["*"]
            opts.hinting = True
            opts.glyph_names = False
            opts.layout_closure = False
            opts.drop_tables = []
            opts.passthrough_tables = True
            opts.recalc_bounds = False
            sub = subset.Subsetter(opts)
            sub.populate(gids=sorted(glyphs))
            sub.subset(font)
        inst = instancer.instantiateVariableFont(font, dict(variations), updateFontNames=False)
        buf = io.BytesIO()
        inst.save(buf)
        raw = buf.getvalue()
        self._write_cache(paths, raw)
        tf = skia.Typeface.MakeFromData(skia.Data.MakeWithCopy(raw))
        if tf is None:
            raise FontError(f"Skia cannot load the instance {dict(variations)} of {face.path}",
                            source=str(face.path))  # fmt: skip
        return tf

    @staticmethod
    def _write_cache(paths: Sequence[Path], raw: bytes) -> None:
        """Write atomically to the first writable candidate; a read-only cache is not an error."""
        for target in paths:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(raw)
                os.replace(tmp, target)
                return
            except OSError as exc:
                log.debug("font instance cache not writable at %s: %s", target.parent, exc)
