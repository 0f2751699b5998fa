"""Font lookup: family/weight/style/stretch -> a ready skia.Typeface + HarfBuzz font, loaded once.

Owns `FontRegistry`: the mapping from a CSS-ish font request (what a text layer's props say) to a
concrete face, its variable-axis position and the synthetic bold/italic flags Blink would apply
(spec 02 §6.4), and the per-character fallback walk. The pieces it puts together live beside it:
`faces` (what a face is), `discovery` (where faces are), `matching` (Blink's rules), `instancing`
(typefaces at a variation position), `fallback` (the fallback chain) and `packages` (which
``fontpkg-*`` distribution ships a family). Imports those, skia, uharfbuzz and `errors`.

Where fonts come from, in order:

1. the caller's font dirs (scanned recursively for .ttf/.otf/.ttc),
2. installed ``fontpkg-*`` distributions (entry-point group ``fontpkg.family``; every font file
   under the package is read and keyed by the family name in its ``name`` table),
3. Noto Sans (the reference's first fallback in its CSS stack), with ONE warning per missing
   family naming the ``fontpkg-*`` package that would provide it. If Noto Sans itself is missing,
   `FontError`.

Per-character fallback (`font_for_character`, used by the text engine for every grapheme cluster
the primary font cannot draw) follows the fixed chain documented in `vfnative.fonts.fallback`:
Noto Sans, CSS-stack families the document names, configured fallback families, fallback fonts
(``fallback_dirs``, `FALLBACK_DISTRIBUTIONS`), then system fonts (``system_fallback=False`` turns
those off). Installed fontpkg families are never fallbacks unless configured, so installing a
package for one document cannot change another document's pixels. Emoji-presentation clusters
prefer a colour font.

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

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import skia
import uharfbuzz as hb

from vfnative.errors import FontError
from vfnative.fonts.discovery import (
    FALLBACK_DISTRIBUTIONS,
    ScanCache,
    default_cache_dir,
    distribution_roots,
    fontpkg_roots,
    is_web_font_dir,
    iter_font_files,
)
from vfnative.fonts.faces import DEFAULT_FAMILY, FontFace, FontStyle, ResolvedFont, VariationMode
from vfnative.fonts.fallback import SystemFallback, fallback_chain, quiet_fontconfig
from vfnative.fonts.instancing import TypefaceStore, sfnt_from_typeface
from vfnative.fonts.matching import (
    BOLD_THRESHOLD,
    LOCAL_BOLD_DELTA,
    fc_weight,
    match_local,
    match_weight,
    match_width,
)
from vfnative.fonts.packages import install_hint

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

# Names older callers and tests import from here.
_fontpkg_roots = fontpkg_roots
_sfnt_from_typeface = sfnt_from_typeface

log = logging.getLogger(__name__)


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
        fallback_families: Sequence[str] = (),
        document_families: Iterable[str] = (),
        system_fallback: bool = True,
    ) -> None:
        quiet_fontconfig()
        self._font_dirs = tuple(Path(d) for d in font_dirs)
        self._web_families: set[str] = set()
        """Family keys whose faces came from fetched web-font folders: matched as web fonts."""
        self._fallback_dirs = tuple(Path(d) for d in fallback_dirs)
        self._configured_fallbacks = tuple(fallback_families)
        self._document_families = frozenset(f.strip().casefold() for f in document_families)
        self._system = SystemFallback(local_fonts=local_fonts) if system_fallback else None
        self._fallback_order: list[str] = []
        self._fallback_cache: dict[tuple[object, ...], ResolvedFont | None] = {}
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._store = TypefaceStore(variation_mode=variation_mode, cache_dir=self._cache_dir)
        self._on_warning = on_warning
        self._include_installed = include_installed
        self._local_fonts = local_fonts
        self._apply_stretch_axis = (not local_fonts) if apply_stretch_axis is None else apply_stretch_axis
        self._apply_optical_size = (not local_fonts) if apply_optical_size is None else apply_optical_size
        self._lock = threading.RLock()
        self._families: dict[str, list[FontFace]] | None = None
        self._warned: set[str] = set()
        self._hb_faces: dict[tuple[Path, int], hb.Face] = {}
        self._resolved: dict[tuple[object, ...], ResolvedFont] = {}
        self._requests: dict[tuple[object, ...], ResolvedFont] = {}
        """resolve() arguments -> result: a text layer asks again every frame."""

    def __repr__(self) -> str:
        fams = "?" if self._families is None else str(len(self._families))
        return f"<FontRegistry families={fams} dirs={len(self._font_dirs)} mode={self._store.variation_mode}>"

    # -- discovery -------------------------------------------------------------------------

    def _scan(self) -> dict[str, list[FontFace]]:
        if self._families is not None:
            return self._families
        with self._lock:
            if self._families is not None:
                return self._families
            families: dict[str, list[FontFace]] = {}
            scan_file = ScanCache(self._cache_dir if self._cache_dir is not None else default_cache_dir())
            roots: list[Path] = list(self._font_dirs)
            web_roots = {d for d in self._font_dirs if is_web_font_dir(d)}
            if self._include_installed:
                roots += fontpkg_roots()
            seen_files: set[Path] = set()
            for root in roots:
                for path in iter_font_files(root):
                    rp = path.resolve()
                    if rp in seen_files:
                        continue
                    seen_files.add(rp)
                    for face, names in scan_file(rp):
                        for name in names | {face.family}:
                            lst = families.setdefault(name.casefold(), [])
                            if face not in lst:
                                lst.append(face)
                            if root in web_roots:
                                self._web_families.add(name.casefold())
            # Fallback fonts: their families join only where nothing above provides them.
            fallback_roots = list(self._fallback_dirs)
            if self._include_installed:
                fallback_roots += distribution_roots(FALLBACK_DISTRIBUTIONS)
            primary = set(families)
            order: list[str] = []
            for root in fallback_roots:
                for path in iter_font_files(root):
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
                self._warn(
                    f"font family {name!r} is not installed; using {DEFAULT_FAMILY} ({install_hint(name)})"
                )
            if not faces:
                raise FontError(f"font family {name!r} not found and the fallback {DEFAULT_FAMILY!r} "
                                "is not installed either (pip install fontpkg-noto-sans)")  # fmt: skip
        italic = style == "italic" or style == "oblique"
        local = self._local_fonts and name.casefold() not in self._web_families
        if local:
            pick = match_local(faces, weight, stretch, italic)
            face = pick.face
            synthetic_italic = italic and not face.italic
            synthetic_bold = weight > LOCAL_BOLD_DELTA + pick.weight
            variations = self._variations(face, weight, stretch, size, pick.variations or None)
        else:
            candidates = match_width(faces, stretch)
            styled = [f for f in candidates if f.italic == italic]
            synthetic_italic = False
            if not styled:
                styled = candidates
                synthetic_italic = italic and not any(f.italic for f in candidates)
            face = match_weight(styled, weight)
            synthetic_bold = weight >= BOLD_THRESHOLD and face.weight_range[1] < BOLD_THRESHOLD
            variations = self._variations(
                face, weight, stretch, size, web=True if self._local_fonts else None
            )
        key = (face, variations, synthetic_bold, synthetic_italic, fallback)
        with self._lock:
            resolved = self._resolved.get(key)
            if resolved is None:
                resolved = self._build(face, name, variations, synthetic_bold, synthetic_italic, fallback)
                self._resolved[key] = resolved
            self._requests[request] = resolved
            return resolved

    # -- per-character fallback ------------------------------------------------------------

    def _fallback_plan(self, primary: str) -> list[tuple[str, str]]:
        return fallback_chain(
            self._scan(),
            primary=primary,
            document_families=self._document_families,
            configured=self._configured_fallbacks,
            fallback_order=self._fallback_order,
        )

    def fallback_families(self, primary: str = DEFAULT_FAMILY) -> list[str]:
        """Installed families tried, in order, for a character the `primary` family cannot draw.

        The registry's part of the fixed chain of `vfnative.fonts.fallback` (Noto Sans, configured
        fallback families, CSS-stack families the document names, fallback fonts); the system
        fonts of the chain (`font_for_character`) come between and after them.
        """
        families = self._scan()
        return [families[k][0].family for kind, k in self._fallback_plan(primary) if kind == "family"]

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

        The chain of `vfnative.fonts.fallback`: registry families are resolved with the same
        weight/style/stretch (so they snap to named instances like the primary font), system
        families of the CSS stack through fontconfig, and last the system font fontconfig picks
        for the character, the way Chrome's system fallback ends. With `emoji`
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
        for kind, name in self._fallback_plan(primary.face.family):
            if kind == "family":
                cand: ResolvedFont | None = self.resolve(
                    name, weight=weight, style=style, stretch=stretch, size=size
                )
            elif self._system is not None:
                cand = self._system.family_font(name, weight=weight, style=style)
            else:
                continue
            if cand is not None and cand.covers(codepoint):
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
        """A system font that draws `codepoint` (fontconfig, through Skia's font manager), or None.

        Off with ``system_fallback=False`` (tests, reproducible renders).
        """
        if self._system is None:
            return None
        return self._system.font_for(codepoint, weight=weight, style=style, languages=languages)

    def _variations(self, face: FontFace, weight: float, stretch: float, size: float | None,
                    instance: tuple[tuple[str, float], ...] | None = None,
                    web: bool | None = None) -> tuple[tuple[str, float], ...]:  # fmt: skip
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
            if tag == "wdth" and (self._apply_stretch_axis if web is None else web):
                v = stretch
            elif tag == "opsz" and size is not None and (self._apply_optical_size if web is None else web):
                v = size
            elif tag in base:
                v = base[tag]
            elif tag == "wght":
                v = weight
            else:
                v = default
            wanted[tag] = min(max(v, lo), hi)
        return tuple(sorted(wanted.items()))

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
            return self._store.typeface_at(face, variations, glyphs)

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
