"""Hand-built documents and LayerFrames for raster tests (no model, no timeline)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from vfnative.model.properties import property_table
from vfnative.timeline.scene import LayerFrame


def make_doc(width: int = 200, height: int = 100, background: str = "#000000") -> Any:
    return SimpleNamespace(width=width, height=height, fps=30, background_color=background)


def make_layer(
    kind: str,
    *,
    path: str = "layers[0]",
    settings: dict[str, Any] | None = None,
    children: tuple[LayerFrame, ...] = (),
    effects: list[Any] | None = None,
    frame_width: int = 200,
    **props: Any,
) -> LayerFrame:
    """A LayerFrame with every prop of `kind` at its default (px = default × W/100), overridden by `props`."""
    resolved: dict[str, Any] = {}
    for name, d in property_table(kind).items():
        value = d.default
        if d.kind == "color":
            value = None
        elif d.kind == "length":
            value = (
                tuple(float(v) for v in value)
                if isinstance(value, list)
                else float(value) * frame_width / 100
            )
            if name == "perspective":
                value = float(frame_width)
        elif isinstance(value, list):
            value = tuple(value)
        resolved[name] = value
    resolved.update(props)
    layer = SimpleNamespace(type=kind, settings=SimpleNamespace(**(settings or {})), effects=effects or [])
    return LayerFrame(layer=layer, path=path, props=resolved, frame=0, children=children)


@pytest.fixture(name="make_doc")
def make_doc_fixture() -> Callable[..., Any]:
    return make_doc


@pytest.fixture(name="make_layer")
def make_layer_fixture() -> Callable[..., LayerFrame]:
    return make_layer
