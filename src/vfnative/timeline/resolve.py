"""Raw resolved values -> the props raster receives; caption selection. Shared by both evaluators.

A *raw* value is what property resolution produces before units become pixels:
``("num", components, is_array)``, ``("color", Color | None)`` or ``("step", value)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vfnative.model.properties import PropDef
from vfnative.timeline.values import Component, EmContext, finalize, normalize_color, normalize_numeric

__all__ = ["Raw", "caption_index", "finalize_all", "raw_static", "value_mode"]

Raw = tuple[Any, ...]


def value_mode(pdef: PropDef) -> str:
    """How a property is evaluated: 'step' (non-animatable), 'color', or 'num'."""
    if not pdef.animatable or pdef.kind in ("enum", "bool", "text"):
        return "step"
    if pdef.kind == "color":
        return "color"
    return "num"


def raw_static(value: Any, pdef: PropDef) -> Raw:
    """A written (static or keyframe) value as a raw value."""
    mode = value_mode(pdef)
    if mode == "step":
        return ("step", value)
    if mode == "color":
        return ("color", normalize_color(value, pdef.name))
    comps, is_array = normalize_numeric(value, pdef)
    return ("num", comps, is_array)


def finalize_all(
    definitions: Mapping[str, PropDef], raw: Mapping[str, Raw], ctx: EmContext, is_text: bool
) -> dict[str, Any]:
    """Resolve every raw value into the scene.py contract, fontSize first (it is text's em)."""
    out: dict[str, Any] = {}
    if is_text and "fontSize" in raw:
        font_px = finalize(definitions["fontSize"], raw["fontSize"][1], raw["fontSize"][2], ctx)
        out["fontSize"] = font_px
        ctx = EmContext(root_em=ctx.root_em, shape_unit=ctx.shape_unit, em=float(font_px))
    for name, value in raw.items():
        if name in out:
            continue
        kind = value[0]
        if kind == "num":
            definition = definitions.get(name)
            if definition is None:
                # a transition preset wrote a property this layer type does not have (tracking on a
                # shape): the browser sets the CSS and nothing shows, so it is dropped here
                continue
            comps: list[Component] = value[1]
            out[name] = finalize(definition, comps, value[2], ctx)
        else:
            out[name] = value[1]
    return out


def caption_index(captions: list[Any] | None, tau: float) -> int:
    """Index of the first caption with start <= tau <= end (array order), -1 when none."""
    for i, entry in enumerate(captions or ()):
        if entry.start_time <= tau <= entry.end_time:
            return i
    return -1
