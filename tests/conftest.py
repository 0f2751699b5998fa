"""Project-wide pytest options (`--show-diff` writes golden diff PNGs into the test's tmp_path) and
fixtures shared across test packages."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vfnative golden parity")
    group.addoption(
        "--show-diff",
        action="store_true",
        default=False,
        help="write ours/golden/diff PNGs of every compared golden frame into the test's tmp_path",
    )


@pytest.fixture
def show_diff(request: pytest.FixtureRequest) -> bool:
    """True when `--show-diff` was given."""
    return bool(request.config.getoption("--show-diff"))


@pytest.fixture
def muxer_threads() -> Callable[[], list[str]]:
    """A function naming the live Muxer threads (converter, encoder): [] once every Muxer is closed."""

    def names() -> list[str]:
        prefixes = ("vfnative-convert", "vfnative-encode")
        return [t.name for t in threading.enumerate() if t.name.startswith(prefixes)]

    return names
