"""font_requirements: every (family, style, weights) a document's text uses, nested layers included."""

from __future__ import annotations

import vfnative
from vfnative.fonts.requirements import font_requirements


def _doc(layers: list[dict]) -> vfnative.VideoJSON:
    return vfnative.load({"width": 320, "height": 180, "fps": 30, "duration": 1, "layers": layers})


def _text(id_: str, **props: object) -> dict:
    return {"id": id_, "type": "text", "settings": {}, "properties": {"text": "x", **props}}


def test_families_styles_and_weights_in_first_use_order() -> None:
    animated = _text("a", fontFamily="Montserrat", fontWeight=300)
    animated["animations"] = [
        {"property": "fontWeight", "keyframes": [{"time": 0, "value": 100}, {"time": 1, "value": "bold"}]}
    ]
    doc = _doc([
        animated,
        {"id": "g", "type": "group", "settings": {}, "children": [
            _text("b", fontFamily="'Inter'", fontStyle="italic", fontWeight="normal"),
            {"id": "g2", "type": "group", "settings": {}, "children": [_text("c", fontFamily="montserrat")]},
        ]},
        {"id": "cap", "type": "captions", "properties": {"fontFamily": "Lobster"},
         "settings": {"captions": [{"caption": "hi", "startTime": 0, "endTime": 1}]}},
        {"id": "shape", "type": "shape", "settings": {"shapeType": "rectangle"}, "properties": {}},
    ])  # fmt: skip
    reqs = font_requirements(doc)
    assert [(r.family, r.style, r.weights, r.animated, r.layers) for r in reqs] == [
        ("Montserrat", "normal", (100.0, 300.0, 600.0, 700.0), True, ("a", "c")),
        ("Inter", "italic", (400.0,), False, ("b",)),
        ("Lobster", "normal", (600.0,), False, ("cap",)),
    ]


def test_default_family_and_weight_are_the_references() -> None:
    reqs = font_requirements(_doc([_text("t")]))
    assert [(r.family, r.style, r.weights) for r in reqs] == [("Noto Sans", "normal", (600.0,))]
    assert font_requirements(_doc([])) == []
