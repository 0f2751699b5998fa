"""The api room's modules import one way: no circle among them, lazy (in-function) imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import vfnative.api

API = Path(vfnative.api.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every vfnative.api module `path` imports anywhere in its body (TYPE_CHECKING blocks aside)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vfnative.api."):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("vfnative.api."))
    return out


def test_api_modules_import_without_a_circle() -> None:
    graph = {f"vfnative.api.{p.stem}": _imports(p) for p in API.glob("*.py") if p.stem != "__init__"}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(mod: str, path: list[str]) -> None:
        if state.get(mod) == 2:
            return
        assert state.get(mod) != 1, "import circle: " + " -> ".join([*path, mod])
        state[mod] = 1
        for dep in sorted(graph.get(mod, ())):
            visit(dep, [*path, mod])
        state[mod] = 2

    for mod in sorted(graph):
        visit(mod, [])
