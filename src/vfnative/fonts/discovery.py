"""Where fonts are: scanning font folders and installed font distributions into faces.

Owns the on-disk scan cache (``fontscan-v1.json``), the discovery of installed ``fontpkg-*``
distributions (which distribution provides which folder, for `vfnative fonts check`), and the
fallback-only distributions. Imports `fonts.faces` and the standard library only.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vfnative.fonts.faces import FONT_SUFFIXES, FontFace, scan_file

__all__ = [
    "FALLBACK_DISTRIBUTIONS",
    "ScanCache",
    "default_cache_dir",
    "distribution_roots",
    "fontpkg_distributions",
    "fontpkg_packages",
    "fontpkg_roots",
    "is_web_font_dir",
    "iter_font_files",
]

log = logging.getLogger(__name__)

WEB_FONTS_MANIFEST = "vfnative-web-fonts.json"
"""The file that marks a folder of fetched web fonts (`fonts.fetch`): its families are matched as
web fonts (CSS Fonts 4), not as fonts installed on the machine (fontconfig)."""

_ENTRY_POINT_GROUP = "fontpkg.family"


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/vfnative` (or `~/.cache/vfnative`); the caller may pass any other dir."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vfnative"


class ScanCache:
    """`scan_file` results kept on disk (``fontscan-v1.json`` in the cache dir), keyed by path, size
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
            return list(scan_file(path))
        key = f"{path}|{st.st_size}|{st.st_mtime_ns}"
        cached = self.entries.get(key)
        if isinstance(cached, list):
            try:
                return [(_face_from_json(path, item[0]), set(item[1])) for item in cached]
            except (TypeError, ValueError, IndexError, KeyError):
                pass
        found = list(scan_file(path))
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


def iter_font_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        if root.suffix.lower() in FONT_SUFFIXES:
            yield root
        return
    if not root.is_dir():
        return
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            p = Path(dirpath) / name
            if p.suffix.lower() in FONT_SUFFIXES:
                yield p


FALLBACK_DISTRIBUTIONS = ("manimgx-fonts", "manimgx-fonts-cjk")
"""Font distributions (not fontpkg-*) used for per-character fallback when installed.

``manimgx-fonts`` (OFL, 3.5 MB): Noto Emoji (monochrome), Noto Sans Symbols and Noto Sans for
Arabic, Hebrew, Devanagari, Thai, Georgian, Armenian, Ethiopic and other scripts;
``manimgx-fonts-cjk``: Noto Sans CJK. Their families join the registry only when no font dir
or fontpkg distribution already provides that family (their "Noto Sans" never shadows
fontpkg-noto-sans, whose instances the goldens were measured with).
"""


def distribution_roots(names: Iterable[str]) -> list[Path]:
    """Directories holding the font files of the named installed distributions, in that order."""
    roots: list[Path] = []
    for name in names:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            if Path(str(f)).suffix.lower() in FONT_SUFFIXES:
                top = Path(str(dist.locate_file(f))).parent
                if top not in roots:
                    roots.append(top)
    return roots


def fontpkg_distributions() -> list[importlib.metadata.Distribution]:
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


def fontpkg_roots() -> list[Path]:
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
    for dist in fontpkg_distributions():
        for f in dist.files or ():
            if Path(str(f)).suffix.lower() in FONT_SUFFIXES:
                located = Path(str(dist.locate_file(f)))
                top = located.parent
                if str(top) not in seen:
                    seen.add(str(top))
                    roots.append(top)
    return roots


def fontpkg_packages() -> list[tuple[str, Path]]:
    """(distribution name, folder) for every installed ``fontpkg-*`` distribution's font folders.

    What `vfnative fonts check` reports as the source of a face: the distribution whose folder
    holds the face's file. Names are as the distribution's metadata spells them.
    """
    out: list[tuple[str, Path]] = []
    for dist in fontpkg_distributions():
        name = dist.metadata["Name"] or ""
        for f in dist.files or ():
            if Path(str(f)).suffix.lower() in FONT_SUFFIXES:
                top = Path(str(dist.locate_file(f))).parent.resolve()
                if (name, top) not in out:
                    out.append((name, top))
    return out


def is_web_font_dir(folder: Path) -> bool:
    """True for a folder `fonts.fetch` filled: it holds the web-fonts manifest."""
    return (Path(folder) / WEB_FONTS_MANIFEST).is_file()
