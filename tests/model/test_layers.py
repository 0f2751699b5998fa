"""Layer models: the discriminated union, settings, and property/keyframe value validation."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from vfnative.model import (
    AudioLayer,
    CaptionsLayer,
    CaptionsSettings,
    GroupLayer,
    ImageLayer,
    Layer,
    MediaSettings,
    ShapeLayer,
    ShapeSettings,
    TextLayer,
    VideoLayer,
)
from vfnative.model.animation import Animation, Keyframe
from vfnative.model.layers import (
    LAYER_TYPES,
    EffectPath,
    animation_issues,
    parse_effect_path,
    property_issues,
    property_value_issues,
)
from vfnative.model.properties import property_table

LAYER: TypeAdapter[Layer] = TypeAdapter(Layer)


@pytest.mark.parametrize(
    ("layer_type", "cls", "settings_cls"),
    [
        ("text", TextLayer, None),
        ("captions", CaptionsLayer, CaptionsSettings),
        ("image", ImageLayer, MediaSettings),
        ("video", VideoLayer, MediaSettings),
        ("audio", AudioLayer, MediaSettings),
        ("shape", ShapeLayer, ShapeSettings),
        ("group", GroupLayer, None),
    ],
)
def test_union_picks_class_by_type(layer_type: str, cls: type, settings_cls: type | None) -> None:
    layer = LAYER.validate_python({"id": "x", "type": layer_type, "settings": {"enabled": True}})
    assert type(layer) is cls
    if settings_cls is not None:
        assert type(layer.settings) is settings_cls
    assert layer.settings.enabled is True


def test_layer_types_match_the_union() -> None:
    assert set(LAYER_TYPES) == {"text", "captions", "image", "video", "audio", "shape", "group"}


def test_unknown_type_lists_valid_ones() -> None:
    with pytest.raises(ValidationError, match="'text'"):
        LAYER.validate_python({"id": "x", "type": "sprite", "settings": {}})


def test_settings_are_type_specific() -> None:
    with pytest.raises(ValidationError, match="source"):
        LAYER.validate_python({"id": "x", "type": "text", "settings": {"source": "a.png"}})
    image = LAYER.validate_python({"id": "x", "type": "image", "settings": {"source": "a.png"}})
    assert isinstance(image, ImageLayer)
    assert image.settings.source == "a.png"


def test_media_settings() -> None:
    layer = LAYER.validate_python(
        {
            "id": "v",
            "type": "video",
            "settings": {
                "enabled": True,
                "startTime": -1,
                "sourceDuration": 3,
                "speed": -2,
                "sourceStart": 1,
                "mediaDuration": 10,
                "sourceEnd": 4,
                "audioSource": "a.m4a",
                "source": "v.mp4",
                "name": "clip",
            },
        }
    )
    assert isinstance(layer, VideoLayer)
    s = layer.settings
    assert (s.start_time, s.speed, s.source_start, s.media_duration, s.source_end) == (-1, -2, 1, 10, 4)
    assert (s.audio_source, s.source, s.name) == ("a.m4a", "v.mp4", "clip")


def test_captions_settings() -> None:
    layer = LAYER.validate_python(
        {
            "id": "c",
            "type": "captions",
            "settings": {
                "captions": [
                    {"caption": "a", "startTime": 0, "endTime": 1},
                    {"caption": "b", "startTime": 1, "endTime": 1},
                ],
                "maxCharsPerLine": 32,
                "maxLines": 2,
            },
        }
    )
    assert isinstance(layer, CaptionsLayer)
    captions = layer.settings.captions
    assert captions is not None
    assert [(c.caption, c.start_time, c.end_time) for c in captions] == [("a", 0, 1), ("b", 1, 1)]
    assert layer.settings.max_chars_per_line == 32


def test_caption_end_before_start() -> None:
    with pytest.raises(ValidationError, match=r"expected endTime >= startTime \(2\); got 1"):
        LAYER.validate_python(
            {
                "id": "c",
                "type": "captions",
                "settings": {"captions": [{"caption": "a", "startTime": 2, "endTime": 1}]},
            }
        )


def test_group_children_nest() -> None:
    layer = LAYER.validate_python(
        {
            "id": "g",
            "type": "group",
            "settings": {},
            "children": [
                {
                    "id": "g2",
                    "type": "group",
                    "settings": {},
                    "children": [{"id": "t", "type": "text", "settings": {}}],
                }
            ],
        }
    )
    assert isinstance(layer, GroupLayer)
    inner = layer.children[0]
    assert isinstance(inner, GroupLayer)
    assert isinstance(inner.children[0], TextLayer)


def test_transitions_effects_track() -> None:
    layer = LAYER.validate_python(
        {
            "id": "t",
            "type": "text",
            "settings": {},
            "track": 2,
            "transitionIn": {"transition": "fade"},
            "transitionOut": {
                "transition": "slide",
                "duration": 0.5,
                "easing": "easeIn",
                "params": {"direction": "left"},
            },
            "effects": [{"effect": "blur", "params": {"radius": 2}}, {"effect": "glow", "enabled": False}],
        }
    )
    assert layer.track == 2
    assert layer.transition_in is not None
    assert layer.transition_in.duration == 0.2
    assert layer.transition_out is not None
    assert layer.transition_out.params == {"direction": "left"}
    assert [(e.effect, e.enabled) for e in layer.effects] == [("blur", True), ("glow", False)]


# --------------------------------------------------------------------------- property values

VALID_PROPERTIES: list[tuple[str, str, Any]] = [
    ("text", "text", "Hello"),
    ("text", "text", ""),
    ("text", "visible", False),
    ("text", "opacity", 0.5),
    ("text", "opacity", 1),
    ("text", "opacity", "0.5"),
    ("text", "position", [0.5, 0.5]),
    ("text", "position", [0.2, 0.5, 10]),
    ("text", "scale", 2),
    ("text", "scale", [1, 2]),
    ("text", "rotation", 45),
    ("text", "rotation", "45deg"),
    ("text", "rotation", [0, 90, 0]),
    ("text", "fontSize", 4),
    ("text", "fontSize", "20px"),
    ("text", "fontSize", "4em"),
    ("text", "fontSize", "4"),
    ("text", "fontWeight", 700),
    ("text", "fontWeight", "bold"),
    ("text", "fontStretch", "120%"),
    ("text", "lineHeight", 1.5),
    ("text", "lineHeight", "1.5em"),
    ("text", "letterSpacing", -0.1),
    ("text", "padding", [1, "2px", 3, 4]),
    ("text", "borderRadius", "50%"),
    ("text", "borderRadius", [1, "50%"]),
    ("text", "color", "#fff"),
    ("text", "color", "rgba(0, 0, 0, 0.5)"),
    ("text", "color", "RebeccaPurple"),
    ("text", "backgroundColor", "transparent"),
    ("text", "backgroundColor", "none"),
    ("text", "backgroundColor", ""),
    ("text", "textAlign", "justify"),
    ("text", "blendMode", "color-dodge"),
    ("text", "fontFamily", "Noto Serif"),
    ("text", "effects.blur.radius", 3),
    ("text", "effects.chroma-key[1].color", "#00ff00"),
    ("text", "effects.x.enabled", True),
    ("captions", "text", "fixed"),
    ("image", "fit", "cover"),
    ("video", "volume", 0.5),
    ("video", "mute", True),
    ("audio", "pan", -1),
    ("shape", "fill", "none"),
    ("shape", "fill", ""),
    ("shape", "strokeColor", "none"),
    ("shape", "width", 50),
    ("shape", "width", "50em"),
    ("shape", "width", "50px"),  # the runtime reads any suffix as shape-em
    ("shape", "sides", 5),
    ("shape", "strokeLinejoin", "round"),
    ("group", "opacity", 0.3),
]


@pytest.mark.parametrize(("layer_type", "key", "value"), VALID_PROPERTIES)
def test_valid_property_values(layer_type: str, key: str, value: Any) -> None:
    assert property_issues(layer_type, {key: value}) == []
    layer = LAYER.validate_python({"id": "x", "type": layer_type, "settings": {}, "properties": {key: value}})
    assert layer.properties[key] == value


INVALID_PROPERTIES: list[tuple[str, str, Any, tuple[str | int, ...], str]] = [
    ("text", "fontsize", 4, ("fontsize",), "did you mean 'fontSize'?"),
    ("text", "fill", "#fff", ("fill",), "unknown property for a text layer"),
    ("audio", "opacity", 1, ("opacity",), "unknown property for an audio layer"),
    ("text", "effects.a.b.c", 1, ("effects.a.b.c",), "effect paths look like"),
    ("text", "effects.blur.radius", float("nan"), ("effects.blur.radius",), "expected a finite number"),
    ("text", "visible", "false", ("visible",), "expected true or false"),
    ("text", "visible", 0, ("visible",), "expected true or false"),
    ("text", "text", 12, ("text",), "expected a string; got 12"),
    ("text", "opacity", "half", ("opacity",), 'expected a number; got "half"'),
    ("text", "opacity", True, ("opacity",), "expected a number"),
    ("text", "opacity", float("inf"), ("opacity",), "expected a number"),
    ("text", "opacity", "0.5px", ("opacity",), "expected a number"),
    ("text", "opacity", [1], ("opacity",), "expected a number"),
    ("text", "fontSize", "12pt", ("fontSize",), "units: em, px"),
    ("text", "fontSize", None, ("fontSize",), "got null"),
    ("text", "fontWeight", "heavy", ("fontWeight",), "or one of normal, bold"),
    ("text", "rotation", "1turn", ("rotation",), "units: deg"),
    ("text", "padding", [1, "x", 3], ("padding", 1), 'got "x"'),
    ("text", "padding", [], ("padding",), "got []"),
    ("text", "position", [0.5, [1]], ("position", 1), "expected a number"),
    ("text", "color", "blu", ("color",), "did you mean 'blue'?"),
    ("text", "color", "none", ("color",), "expected a CSS colour"),
    ("text", "color", 255, ("color",), "expected a CSS colour"),
    ("text", "color", "lab(50%, 40, 59)", ("color",), "expected a CSS colour"),
    ("text", "textAlign", "middle", ("textAlign",), "expected one of left, right, center, justify"),
    ("text", "blendMode", "Multiply", ("blendMode",), "did you mean 'multiply'?"),
    ("image", "fit", "fill", ("fit",), "expected one of contain, cover"),
    ("shape", "width", "50%", ("width",), "units: em, px"),
    ("shape", "fill", 0, ("fill",), "expected a CSS colour"),
]


@pytest.mark.parametrize(("layer_type", "key", "value", "loc", "fragment"), INVALID_PROPERTIES)
def test_invalid_property_values(
    layer_type: str, key: str, value: Any, loc: tuple[str | int, ...], fragment: str
) -> None:
    issues = property_issues(layer_type, {key: value})
    assert len(issues) == 1
    got_loc, message = issues[0]
    assert got_loc == loc
    assert fragment in message
    with pytest.raises(ValidationError, match="properties"):
        LAYER.validate_python({"id": "x", "type": layer_type, "settings": {}, "properties": {key: value}})


def test_every_default_is_a_valid_value() -> None:
    for layer_type in LAYER_TYPES:
        for name, defn in property_table(layer_type).items():
            if defn.default is None:
                continue
            assert property_value_issues(defn, defn.default) == [], (layer_type, name)


def test_all_property_problems_reported() -> None:
    issues = property_issues("text", {"opacity": "x", "color": "nope", "textAlgin": "left", "text": "ok"})
    assert [loc for loc, _ in issues] == [("opacity",), ("color",), ("textAlgin",)]


def test_animation_issues() -> None:
    animations = [
        Animation(property="opacity", keyframes=[Keyframe(time=0, value=0), Keyframe(time=1, value="x")]),
        Animation(property="colour", keyframes=[Keyframe(time=0, value="#fff")]),
        Animation(property="effects.blur.radius", keyframes=[Keyframe(time=0, value=[1, 2])]),
        Animation(
            property="color", keyframes=[Keyframe(time=0, value="#fff"), Keyframe(time=1, value="bad")]
        ),
        Animation(property="visible", keyframes=[Keyframe(time=0, value=True, easing="step")]),
    ]
    issues = animation_issues("text", animations)
    assert [loc for loc, _ in issues] == [
        (0, "keyframes", 1, "value"),
        (1, "property"),
        (3, "keyframes", 1, "value"),
    ]
    assert issues[1][1] == "unknown property \"colour\" for a text layer (did you mean 'color'?)"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("effects.blur.radius", EffectPath("blur", 0, "radius")),
        ("effects.blur[2].radius", EffectPath("blur", 2, "radius")),
        ("effects.chroma-key.color", EffectPath("chroma-key", 0, "color")),
        ("effects._x1.p_2", EffectPath("_x1", 0, "p_2")),
        ("effects.blur", None),
        ("effects.blur.radius.x", None),
        ("effects.1blur.radius", None),
        ("effects.blur[a].radius", None),
        ("effects.blur.radius-x", None),
        ("opacity", None),
        ("effects.blür.radius", None),
    ],
)
def test_parse_effect_path(key: str, expected: EffectPath | None) -> None:
    assert parse_effect_path(key) == expected
