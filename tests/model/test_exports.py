"""`vfnative.model` re-exports exactly the names other stages use; the JSON schema builds."""

from __future__ import annotations

import vfnative.model as model


def test_all_is_sorted_and_complete() -> None:
    assert model.__all__ == sorted(model.__all__)
    for name in model.__all__:
        assert hasattr(model, name), name
    for name in ("VideoJSON", "Layer", "TextLayer", "GroupLayer", "load", "parse_color"):
        assert name in model.__all__


def test_json_schema_uses_document_names() -> None:
    schema = model.VideoJSON.model_json_schema(by_alias=True)
    assert list(schema["properties"]) == [
        "name",
        "duration",
        "width",
        "height",
        "fps",
        "backgroundColor",
        "layers",
        "tracks",
    ]
    assert "startTime" in schema["$defs"]["LayerSettings"]["properties"]
