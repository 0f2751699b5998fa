"""Shape layers: the inline SVG primitive of spec 02 §7, drawn with Skia in box-local coordinates.

Geometry arrives in px (shape units already resolved by the timeline). The fill primitive is built
at the full box (w, h); the stroke primitive at the box scaled about its centre by the alignment
inset k (inner sw/2, center 0, outer −sw/2), translated by (k, k) — a scaling, not a parallel
offset, exactly as the reference writes the SVG. Dashes start where Blink's path builders start
(rect: top-left going right; rounded rect: (x + r, y); ellipse: 3 o'clock; polygon/star: first
point). Paths are built once per distinct geometry and cached. Imports skia only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import skia

from vfnative.raster.box import to_color4f

__all__ = ["ShapeGeometry", "draw_shape", "shape_bounds_outset", "shape_geometry"]

SHAPE_TYPES = ("rectangle", "ellipse", "polygon", "star")

_JOINS = {
    "miter": skia.Paint.Join.kMiter_Join,
    "round": skia.Paint.Join.kRound_Join,
    "bevel": skia.Paint.Join.kBevel_Join,
}

_MITER_LIMIT = 4.0


def _num(value: Any, default: float = 0.0) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


@dataclass(frozen=True, slots=True)
class _Primitive:
    """One SVG primitive at a size: a rect, rounded rect, oval or closed polygon path."""

    kind: str  # "rect" | "rrect" | "oval" | "path"
    rect: skia.Rect
    rrect: skia.RRect | None
    path: skia.Path

    def draw(self, canvas: skia.Canvas, paint: skia.Paint) -> None:
        if self.kind == "rect":
            canvas.drawRect(self.rect, paint)
        elif self.kind == "rrect":
            canvas.drawRRect(self.rrect, paint)
        elif self.kind == "oval":
            canvas.drawOval(self.rect, paint)
        else:
            canvas.drawPath(self.path, paint)


def _polygon_points(n: int, w: float, h: float) -> list[skia.Point]:
    pts = []
    for i in range(n):
        theta = math.radians(-90.0 + 360.0 * i / n)
        pts.append(skia.Point(w / 2 + (w / 2) * math.cos(theta), h / 2 + (h / 2) * math.sin(theta)))
    return pts


def _star_points(n: int, inner: float, w: float, h: float) -> list[skia.Point]:
    pts = []
    for i in range(2 * n):
        theta = math.radians(-90.0 + 180.0 * i / n)
        rx, ry = (w / 2, h / 2) if i % 2 == 0 else (inner * w / 2, inner * h / 2)
        pts.append(skia.Point(w / 2 + rx * math.cos(theta), h / 2 + ry * math.sin(theta)))
    return pts


def _primitive(
    shape_type: str, w: float, h: float, corner: float, sides: int, inner: float, dx: float = 0.0
) -> _Primitive:
    """The primitive at size (w, h), translated by (dx, dx) (the stroke's `translate(k k)`)."""
    w, h = max(0.0, w), max(0.0, h)
    rect = skia.Rect.MakeXYWH(dx, dx, w, h)
    path = skia.Path()
    if shape_type == "ellipse":
        path.addOval(rect, skia.PathDirection.kCW, 1)
        return _Primitive("oval", rect, None, path)
    if shape_type in ("polygon", "star"):
        pts = _polygon_points(sides, w, h) if shape_type == "polygon" else _star_points(sides, inner, w, h)
        path.addPoly([skia.Point(p.x() + dx, p.y() + dx) for p in pts], True)
        return _Primitive("path", rect, None, path)
    r = min(max(corner, 0.0), min(w, h) / 2)
    if r > 0:
        rrect = skia.RRect.MakeRectXY(rect, r, r)
        path.addRRect(rrect, skia.PathDirection.kCW, 0)
        return _Primitive("rrect", rect, rrect, path)
    path.addRect(rect, skia.PathDirection.kCW, 0)
    return _Primitive("rect", rect, None, path)


@dataclass(frozen=True, slots=True)
class ShapeGeometry:
    """Fill and stroke primitives of one shape, in SVG user units (origin = box top-left)."""

    width: float
    height: float
    fill: _Primitive
    stroke: _Primitive | None
    stroke_width: float
    join: skia.Paint.Join
    dash: skia.PathEffect | None
    outset: float
    """How far the stroke may reach outside the (w, h) box, for layer bounds."""


_CACHE: dict[tuple[Any, ...], ShapeGeometry] = {}
_CACHE_LIMIT = 512


def shape_geometry(shape_type: str, props: Mapping[str, Any]) -> ShapeGeometry:
    """Build (or fetch) the fill/stroke primitives for a shape's resolved props."""
    if shape_type not in SHAPE_TYPES:
        shape_type = "rectangle"
    w = _num(props.get("width"), 0.0)
    h = _num(props.get("height"), 0.0)
    corner = _num(props.get("cornerRadius"))
    sides = max(3, round(_num(props.get("sides"), 6.0)))
    inner = min(max(_num(props.get("innerRadius"), 0.5), 0.0), 1.0)
    sw = _num(props.get("strokeWidth"))
    has_stroke = sw > 0 and props.get("strokeColor") is not None
    align = props.get("strokeAlignment", "inner") if has_stroke else None
    dash = _num(props.get("strokeDash")) if has_stroke else 0.0
    gap = _num(props.get("strokeGap")) if has_stroke else 0.0
    join = props.get("strokeLinejoin", "miter") if has_stroke else None
    key = (shape_type, w, h, corner, sides, inner, sw if has_stroke else 0.0, align, dash, gap, join)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached

    fill = _primitive(shape_type, w, h, corner, sides, inner)
    stroke = None
    dash_effect = None
    outset = 0.0
    if has_stroke:
        k = {"inner": sw / 2, "outer": -sw / 2}.get(str(align), 0.0)
        stroke = _primitive(shape_type, w - 2 * k, h - 2 * k, max(0.0, corner - k), sides, inner, dx=k)
        if dash > 0:
            dash_effect = skia.DashPathEffect.Make([dash, gap if gap > 0 else dash], 0.0)
        # stroke half-width plus miters (limit 4 → up to 2·sw past the path), minus the inset
        outset = max(0.0, -k) + (2.0 * sw if join == "miter" else sw / 2)
    geom = ShapeGeometry(
        width=w,
        height=h,
        fill=fill,
        stroke=stroke,
        stroke_width=sw,
        join=_JOINS.get(str(join), skia.Paint.Join.kMiter_Join),
        dash=dash_effect,
        outset=outset,
    )
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = geom
    return geom


def shape_bounds_outset(geom: ShapeGeometry) -> float:
    """Extra px around the box that the shape's stroke may paint."""
    return geom.outset + 1.0


def draw_shape(
    canvas: skia.Canvas,
    geom: ShapeGeometry,
    props: Mapping[str, Any],
    content: skia.Rect,
) -> None:
    """Draw fill then stroke into `content` (the wrapper's content box, box-local px).

    The SVG viewBox is (0, 0, max(1, w), max(1, h)) with preserveAspectRatio none, so borders
    squash the drawing (strokes included); without borders the scale is exactly 1.
    """
    fill_color = to_color4f(props.get("fill"))
    stroke_color = to_color4f(props.get("strokeColor")) if geom.stroke is not None else None
    if fill_color is None and stroke_color is None:
        return
    sx = content.width() / max(1.0, geom.width)
    sy = content.height() / max(1.0, geom.height)
    identity = sx == 1.0 and sy == 1.0 and content.left() == 0.0 and content.top() == 0.0
    if not identity:
        canvas.save()
        canvas.translate(content.left(), content.top())
        canvas.scale(sx, sy)
    if fill_color is not None:
        paint = skia.Paint(fill_color)
        paint.setAntiAlias(True)
        geom.fill.draw(canvas, paint)
    if stroke_color is not None and geom.stroke is not None:
        paint = skia.Paint(stroke_color)
        paint.setAntiAlias(True)
        paint.setStyle(skia.Paint.kStroke_Style)
        paint.setStrokeWidth(geom.stroke_width)
        paint.setStrokeJoin(geom.join)
        paint.setStrokeMiter(_MITER_LIMIT)
        if geom.dash is not None:
            paint.setPathEffect(geom.dash)
            canvas.drawPath(geom.stroke.path, paint)
        else:
            geom.stroke.draw(canvas, paint)
    if not identity:
        canvas.restore()
