"""Typefaces at a variation position: loading font files into Skia, and static instances.

Owns `TypefaceStore` (file data, base typefaces and the fontTools instances of variable faces,
cached in memory and on disk; see the package docstring for why instances are built with
fontTools rather than `makeClone`) and `sfnt_from_typeface` (a system typeface's tables packed
into a file HarfBuzz can read). Imports skia, fontTools, `fonts.faces` and `fonts.discovery`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import struct
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import skia
from fontTools.ttLib import TTFont

from vfnative.errors import FontError
from vfnative.fonts.discovery import default_cache_dir
from vfnative.fonts.faces import FontFace, VariationMode

__all__ = ["TypefaceStore", "sfnt_from_typeface"]

log = logging.getLogger(__name__)

_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "STAT", "morx", "kerx", "feat")
_HINTING_REFERENCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SCRIPT_REFERENCE_CHARS = (
    "".join(map(chr, range(0x0391, 0x03CA))),  # Greek capitals and small letters
    "".join(map(chr, range(0x0410, 0x0450))),  # Cyrillic А..я
    "".join(map(chr, range(0x05D0, 0x05EB))),  # Hebrew letters
    "".join(map(chr, range(0x0620, 0x064B))),  # Arabic letters and tatweel
)
"""Letters of other scripts that a subset instance keeps once it draws any of them: FreeType's
autohinter measures blue zones and standard stems per script on that script's letters, so a subset
without them hints Greek, Cyrillic, Hebrew or Arabic text unlike the full font Chromium draws with
(fonts-scripts golden: 38.7 dB without them, 45.9 dB with). Kept only for scripts a text uses: an
instance of Noto Sans with all of them takes 3.7x as long to build."""


def sfnt_from_typeface(tf: skia.Typeface) -> bytes:
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


def _tag(tag: str) -> int:
    """A four-character OpenType tag as the integer Skia wants."""
    return int.from_bytes(tag.encode("ascii"), "big")


class TypefaceStore:
    """Skia typefaces for faces at variation positions, each built once. Thread-safe.

    One store per `FontRegistry`: the file data and base typeface of each face are loaded once,
    and each (face, variations, glyph set) instance is built once (and kept on disk, best effort).
    """

    def __init__(self, *, variation_mode: VariationMode = "instance",
                 cache_dir: Path | None = None) -> None:  # fmt: skip
        self.variation_mode: VariationMode = variation_mode
        self._cache_dir = cache_dir
        self._lock = threading.RLock()
        self._file_data: dict[Path, skia.Data] = {}
        self._typefaces: dict[tuple[Path, int], skia.Typeface] = {}
        self._instances: dict[tuple[Path, int, tuple[tuple[str, float], ...], frozenset[int] | None],
                              skia.Typeface] = {}  # fmt: skip
        self._glyph_sets: dict[tuple[Path, int, tuple[tuple[str, float], ...]], frozenset[int]] = {}
        self._ref_glyphs: dict[tuple[Path, int], tuple[frozenset[int], tuple[frozenset[int], ...]]] = {}

    def data(self, path: Path) -> skia.Data:
        data = self._file_data.get(path)
        if data is None:
            data = skia.Data.MakeFromFileName(str(path))
            if data is None:
                raise FontError(f"cannot read font file; got {path}", source=str(path))
            self._file_data[path] = data
        return data

    def base_typeface(self, face: FontFace) -> skia.Typeface:
        k = (face.path, face.index)
        tf = self._typefaces.get(k)
        if tf is None:
            tf = skia.Typeface.MakeFromData(self.data(face.path), face.index)
            if tf is None:
                raise FontError(f"Skia cannot load font; got {face.path}", source=str(face.path))
            self._typefaces[k] = tf
        return tf

    def typeface_at(self, face: FontFace, variations: tuple[tuple[str, float], ...],
                     glyphs: Iterable[int] | None) -> skia.Typeface:  # fmt: skip
        base = self.base_typeface(face)
        if not variations:
            return base
        if self.variation_mode == "clone":
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
                want = (have or self._reference_glyphs(face)[0]) | need
                blocks = self._reference_glyphs(face)[1]
                if any(need & block for block in blocks):  # another script: keep every script's letters
                    want = want.union(*blocks)
            tf = self._instances.get((face.path, face.index, variations, want))
            if tf is None:
                tf = self._instanced_typeface(face, variations, want)
                self._instances[(face.path, face.index, variations, want)] = tf
            if want is not None:
                self._glyph_sets[fam_key] = want
            return tf

    def _reference_glyphs(self, face: FontFace) -> tuple[frozenset[int], tuple[frozenset[int], ...]]:
        """Glyphs FreeType's autohinter measures blue zones and stems on: ASCII letters and digits
        (every subset keeps them), and per other script its letters (kept once that script is drawn).

        A subset without them hints differently (measured: up to 34/255 per pixel at 115 px).
        """
        k = (face.path, face.index)
        hit = self._ref_glyphs.get(k)
        if hit is None:
            font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
            try:
                cmap = font.getBestCmap() or {}

                def gids(chars: str) -> frozenset[int]:
                    return frozenset(font.getGlyphID(cmap[ord(c)]) for c in chars if ord(c) in cmap)

                hit = (
                    gids(_HINTING_REFERENCE_CHARS) | {0},
                    tuple(gids(chars) for chars in _SCRIPT_REFERENCE_CHARS),
                )
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
