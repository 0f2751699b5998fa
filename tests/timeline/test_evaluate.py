"""The batch evaluator equals the scalar reference; keyframes are hit exactly at their frames."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vfnative.model import load
from vfnative.timeline.evaluate import evaluate, scene_from_block
from vfnative.timeline.plan import build_timeline
from vfnative.timeline.scalar import scene_at
from vfnative.timeline.scene import LayerFrame, Percent

EASINGS = st.sampled_from(
    [None, "linear", "easeIn", "easeOut", "easeInOut", "step"]
)  # unknown names: DocumentError
TIMES = st.floats(-0.5, 3.0, allow_nan=False).map(lambda t: round(t, 3))


def _num(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


COLORS = st.sampled_from(
    ["#ff0000", "#00ff0080", "transparent", "rgba(10, 20, 30, 0.5)", "hsl(120, 50%, 50%)", "blue"]
)
LENGTHS = st.one_of(
    _num(0, 20), _num(0, 20).map(lambda x: f"{x:.2f}px"), _num(0, 5).map(lambda x: f"{x:.2f}em")
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "opacity": _num(0, 1),
    "position": st.lists(_num(-1, 2), min_size=2, max_size=3),
    "scale": st.one_of(_num(0, 3), st.lists(_num(0, 3), min_size=1, max_size=3)),
    "rotation": st.one_of(_num(-360, 360), st.lists(_num(-90, 90), min_size=1, max_size=3)),
    "backgroundColor": COLORS,
    "borderRadius": st.one_of(LENGTHS, st.lists(LENGTHS, min_size=1, max_size=4)),
    "borderWidth": LENGTHS,
    "visible": st.booleans(),
    "blendMode": st.sampled_from(["normal", "multiply", "screen"]),
}
SHAPE_VALUES = {**VALUES, "fill": COLORS, "width": _num(1, 50), "strokeWidth": _num(0, 3)}
TEXT_VALUES = {**VALUES, "color": COLORS, "fontSize": _num(1, 10), "letterSpacing": LENGTHS,
               "lineHeight": st.one_of(_num(0.5, 2), LENGTHS)}  # fmt: skip


def _keyframes(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[dict[str, Any]]]:
    kf = st.fixed_dictionaries({"time": TIMES, "value": values}, optional={"easing": EASINGS})
    return st.lists(kf, min_size=1, max_size=4)


@st.composite
def layers(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.sampled_from(["shape", "text", "group"] if depth < 2 else ["shape", "text"]))
    table = {"shape": SHAPE_VALUES, "text": TEXT_VALUES, "group": VALUES}[kind]
    names = sorted(table)
    static = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
    animated = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    settings_: dict[str, Any] = {
        "enabled": draw(st.booleans().filter(lambda b: b) | st.booleans()),
        "startTime": round(draw(_num(0, 1)), 3),
        "sourceDuration": round(draw(_num(0, 2.5)), 3),
    }
    if draw(st.booleans()):
        settings_["speed"] = draw(st.sampled_from([1, 2, 0.5, -1, -2, 0]))
    if draw(st.booleans()):
        settings_["sourceStart"] = round(draw(_num(0, 1)), 3)
    layer: dict[str, Any] = {
        "id": f"id-{draw(st.integers(0, 10**6))}",
        "type": kind,
        "settings": settings_,
        "properties": {n: draw(table[n]) for n in static},
        "animations": [{"property": n, "keyframes": draw(_keyframes(table[n]))} for n in animated],
    }
    if kind == "text":
        layer["properties"]["text"] = "Hi"
    if kind == "group":
        layer["children"] = draw(st.lists(layers(depth + 1), max_size=2))
    return layer


def _document(layer_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"width": 320, "height": 180, "fps": 30, "duration": 3, "layers": layer_list}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Percent) or isinstance(b, Percent):
        return (
            isinstance(a, Percent)
            and isinstance(b, Percent)
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        )
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _identical(a: Any, b: Any) -> bool:
    """Same type and equal value (NaN equal to NaN): no tolerance."""
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


def _assert_scene_equal(a: list[LayerFrame], b: list[LayerFrame], where: str, *, exact: bool = False) -> None:
    """Same layers, frames and props; `exact`: identical values in the same key order, else `_same`."""
    assert [x.path for x in a] == [y.path for y in b], where
    for x, y in zip(a, b, strict=True):
        assert x.frame == y.frame, f"{where} {x.path}"
        if exact:
            assert list(x.props) == list(y.props), f"{where} {x.path}: key order"
        else:
            assert set(x.props) == set(y.props), f"{where} {x.path}"
        equal = _identical if exact else _same
        for name in x.props:
            assert equal(x.props[name], y.props[name]), (
                f"{where} {x.path}.{name}: {x.props[name]!r} != {y.props[name]!r}"
            )
        _assert_scene_equal(list(x.children), list(y.children), where, exact=exact)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layers(), min_size=1, max_size=3))
def test_batch_equals_scalar(layer_list: list[dict[str, Any]]) -> None:
    timeline = build_timeline(load(_document(layer_list)))
    block = evaluate(timeline, range(timeline.frame_count))
    for f in range(timeline.frame_count):
        _assert_scene_equal(scene_at(timeline, f), scene_from_block(timeline, block, f), f"frame {f}")


def _one_shape(animations: list[dict[str, Any]], **settings_: Any) -> dict[str, Any]:
    s = {"enabled": True, "startTime": 0, "sourceDuration": 2, **settings_}
    return _document(
        [{"id": "a", "type": "shape", "settings": s, "properties": {}, "animations": animations}]
    )


@pytest.mark.parametrize("easing", ["linear", "easeIn", "easeOut", "easeInOut", "step"])
def test_keyframes_hit_exactly_at_their_frames(easing: str) -> None:
    kfs = [{"time": 0.5, "value": 0.2, "easing": easing}, {"time": 1.0, "value": 0.9}]
    timeline = build_timeline(load(_one_shape([{"property": "opacity", "keyframes": kfs}])))
    block = evaluate(timeline, range(60))
    values = [scene_from_block(timeline, block, f)[0].props["opacity"] for f in range(60)]
    assert values[15] == 0.2
    assert values[30] == 0.9
    assert values[0] == 0.2
    assert values[59] == 0.9
    if easing == "step":
        assert values[29] == 0.2


def test_reverse_speed_worked_example() -> None:
    """spec 01 §3.6: position [0,0] -> [1,1,4] on a layer playing backwards at speed -2."""
    kfs = [{"time": 1, "value": [0, 0]}, {"time": 5, "value": [1, 1, 4]}]
    doc = _one_shape(
        [{"property": "position", "keyframes": kfs}], startTime=1, sourceStart=1, sourceDuration=4, speed=-2
    )
    timeline = build_timeline(load(doc))
    block = evaluate(timeline, range(timeline.frame_count))
    pos = {f: scene_from_block(timeline, block, f)[0].props["position"] for f in (30, 45, 60)}
    assert pos[30] == (1.0, 1.0, 4.0)
    assert pos[45] == pytest.approx((0.75, 0.75, 3.0))
    assert pos[60] == pytest.approx((0.5, 0.5, 2.0))


def test_colour_interpolates_premultiplied_with_css_easing() -> None:
    kfs = [{"time": 0, "value": "transparent"}, {"time": 1, "value": "#ff0000"}]
    timeline = build_timeline(load(_one_shape([{"property": "fill", "keyframes": kfs}])))
    fill = scene_at(timeline, 15)[0].props["fill"]
    assert fill[:3] == (1.0, 0.0, 0.0)  # no dark fringe: pure red with rising alpha
    assert fill[3] == pytest.approx(0.5)


def test_units_resolve_to_pixels() -> None:
    doc = _document([
        {"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
         "properties": {"text": "x", "fontSize": 5, "letterSpacing": 0.1, "padding": [1, "4px"],
                        "borderRadius": "50%", "lineHeight": 1.5}},
        {"id": "s", "type": "shape", "settings": {"enabled": True, "sourceDuration": 1},
         "properties": {"width": "10px", "borderWidth": 1}},
    ])  # fmt: skip
    text, shape = scene_at(build_timeline(load(doc)), 0)
    assert text.props["fontSize"] == 16.0  # 5em of the root (W/100 = 3.2 px)
    assert text.props["letterSpacing"] == pytest.approx(1.6)  # em of the font size
    assert text.props["padding"] == (16.0, 4.0)
    assert isinstance(text.props["borderRadius"], Percent)
    assert text.props["borderRadius"] == 50
    assert text.props["lineHeight"] == 24.0
    assert shape.props["width"] == pytest.approx(18.0)  # shape units: min(W, H)/100 = 1.8 px, suffix ignored
    assert shape.props["borderWidth"] == pytest.approx(3.2)
    assert text.props["color"] == (1.0, 1.0, 1.0, 1.0)


def test_group_children_use_group_local_frames() -> None:
    child = {"id": "c", "type": "shape", "settings": {"enabled": True, "startTime": 1, "sourceDuration": 1}}
    group = {"id": "g", "type": "group", "settings": {"enabled": True, "startTime": 1.5, "sourceDuration": 3},
             "children": [child]}  # fmt: skip
    timeline = build_timeline(load(_document([group])))
    assert scene_at(timeline, 74) == [] or not scene_at(timeline, 74)[0].children
    g = scene_at(timeline, 75)[0]
    assert g.children[0].frame == 30


def test_captions_select_first_match_inclusive() -> None:
    caps = [
        {"caption": "one", "startTime": 0, "endTime": 1.5},
        {"caption": "two", "startTime": 1.5, "endTime": 2},
    ]
    doc = _document(
        [
            {
                "id": "c",
                "type": "captions",
                "settings": {"enabled": True, "sourceDuration": 3, "captions": caps},
            }
        ]
    )
    timeline = build_timeline(load(doc))
    block = evaluate(timeline, range(90))
    texts = [scene_from_block(timeline, block, f)[0].props["text"] for f in (0, 45, 46, 60, 61)]
    assert texts == ["one", "one", "two", "two", ""]


def test_track_sort_and_disabled_tracks() -> None:
    def shape(i: str, track: int | None) -> dict[str, Any]:
        d: dict[str, Any] = {"id": i, "type": "shape", "settings": {"enabled": True, "sourceDuration": 1}}
        if track is not None:
            d["track"] = track
        return d

    doc = _document([shape("a", 2), shape("b", None), shape("c", 0), shape("d", 1)])
    doc["tracks"] = [{"name": "t0"}, {"name": "t1", "enabled": False}, {"name": "t2"}]
    scene = scene_at(build_timeline(load(doc)), 0)
    assert [lf.layer.id for lf in scene] == ["b", "c", "a"]


def test_animated_effect_parameters_are_resolved_per_frame() -> None:
    kfs = [{"time": 0, "value": 2}, {"time": 1, "value": 12}]
    colours = [{"time": 0, "value": "#000000"}, {"time": 1, "value": "#ffffff"}]
    doc = _one_shape([
        {"property": "effects.pixelate.pixelSize", "keyframes": kfs},
        {"property": "effects.vignette[0].color", "keyframes": colours},
    ])  # fmt: skip
    doc["layers"][0]["effects"] = [{"effect": "pixelate"}, {"effect": "vignette"}]
    timeline = build_timeline(load(doc))
    block = evaluate(timeline, range(60))
    for f, size in ((0, 2.0), (15, 7.0), (30, 12.0), (45, 12.0)):
        assert scene_at(timeline, f)[0].props["effects.pixelate.pixelSize"] == size
        assert scene_from_block(timeline, block, f)[0].props["effects.pixelate.pixelSize"] == size
    assert scene_at(timeline, 15)[0].props["effects.vignette[0].color"][3] == 1.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layers(), min_size=1, max_size=3))
def test_frame_to_frame_decoding_equals_decoding_afresh(layer_list: list[dict[str, Any]]) -> None:
    """Consecutive rows re-read only the slots whose columns changed; the props (values, types and
    key order) must be those of a layer decoded from nothing at that row."""
    timeline = build_timeline(load(_document(layer_list)))
    block = evaluate(timeline, range(timeline.frame_count))
    fresh = build_timeline(load(_document(layer_list)))
    for f in range(timeline.frame_count):
        fresh.cache.pop("scene_memo", None)
        _assert_scene_equal(
            scene_from_block(timeline, block, f), scene_from_block(fresh, block, f), f"frame {f}", exact=True
        )


def test_captions_change_is_decoded_frame_to_frame() -> None:
    caps = [
        {"caption": "one", "startTime": 0, "endTime": 1},
        {"caption": "two", "startTime": 1, "endTime": 2},
    ]
    doc = _document([{"id": "c", "type": "captions", "settings": {"enabled": True, "sourceDuration": 3,
                      "captions": caps}, "properties": {"fontSize": 3},
                      "animations": [{"property": "opacity", "keyframes": [{"time": 0, "value": 0},
                                                                         {"time": 3, "value": 1}]}]}])  # fmt: skip
    timeline = build_timeline(load(doc))
    block = evaluate(timeline, range(90))
    texts = [scene_from_block(timeline, block, f)[0].props["text"] for f in range(90)]
    assert texts[:31] == ["one"] * 31
    assert texts[31:61] == ["two"] * 30
    assert texts[61:] == [""] * 29


@pytest.mark.parametrize("kernel", ["python", "numba"])
def test_css_color4_keyframes_interpolate_in_oklab(kernel: str) -> None:
    """A colour track with a CSS Color 4 keyframe is interpolated in Oklab (spec 01 §3.5.3), in the
    batch kernels exactly as in the scalar evaluator; an all-legacy track stays in sRGB."""
    from vfnative.model.color import oklab_to_srgb, parse_color_space

    doc = _one_shape(
        [{"property": "fill", "keyframes": [
            {"time": 0, "value": "oklch(60% 0.2 30)"}, {"time": 1, "value": "#0000ff", "easing": "easeIn"},
            {"time": 1.5, "value": "lab(50% 20 -30 / 0.5)"}, {"time": 1.8, "value": "color(display-p3 0 1 0)"}]},
         {"property": "backgroundColor", "keyframes": [
            {"time": 0, "value": "#ff0000"}, {"time": 2, "value": "#0000ff"}]}]
    )  # fmt: skip
    timeline = build_timeline(load(doc))
    block = evaluate(timeline, range(timeline.frame_count), kernel=kernel)
    for f in range(timeline.frame_count):
        _assert_scene_equal(scene_at(timeline, f), scene_from_block(timeline, block, f), f"frame {f}")
    mid = scene_at(timeline, 15)[0].props  # halfway from oklch(60% 0.2 30) to blue, linear
    a, b = parse_color_space("oklch(60% 0.2 30)"), parse_color_space("#0000ff")
    assert a is not None
    assert b is not None
    halfway = oklab_to_srgb([(x + y) / 2 for x, y in zip(a.oklab, b.oklab, strict=True)], gamut_map=False)
    assert mid["fill"][:3] == pytest.approx(halfway, abs=1e-9)
    srgb_mid = scene_at(timeline, 30)[0].props["backgroundColor"]  # legacy pair: sRGB, 8-bit steps
    assert [round(c * 255) for c in srgb_mid[:3]] == [128, 0, 128]
    # color() is no colour to the reference (NaN): a fill keyframe of it draws black
    assert scene_at(timeline, 59)[0].props["fill"] == (0.0, 0.0, 0.0, 1.0)
