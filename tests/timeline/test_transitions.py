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
