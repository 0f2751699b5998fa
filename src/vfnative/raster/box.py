"""CSS box decorations in box-local coordinates: background, borders, border radius (spec 02 §4).

Lengths arrive in px (the timeline resolved em); `borderRadius` items may be `Percent`
(resolved here against the border box: x against the width, y against the height).
Backgrounds and borders are painted from the pixel-snapped border box `(0, 0, round(w), round(h))`.
Box shadow and outline are not drawn yet: `Decorations.unsupported` names them so the compositor
can warn. Imports skia and the scene contract only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import skia

from vfnative.raster.transform import css_round
from vfnative.timeline.scene import Percent
from vfnative.types import Color

__all__ = [
    "BorderWidths",
    "Decorations",
    "border_widths",
    "decorations",
    "paint_decorations",
    "radii_for",
    "to_color4f",
]

BorderWidths = tuple[float, float, float, float]
"""(top, right, bottom, left) px."""

_NO_BORDER: BorderWidths = (0.0, 0.0, 0.0, 0.0)


def to_color4f(color: Color | None) -> skia.Color4f | None:
    """A contract colour → Skia colour; None (or fully transparent) → None (paint nothing)."""
    if color is None:
        return None
    r, g, b, a = color
    if a <= 0.0:
        return None
    return skia.Color4f(float(r), float(g), float(b), min(float(a), 1.0))


def _expand4(value: Any) -> tuple[Any, Any, Any, Any]:
    """CSS 1-4 value shorthand → (top/tl, right/tr, bottom/br, left/bl)."""
    if isinstance(value, (list, tuple)):
        items = list(value[:4])
        if not items:
            return 0.0, 0.0, 0.0, 0.0
        if len(items) == 1:
            return items[0], items[0], items[0], items[0]
        if len(items) == 2:
            return items[0], items[1], items[0], items[1]
        if len(items) == 3:
            return items[0], items[1], items[2], items[1]
        return items[0], items[1], items[2], items[3]
    return value, value, value, value


def _length(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def border_widths(props: Mapping[str, Any]) -> BorderWidths:
    """Per-side border widths in px; style `none`, or any negative width (invalid CSS), → 0."""
    if props.get("borderStyle", "solid") in (None, "none", "hidden"):
        return _NO_BORDER
    raw = props.get("borderWidth", 0.0)
    if not raw:
        return _NO_BORDER
    widths = tuple(_length(v) for v in _expand4(raw))
    if any(w < 0 for w in widths):
        return _NO_BORDER
    return widths  # type: ignore[return-value]


def radii_for(props: Mapping[str, Any], w: float, h: float) -> list[skia.Point] | None:
    """Corner radii (tl, tr, br, bl) as Skia points, % resolved against (w, h); None when all 0."""
    raw = props.get("borderRadius", 0.0)
    if not raw:
        return None
    out: list[skia.Point] = []
    nonzero = False
    for item in _expand4(raw):
        if isinstance(item, Percent):
            rx, ry = float(item) * w / 100.0, float(item) * h / 100.0
        else:
            rx = ry = _length(item)
        rx, ry = max(rx, 0.0), max(ry, 0.0)
        if rx > 0 and ry > 0:
            nonzero = True
        else:
            rx = ry = 0.0
        out.append(skia.Point(rx, ry))
    return out if nonzero else None


def _rrect(rect: skia.Rect, radii: list[skia.Point] | None) -> skia.RRect:
    rr = skia.RRect()
    if radii is None:
        rr.setRect(rect)
    else:
        rr.setRectRadii(rect, radii)  # applies the CSS overlap rule (same scaling as Skia)
    return rr


def _inner_rrect(outer: skia.RRect, widths: BorderWidths) -> skia.RRect:
    """Padding-box edge: inset by the border widths, radii shrunk per axis (spec 02 §4.4)."""
    t, r, b, left = widths
    o = outer.rect()
    rect = skia.Rect.MakeLTRB(o.left() + left, o.top() + t, o.right() - r, o.bottom() - b)
    if rect.isEmpty():
        return skia.RRect()
    if outer.isRect():
        return _rrect(rect, None)
    corners = [
        outer.radii(skia.RRect.Corner.kUpperLeft_Corner),
        outer.radii(skia.RRect.Corner.kUpperRight_Corner),
        outer.radii(skia.RRect.Corner.kLowerRight_Corner),
        outer.radii(skia.RRect.Corner.kLowerLeft_Corner),
    ]
    sides = ((left, t), (r, t), (r, b), (left, b))
    radii = [
        skia.Point(max(0.0, c.x() - sx), max(0.0, c.y() - sy)) for c, (sx, sy) in zip(corners, sides, strict=True)
    ]
    return _rrect(rect, radii)


@dataclass(frozen=True, slots=True)
class Decorations:
    """The box decorations of one layer, resolved once per frame."""

    outer: skia.RRect
    """Border-box edge (pixel-snapped size, radii applied)."""
    inner: skia.RRect
    """Padding-box edge (inside the borders)."""
    widths: BorderWidths
    background: skia.Color4f | None
    border: skia.Color4f | None
    border_style: str
    rounded: bool
    unsupported: tuple[str, ...]
    """Features present on this layer that are not drawn yet (for one warning each)."""

    @property
    def paints_anything(self) -> bool:
        return self.background is not None or (self.border is not None and any(self.widths))


def decorations(props: Mapping[str, Any], w: float, h: float) -> Decorations:
    """Resolve background, borders and radius of a border box of size (w, h) px."""
    rect = skia.Rect.MakeWH(css_round(w), css_round(h))
    radii = radii_for(props, w, h)
    outer = _rrect(rect, radii)
    widths = border_widths(props)
    inner = _inner_rrect(outer, widths) if any(widths) else outer
    style = str(props.get("borderStyle", "solid") or "solid")
    unsupported: list[str] = []
    if any(widths) and style not in ("solid", "double"):
        unsupported.append(f"borderStyle {style!r} (drawn as solid)")
    if props.get("boxShadow"):
        unsupported.append("boxShadow")
    if props.get("outlineStyle", "none") not in (None, "none") and _length(props.get("outlineWidth")) > 0:
        unsupported.append("outline")
    return Decorations(
        outer=outer,
        inner=inner,
        widths=widths,
        background=to_color4f(props.get("backgroundColor")),
        border=to_color4f(props.get("borderColor")),
        border_style=style,
        rounded=radii is not None,
        unsupported=tuple(unsupported),
    )


def paint_decorations(canvas: skia.Canvas, deco: Decorations) -> None:
    """Background (under the borders) then the border ring, antialiased, in box-local space."""
    if deco.background is not None:
        paint = skia.Paint(deco.background)
        paint.setAntiAlias(True)
        if deco.rounded:
            canvas.drawRRect(deco.outer, paint)
        else:
            canvas.drawRect(deco.outer.rect(), paint)
    if deco.border is None or not any(deco.widths):
        return
    paint = skia.Paint(deco.border)
    paint.setAntiAlias(True)
    if deco.border_style == "double" and min(w for w in deco.widths if w > 0) >= 3:
        # outer third and inner third of the ring filled, middle third empty
        third = tuple(w / 3.0 for w in deco.widths)
        mid_outer = _inner_rrect(deco.outer, third)  # type: ignore[arg-type]
        mid_inner = _inner_rrect(deco.outer, tuple(2 * t for t in third))  # type: ignore[arg-type]
        canvas.drawDRRect(deco.outer, mid_outer, paint)
        canvas.drawDRRect(mid_inner, deco.inner, paint)
        return
    if deco.inner.isEmpty():
        canvas.drawRRect(deco.outer, paint)
    else:
        canvas.drawDRRect(deco.outer, deco.inner, paint)
