"""Crashes found by probing transition params within the document bounds (|x| <= 1e7), not fixed yet.

Each is a documented `xfail` (not strict): when the owning module is fixed the test starts passing and
this marker should go. Found with every numeric transition param set to one value, on 32×18 frames.
"""

from __future__ import annotations

from typing import Any

import pytest

import vfnative


def _render(kind: str, transition: str, value: float) -> None:
    params = {
        name: value for name in ("amount", "angle", "bandWidth", "softness", "from", "overshoot", "tilt")
    }
    layer: dict[str, Any] = {
        "id": "x",
        "type": kind,
        "settings": {"enabled": True, "sourceDuration": 1},
        "transitionIn": {"transition": transition, "duration": 0.5, "params": params},
    }
    if kind == "text":
        layer["properties"] = {"text": "Hello"}
    doc = {"width": 32, "height": 18, "fps": 10, "duration": 1, "layers": [layer]}
    with vfnative.Renderer(doc) as renderer:
        for frame in (0, 2, 5):
            renderer.render_frame(frame)


@pytest.mark.xfail(
    raises=ZeroDivisionError, reason="raster.effects: scanReveal kernel divides by a zero param"
)
def test_scan_reveal_zero_params() -> None:
    _render("shape", "scanReveal", 0)


@pytest.mark.xfail(
    raises=ZeroDivisionError, reason="raster.effects: lightSweep kernel with a 1e7 angle/width"
)
def test_light_sweep_large_params() -> None:
    _render("shape", "lightSweepReveal", 1e7)


@pytest.mark.xfail(raises=TypeError, reason="raster.text: offscreen text surface sized from a huge scale")
def test_overshoot_pop_large_scale_on_text() -> None:
    _render("text", "overshootPop", 1e5)
