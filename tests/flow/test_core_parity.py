"""Edge-case scenarios compiled by the core and by the Python builder give the same JSON.

Each fixtures/builder/extra/NAME.mjs was compiled by @videoflow/core 1.2.1 (built from its
sources; 1.2.2 from the registry writes the same) into NAME.json with `record.mjs`; NAME.py is the
Python twin. They cover what the 18 render goldens do not: every wait/time format, wait_for,
remove, fades, project easing, parallel branches taking turns, nested groups, reverse and zero
speed, probed media durations, deduced names and effect-param animation.
"""

from __future__ import annotations

import json
import logging

import pytest

from .conftest import BUILDER_DIR, assert_same_json, js_numbers, load_script, normalize_ids

EXTRA = BUILDER_DIR / "extra"
SCENARIOS = sorted(p.stem for p in EXTRA.glob("*.py"))


def test_every_scenario_has_a_recording() -> None:
    assert SCENARIOS
    for name in SCENARIOS:
        assert (EXTRA / f"{name}.mjs").exists(), name
        assert (EXTRA / f"{name}.json").exists(), name


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_matches_core(name: str, caplog: pytest.LogCaptureFixture) -> None:
    want = normalize_ids(json.loads((EXTRA / f"{name}.json").read_text()))
    with caplog.at_level(logging.WARNING, logger="vfnative.flow"):
        got = normalize_ids(load_script(EXTRA / f"{name}.py").build().compile_dict())
    assert_same_json(got, want)
    assert json.dumps(js_numbers(got)) == json.dumps(want)


def test_missing_media_is_a_warning_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="vfnative.flow"):
        doc = load_script(EXTRA / "media-probe.py").build().compile_dict()
    assert any("missing.wav" in r.getMessage() for r in caplog.records)
    missing = next(layer for layer in doc["layers"] if layer["settings"]["name"] == "missing.wav")
    # Unbounded: it runs to the project end, and keeps sourceEnd for the renderer to resolve.
    assert missing["settings"]["sourceEnd"] == 2
    assert missing["settings"]["startTime"] + missing["settings"]["sourceDuration"] == doc["duration"]
