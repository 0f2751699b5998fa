"""Lenient loading (the default): what the reference ignores is ignored with one warning per path;
strict loading reports the same paths as DocumentError issues; everything else fails in both modes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.model.test_load import MALFORMED, MINIMAL, Mutate

from vfnative.errors import DocumentError
from vfnative.model import load
from vfnative.model.lenient import MAX_REPORTED, relax

TOLERATED = {
    "unknown top field",
    "unknown layer type",
    "misspelt setting",
    "setting of another type",
    "unknown property with suggestion",
    "animated unknown property",
    "nested child unknown type",
}
"""MALFORMED cases whose only problem is one the reference ignores."""


def _paths(messages: Any) -> list[str]:
    return sorted(m.split(": ", 1)[0] for m in messages)


@pytest.mark.parametrize(("name", "mutate", "expected"), MALFORMED, ids=[n for n, _, _ in MALFORMED])
def test_malformed_cases_leniently(name: str, mutate: Mutate, expected: list[tuple[str, str]]) -> None:
    doc = copy.deepcopy(MINIMAL)
    mutate(doc)
    if name in TOLERATED:
        loaded = load(doc)
        assert _paths(loaded.warnings) == sorted(path for path, _ in expected)
        assert [i.path for i in loaded.tolerated] == [w.split(": ", 1)[0] for w in loaded.warnings]
        assert all("as the reference" in w for w in loaded.warnings), loaded.warnings
        with pytest.raises(DocumentError) as strict:
            load(loaded, strict=True)  # a leniently loaded document, checked strictly: the same paths
        assert sorted(i.path for i in strict.value.issues) == sorted(path for path, _ in expected)
        return
    with pytest.raises(DocumentError) as info:
        load(doc)
    # The same problems at the same paths; a tolerated key stays listed only when it has a close valid
    # name (it may be the cause: `layer` for `layers`).
    assert sorted(i.path for i in info.value.issues) == sorted(path for path, _ in expected)


def test_input_is_not_changed() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["meta"] = {"app": "x"}
    doc["layers"][0]["properties"]["glowAmount"] = 3
    before = copy.deepcopy(doc)
    loaded = load(doc)
    assert doc == before
    assert "glowAmount" not in loaded.layers[0].properties


def test_every_level() -> None:
    """An unknown key at every level of the document is ignored, each with its own path."""
    doc = copy.deepcopy(MINIMAL)
    doc["meta"] = 1
    doc["tracks"] = [{"name": "a", "color": "red"}]
    layer = doc["layers"][0]
    layer["x"] = 1
    layer["settings"]["x"] = 1
    layer["properties"]["x"] = 1
    layer["animations"][0]["x"] = 1
    layer["animations"][0]["keyframes"][0]["x"] = 1
    layer["transitionIn"] = {"transition": "fade", "x": 1, "easing": "springy"}
    layer["effects"] = [{"effect": "blur", "x": 1}]
    doc["layers"].append(
        {"id": "c", "type": "captions", "settings": {"captions": [{"caption": "a", "startTime": 0,
                                                                    "endTime": 1, "x": 1}]}}
    )  # fmt: skip
    loaded = load(doc)
    assert _paths(loaded.warnings) == sorted(
        [
            "meta",
            "tracks[0].color",
            "layers[0].x",
            "layers[0].settings.x",
            "layers[0].properties.x",
            "layers[0].animations[0].x",
            "layers[0].animations[0].keyframes[0].x",
            "layers[0].transitionIn.x",
            "layers[0].transitionIn.easing",
            "layers[0].effects[0].x",
            "layers[2].settings.captions[0].x",
        ]
    )
    assert loaded.layers[0].transition_in is not None
    assert loaded.layers[0].transition_in.easing == "springy"  # kept: rendered as the reference does
    with pytest.raises(DocumentError) as info:
        load(doc, strict=True)
    assert sorted(i.path for i in info.value.issues) == _paths(loaded.warnings)


def test_dropped_items_keep_their_paths_in_errors() -> None:
    """A skipped layer or animation does not shift the paths of problems after it."""
    doc = copy.deepcopy(MINIMAL)
    doc["layers"].insert(0, {"id": "u", "type": "sprite", "settings": {}})
    doc["layers"][1]["animations"].insert(0, {"property": "glow", "keyframes": []})
    doc["layers"][1]["animations"][1]["keyframes"][1]["value"] = "x"
    doc["layers"].append(
        {"id": "g", "type": "group", "settings": {},
         "children": [{"id": "v", "type": "hologram", "settings": {}},
                      {"id": "w", "type": "shape", "settings": {}, "properties": {"sides": "six"}}]}
    )  # fmt: skip
    with pytest.raises(DocumentError) as info:
        load(doc)
    assert sorted(i.path for i in info.value.issues) == [
        "layers[1].animations[1].keyframes[1].value",
        "layers[3].children[1].properties.sides",
    ]


def test_skipped_layers_are_gone() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["layers"].insert(1, {"id": "u", "type": "sprite", "settings": {"enabled": True}})
    loaded = load(doc)
    assert [layer.id for layer in loaded.layers] == [layer["id"] for layer in MINIMAL["layers"]]
    assert loaded.warnings == (
        'layers[1].type: unknown layer type "sprite"; the layer is skipped, as the reference skips it',
    )


def test_warnings_are_capped() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc.update({f"k{i}": i for i in range(MAX_REPORTED + 5)})
    relaxed = relax(doc)
    assert len(relaxed.tolerated) == MAX_REPORTED + 5
    lines = relaxed.warnings()
    assert len(lines) == MAX_REPORTED + 1
    assert lines[-1].startswith("<document>: 5 more")


@pytest.mark.parametrize(("key", "value"), [("sourceDuration", "1.5"), ("speed", " 2 ")])
def test_numbers_as_strings_where_the_reference_coerces(key: str, value: str) -> None:
    """`sourceDuration / speed` and `Math.abs(speed)` coerce a numeric string in JavaScript."""
    doc = copy.deepcopy(MINIMAL)
    doc["layers"][0]["settings"][key] = value
    for strict in (False, True):
        settings = load(doc, strict=strict).layers[0].settings
        assert getattr(settings, "source_duration" if key == "sourceDuration" else "speed") == float(value)


@pytest.mark.parametrize("key", ["startTime", "sourceStart"])
def test_numbers_as_strings_the_reference_concatenates(key: str) -> None:
    """`startTime + duration` concatenates strings in JavaScript: still an error in both modes."""
    doc = copy.deepcopy(MINIMAL)
    doc["layers"][0]["settings"][key] = "1"
    for strict in (False, True):
        with pytest.raises(DocumentError, match=f"layers\\[0\\].settings.{key}: expected a number"):
            load(doc, strict=strict)
