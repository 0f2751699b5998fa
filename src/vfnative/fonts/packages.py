"""Which ``fontpkg-*`` distribution ships a family, and the hint that tells a user how to get it.

Font families are published on PyPI as ``fontpkg-<family>`` distributions (OFL fonts packaged as
wheels); the name is the family in lower case with every run of other characters turned into
``-`` (``Playfair Display`` → ``fontpkg-playfair-display``). `fontpkg-families.txt` beside this
module lists the families known to have one, so a hint can say "pip install" with confidence and
say so plainly when none is known. Imports the standard library only.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

__all__ = ["install_hint", "is_known_family", "package_for_family"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def package_for_family(family: str) -> str:
    """The distribution name a family would be published under: ``fontpkg-montserrat``."""
    slug = _NON_ALNUM.sub("-", family.strip().strip("\"'").lower()).strip("-")
    return f"fontpkg-{slug}"


@functools.cache
def _known() -> frozenset[str]:
    text = resources.files(__package__).joinpath("fontpkg-families.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_known_family(family: str) -> bool:
    """True when a ``fontpkg-*`` distribution is known to exist for `family` (case-insensitive)."""
    return family.strip().strip("\"'").casefold() in _known()


def install_hint(family: str) -> str:
    """What to run to get `family`: the pip line when a package is known, else the other ways."""
    if is_known_family(family):
        return f"pip install {package_for_family(family)}"
    return "no fontpkg package is known for it: add its files with --font-dir, or render with --fetch-fonts"
