"""Per-character fallback: which fonts may draw a character the requested family lacks, in what order.

The chain is fixed, documented, and independent of which unrelated font packages happen to be
installed, so two workers with different ``fontpkg-*`` sets draw the same pixels. It follows what
Chromium does with the reference's CSS stack (``"<name>", "Noto Sans", Roboto, Verdana, Helvetica,
sans-serif``) on the same machine:

1. Noto Sans;
2. families configured as fallbacks (``FontRegistry(fallback_families=...)``);
3. the stack's Roboto, Verdana and Helvetica, then the generic ``sans-serif``, which Chromium on
   Linux resolves to its default sans-serif font, Arial (`SYSTEM_STACK`). Each is an installed
   family **only when the document itself names it** (the reference loads only the families a
   document names), else a system font of that name through fontconfig (metric aliases count:
   Arial is Liberation Sans on Debian);
4. the fallback fonts: ``fallback_dirs`` and the `FALLBACK_DISTRIBUTIONS` (Noto Emoji, Symbols,
   scripts, CJK), in scan order;
5. the system font fontconfig picks for the character (`SystemFallback.font_for`), asked at normal
   weight and then adjusted as Blink adjusts it (crbug.com/32109): a regular fallback face asked
   for weight >= 600 is drawn with synthetic bold, a bold one asked for less is drawn bold.

Installed ``fontpkg-*`` families and families from font folders serve the documents that name
them; they are never fallbacks unless configured. Imports skia, uharfbuzz, `fonts.faces`,
`fonts.matching` and `fonts.instancing`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import skia
import uharfbuzz as hb

from vfnative.fonts.faces import DEFAULT_FAMILY, FontFace, FontStyle, ResolvedFont
from vfnative.fonts.instancing import sfnt_from_typeface
from vfnative.fonts.matching import LOCAL_BOLD_DELTA

__all__ = ["SYSTEM_STACK", "SystemFallback", "fallback_chain", "quiet_fontconfig"]

SYSTEM_STACK = ("Roboto", "Verdana", "Helvetica", "Arial")
"""The reference's CSS stack after Noto Sans, with `sans-serif` as the family Chromium on Linux
gives it by default (Arial): tried as system fonts unless the document names them."""
_BOLD_THRESHOLD = 600.0
"""Blink's `BoldThreshold()`: a fallback face that is not bold gets synthetic bold from here."""


def fallback_chain(
    families: Mapping[str, Sequence[FontFace]],
    *,
    primary: str,
    document_families: Iterable[str] = (),
    configured: Iterable[str] = (),
    fallback_order: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """The chain for a character `primary` cannot draw, as ``("family", key)`` entries (a casefolded
    family of the registry's `families`) and ``("system", name)`` entries (a system font to ask
    fontconfig for), in the order of the module docstring; the per-character system font comes last
    and is not listed."""
    skip = {primary.strip().casefold()}
    named = {f.strip().casefold() for f in document_families}
    out: list[tuple[str, str]] = []

    def add(kind: str, key: str) -> None:
        if (kind == "system" or key in families) and key not in skip and (kind, key) not in out:
            out.append((kind, key))

    add("family", DEFAULT_FAMILY.casefold())
    for name in configured:
        add("family", name.strip().casefold())
    for name in SYSTEM_STACK:
        key = name.casefold()
        add("family" if key in named and key in families else "system", key if key in named else name)
    for key in fallback_order:
        add("family", key)
    return out


def _skia_style(weight: float, italic: bool) -> skia.FontStyle:
    slant = skia.FontStyle.kItalic_Slant if italic else skia.FontStyle.kUpright_Slant
    return skia.FontStyle(int(weight), skia.FontStyle.kNormal_Width, slant)


class SystemFallback:
    """System fonts that draw a character (Skia `FontMgr.matchFamilyStyleCharacter`), built once each.

    The typeface's tables are reassembled into an sfnt for HarfBuzz (skia-python exposes no file).
    """

    def __init__(self, *, local_fonts: bool = True) -> None:
        self._local_fonts = local_fonts
        self._font_mgr: skia.FontMgr | None = None
        self._fonts: dict[tuple[object, ...], ResolvedFont] = {}
        self._lock = threading.Lock()

    def _mgr(self) -> skia.FontMgr:
        if self._font_mgr is None:
            self._font_mgr = skia.FontMgr()
        return self._font_mgr

    def family_font(self, family: str, *, weight: float = 400.0,
                    style: FontStyle | str = "normal") -> ResolvedFont | None:  # fmt: skip
        """The system font fontconfig matches for a family name (aliases included), or None."""
        italic = style in ("italic", "oblique")
        tf = self._mgr().matchFamilyStyle(family, _skia_style(weight, italic))
        if tf is None:
            return None
        return self._cached(tf, weight, italic)

    def font_for(
        self,
        codepoint: int,
        *,
        weight: float = 400.0,
        style: FontStyle | str = "normal",
        languages: Sequence[str] = ("und",),
    ) -> ResolvedFont | None:
        """The system font fontconfig picks for `codepoint`, at the weight and slant Blink draws it with.

        Blink asks fontconfig for the character alone, then keeps the requested weight and style
        only where the face can give them (crbug.com/32109): a regular face asked for >= 600 is
        drawn regular with synthetic bold, a bold face asked for less is drawn bold; the same for
        italic.
        """
        italic = style in ("italic", "oblique")
        tf = self._mgr().matchFamilyStyleCharacter(
            "", _skia_style(400.0, False), list(languages), int(codepoint)
        )
        if tf is None or not tf.unicharToGlyph(int(codepoint)):
            return None
        found_bold = tf.fontStyle().weight() >= _BOLD_THRESHOLD
        found_italic = bool(tf.isItalic())
        fake_bold = not found_bold and weight >= _BOLD_THRESHOLD
        fake_italic = italic and not found_italic
        want_weight = 700.0 if found_bold and weight < _BOLD_THRESHOLD else (400.0 if fake_bold else weight)
        face = self._mgr().matchFamilyStyle(
            tf.getFamilyName(), _skia_style(want_weight, italic and found_italic)
        )
        if face is None or not face.unicharToGlyph(int(codepoint)):
            face = tf
        return self._cached(face, want_weight, italic, synthetic_bold=fake_bold, synthetic_italic=fake_italic)

    def _cached(self, tf: skia.Typeface, weight: float, italic: bool, *, synthetic_bold: bool | None = None,
                synthetic_italic: bool | None = None) -> ResolvedFont:  # fmt: skip
        tstyle = tf.fontStyle()
        k = (tf.getFamilyName(), int(tstyle.weight()), int(tstyle.width()), int(tstyle.slant()),
             round(weight), italic, synthetic_bold, synthetic_italic)  # fmt: skip
        with self._lock:
            hit = self._fonts.get(k)
            if hit is None:
                hit = self._from_typeface(tf, weight, italic)
                if synthetic_bold is not None or synthetic_italic is not None:
                    hit = dataclasses.replace(
                        hit,
                        synthetic_bold=hit.synthetic_bold if synthetic_bold is None else synthetic_bold,
                        synthetic_italic=hit.synthetic_italic
                        if synthetic_italic is None
                        else synthetic_italic,
                    )
                self._fonts[k] = hit
        return hit

    def _from_typeface(self, tf: skia.Typeface, weight: float, italic: bool) -> ResolvedFont:
        raw = sfnt_from_typeface(tf)
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
            synthetic_bold=self._local_fonts and weight > LOCAL_BOLD_DELTA + tw,
            synthetic_italic=italic and not tf.isItalic(),
            fallback=True,
        )


_FONTCONFIG_NOISE = (b"Fontconfig warning:", b"Fontconfig error:")
_fontconfig_lock = threading.Lock()
_fontconfig_ready = False


def quiet_fontconfig() -> None:
    """Initialise Skia's fontconfig once, keeping its configuration warnings off stderr.

    skia-python links its own fontconfig, older than Debian's configuration: parsing
    `/etc/fonts` it prints `Fontconfig warning: ... unknown element "reset-dirs"` straight to file
    descriptor 2, once per process, when the default font manager is first used. vfnative draws
    with its own fonts and reaches system fonts only as a last fallback, so the message is noise
    to a user. File descriptor 2 points at a temporary file while the font manager is created;
    anything else written meanwhile is passed on to stderr afterwards.
    """
    global _fontconfig_ready
    with _fontconfig_lock:
        if _fontconfig_ready:
            return
        _fontconfig_ready = True
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2: nothing to protect
            skia.FontMgr.RefDefault().countFamilies()
            return
        try:
            with tempfile.TemporaryFile() as captured:
                os.dup2(captured.fileno(), 2)
                try:
                    skia.FontMgr.RefDefault().countFamilies()
                finally:
                    os.dup2(saved, 2)
                captured.seek(0)
                kept = [
                    line for line in captured.read().splitlines(keepends=True)
                    if not line.startswith(_FONTCONFIG_NOISE)
                ]  # fmt: skip
            if kept:
                os.write(2, b"".join(kept))
        finally:
            os.close(saved)
