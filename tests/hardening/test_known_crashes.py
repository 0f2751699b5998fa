"""Crashes once found by probing transition params within the document bounds (|x| <= 1e7).

Found with every numeric transition param set to one value, on 32×18 frames; each render must now
complete. Fixed by GLSL division semantics in the effect kernels (x/0 is inf, numba's
error_model="numpy") and a pixel cap on the local raster of warped text.
"""

from __future__ import annotations

from typing import Any

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


def test_scan_reveal_zero_params() -> None:
    _render("shape", "scanReveal", 0)


def test_light_sweep_large_params() -> None:
    _render("shape", "lightSweepReveal", 1e7)


def test_overshoot_pop_large_scale_on_text() -> None:
    _render("text", "overshootPop", 1e5)
