"""load(): every input form, and malformed documents -> one DocumentError listing every issue."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vfnative.errors import DocumentError, MissingAssetError
from vfnative.model import VideoJSON, load

from .conftest import GOLDEN_DOCUMENTS, MINIMAL

# --------------------------------------------------------------------------- input forms


def test_load_path_and_str_path() -> None:
    path = GOLDEN_DOCUMENTS[0]
    by_path = load(path)
    by_str = load(str(path))
    assert by_path == by_str
    assert by_path.base_dir == by_str.base_dir == path.parent.resolve()


def test_load_text_bytes_dict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = json.dumps(MINIMAL)
    for source in (
        text,
        "  \n" + text,
        text.encode(),
        "\ufeff".encode() + text.encode(),
        copy.deepcopy(MINIMAL),
    ):
        doc = load(source)
        assert doc.to_dict() == MINIMAL
        assert doc.base_dir == tmp_path


def test_explicit_base_dir(tmp_path: Path) -> None:
    assert load(MINIMAL, base_dir=tmp_path).base_dir == tmp_path.resolve()
    assert load(GOLDEN_DOCUMENTS[0], base_dir=str(tmp_path)).base_dir == tmp_path.resolve()


def test_load_passes_documents_through(tmp_path: Path) -> None:
    doc = load(MINIMAL)
    assert load(doc) is doc
    rebased = load(doc, base_dir=tmp_path)
    assert rebased.base_dir == tmp_path.resolve()
    assert rebased.to_dict() == doc.to_dict()
    assert doc.base_dir != rebased.base_dir


def test_file_without_json_suffix(tmp_path: Path) -> None:
    path = tmp_path / "project.videojson"
    path.write_text(json.dumps(MINIMAL), encoding="utf-8")
    assert load(str(path)).base_dir == tmp_path.resolve()


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    for source in (missing, str(missing)):
        with pytest.raises(MissingAssetError) as info:
            load(source)
        assert isinstance(info.value, FileNotFoundError)
        assert info.value.source == str(missing)
        assert isinstance(info.value.__cause__, FileNotFoundError)


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(DocumentError, match="not UTF-8"):
        load(path)


def test_issues_are_the_message_and_cause_is_kept() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["fps"] = -1
    with pytest.raises(DocumentError) as info:
        load(doc)
    err = info.value
    assert str(err) == "fps: expected a number > 0; got -1"
    assert err.path == "fps"
    assert err.__cause__ is not None
    assert type(err.__cause__).__name__ == "ValidationError"


# --------------------------------------------------------------------------- malformed documents

Mutate = Callable[[dict[str, Any]], object]


def _layer(doc: dict[str, Any], i: int = 0) -> dict[str, Any]:
    layer: dict[str, Any] = doc["layers"][i]
    return layer


def _children(doc: dict[str, Any], children: Any) -> None:
    doc["layers"].append({"id": "g", "type": "group", "settings": {"enabled": True}, "children": children})


def _several(doc: dict[str, Any]) -> None:
    doc["fps"] = 0
    del doc["height"]
    _layer(doc)["settings"]["sourceDuration"] = -0.5
    _layer(doc)["properties"]["colour"] = "red"
    _layer(doc, 1)["properties"]["fill"] = "blu"
    _layer(doc)["animations"][0]["keyframes"][1]["value"] = "x"


MALFORMED: list[tuple[str, Mutate, list[tuple[str, str]]]] = [
    ("missing width", lambda d: d.pop("width"), [("width", "required field is missing")]),
    ("negative fps", lambda d: d.update(fps=-30), [("fps", "expected a number > 0; got -30")]),
    ("zero duration", lambda d: d.update(duration=0), [("duration", "expected seconds > 0; got 0")]),
    ("fps as string", lambda d: d.update(fps="30"), [("fps", 'expected a number; got "30"')]),
    ("NaN as string", lambda d: d.update(duration="NaN"), [("duration", 'expected a number; got "NaN"')]),
    ("NaN float", lambda d: d.update(fps=float("nan")), [("fps", "expected a finite number; got NaN")]),
    ("Infinity", lambda d: d.update(duration=float("inf")), [("duration", "expected a finite number")]),
    ("width not integer", lambda d: d.update(width=10.5), [("width", "expected an integer; got 10.5")]),
    ("height zero", lambda d: d.update(height=0), [("height", "expected an integer > 0; got 0")]),
    (
        "bad background",
        lambda d: d.update(backgroundColor="nope"),
        [("backgroundColor", "expected a CSS colour")],
    ),
    ("unknown top field", lambda d: d.update(layer=[]), [("layer", "did you mean 'layers'?")]),
    ("layers not a list", lambda d: d.update(layers={}), [("layers", "expected a list; got {}")]),
    ("layer not an object", lambda d: d["layers"].append(3), [("layers[2]", "expected an object; got 3")]),
    (
        "unknown layer type",
        lambda d: _layer(d).update(type="sprite"),
        [
            (
                "layers[0].type",
                'expected one of text, captions, image, video, audio, shape, group; got "sprite"',
            )
        ],
    ),
    (
        "missing layer type",
        lambda d: _layer(d).pop("type"),
        [("layers[0].type", "required field is missing")],
    ),
    ("missing id", lambda d: _layer(d).pop("id"), [("layers[0].id", "required field is missing")]),
    (
        "missing settings",
        lambda d: _layer(d).pop("settings"),
        [("layers[0].settings", "required field is missing")],
    ),
    (
        "negative sourceDuration",
        lambda d: _layer(d)["settings"].update(sourceDuration=-0.5),
        [("layers[0].settings.sourceDuration", "expected seconds >= 0; got -0.5")],
    ),
    (
        "startTime NaN",
        lambda d: _layer(d)["settings"].update(startTime=float("nan")),
        [("layers[0].settings.startTime", "expected a finite number; got NaN")],
    ),
    (
        "enabled as int",
        lambda d: _layer(d)["settings"].update(enabled=1),
        [("layers[0].settings.enabled", "expected true or false; got 1")],
    ),
    (
        "misspelt setting",
        lambda d: _layer(d)["settings"].update(startime=1),
        [("layers[0].settings.startime", "unknown field (did you mean 'startTime'?)")],
    ),
    (
        "setting of another type",
        lambda d: _layer(d, 1)["settings"].update(source="a.png"),
        [("layers[1].settings.source", "unknown field")],
    ),
    (
        "unknown property with suggestion",
        lambda d: _layer(d)["properties"].update(fontsize=3),
        [("layers[0].properties.fontsize", "unknown property for a text layer (did you mean 'fontSize'?)")],
    ),
    (
        "bad colour",
        lambda d: _layer(d, 1)["properties"].update(fill="#ggg"),
        [
            (
                "layers[1].properties.fill",
                'expected a CSS colour (#rrggbb, rgb(), hsl(), hwb(), lab(), lch(), oklab(), oklch(), color() or a colour name); got "#ggg"',
            )
        ],
    ),
    (
        "bad enum",
        lambda d: _layer(d)["properties"].update(textAlign="middle"),
        [("layers[0].properties.textAlign", 'expected one of left, right, center, justify; got "middle"')],
    ),
    (
        "bad length unit",
        lambda d: _layer(d)["properties"].update(fontSize="12pt"),
        [("layers[0].properties.fontSize", 'got "12pt"')],
    ),
    (
        "array item",
        lambda d: _layer(d)["properties"].update(position=[0.5, "x"]),
        [("layers[0].properties.position[1]", 'got "x"')],
    ),
    (
        "keyframe time missing",
        lambda d: _layer(d)["animations"][0]["keyframes"][1].pop("time"),
        [("layers[0].animations[0].keyframes[1].time", "required field is missing")],
    ),
    (
        "keyframe value wrong kind",
        lambda d: _layer(d)["animations"][0]["keyframes"][1].update(value="full"),
        [("layers[0].animations[0].keyframes[1].value", 'expected a number; got "full"')],
    ),
    (
        "keyframe value NaN in effect path",
        lambda d: _layer(d)["animations"].append(
            {"property": "effects.blur.radius", "keyframes": [{"time": 0, "value": float("nan")}]}
        ),
        [("layers[0].animations[1].keyframes[0].value", "expected a finite number; got NaN")],
    ),
    (
        "animated unknown property",
        lambda d: _layer(d)["animations"][0].update(property="opacty"),
        [
            (
                "layers[0].animations[0].property",
                "unknown property \"opacty\" for a text layer (did you mean 'opacity'?)",
            )
        ],
    ),
    (
        "captions end before start",
        lambda d: d["layers"].append(
            {
                "id": "c",
                "type": "captions",
                "settings": {"captions": [{"caption": "a", "startTime": 2, "endTime": 1.5}]},
            }
        ),
        [("layers[2].settings.captions[0].endTime", "expected endTime >= startTime (2); got 1.5")],
    ),
    ("children not a list", lambda d: _children(d, {"id": "x"}), [("layers[2].children", "expected a list")]),
    (
        "bad nested child",
        lambda d: _children(
            d, [{"id": "c", "type": "shape", "settings": {}, "properties": {"sides": "six"}}]
        ),
        [("layers[2].children[0].properties.sides", 'expected a number; got "six"')],
    ),
    (
        "nested child unknown type",
        lambda d: _children(d, [{"id": "c", "type": "txt", "settings": {}}]),
        [("layers[2].children[0].type", "unknown layer type")],
    ),
    (
        "transition duration negative",
        lambda d: _layer(d).update(transitionIn={"transition": "fade", "duration": -1}),
        [("layers[0].transitionIn.duration", "expected seconds >= 0; got -1")],
    ),
    (
        "effect params NaN",
        lambda d: _layer(d).update(effects=[{"effect": "blur", "params": {"r": [1, float("inf")]}}]),
        [("layers[0].effects[0].params.r[1]", "expected a finite number; got Infinity")],
    ),
    (
        "negative track",
        lambda d: _layer(d).update(track=-1),
        [("layers[0].track", "expected an integer >= 0; got -1")],
    ),
    (
        "tracks wrong",
        lambda d: d.update(tracks=[{"enabled": "no"}]),
        [("tracks[0].enabled", "expected true or false")],
    ),
    (
        "several problems at once",
        _several,
        [
            ("fps", "expected a number > 0; got 0"),
            ("height", "required field is missing"),
            ("layers[0].settings.sourceDuration", "expected seconds >= 0; got -0.5"),
            ("layers[0].properties.colour", "did you mean 'color'?"),
            ("layers[0].animations[0].keyframes[1].value", 'got "x"'),
            ("layers[1].properties.fill", "(did you mean 'blue'?)"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in MALFORMED], ids=[n for n, _, _ in MALFORMED]
)
def test_malformed_document(mutate: Mutate, expected: list[tuple[str, str]]) -> None:
    """Strict loading: every problem, the ones the reference tolerates included (lenient loading of
    the same cases: tests/model/test_lenient.py)."""
    doc = copy.deepcopy(MINIMAL)
    mutate(doc)
    with pytest.raises(DocumentError) as info:
        load(doc, strict=True)
    issues = info.value.issues
    assert sorted(i.path for i in issues) == sorted(path for path, _ in expected), issues
    by_path = {i.path: i.message for i in issues}
    for path, fragment in expected:
        assert fragment in by_path[path]
    for issue in issues:
        assert str(issue) in str(info.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("[1, 2]", "expected a JSON object at the top level; got array"),
        ('"text"', "expected a JSON object at the top level; got string"),
        (b"42", "expected a JSON object at the top level; got number"),
        (b"null", "got null"),
        (b"true", "got boolean"),
        ("{nope", "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        ("hello", "not valid JSON (and it is not the path of an existing file)"),
        (b"", "not valid JSON"),
        ('{"width": 1,}', "not valid JSON"),
    ],
)
def test_not_a_document(source: str | bytes, fragment: str) -> None:
    with pytest.raises(DocumentError) as info:
        load(source)
    assert len(info.value.issues) == 1
    assert info.value.issues[0].path == "<document>"
    assert fragment in str(info.value)


def test_nan_literal_in_json_text_reports_its_path() -> None:
    text = json.dumps(MINIMAL).replace('"fps": 30', '"fps": NaN')
    with pytest.raises(DocumentError) as info:
        load(text)
    assert [str(i) for i in info.value.issues] == ["fps: expected a finite number; got NaN"]


def test_document_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="width"):
        load({k: v for k, v in MINIMAL.items() if k != "width"})


def test_pathlike_is_always_a_file(tmp_path: Path) -> None:
    class P(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(tmp_path / "doc")

    (tmp_path / "doc").write_text(json.dumps(MINIMAL), encoding="utf-8")
    assert isinstance(load(P()), VideoJSON)
