"""The farm's CLI module never imports the CLI's main module (which imports it): no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import vfnative.worker

WORKER = Path(vfnative.worker.__file__).parent


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_worker_module_imports_the_cli_main_module() -> None:
    for path in sorted(WORKER.glob("*.py")):
        assert not {
            m for m in _imported(path) if m == "vfnative.cli.main" or m.startswith("vfnative.cli.main.")
        }, path


def test_the_cli_main_module_imports_the_farm_commands() -> None:
    main = Path(vfnative.worker.__file__).parents[1] / "cli" / "main.py"
    assert "vfnative.worker.cli" in _imported(main)  # so the check above is the whole circle
