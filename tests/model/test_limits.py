"""Limits: every cap is a DocumentError naming the field path and the limit, checked before heavy work."""

from __future__ import annotations

import copy
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from vfnative.errors import DocumentError
from vfnative.model import VideoJSON, load
from vfnative.model.limits import size_issues, structure_issues
from vfnative.settings import Limits, RenderSettings

from .conftest import MINIMAL


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(MINIMAL)
    doc.update(changes)
    return doc


def _shape(i: int = 0) -> dict[str, Any]:
    return {"id": f"s{i}", "type": "shape", "settings": {"enabled": True, "sourceDuration": 1}}


def _nested(depth: int) -> dict[str, Any]:
    """A shape inside `depth` nested groups."""
    layer = _shape()
    for i in range(depth):
        layer = {"id": f"g{i}", "type": "group", "settings": {"enabled": True}, "children": [layer]}
    return layer


def _error(source: Any, **kwargs: Any) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load(source, **kwargs)
    return info.value


def test_defaults_are_frozen_and_validated() -> None:
    limits = Limits()
    assert RenderSettings().limits == limits
    with pytest.raises(AttributeError):
        limits.max_layers = 3  # type: ignore[misc]
    assert limits.replace(max_layers=3).max_layers == 3
    for bad in ({"max_layers": 0}, {"max_frames": -1}, {"max_group_depth": 101}, {"max_duration_s": 0},
                {"max_duration_s": float("inf")}, {"max_text_chars": True}, {"max_keyframes": 1.5}):  # fmt: skip
        with pytest.raises(ValueError, match=next(iter(bad))):
            Limits(**bad)


@pytest.mark.parametrize(
    ("changes", "limits", "path", "fragment"),
    [
        ({"width": 20000}, Limits(), "width", "expected px <= 16384 (limit max_dimension); got 20000"),
        ({"height": 10**12}, Limits(), "height", "(limit max_dimension)"),
        (
            {"width": 8000, "height": 8000},
            Limits(),
            "width",
            "expected width × height <= 33177600 px (limit max_frame_pixels); got 8000 × 8000 = 64000000",
        ),
        (
            {"duration": 1e300},
            Limits(),
            "duration",
            "expected seconds <= 14400 (limit max_duration_s); got 1e+300",
        ),
        ({"duration": 100, "fps": 1e6}, Limits(), "fps", "(limit max_frames); got 100 s × 1000000 fps"),
        ({"duration": 10}, Limits(max_frames=299), "fps", "expected at most 299 frames"),
        ({"duration": 0.001, "fps": 1}, Limits(), "fps", "expected at least one frame"),
        ({"fps": 1e-300}, Limits(), "fps", "expected at least one frame"),
    ],
)
def test_size_limits(changes: dict[str, Any], limits: Limits, path: str, fragment: str) -> None:
    err = _error(_doc(**changes), limits=limits)
    assert [i.path for i in err.issues] == [path]
    assert fragment in err.issues[0].message


def test_frame_count_boundary_uses_js_rounding() -> None:
    # 10 s × 29.95 fps = 299.5 frames -> round() = 300 (JS rounds half up)
    load(_doc(duration=10, fps=29.95), limits=Limits(max_frames=300))
    with pytest.raises(DocumentError, match="max_frames"):
        load(_doc(duration=10, fps=29.95), limits=Limits(max_frames=299))
    load(_doc(duration=0.5, fps=1))  # 0.5 frames -> round() = 1


def test_layer_count_counts_group_children() -> None:
    doc = _doc(layers=[_shape(i) for i in range(5)] + [{"id": "g", "type": "group", "settings": {},
                                                         "children": [_shape(9), _shape(10)]}])  # fmt: skip
    load(doc, limits=Limits(max_layers=8))
    err = _error(doc, limits=Limits(max_layers=7))
    assert [str(i) for i in err.issues] == [
        "layers: expected at most 7 layers, group children included (limit max_layers); got 8 or more"
    ]


def test_group_depth() -> None:
    # 3 nested groups put the shape at depth 3; a 4th group puts it at depth 4
    load(_doc(layers=[_nested(3)]), limits=Limits(max_group_depth=3))
    err = _error(_doc(layers=[_nested(4)]), limits=Limits(max_group_depth=3))
    assert [str(i) for i in err.issues] == [
        "layers[0].children[0].children[0].children[0].children: "
        "expected groups nested at most 3 deep (limit max_group_depth); got depth 4"
    ]


def test_deep_nesting_is_refused_without_recursion() -> None:
    # 5000 nested groups: JSON text built by hand (json.dumps itself would recurse too deep)
    depth = 5000
    group = '{"id": "g", "type": "group", "settings": {}, "children": ['
    text = '{"width": 16, "height": 16, "fps": 1, "duration": 1, "layers": [' + group * depth
    text += "]}" * depth + "]}"
    err = _error(text)
    assert "limit max_group_depth" in str(err) or "nested too deeply" in str(err)
    # a deeply nested keyframe value
    value = "[" * 300 + "]" * 300
    raw = json.dumps(_doc()).replace('"value": 1}', '"value": ' + value + "}", 1)
    err = _error(raw)
    assert err.issues[0].path.startswith("layers[0].animations[0].keyframes[1].value")
    assert "expected JSON nested at most 104 levels (limit max_group_depth = 32)" in err.issues[0].message


def test_text_length() -> None:
    doc = _doc()
    doc["layers"][0]["properties"]["text"] = "x" * 101
    err = _error(doc, limits=Limits(max_text_chars=100))
    assert [str(i) for i in err.issues] == [
        "layers[0].properties.text: expected at most 100 characters (limit max_text_chars); got 101"
    ]
    doc["layers"][0]["properties"]["text"] = "x" * 100
    load(doc, limits=Limits(max_text_chars=100))


def test_sources_are_not_bounded_by_text_length() -> None:
    doc = _doc()
    uri = "data:image/png;base64," + "A" * 500
    doc["layers"].append({"id": "i", "type": "image", "settings": {"source": uri}})
    load(doc, limits=Limits(max_text_chars=100))


def test_keyframes_and_captions() -> None:
    doc = _doc()
    doc["layers"][0]["animations"][0]["keyframes"] = [{"time": i, "value": 0} for i in range(6)]
    doc["layers"].append(
        {"id": "c", "type": "captions",
         "settings": {"captions": [{"caption": "a", "startTime": i, "endTime": i} for i in range(6)]}}
    )  # fmt: skip
    load(doc, limits=Limits(max_keyframes=6, max_captions=6))
    err = _error(doc, limits=Limits(max_keyframes=5, max_captions=5))
    assert [str(i) for i in err.issues] == [
        "layers[0].animations[0].keyframes: expected at most 5 keyframes (limit max_keyframes); got 6",
        "layers[2].settings.captions: expected at most 5 captions (limit max_captions); got 6",
    ]


def test_document_bytes(tmp_path: Path) -> None:
    text = json.dumps(_doc())
    limits = Limits(max_document_bytes=len(text) - 1)
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    for source in (text, text.encode(), path):
        err = _error(source, limits=limits)
        assert "(limit max_document_bytes)" in str(err)
    load(path, limits=Limits(max_document_bytes=len(text)))


def test_device_file_is_read_bounded() -> None:
    err = _error(Path("/dev/zero"), limits=Limits(max_document_bytes=1000))
    assert "(limit max_document_bytes); got 1001" in str(err)


@pytest.mark.timeout(60)
def test_endless_pipe_is_read_up_to_the_limit_only(tmp_path: Path) -> None:
    """A writer offers 64 MiB through a FIFO; the loader stops after max_document_bytes + 1 bytes, so
    the writer gets no further than that plus what the pipe buffers (64 KiB on Linux)."""
    pipe = tmp_path / "endless.json"
    os.mkfifo(pipe)
    offered = 64 * 2**20
    sent = 0

    def feed() -> None:
        nonlocal sent
        fd = os.open(pipe, os.O_WRONLY)  # waits for the loader to open the pipe
        try:
            while sent < offered:
                sent += os.write(fd, b" " * 65536)
        except BrokenPipeError:  # the loader closed the pipe
            pass
        finally:
            os.close(fd)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        err = _error(pipe, limits=Limits(max_document_bytes=1000))
        writer.join(30)
    finally:
        if writer.is_alive():  # the loader never opened the pipe: let the writer go
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
            writer.join(5)
    assert "(limit max_document_bytes); got 1001" in str(err)
    assert 1001 <= sent <= 1001 + 2 * 65536, f"{sent} bytes read from an endless pipe"


def test_huge_structure_refused_before_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The structural limits refuse 200k layers before pydantic sees them (validation is never called)."""
    validated: list[object] = []
    original = VideoJSON.model_validate

    def spy(data: object, *args: Any, **kwargs: Any) -> VideoJSON:
        validated.append(data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(VideoJSON, "model_validate", spy)
    load(_doc())
    assert len(validated) == 1  # the spy sees validation
    doc = _doc(layers=[_shape(i) for i in range(200_000)])
    err = _error(doc, limits=Limits(max_layers=1000))
    assert "limit max_layers" in str(err)
    assert len(validated) == 1  # no pydantic pass over 200k layers


def test_many_issues_are_capped() -> None:
    doc = _doc()
    doc["layers"] = [{**_shape(i), "id": "x" * 20} for i in range(100)]
    issues = structure_issues(doc, Limits(max_text_chars=10))
    assert len(issues) == 20


def test_issue_functions_on_a_valid_document() -> None:
    doc = load(_doc())
    assert size_issues(doc, Limits()) == []
    assert structure_issues(doc.to_dict(), Limits()) == []
    # a VideoJSON passed to load() is checked too
    with pytest.raises(DocumentError, match="max_layers"):
        load(doc, limits=Limits(max_layers=1))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"width": ' + "1" * 5000 + "}", "not valid JSON: Exceeds the limit"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ('{"width": 1e400, "height": 16, "fps": 1, "duration": 1, "layers": []}', "width"),
    ],
)
def test_hostile_json_text(text: str, fragment: str) -> None:
    assert fragment in str(_error(text))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("fontSize", 1e300, "expected a number within ±1e+07; got 1e+300"),
        ("fontSize", "-2e8px", 'expected a number within ±1e+07; got "-2e8px"'),
        ("filterBrightness", 10**12, "expected a number within ±1e+07; got 1000000000000"),
        ("position", [0.5, -1e9], "expected a number within ±1e+07; got -1000000000"),
        ("opacity", 10**400, "expected a number; got 1000000000"),
    ],
)
def test_absurd_property_numbers_are_document_errors(key: str, value: Any, message: str) -> None:
    # the browser clamps such values; past 1e7 Skia's and FreeType's fixed-point maths overflow
    doc = _doc()
    doc["layers"][0]["properties"][key] = value
    err = _error(doc)
    assert len(err.issues) == 1
    assert err.issues[0].path.startswith(f"layers[0].properties.{key}")
    assert message in err.issues[0].message
    doc["layers"][0]["properties"][key] = [0.5, 1e7] if key == "position" else 1e7
    load(doc)
    doc["layers"][0]["animations"][0]["keyframes"][1]["value"] = -1e8  # keyframe values too
    assert _error(doc).issues[-1].path == "layers[0].animations[0].keyframes[1].value"


def test_free_form_params_are_bounded_too() -> None:
    doc = _doc()
    doc["layers"][1]["transitionIn"] = {
        "transition": "spin",
        "params": {"amount": 10**5000, "tilt": [1, -2e7]},
    }
    doc["layers"][1]["effects"] = [{"effect": "blur", "params": {"radius": 1e300}}]
    err = _error(doc)
    assert [str(i) for i in err.issues] == [
        "layers[1].transitionIn.params.amount: expected a number within ±1e+07; got a number beyond ±1.8e308",
        "layers[1].transitionIn.params.tilt[1]: expected a number within ±1e+07; got -20000000",
        "layers[1].effects[0].params.radius: expected a number within ±1e+07; got 1e+300",
    ]
