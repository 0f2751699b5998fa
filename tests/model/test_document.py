"""VideoJSON root model: goldens load and round-trip; serialisation, base_dir, walking layers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from vfnative.model import GroupLayer, ShapeLayer, TextLayer, VideoJSON, load
from vfnative.model.layers import LayerSettings

from .conftest import GOLDEN_DOCUMENTS


def test_there_are_goldens() -> None:
    assert len(GOLDEN_DOCUMENTS) >= 10


@pytest.mark.parametrize("path", GOLDEN_DOCUMENTS, ids=lambda p: p.stem)
def test_golden_loads_and_round_trips(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    doc = load(path)
    assert doc.width == raw["width"]
    assert doc.fps == raw["fps"]
    assert len(doc.layers) == len(raw["layers"])
    assert doc.to_dict() == raw
    assert json.loads(doc.to_json()) == raw
    assert doc.base_dir == path.parent.resolve()


def test_snake_case_attributes(minimal: dict[str, Any]) -> None:
    doc = load(minimal)
    assert doc.background_color == "#000000"
    text, shape = doc.layers
    assert isinstance(text, TextLayer)
    assert isinstance(shape, ShapeLayer)
    assert text.settings.start_time == 0
    assert text.settings.source_duration == 2
    assert shape.settings.shape_type == "ellipse"
    assert text.animations[0].keyframes[1].value == 1
    assert text.transition_in is None
    assert doc.tracks is None


def test_defaults_follow_the_reference() -> None:
    settings = LayerSettings()
    assert settings.enabled is False  # missing `enabled` means disabled
    assert settings.source_duration == 0
    assert settings.speed == 1
    doc = VideoJSON(duration=1, width=10, height=10, fps=30, layers=[])
    assert doc.background_color == "#000000"
    assert doc.base_dir is None


def test_models_are_frozen(minimal: dict[str, Any]) -> None:
    doc = load(minimal)
    with pytest.raises(ValidationError):
        doc.width = 10  # type: ignore[misc]
    with pytest.raises(ValidationError):
        doc.layers[0].settings.enabled = False  # type: ignore[misc]


def test_build_in_code_by_field_name() -> None:
    layer = TextLayer(
        id="a", settings=LayerSettings(enabled=True, source_duration=1), properties={"text": "x"}
    )
    doc = VideoJSON(duration=1, width=100, height=100, fps=25, background_color="white", layers=[layer])
    assert doc.to_dict()["backgroundColor"] == "white"
    assert doc.to_dict()["layers"][0]["settings"] == {"enabled": True, "sourceDuration": 1}
    assert load(doc.to_dict()).to_dict() == doc.to_dict()


def test_to_dict_omits_unset_fields(minimal: dict[str, Any]) -> None:
    del minimal["backgroundColor"]
    del minimal["layers"][1]["properties"]
    out = load(minimal).to_dict()
    assert "backgroundColor" not in out
    assert "properties" not in out["layers"][1]
    assert "tracks" not in out


def test_to_json_indent(minimal: dict[str, Any]) -> None:
    text = load(minimal).to_json(indent=2)
    assert text.startswith("{\n  ")
    assert json.loads(text)["layers"][0]["id"] == "t1"


def test_tracks(minimal: dict[str, Any]) -> None:
    minimal["tracks"] = [{"name": "A"}, {"name": "B", "enabled": False}]
    minimal["layers"][0]["track"] = 1
    doc = load(minimal)
    assert doc.tracks is not None
    assert [t.enabled for t in doc.tracks] == [True, False]
    assert doc.layers[0].track == 1


def test_walk_layers_depth_first() -> None:
    inner = {"id": "c", "type": "text", "settings": {}}
    group = {
        "id": "g",
        "type": "group",
        "settings": {"enabled": True},
        "children": [
            {"id": "g2", "type": "group", "settings": {}, "children": [inner]},
            {**inner, "id": "d"},
        ],
    }
    doc = load({"duration": 1, "width": 8, "height": 8, "fps": 1, "layers": [group, {**inner, "id": "e"}]})
    assert [(path, layer.id) for path, layer in doc.walk_layers()] == [
        ("layers[0]", "g"),
        ("layers[0].children[0]", "g2"),
        ("layers[0].children[0].children[0]", "c"),
        ("layers[0].children[1]", "d"),
        ("layers[1]", "e"),
    ]
    assert isinstance(doc.layers[0], GroupLayer)


def test_repr(minimal: dict[str, Any]) -> None:
    assert repr(load(minimal)) == "<VideoJSON 'minimal' 640x360@30 2s layers=2>"


def test_integral_floats_accepted_for_integers(minimal: dict[str, Any]) -> None:
    minimal["width"] = 640.0
    doc = load(minimal)
    assert doc.width == 640
    assert isinstance(doc.width, int)


@pytest.mark.parametrize("color", ["", "transparent", "rgb(1, 2, 3)", "hsl(0 0% 0%)", "Navy"])
def test_background_colours_accepted(minimal: dict[str, Any], color: str) -> None:
    minimal["backgroundColor"] = color
    assert load(minimal).background_color == color
