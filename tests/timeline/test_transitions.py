from __future__ import annotations

from typing import Any

import pytest

from vfnative.timeline.transitions import PRESETS, cyrb53, seeded_random, transition_progress


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 3338908027751811), ("a", 7929297801672961), ("layer_0|overshootPop:tiltDir", 8557106728310410),
     ("abc|sd:3", 5703992054759138)],
)  # fmt: skip
def test_cyrb53_vectors(text: str, expected: int) -> None:
    assert cyrb53(text) == expected


def test_seeded_random_vector() -> None:
    assert seeded_random("my-text", "overshootPop:tiltDir") == pytest.approx(0.19355, abs=1e-5)


def test_progress_windows_scale_and_never_overlap() -> None:
    # spec 01 §4.1: fps 30, D = 1, dIn 0.8, dOut 0.6 scaled to 0.5714 / 0.4286.
    got = {f: transition_progress(0, 1, 0.8, 0.6, f, 30) for f in (0, 10, 17, 18, 29)}
    assert got[0] == (-1.0, 0.0)
    assert got[10][0] == pytest.approx(-0.4167, abs=1e-4)
    assert got[17][0] == pytest.approx(-0.0083, abs=1e-4)
    assert got[18] == (0.0, pytest.approx(0.0667, abs=1e-4))
    assert got[29][1] == pytest.approx(0.9222, abs=1e-4)


def _run(
    name: str, p: float, raw: dict[str, Any], params: dict[str, Any] | None = None, seed: str = "x"
) -> dict[str, Any]:
    preset, _ = PRESETS[name]
    preset(1 - abs(p), raw, params or {}, seed)
    return raw


def _op(v: float = 1.0) -> dict[str, Any]:
    return {"opacity": ("num", [(v, "")], False), "position": ("num", [(0.5, ""), (0.5, "")], True),
            "scale": ("num", [(1.0, "")], False), "rotation": ("num", [(0.0, "deg")], False)}  # fmt: skip


@pytest.mark.parametrize("p", [-1.0, -0.5, 0.0, 0.5, 1.0])
def test_css_presets_follow_stage(p: float) -> None:
    t = 1 - abs(p)
    assert _run("fade", p, _op(0.8))["opacity"][1][0][0] == pytest.approx(0.8 * t)
    up = _run("slideUp", p, _op())
    assert up["position"][1][1][0] == pytest.approx(0.5 + 0.10 * (1 - t))
    assert up["opacity"][1][0][0] == pytest.approx(min(1, 2 * t))
    assert _run("zoom", p, _op())["scale"][1][0][0] == pytest.approx(0.85 + 0.15 * t)
    spin = _run("spin", p, _op())
    assert spin["rotation"][1][0][0] == pytest.approx(360 * (1 - t))
    rot = _run("rotate3dY", p, _op())["rotation"]
    if t < 1:
        assert rot[2]
        assert rot[1][2][0] == pytest.approx(75 * (1 - t))


@pytest.mark.parametrize(
    ("text", "style", "p", "expected"),
    [("Hello", None, -0.5, "Hel|"), ("Hello", "block", -0.9, "\u2588"), ("Hello", "none", 0.3, "Hell"),
     ("Héllo👋", "underscore", -0.1, "Héllo_"), ("abcd", None, -0.375, "abc|")],
)  # fmt: skip
def test_typewriter_vectors(text: str, style: str | None, p: float, expected: str) -> None:
    params = {} if style is None else {"cursorStyle": style}
    assert _run("typewriter", p, {"text": ("step", text)}, params)["text"] == ("step", expected)


@pytest.mark.parametrize(
    ("text", "params", "p", "frame", "seed", "expected"),
    [
        ("HELLO WORLD", {}, -0.5, 10, "layer_0", "HELLO nCSUQ"),
        ("HELLO WORLD", {}, -1, 0, "layer_0", "VsWgW miaGb"),
        ("HELLO WORLD", {"order": "random"}, -0.5, 10, "abc", "HPCLO WkxLD"),
        ("HELLO WORLD", {"order": "rightToLeft", "charset": "mixed"}, 0.3, 17, "abc", "4=KLO WORLD"),
        ("Line1\nLine2", {"charset": "numbers", "refreshCharacters": False}, -0.8, 3, "x", "Li112340062"),
        ("A B", {"preserveSpaces": False, "charset": "symbols"}, -0.9, 5, "seed", "^*@"),
    ],
)
def test_scramble_decode_vectors(
    text: str, params: dict[str, Any], p: float, frame: int, seed: str, expected: str
) -> None:
    raw = _run("scrambleDecode", p, {"text": ("step", text)}, {**params, "__frame": frame, "__fps": 30}, seed)
    assert raw["text"] == ("step", expected)


@pytest.mark.parametrize(
    ("text", "params", "p", "expected"),
    [
        ("$1,234.56 raised", {}, -0.5, "$617.28 raised"),
        ("2024-2025", {}, -1, "00"),
        ("Growth +45% in 3.5K users", {}, -0.5, "Growth +23% in 1.8K users"),
        ("1 000 000 views", {}, -0.25, "750 000 views"),
        ("007 agents", {"formatMode": "fixedWidth"}, -0.7, "002 agents"),
        ("5M and 10", {"mode": "firstNumber"}, -0.5, "3M and 10"),
        ("2.5", {"rounding": "integer"}, -0.5, "1"),
        ("5", {}, -0.5, "3"),
        ("10.05", {}, -0.5, "5.03"),
        ("-12", {}, -0.5, "-6"),
        ("1, 2, 3", {}, -0.5, "62"),
        ("€99", {"startValue": 50}, -0.5, "€75"),
    ],
)
def test_number_count_up_vectors(text: str, params: dict[str, Any], p: float, expected: str) -> None:
    assert _run("numberCountUp", p, {"text": ("step", text)}, params)["text"] == ("step", expected)


def test_effect_injecting_presets_record_the_reference_params() -> None:
    raw = _run("blurResolve", -0.5, _op())
    assert raw["__effects"][1] == (
        (
            "gaussianBlur",
            {"radius": 0.75, "direction": "both", "edgeMode": "transparent", "alphaAware": True},
        ),
    )
    assert raw["opacity"][1][0][0] == pytest.approx(0.75)
    glitch = _run("glitchResolve", -0.5, _op(), seed="layer_0")
    names = [name for name, _ in glitch["__effects"][1]]
    assert names == ["digitalBlocks", "rgbSplit"]
    assert glitch["__effects"][1][1][1]["bandSize"] == pytest.approx(0.06617171747942735)
    sweep = _run("lightSweepReveal", -0.25, _op())
    assert [name for name, _ in sweep["__effects"][1]] == ["wipeMask", "lightSweep"]
    assert "__effects" not in _run("wipeReveal", 0.0, _op())  # at rest (t = 1) nothing is injected
