"""Helpers for the flow tests: load a fixtures/builder script, normalise layer ids."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILDER_DIR = ROOT / "fixtures" / "builder"
GOLDENS_DIR = ROOT / "fixtures" / "goldens"


def load_script(path: Path) -> ModuleType:
    """Import a builder script by path (their names have hyphens, like the golden sources)."""
    spec = importlib.util.spec_from_file_location(f"builder_{path.stem.replace('-', '_')}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalize_ids(doc: Any) -> Any:
    """Replace every layer id by `id0`, `id1`, ... in order of appearance (depth first)."""
    seen: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: seen.setdefault(v, f"id{len(seen)}") if k == "id" else walk(v) for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(doc)


def js_numbers(value: Any) -> Any:
    """Integral floats as ints, as JavaScript's JSON.stringify writes them (3, not 3.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_numbers(v) for v in value]
    return value


def assert_same_json(got: Any, want: Any, path: str = "$") -> None:
    """Equal as JSON values, numbers exactly (1 == 1.0, but 3.0999999999999996 != 3.1); bools are not numbers."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: expected an object, got {got!r}"
        assert list(got) == list(want) or set(got) == set(want), (
            f"{path}: keys {sorted(got)} != {sorted(want)}"
        )
        for key in want:
            assert_same_json(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list), f"{path}: expected an array, got {got!r}"
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_json(g, w, f"{path}[{i}]")
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got is want or (isinstance(got, str) and got == want), f"{path}: {got!r} != {want!r}"
    else:
        assert isinstance(got, int | float), f"{path}: {got!r} is not a number"
        assert not isinstance(got, bool), f"{path}: {got!r} is not a number"
        assert float(got) == float(want), f"{path}: {got!r} != {want!r}"


@pytest.fixture
def same_json() -> Any:
    return assert_same_json
