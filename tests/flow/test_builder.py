"""Flow pointer maths, groups, parallel, reversed layers, index order, ids and keyword handling."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from vfnative.errors import DocumentError
from vfnative.flow import GroupLayer, VideoFlow
from vfnative.model import VideoJSON


def starts(doc: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """name -> (startTime, sourceDuration) for every layer, children included."""
    out: dict[str, tuple[float, float]] = {}

    def walk(layers: list[dict[str, Any]]) -> None:
        for layer in layers:
            s = layer["settings"]
            out[s["name"]] = (s["startTime"], s["sourceDuration"])
            walk(layer.get("children", []))

    walk(doc["layers"])
    return out


def keyframes(doc: dict[str, Any], name: str, prop: str) -> list[dict[str, Any]]:
    layer = next(layer for layer in doc["layers"] if layer["settings"]["name"] == name)
    return next(a["keyframes"] for a in layer["animations"] if a["property"] == prop)


# --------------------------------------------------------------------------- the pointer


def test_wait_rounds_each_step_to_frames() -> None:
    vf = VideoFlow(fps=30)
    vf.wait(0.01).wait(0.01).wait(0.01)  # each rounds to 0 frames, as in the core
    vf.add_text("a", source_duration=1)
    vf.wait("0.05s")  # 1.5 frames -> 2
    vf.add_text("b", source_duration=1)
    got = starts(vf.compile_dict())
    assert got["a"] == (0, 1)
    assert got["b"] == (2 / 30, 1)


def test_layers_without_duration_run_to_the_project_end() -> None:
    vf = VideoFlow(fps=25)
    vf.add_shape(name="bg")
    vf.wait("2s")
    vf.add_text("late", source_duration="1s")
    doc = vf.compile_dict()
    assert doc["duration"] == 3
    assert starts(doc)["bg"] == (0, 3)


def test_wait_for_finish_and_time() -> None:
    vf = VideoFlow(fps=30)
    vf.add_text("a", source_duration=2, wait_for="finish")
    vf.add_text("b", source_duration=1, wait_for="500ms")
    vf.add_text("c", source_duration=1, wait_for=0)  # falsy: no move, like the core
    vf.add_text("d", source_duration=1)
    got = starts(vf.compile_dict())
    assert got["b"][0] == 2
    assert got["c"][0] == 2.5
    assert got["d"][0] == 2.5


def test_parallel_continues_after_the_longest_branch() -> None:
    vf = VideoFlow(fps=30)
    vf.parallel(lambda: vf.wait("1s"), lambda: vf.wait("2s"), lambda: vf.wait("500ms"))
    vf.add_text("after", source_duration=1)
    assert starts(vf.compile_dict())["after"][0] == 2


def test_parallel_branches_start_together() -> None:
    vf = VideoFlow(fps=30)
    vf.wait("1s")
    with vf.parallel() as p:
        with p.branch():
            vf.add_text("a", source_duration=1)
        with p.branch():
            vf.wait("300ms")
            vf.add_text("b", source_duration=1)
            with vf.parallel() as inner, inner.branch():
                vf.wait("1s")
    vf.add_text("c", source_duration=1)
    got = starts(vf.compile_dict())
    assert got["a"][0] == 1
    assert got["b"][0] == 1.3
    assert got["c"][0] == 2.3


def test_parallel_list_form_equals_varargs_and_block_forms() -> None:
    def build(form: str) -> dict[str, Any]:
        vf = VideoFlow(fps=30, seed=1)
        a = vf.add_text("a", source_duration=3)
        branches: list[Callable[[], object]] = [lambda: a.fade_in("1s"), lambda: vf.wait("2s")]
        if form == "list":
            vf.parallel(branches)
        elif form == "varargs":
            vf.parallel(*branches)
        else:
            with vf.parallel() as p:
                for fn in branches:
                    with p.branch():
                        fn()
        vf.add_text("b", source_duration=1)
        return vf.compile_dict()

    assert build("list") == build("varargs") == build("block")


def test_parallel_block_refuses_actions_outside_a_branch() -> None:
    vf = VideoFlow()
    with pytest.raises(DocumentError, match="p.branch"), vf.parallel():
        vf.wait(1)
    vf.wait(1)  # the pointer is restored after the error


def test_empty_parallel_leaves_the_pointer() -> None:
    vf = VideoFlow(fps=30)
    vf.wait(1)
    with vf.parallel():
        pass
    vf.add_text("a", source_duration=1)
    assert starts(vf.compile_dict())["a"][0] == 1


# --------------------------------------------------------------------------- groups


def test_group_children_use_group_local_time() -> None:
    vf = VideoFlow(fps=30)
    vf.wait("1.5s")
    with vf.group(name="g"):
        vf.wait("1s")
        vf.add_text("child", source_duration=2)
    vf.add_text("after", source_duration=1)
    got = starts(vf.compile_dict())
    assert got["child"] == (1, 2)  # local: spec 01 §5.1
    assert got["g"] == (1.5, 3)  # lasts until its last child ends
    assert got["after"][0] == 4.5  # the pointer moves to the group's end


def test_group_wait_for_time_and_explicit_start() -> None:
    vf = VideoFlow(fps=30)
    with vf.group(name="g", start_time=2, wait_for="500ms"):
        vf.add_text("child", source_duration=1)
    vf.add_text("after", source_duration=1)
    got = starts(vf.compile_dict())
    assert got["g"] == (2, 1)
    assert got["after"][0] == 0.5


def test_group_explicit_duration_clamps_children() -> None:
    vf = VideoFlow(fps=30)
    with vf.group(name="g", source_duration=1):
        vf.add_text("long", source_duration=5)
        vf.add_text("open")
    got = starts(vf.compile_dict())
    assert got["long"] == (0, 1)
    assert got["open"] == (0, 1)


def test_group_callback_form_equals_with_form() -> None:
    def with_form() -> dict[str, Any]:
        vf = VideoFlow(seed=3)
        with vf.group(opacity=0.5) as g:
            vf.add_text("x", source_duration=1)
        g.animate({"scale": 1}, {"scale": 2})
        return vf.compile_dict()

    def callback_form() -> dict[str, Any]:
        vf = VideoFlow(seed=3)
        g = vf.group(lambda group: vf.add_text("x", source_duration=1), opacity=0.5)
        g.animate({"scale": 1}, {"scale": 2})
        return vf.compile_dict()

    assert with_form() == callback_form()


def test_animate_after_a_group_block_anchors_at_source_zero() -> None:
    vf = VideoFlow(fps=30)
    with vf.group(name="g") as g:
        vf.add_text("x", source_duration=2)
    g.animate({"opacity": 0}, {"opacity": 1}, duration="1s")  # the pointer is at the group's end
    doc = vf.compile_dict()
    assert [k["time"] for k in keyframes(doc, "g", "opacity")] == [0, 1]


def test_group_must_be_entered_right_away_and_once() -> None:
    vf = VideoFlow()
    g = vf.group()
    vf.wait(1)
    with pytest.raises(DocumentError, match="right after"), g:
        pass
    h = vf.group(lambda group: None)
    with pytest.raises(DocumentError, match="already has its children"), h:
        pass


def test_group_passes_itself_to_the_callback() -> None:
    vf = VideoFlow()
    seen: list[GroupLayer] = []
    g = vf.group(seen.append)
    assert seen == [g]


def test_group_children_restore_the_pointer_on_error() -> None:
    vf = VideoFlow()

    def boom(group: GroupLayer) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        vf.group(boom)
    vf.add_text("top", source_duration=1)
    assert [layer["type"] for layer in vf.compile_dict()["layers"]] == ["group", "text"]


# --------------------------------------------------------------------------- keyframes


def test_animate_keyframes_and_pointer() -> None:
    vf = VideoFlow(fps=30)
    a = vf.add_text("a", source_duration=4)
    a.animate({"opacity": 0}, {"opacity": 1}, duration="1s")
    a.animate({}, {"opacity": 0.5}, duration="0.5s", easing="linear", wait=False)
    a.set(color="#ff0000")
    vf.wait("1s")
    a.fade_out()
    doc = vf.compile_dict()
    assert keyframes(doc, "a", "opacity") == [
        {"time": 0, "value": 0, "easing": "easeInOut"},
        {"time": 1, "value": 1},  # replaced by the 2nd animate's start ('linear' is not written)
        {"time": 1.5, "value": 0.5, "easing": "step"},
        {"time": 2, "value": 1, "easing": "easeInOut"},
        {"time": 2.3, "value": 0, "easing": "step"},
    ]
    assert keyframes(doc, "a", "visible") == [{"time": 2, "value": True, "easing": "easeInOut"},
                                             {"time": 2.3, "value": False, "easing": "step"}]  # fmt: skip
    layer = doc["layers"][0]
    assert layer["properties"]["color"] == "#ff0000"


def test_animate_delay_equals_wait_inside_a_parallel_branch() -> None:
    def delayed() -> dict[str, Any]:
        vf = VideoFlow(seed=5)
        a = vf.add_text("a", source_duration=5)
        a.animate({"opacity": 0}, {"opacity": 1}, duration="1s", delay="0.5s")
        vf.add_text("b", source_duration=1)
        return vf.compile_dict()

    def waited() -> dict[str, Any]:
        vf = VideoFlow(seed=5)
        a = vf.add_text("a", source_duration=5)
        with vf.parallel() as p, p.branch():
            vf.wait("0.5s")
            a.animate({"opacity": 0}, {"opacity": 1}, duration="1s")
        vf.add_text("b", source_duration=1)
        return vf.compile_dict()

    assert delayed() == waited()
    assert starts(delayed())["b"][0] == 1.5


def test_animate_on_a_reversed_layer_runs_back_on_the_source_clock() -> None:
    vf = VideoFlow(fps=30)
    layer = vf.add_text("rev", speed=-1, source_duration=2)
    vf.wait("0.5s")
    layer.animate({"scale": 1}, {"scale": 2}, duration="0.5s")
    doc = vf.compile_dict()
    # elapsed 0.5 s on a 2 s reversed segment = source 1.5; the end keyframe is 0.5 s *earlier*.
    assert keyframes(doc, "rev", "scale") == [
        {"time": 1.0, "value": 2, "easing": "step"},
        {"time": 1.5, "value": 1, "easing": "easeInOut"},
    ]
    assert doc["layers"][0]["settings"]["speed"] == -1


def test_speed_scales_source_time() -> None:
    vf = VideoFlow(fps=30)
    fast = vf.add_text("fast", speed=2, source_duration=4, source_start=1)
    vf.wait("1s")
    fast.set(opacity=0.5)
    doc = vf.compile_dict()
    assert starts(doc)["fast"] == (0, 4)  # timeline length 2 s, written back as source seconds
    assert doc["duration"] == 2
    # A lone keyframe is written as a static value (its time is lost), as the core does.
    assert doc["layers"][0]["properties"]["opacity"] == 0.5
    fast.animate({}, {"scale": 2}, duration="1s")  # pointer at 1 s = source 1 + 1 * 2 = 3
    assert keyframes(vf.compile_dict(), "fast", "scale") == [
        {"time": 3, "value": 1, "easing": "easeInOut"},
        {"time": 5, "value": 2, "easing": "step"},
    ]


def test_remove_ends_the_layer_without_moving_the_pointer() -> None:
    vf = VideoFlow(fps=30)
    a = vf.add_text("a")
    vf.wait("1s")
    a.remove(after="0.5s")
    vf.add_text("b", source_duration=2)
    got = starts(vf.compile_dict())
    assert got["a"] == (0, 1.5)
    assert got["b"][0] == 1
    with pytest.raises(DocumentError, match="already removed"):
        a.remove()


def test_remove_after_the_end_fails_like_the_core() -> None:
    vf = VideoFlow(fps=30)
    a = vf.add_text("a", source_duration=1)
    vf.wait("2s")
    a.remove()
    with pytest.raises(DocumentError, match="already ended"):
        vf.compile_dict()


def test_project_default_easing() -> None:
    vf = VideoFlow(defaults={"easing": "linear", "font_family": "Inter"})
    a = vf.add_text("a", source_duration=1)
    a.animate({"opacity": 0}, {"opacity": 1})
    doc = vf.compile_dict()
    assert keyframes(doc, "a", "opacity")[0] == {"time": 0, "value": 0}  # 'linear' is not written
    assert "fontFamily" not in doc["layers"][0]["properties"]  # the core never applies it
    assert vf.defaults["fontFamily"] == "Inter"


# --------------------------------------------------------------------------- order and ids


def test_index_sorts_stably_at_every_level() -> None:
    vf = VideoFlow()
    vf.add_text("a", source_duration=1, index=1)
    vf.add_text("b", source_duration=1)
    vf.add_text("c", source_duration=1, index=-1)
    vf.add_text("d", source_duration=1, index=1)
    with vf.group(name="g", index=0):
        vf.add_text("g1", source_duration=1, index=2)
        vf.add_text("g2", source_duration=1)
    doc = vf.compile_dict()
    assert [layer["settings"]["name"] for layer in doc["layers"]] == ["c", "b", "g", "a", "d"]
    group = next(layer for layer in doc["layers"] if layer["type"] == "group")
    assert [c["settings"]["name"] for c in group["children"]] == ["g2", "g1"]


def test_ids_are_uuid4_and_reproducible_with_a_seed() -> None:
    def ids(seed: int | None) -> list[str]:
        vf = VideoFlow(seed=seed)
        vf.add_text("a")
        with vf.group():
            vf.add_text("b")
        doc = vf.compile_dict()
        return [doc["layers"][0]["id"], doc["layers"][1]["id"], doc["layers"][1]["children"][0]["id"]]

    for value in ids(None) + ids(1):
        assert uuid.UUID(value).version == 4
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
    assert ids(1) == ids(1)
    assert ids(1) != ids(2)
    assert ids(None) != ids(None)


# --------------------------------------------------------------------------- keywords


def test_snake_and_camel_case_keywords() -> None:
    vf = VideoFlow()
    vf.add_text("a", font_size=5, properties={"letterSpacing": 0.1}, settings={"sourceDuration": 1},
                **{"fontWeight": 700})  # type: ignore[arg-type]  # fmt: skip
    layer = vf.compile_dict()["layers"][0]
    assert layer["properties"] == {"text": "a", "letterSpacing": 0.1, "fontSize": 5, "fontWeight": 700}
    assert layer["settings"]["sourceDuration"] == 1


def test_unknown_keyword_suggests_the_closest_name() -> None:
    vf = VideoFlow()
    with pytest.raises(TypeError, match="'font_sise'.*did you mean 'font_size'"):
        vf.add_text("a", font_sise=5)  # type: ignore[call-arg]
    shape = vf.add_shape()
    with pytest.raises(TypeError, match="set\\(\\) got an unexpected keyword argument 'text'"):
        shape.set(text="nope")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="sides"):
        vf.add_shape("polygon", settings={"sides": 5})  # a property, not a setting


def test_duplicate_values_are_refused() -> None:
    with pytest.raises(TypeError, match="multiple values"):
        VideoFlow().add_text("a", properties={"text": "b"})


def test_none_means_not_given() -> None:
    vf = VideoFlow()
    vf.add_text(None, color=None, source_duration=1)  # type: ignore[arg-type]
    assert vf.compile_dict()["layers"][0]["properties"] == {}


def test_values_are_copied_and_tuples_become_lists() -> None:
    vf = VideoFlow()
    position = [0.1, 0.2]
    vf.add_text("a", position=position, scale=(1, 2), source_duration=1)
    position[0] = 0.9
    props = vf.compile_dict()["layers"][0]["properties"]
    assert props["position"] == [0.1, 0.2]
    assert props["scale"] == [1, 2]


def test_transition_shorthand_and_captions_forms() -> None:
    vf = VideoFlow()
    vf.add_captions(
        [("one", 0, 1), {"caption": "two", "start_time": 1, "end_time": 2}, {"caption": "3", "startTime": 2, "endTime": 3}],
        transition_in="fade",
        transition_out={"transition": "zoom", "duration": "300ms", "easing": "easeOut"},
    )  # fmt: skip
    layer = vf.compile_dict()["layers"][0]
    assert layer["settings"]["captions"] == [
        {"caption": "one", "startTime": 0, "endTime": 1},
        {"caption": "two", "startTime": 1, "endTime": 2},
        {"caption": "3", "startTime": 2, "endTime": 3},
    ]
    assert layer["settings"]["name"] == "Captions"
    assert layer["transitionIn"] == {"transition": "fade", "duration": 0.2}
    assert layer["transitionOut"] == {"transition": "zoom", "duration": 0.3, "easing": "easeOut"}


def test_audio_fades_are_refused() -> None:
    audio = VideoFlow().add_audio("a.wav", media_duration=2)
    with pytest.raises(TypeError, match="volume"):
        audio.fade_in()
    with pytest.raises(TypeError, match="visible"):
        audio.hide()


# --------------------------------------------------------------------------- output


def test_compile_returns_a_validated_model() -> None:
    vf = VideoFlow("Model", width=320, height=180, fps=24)
    vf.add_shape("ellipse", fill="#ff0000", source_duration=1)
    doc = vf.compile()
    assert isinstance(doc, VideoJSON)
    assert doc.duration == 1
    assert doc.fps == 24


def test_compile_of_an_empty_project_fails_but_compile_dict_does_not() -> None:
    vf = VideoFlow()
    assert vf.compile_dict()["duration"] == 0
    with pytest.raises(DocumentError, match="duration"):
        vf.compile()


def test_probe_can_be_replaced() -> None:
    seen: list[str] = []

    def probe(source: str) -> float:
        seen.append(source)
        return math.nan if "bad" in source else 2.5

    vf = VideoFlow(fps=30, probe=probe)
    vf.add_video("good.mp4", wait_for="finish")
    vf.add_audio("bad.wav", source_end=1)
    vf.add_video("good.mp4", source_start=0.5)
    doc = vf.compile_dict()
    assert seen == ["good.mp4", "bad.wav"]  # once per source
    got = starts(doc)
    assert doc["layers"][0]["settings"]["mediaDuration"] == 2.5
    assert doc["layers"][1]["settings"]["sourceEnd"] == 1
    assert got["bad.wav"] == (2.5, 2)  # open-ended: to the project end (4.5 s)
    assert doc["layers"][2]["settings"]["sourceDuration"] == 2


def test_auto_detect_can_be_turned_off() -> None:
    def probe(source: str) -> float:
        raise AssertionError("must not probe")

    vf = VideoFlow(probe=probe, auto_detect_durations=False)
    vf.add_video("clip.mp4")
    vf.wait(1)
    assert vf.compile_dict()["duration"] == 1


def test_repr() -> None:
    vf = VideoFlow("R", width=10, height=10, fps=30)
    text = vf.add_text("hello")
    assert repr(vf) == "<VideoFlow 'R' 10x10@30 layers=1 actions=1>"
    assert repr(text).startswith("<TextLayer 'hello' id=")
