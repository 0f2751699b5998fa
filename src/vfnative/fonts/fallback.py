"""Per-character fallback: which fonts may draw a character the requested family lacks, in what order.

The chain is fixed, documented, and independent of which unrelated font packages happen to be
installed, so two workers with different ``fontpkg-*`` sets draw the same pixels:

1. Noto Sans, the first fallback of the reference's CSS stack (``"<name>", "Noto Sans", Roboto,
   Verdana, Helvetica, sans-serif``);
2. the stack's other named families (Roboto, Verdana, Helvetica) **only when the document itself
   names them** (the reference loads only the families a document names, so only those are in the
   page), then the families configured as fallbacks (``FontRegistry(fallback_families=...)``);
3. the fallback fonts: ``fallback_dirs`` and the `FALLBACK_DISTRIBUTIONS` (Noto Emoji, Symbols,
   scripts, CJK), in scan order;
4. the system fonts, through Skia's font manager (fontconfig), as Chrome's own system fallback ends.

Installed ``fontpkg-*`` families and families from font folders serve the documents that name them;
they are never fallbacks unless configured. Imports skia, uharfbuzz, `fonts.faces`,
`fonts.matching` and `fonts.instancing`.
"""

from __future__ import annotations

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

__all__ = ["CSS_STACK", "SystemFallback", "fallback_chain", "quiet_fontconfig"]

CSS_STACK = ("Noto Sans", "Roboto", "Verdana", "Helvetica")
"""The named families of the reference's CSS font stack, after the requested family."""


def fallback_chain(
    families: Mapping[str, Sequence[FontFace]],
    *,
    primary: str,
    document_families: Iterable[str] = (),
    configured: Iterable[str] = (),
    fallback_order: Iterable[str] = (),
) -> list[str]:
    """Family keys (casefolded) to try, in order, for a character `primary` cannot draw.

    `families` is the registry's casefolded family → faces map; names it does not hold are
    skipped. `document_families` are the families the document names (casefolded or not).
    """
    skip = {primary.strip().casefold()}
    named = {f.strip().casefold() for f in document_families}
    out: list[str] = []

    def add(key: str) -> None:
        if key in families and key not in skip and key not in out:
            out.append(key)

    add(DEFAULT_FAMILY.casefold())
    for name in CSS_STACK[1:]:
        if name.casefold() in named:
            add(name.casefold())
    for name in configured:
        add(name.strip().casefold())
    for key in fallback_order:
        add(key)
    return out


class SystemFallback:
    """System fonts that draw a character (Skia `FontMgr.matchFamilyStyleCharacter`), built once each.

    The typeface's tables are reassembled into an sfnt for HarfBuzz (skia-python exposes no file).
    """

    def __init__(self, *, local_fonts: bool = True) -> None:
        self._local_fonts = local_fonts
        self._font_mgr: skia.FontMgr | None = None
        self._fonts: dict[tuple[str, int, int, int], ResolvedFont] = {}
        self._lock = threading.Lock()

    def font_for(
        self,
        codepoint: int,
        *,
        weight: float = 400.0,
        style: FontStyle | str = "normal",
        languages: Sequence[str] = ("und",),
    ) -> ResolvedFont | None:
        """The system font fontconfig picks for `codepoint` at this weight and style, or None."""
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
            hit = self._fonts.get(k)
            if hit is None:
                hit = self._from_typeface(tf, weight, italic)
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
