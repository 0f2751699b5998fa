"""`vfnative fonts check | install DOC`: which fonts a document needs, what provides them, and pip.

`check` lists every (family, style, weights) the document's text uses (captions and group children
included) and what resolves each one: a ``fontpkg-*`` package, a font folder, fetched web fonts, or
the Noto Sans fallback. It exits 1 and prints the exact ``pip install`` line when any family is
missing. `install` runs that line with this interpreter's pip (extra pip arguments pass through
with ``--pip-arg``), then checks again. Imports `api` (through `vfnative`), `fonts` and rich.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vfnative

if TYPE_CHECKING:
    from vfnative.cli.main import Context

__all__ = ["add_commands"]

EXIT_MISSING = 1


@dataclass(frozen=True)
class _Row:
    family: str
    style: str
    weights: tuple[float, ...]
    animated: bool
    provider: str
    """"fontpkg-inter", "folder /path", "fetched", or "missing"."""
    drawn_with: str
    package: str | None
    """The fontpkg distribution that would provide a missing family (None when none is known)."""

    @property
    def missing(self) -> bool:
        return self.provider == "missing"


def _provider(face_path: Path, packages: list[tuple[str, Path]], font_dirs: tuple[Path, ...]) -> str:
    from vfnative.fonts.discovery import is_web_font_dir

    path = face_path.resolve()
    for name, folder in packages:
        if path.is_relative_to(folder):
            return name
    for folder in font_dirs:
        if path.is_relative_to(folder.resolve()):
            return "fetched" if is_web_font_dir(folder) else f"folder {folder}"
    return f"file {face_path}"


def _rows(ctx: Context) -> list[_Row]:
    from vfnative.fonts.discovery import fontpkg_packages
    from vfnative.fonts.packages import is_known_family, package_for_family
    from vfnative.fonts.registry import FontRegistry
    from vfnative.fonts.requirements import font_requirements

    a = ctx.args
    doc = vfnative.load(a.document, base_dir=a.base_dir)
    font_dirs = tuple(Path(d) for d in ctx.font_dirs())
    registry = FontRegistry(font_dirs=font_dirs, system_fallback=False)
    packages = fontpkg_packages()
    rows: list[_Row] = []
    quiet = logging.getLogger("vfnative.fonts")  # the table says what the fallback warnings would
    level, quiet.level = quiet.level, logging.ERROR
    try:
        fonts = [(req, registry.resolve(req.family, weight=req.weights[0], style=req.style))
                 for req in font_requirements(doc)]  # fmt: skip
    finally:
        quiet.setLevel(level)
    for req, font in fonts:
        if font.fallback:
            package = package_for_family(req.family) if is_known_family(req.family) else None
            provider, drawn = "missing", f"{font.face.family} (fallback)"
        else:
            package = None
            provider, drawn = _provider(font.face.path, packages, font_dirs), font.face.path.name
        rows.append(_Row(req.family, req.style, req.weights, req.animated, provider, drawn, package))
    return rows


def _weights(row: _Row) -> str:
    text = ", ".join(f"{w:g}" for w in row.weights)
    return f"{text} (animated)" if row.animated else text


def _pip_line(rows: list[_Row]) -> str | None:
    packages = sorted({r.package for r in rows if r.missing and r.package})
    return f"pip install {' '.join(packages)}" if packages else None


def cmd_fonts_check(ctx: Context) -> int:
    rows = _rows(ctx)
    missing = [r for r in rows if r.missing]
    if ctx.args.json:
        out: dict[str, Any] = {
            "fonts": [
                {
                    "family": r.family,
                    "style": r.style,
                    "weights": list(r.weights),
                    "animated": r.animated,
                    "provider": r.provider,
                    "drawn_with": r.drawn_with,
                    "package": r.package,
                }
                for r in rows
            ],  # fmt: skip
            "missing": [r.family for r in missing],
            "pip": _pip_line(rows),
        }
        ctx.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_MISSING if missing else 0
    width = max((len(r.family) for r in rows), default=6)
    for r in rows:
        where = r.provider if not r.missing else f"MISSING, drawn with {r.drawn_with}"
        ctx.stdout.write(f"{r.family:<{width}}  {r.style:<6}  {_weights(r):<24}  {where}\n")
    if missing:
        line = _pip_line(rows)
        if line:
            ctx.stdout.write(f"\nMissing font packages; install them with:\n  {line}\n")
        unknown = [r.family for r in missing if not r.package]
        if unknown:
            names = ", ".join(sorted(set(unknown)))
            ctx.stdout.write(
                f"\nNo fontpkg package is known for: {names}. Add their files with --font-dir, "
                "or render with --fetch-fonts --allow-network.\n"
            )
        return EXIT_MISSING
    return 0


def cmd_fonts_install(ctx: Context) -> int:
    rows = _rows(ctx)
    packages = sorted({r.package for r in rows if r.missing and r.package})
    if packages:
        cmd = [sys.executable, "-m", "pip", "install", *(ctx.args.pip_arg or ()), *packages]
        if not ctx.args.quiet:
            ctx.console.print("+ " + " ".join(cmd), markup=False, highlight=False)
        done = subprocess.run(cmd, check=False, stdout=sys.stderr)
        if done.returncode != 0:
            ctx.console.print(f"vfnative fonts install: pip exited with {done.returncode}", highlight=False)
            return EXIT_MISSING
        importlib.invalidate_caches()  # the new distributions must be visible to this process
    elif not ctx.args.quiet:
        ctx.console.print("Nothing to install.", highlight=False)
    return cmd_fonts_check(ctx)


def add_commands(sub: Any, *, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `fonts check` and `fonts install` to the CLI's subparsers."""
    fonts = sub.add_parser("fonts", help="list the fonts a document needs; install the missing packages")
    fsub = fonts.add_subparsers(dest="fonts_command", required=True, metavar="ACTION")
    for name, func, text in (
        ("check", cmd_fonts_check, "list each font the document uses and what provides it (exit 1: missing)"),
        ("install", cmd_fonts_install, "pip install the fontpkg packages of the missing families"),
    ):
        p = fsub.add_parser(name, help=text)
        p.add_argument("document", help="VideoJSON file (or - for stdin)")
        p.add_argument("--base-dir", help="folder relative paths resolve against (default: the document's)")
        p.add_argument("--font-dir", action="append", metavar="DIR", help="extra font folder (repeatable)")
        p.add_argument("--json", action="store_true", help="print JSON")
        if name == "install":
            p.add_argument(
                "--pip-arg", action="append", metavar="ARG", help="extra pip argument (repeatable)"
            )
        common(p)
        p.set_defaults(func=func)
