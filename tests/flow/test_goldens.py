"""Every fixtures/builder/NAME.py compiles to fixtures/goldens/NAME.json (ids aside).

The goldens are what @videoflow/core 1.2.1 compiled from fixtures/goldens/sources/NAME.mjs; the
Python twins must produce the same document, number for number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vfnative.model import VideoJSON

from .conftest import BUILDER_DIR, GOLDENS_DIR, assert_same_json, js_numbers, load_script, normalize_ids

SOURCES = sorted(p.stem for p in (GOLDENS_DIR / "sources").glob("*.mjs"))


def test_every_golden_source_has_a_python_twin() -> None:
    assert SOURCES, "no golden sources found"
    missing = [name for name in SOURCES if not (BUILDER_DIR / f"{name}.py").exists()]
    assert not missing


@pytest.mark.parametrize("name", SOURCES)
def test_compile_dict_equals_golden(name: str) -> None:
    want = json.loads((GOLDENS_DIR / f"{name}.json").read_text())
    flow = load_script(BUILDER_DIR / f"{name}.py").build()
    got = flow.compile_dict()
    assert_same_json(normalize_ids(got), normalize_ids(want))
    # Same key order too, so the JSON text matches the core's byte for byte (ids aside).
    assert json.dumps(js_numbers(normalize_ids(got))) == json.dumps(normalize_ids(want))


@pytest.mark.parametrize("name", SOURCES)
def test_compile_model_equals_golden(name: str) -> None:
    want = json.loads((GOLDENS_DIR / f"{name}.json").read_text())
    doc = load_script(BUILDER_DIR / f"{name}.py").build().compile()
    assert isinstance(doc, VideoJSON)
    assert doc.base_dir is not None
    assert_same_json(normalize_ids(doc.to_dict()), normalize_ids(want))


def test_media_paths_resolve_against_goldens() -> None:
    doc = load_script(BUILDER_DIR / "video-layer.py").build().compile()
    assert doc.base_dir == Path(GOLDENS_DIR).resolve()
