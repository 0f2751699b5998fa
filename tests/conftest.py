"""Project-wide pytest options: `--show-diff` writes golden diff PNGs into the test's tmp_path."""

from __future__ import annotations

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
