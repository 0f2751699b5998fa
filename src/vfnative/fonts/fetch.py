"""``--fetch-fonts``: download the Google Fonts families a document names into the font cache.

The reference loads every family a document names from the Google Fonts CSS API at render time
(spec 02 §6.4). This does the same, once per family and style set, under the caller's source
policy (`media.sources.SourceResolver`): nothing is fetched unless the policy allows the network,
private and loopback addresses are refused unless the policy admits them, and every request has
the policy's size cap and deadline. The stylesheet comes from ``<base_url>/css2?family=…``; each
``url(…)`` in it is fetched, checked (a real sfnt that fontTools can read and that names the
family, within `MAX_FONT_BYTES`), and kept under ``<cache>/<family-slug>/``, with a manifest of
the variants already there (`WEB_FONTS_MANIFEST`, which also marks the folder as web fonts for the
registry), so a later render, or a `--jobs` worker process, reads the cache instead.

Fetched families are *web fonts*: the registry matches them as Blink matches ``@font-face``
faces (CSS Fonts 4 weight matching, ``wght`` set to the requested weight, synthetic bold from
600), unlike fonts installed on the machine, which fontconfig matches to named instances.

Imports `media.sources`, `fonts.faces`, `fonts.packages`, `errors` and the standard library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path

from vfnative.errors import AssetError
from vfnative.fonts.discovery import WEB_FONTS_MANIFEST
from vfnative.fonts.faces import scan_file
from vfnative.fonts.packages import package_for_family
from vfnative.media.sources import SourceResolver

__all__ = ["GOOGLE_FONTS_URL", "MAX_FONT_BYTES", "FetchedFamily", "css2_url", "fetch_family"]

log = logging.getLogger(__name__)

GOOGLE_FONTS_URL = "https://fonts.googleapis.com"
"""Default base URL of the CSS API (``/css2`` is appended); configurable for mirrors and tests."""
MAX_FONT_BYTES = 32 * 2**20
"""Largest font file kept (CJK families are the largest, ~20 MB as TTF)."""

_URL_IN_CSS = re.compile(r"url\(\s*(['\"]?)([^'\")\s]+)\1\s*\)")
_SFNT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


def _variants(weights: Iterable[float], styles: Iterable[str]) -> list[tuple[int, int]]:
    """(ital, wght) pairs, sorted as the css2 API wants them (ital first, then weight)."""
    ws = sorted({min(max(round(w), 1), 1000) for w in weights}) or [400]
    its = sorted({1 if s == "italic" else 0 for s in styles}) or [0]
    return [(i, w) for i in its for w in ws]


def css2_url(base_url: str, family: str, variants: Sequence[tuple[int, int]] | None = None) -> str:
    """``<base>/css2?family=Name+With+Pluses[:ital,wght@0,400;1,700]``."""
    name = urllib.parse.quote_plus(family.strip())
    spec = ""
    if variants:
        spec = ":ital,wght@" + ";".join(f"{i},{w}" for i, w in variants)
    return f"{base_url.rstrip('/')}/css2?family={name}{spec}"


class FetchedFamily:
    """A family's folder in the font cache: its files and the variants requested so far."""

    def __init__(self, cache_dir: Path, family: str) -> None:
        self.family = family
        self.folder = cache_dir / package_for_family(family).removeprefix("fontpkg-")
        self._manifest = self.folder / WEB_FONTS_MANIFEST

    def variants(self) -> set[tuple[int, int]]:
        """Variants whose files are already in the folder (empty when nothing is cached)."""
        try:
            data = json.loads(self._manifest.read_text(encoding="utf-8"))
            out = {(int(i), int(w)) for i, w in data.get("variants", ())}
        except (OSError, ValueError, TypeError):
            return set()
        files = data.get("files", ())
        if not files or not all((self.folder / str(f)).is_file() for f in files):
            return set()
        return out

    def record(self, variants: Iterable[tuple[int, int]], files: Iterable[str]) -> None:
        """Add variants and files to the manifest (written atomically)."""
        try:
            data = json.loads(self._manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        merged_v = {tuple(v) for v in data.get("variants", ())} | set(variants)
        merged_f = sorted(set(data.get("files", ())) | set(files))
        payload = {"family": self.family, "variants": sorted(merged_v), "files": merged_f}
        _write_atomic(self._manifest, json.dumps(payload).encode("utf-8"))


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_font(raw: bytes, family: str, url: str) -> None:
    """A real font for this family, or AssetError: the cache never holds anything else."""
    if len(raw) > MAX_FONT_BYTES:
        raise AssetError(f"font {url}: {len(raw)} bytes is over the {MAX_FONT_BYTES}-byte cap", source=url)
    if raw[:4] not in _SFNT_MAGIC:
        raise AssetError(f"font {url}: not an sfnt font file (TrueType/OpenType)", source=url)
    with tempfile.NamedTemporaryFile(suffix=".ttf") as tmp:
        tmp.write(raw)
        tmp.flush()
        found = list(scan_file(Path(tmp.name)))
    if not found:
        raise AssetError(f"font {url}: unreadable font tables", source=url)
    names = {n.casefold() for _face, ns in found for n in ns | {_face.family}}
    if family.strip().casefold() not in names:
        raise AssetError(
            f"font {url}: the file is the family {found[0][0].family!r}, not {family!r}", source=url
        )


def fetch_family(
    resolver: SourceResolver,
    family: str,
    *,
    weights: Iterable[float],
    styles: Iterable[str],
    cache_dir: Path,
    base_url: str = GOOGLE_FONTS_URL,
) -> Path:
    """The cache folder holding `family` for these weights and styles, fetching what is missing.

    Asks for exactly the requested (ital, wght) variants first; a family without some of them
    (a static display face with one weight, no italics) answers that with an error, so the
    family's default stylesheet is asked next. Raises `AssetError` when neither works.
    """
    entry = FetchedFamily(cache_dir, family)
    wanted = set(_variants(weights, styles))
    if wanted <= entry.variants():
        return entry.folder
    errors: list[str] = []
    for variants in (sorted(wanted), None):
        try:
            css_path = resolver.resolve(css2_url(base_url, family, variants))
            css = css_path.read_text(encoding="utf-8", errors="replace")
        except AssetError as exc:
            errors.append(str(exc))
            continue
        urls = list(dict.fromkeys(m.group(2) for m in _URL_IN_CSS.finditer(css)))
        if not urls:
            errors.append(f"{family!r}: the stylesheet names no font files")
            continue
        files: list[str] = []
        for url in urls:
            raw = resolver.resolve(url).read_bytes()
            _check_font(raw, family, url)
            name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + ".ttf"
            _write_atomic(entry.folder / name, raw)
            files.append(name)
        entry.record(wanted, files)
        log.info("fetched font family %r: %d file(s) into %s", family, len(files), entry.folder)
        return entry.folder
    raise AssetError(f"font family {family!r} could not be fetched: {'; '.join(errors)}", source=family)
