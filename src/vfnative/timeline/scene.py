"""What the timeline hands to raster for one frame: active layers with resolved properties.

Contract (raster relies on it; the timeline guarantees it):

`scene_at(timeline, frame)` (scalar) and `scene_from_block(timeline, block, row)` (batch) both
return `list[LayerFrame]`, the *active* top-level layers of that frame in paint order (bottom
first). Inactive, disabled, track-disabled and non-visual layers are already left out. A group's
`children` holds its active children at the group-local frame, again in paint order.

`LayerFrame.props` maps every property name of the layer's type (model/properties.py) to a
resolved value, with units already resolved to pixels:

* kind "number": float (opacity, fontWeight, filterBrightness, innerRadius, sides as written...).
  `fontStretch` is a float percentage (100 = normal).
* kind "angle": float degrees. `rotation` is a float (Z) or a tuple of floats `[Z, X, Y]`.
* kind "length": float px, or a tuple of float px for arrays (borderWidth, padding, borderRadius,
  boxShadowOffset, textShadowOffset). em is resolved against the layer's em (W/100 for non-text
  layers, the font size in px for text/captions); shape geometry (width, height, strokeWidth,
  strokeDash, strokeGap, cornerRadius) uses shape units min(W, H)/100 whatever the written unit.
  `lineHeight` is px (a unit-less multiplier has been multiplied by the font size).
  `borderRadius` items written in % are `Percent` instances (a float subclass): CSS percent of
  the box, to be resolved by raster.
* kind "vector": `position`, `anchor`: tuple of floats (len 2 or 3, as written/interpolated);
  `scale`: float or tuple of floats.
* kind "color": `Color` tuple (r, g, b, a) floats in [0, 1], straight alpha, or None where the
  value is not a paintable colour ('none', '', unparsable).
* kind "enum" / "bool" / "text": the Python value as written (str / bool); captions' `text` is the
  caption active at this frame, or ''.

* ``__effects`` (present only while an effect-injecting transition runs): a tuple of
  ``(effect name, params)`` pairs the transition asks for, in order.

Transitions (spec 03 §A) have already been applied to these values.

`LayerFrame.frame` is the frame in the timeline the layer lives in (project frame for top-level
layers, group-local frame for children); effects use `frame / fps` as their time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vfnative.model.layers import Layer

__all__ = ["LayerFrame", "Percent"]


class Percent(float):
    """A CSS percentage (e.g. borderRadius '50%'), kept apart from pixel lengths."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Percent({float(self)!r})"


@dataclass(frozen=True)
class LayerFrame:
    """One active layer at one frame: the document layer plus its resolved properties."""

    layer: Layer
    """The validated document layer (settings, type, id, effects...)."""
    path: str
    """DocPath of the layer, e.g. ``layers[3]`` or ``layers[1].children[0]``; names it in warnings."""
    props: Mapping[str, Any]
    frame: int
    children: tuple[LayerFrame, ...] = field(default=())
