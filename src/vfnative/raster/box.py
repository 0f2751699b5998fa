"""CSS box decorations in box-local coordinates: background, borders, border radius (spec 02 §4).

Lengths arrive in px (the timeline resolved em); `borderRadius` items may be `Percent`
(resolved here against the border box: x against the width, y against the height).
Backgrounds and borders are painted from the pixel-snapped border box `(0, 0, round(w), round(h))`.
Painting order (spec 02 §4.1): outer box-shadow, background, border, [content], outline.
Border and outline styles: solid, double, dotted, dashed (dotted/dashed are drawn solid on
rounded corners) and the 3D styles inset, outset, groove, ridge with Blink's `Color::Dark`
shading (spec 02 §4.3); an outline is drawn as a uniform-width border ring around the box.
Imports skia and the scene contract only.
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
    "BoxShadow",
    "Decorations",
    "Outline",
    "border_widths",
    "decorations",
    "paint_box_shadow",
    "paint_decorations",
    "paint_outline",
    "radii_for",
    "to_color4f",
]

BorderWidths = tuple[float, float, float, float]
"""(top, right, bottom, left) px."""

_NO_BORDER: BorderWidths = (0.0, 0.0, 0.0, 0.0)

_CORNERS = (
    skia.RRect.Corner.kUpperLeft_Corner,
    skia.RRect.Corner.kUpperRight_Corner,
    skia.RRect.Corner.kLowerRight_Corner,
    skia.RRect.Corner.kLowerLeft_Corner,
)


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


def snap_line_width(w: float) -> float:
    """CSS "snap as a border width" at DPR 1: 0 < w < 1 → 1 px, otherwise floor to whole px."""
    if w <= 0:
        return 0.0
    return 1.0 if w < 1.0 else float(math.floor(w))


def border_widths(props: Mapping[str, Any]) -> BorderWidths:
    """Used per-side border widths in px (snapped); style `none` or a negative width → 0."""
    if props.get("borderStyle", "solid") in (None, "none", "hidden"):
        return _NO_BORDER
    raw = props.get("borderWidth", 0.0)
    if not raw:
        return _NO_BORDER
    widths = tuple(_length(v) for v in _expand4(raw))
    if any(w < 0 for w in widths):
        return _NO_BORDER
    t, r, b, left = (snap_line_width(w) for w in widths)
    return (t, r, b, left)


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
    corners = [outer.radii(c) for c in _CORNERS]
    sides = ((left, t), (r, t), (r, b), (left, b))
    radii = [
        skia.Point(max(0.0, c.x() - sx), max(0.0, c.y() - sy))
        for c, (sx, sy) in zip(corners, sides, strict=True)
    ]
    return _rrect(rect, radii)


def _spread_radius(r: float, spread: float) -> float:
    """Blink `OutsetForMarginOrShadow`: how a corner radius grows with the shadow spread."""
    if r <= 0:
        return 0.0
    if spread < 0:
        return max(0.0, r + spread)
    if r >= spread:
        return r + spread
    return r + spread * (1.0 + (r / spread - 1.0) ** 3)


def _outset_rrect(rr: skia.RRect, d: float, grow: Any) -> skia.RRect:
    """`rr` outset by `d` on every side, each corner radius mapped through `grow(r, d)`."""
    o = rr.rect()
    rect = skia.Rect.MakeLTRB(o.left() - d, o.top() - d, o.right() + d, o.bottom() + d)
    if rect.isEmpty():
        return skia.RRect()
    if rr.isRect():
        return _rrect(rect, None)
    radii = []
    for corner in _CORNERS:
        c = rr.radii(corner)
        radii.append(skia.Point(grow(c.x(), d), grow(c.y(), d)))
    return _rrect(rect, radii)


@dataclass(frozen=True, slots=True)
class BoxShadow:
    """One outer box shadow: the spread rrect (before the offset), offset, blur sigma, colour."""

    shape: skia.RRect
    dx: float
    dy: float
    sigma: float
    color: skia.Color4f


@dataclass(frozen=True, slots=True)
class Outline:
    """An outline ring between two rrects around the border box."""

    outer: skia.RRect
    inner: skia.RRect
    color: skia.Color4f
    width: float = 0.0
    style: str = "solid"


def _box_shadow(props: Mapping[str, Any], outer: skia.RRect) -> BoxShadow | None:
    if not props.get("boxShadow"):
        return None
    color = to_color4f(props.get("boxShadowColor"))
    blur = _length(props.get("boxShadowBlur"))
    if color is None or blur < 0:
        return None  # a negative blur makes the declaration invalid
    offset = props.get("boxShadowOffset", (0.0, 0.0))
    if isinstance(offset, (list, tuple)):
        dx = _length(offset[0]) if len(offset) > 0 else 0.0
        dy = _length(offset[1]) if len(offset) > 1 else 0.0
    else:
        dx = dy = _length(offset)
    spread = _length(props.get("boxShadowSpread"))
    shape = _outset_rrect(outer, spread, _spread_radius) if spread else outer
    if shape.isEmpty():
        return None
    return BoxShadow(shape, dx, dy, blur / 2.0, color)


def _outline(props: Mapping[str, Any], outer: skia.RRect) -> Outline | None:
    style = props.get("outlineStyle", "none")
    width = _length(props.get("outlineWidth"))
    if style in (None, "none", "hidden") or width <= 0:
        return None
    color = to_color4f(props.get("outlineColor"))
    if color is None:
        return None
    width = snap_line_width(width)
    offset = _length(props.get("outlineOffset"))

    def grow(r: float, d: float) -> float:
        return max(0.0, r + d) if r > 0 else 0.0

    inner = _outset_rrect(outer, offset, grow)
    ring = _outset_rrect(outer, offset + width, grow)
    return Outline(ring, inner, color, width, str(style))


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
    shadow: BoxShadow | None
    outline: Outline | None
    overflow: float
    """How far (px, box-local) shadow and outline may paint outside the border box."""
    unsupported: tuple[str, ...]
    """Features present on this layer that are not drawn exactly (for one warning each)."""


def decorations(props: Mapping[str, Any], w: float, h: float) -> Decorations:
    """Resolve background, borders and radius of a border box of size (w, h) px."""
    rect = skia.Rect.MakeWH(css_round(w), css_round(h))
    radii = radii_for(props, w, h)
    outer = _rrect(rect, radii)
    widths = border_widths(props)
    inner = _inner_rrect(outer, widths) if any(widths) else outer
    style = str(props.get("borderStyle", "solid") or "solid")
    unsupported: list[str] = []
    if any(widths) and style not in _STYLES:
        unsupported.append(f"borderStyle {style!r} (drawn as solid)")
    elif any(widths) and style in ("dotted", "dashed") and radii is not None:
        unsupported.append(f"borderStyle {style!r} on rounded corners (drawn as solid)")
    shadow = _box_shadow(props, outer)
    outline = _outline(props, outer)
    if outline is not None and outline.style not in _STYLES:
        unsupported.append(f"outlineStyle {outline.style!r} (drawn as solid)")
    elif outline is not None and outline.style in ("dotted", "dashed") and not outline.outer.isRect():
        unsupported.append(f"outlineStyle {outline.style!r} on rounded corners (drawn as solid)")
    overflow = 0.0
    if shadow is not None:
        o, r = outer.rect(), shadow.shape.rect()
        reach = max(
            o.left() - r.left(), r.right() - o.right(), o.top() - r.top(), r.bottom() - o.bottom(), 0.0
        )
        overflow = reach + max(abs(shadow.dx), abs(shadow.dy)) + 3.0 * shadow.sigma + 1.0
    if outline is not None:
        overflow = max(overflow, outline.outer.rect().right() - outer.rect().right() + 1.0)
    return Decorations(
        outer=outer,
        inner=inner,
        widths=widths,
        background=to_color4f(props.get("backgroundColor")),
        border=to_color4f(props.get("borderColor")),
        border_style=style,
        rounded=radii is not None,
        shadow=shadow,
        outline=outline,
        overflow=overflow,
        unsupported=tuple(unsupported),
    )


def paint_box_shadow(canvas: skia.Canvas, deco: Decorations) -> None:
    """The outer shadow: spread rrect, offset, Gaussian σ = blur/2, clipped out of the border box."""
    shadow = deco.shadow
    if shadow is None:
        return
    canvas.save()
    canvas.clipRRect(deco.outer, skia.ClipOp.kDifference, True)
    paint = skia.Paint(shadow.color)
    paint.setAntiAlias(True)
    if shadow.sigma > 0:
        paint.setMaskFilter(skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, shadow.sigma))
    canvas.translate(shadow.dx, shadow.dy)
    canvas.drawRRect(shadow.shape, paint)
    canvas.restore()


def paint_outline(canvas: skia.Canvas, deco: Decorations) -> None:
    """The outline ring (after the content), styled like a border of the outline's width."""
    outline = deco.outline
    if outline is None:
        return
    w = outline.width
    _paint_ring(
        canvas, outline.outer, outline.inner, (w, w, w, w), outline.style, outline.color,
        rounded=not outline.outer.isRect(),
    )  # fmt: skip


def paint_decorations(canvas: skia.Canvas, deco: Decorations) -> None:
    """Box shadow, background (under the borders), then the border ring, in box-local space."""
    paint_box_shadow(canvas, deco)
    if deco.background is not None:
        paint = skia.Paint(deco.background)
        paint.setAntiAlias(True)
        if deco.rounded:
            canvas.drawRRect(deco.outer, paint)
        else:
            canvas.drawRect(deco.outer.rect(), paint)
    if deco.border is None or not any(deco.widths):
        return
    _paint_ring(
        canvas, deco.outer, deco.inner, deco.widths, deco.border_style, deco.border, rounded=deco.rounded
    )


_STYLES = frozenset({"solid", "double", "dotted", "dashed", "inset", "outset", "groove", "ridge"})
"""Border/outline styles drawn as Chromium draws them (anything else is drawn solid)."""

_DARKENED_WHITE = (171, 171, 171)
_LIGHTENED_BLACK = (84, 84, 84)


def dark(color: skia.Color4f) -> skia.Color4f:
    """Blink `Color::Dark`: white → rgb(171,171,171); else scale by max(0, (v − 0.33)/v), v = max channel."""
    r, g, b = (min(max(round(c * 255), 0), 255) for c in (color.fR, color.fG, color.fB))
    if (r, g, b) == (255, 255, 255):
        r, g, b = _DARKENED_WHITE
    else:
        v = max(r, g, b) / 255.0
        m = 0.0 if v == 0 else max(0.0, (v - 0.33) / v)
        r, g, b = (math.trunc(m * c) for c in (r, g, b))
    return skia.Color4f(r / 255.0, g / 255.0, b / 255.0, color.fA)


def _side_colours(style: str, color: skia.Color4f) -> tuple[skia.Color4f, skia.Color4f]:
    """(top/left, bottom/right) colours of an `inset` (or, swapped, `outset`) ring.

    The dark side is `Dark(c)`; when darkening changes nothing (black), Blink lightens the other
    side instead (`Color::kLightenedBlack`), so a black inset/outset border still shows a bevel.
    """
    d = dark(color)
    light = color
    if (round(d.fR * 255), round(d.fG * 255), round(d.fB * 255)) == tuple(
        round(c * 255) for c in (color.fR, color.fG, color.fB)
    ):
        light = skia.Color4f(*(c / 255.0 for c in _LIGHTENED_BLACK), color.fA)
    return (d, light) if style == "inset" else (light, d)


def _side_clips(outer: skia.Rect, inner: skia.Rect) -> list[skia.Path]:
    """Trapezoids (top, right, bottom, left) split on the outer→inner corner diagonals."""
    if inner.isEmpty():
        inner = skia.Rect.MakeXYWH(outer.centerX(), outer.centerY(), 0, 0)
    out = (
        (outer.left(), outer.top()),
        (outer.right(), outer.top()),
        (outer.right(), outer.bottom()),
        (outer.left(), outer.bottom()),
    )
    inn = ((inner.left(), inner.top()), (inner.right(), inner.top()),
           (inner.right(), inner.bottom()), (inner.left(), inner.bottom()))  # fmt: skip
    clips = []
    for i in range(4):
        j = (i + 1) % 4
        path = skia.Path()
        path.addPoly(
            [skia.Point(*out[i]), skia.Point(*out[j]), skia.Point(*inn[j]), skia.Point(*inn[i])], True
        )
        clips.append(path)
    return clips


def _fill_ring(canvas: skia.Canvas, outer: skia.RRect, inner: skia.RRect, paint: skia.Paint) -> None:
    if inner.isEmpty():
        canvas.drawRRect(outer, paint)
    else:
        canvas.drawDRRect(outer, inner, paint)


def _paint_beveled(
    canvas: skia.Canvas, outer: skia.RRect, inner: skia.RRect, widths: BorderWidths,
    style: str, color: skia.Color4f,
) -> None:  # fmt: skip
    """inset / outset / groove / ridge: per-side shading, groove/ridge split into two halves."""
    clips = _side_clips(outer.rect(), inner.rect())
    if style in ("inset", "outset"):
        bands = [(outer, inner, style)]
    else:
        half = tuple(w / 2.0 for w in widths)
        middle = _inner_rrect(outer, (half[0], half[1], half[2], half[3]))
        first, second = ("inset", "outset") if style == "groove" else ("outset", "inset")
        bands = [(outer, middle, first), (middle, inner, second)]
    for band_outer, band_inner, band_style in bands:
        top_left, bottom_right = _side_colours(band_style, color)
        for i, clip in enumerate(clips):
            if widths[i] <= 0:
                continue
            paint = skia.Paint(top_left if i in (0, 3) else bottom_right)
            paint.setAntiAlias(True)
            canvas.save()
            canvas.clipPath(clip, skia.ClipOp.kIntersect, True)
            _fill_ring(canvas, band_outer, band_inner, paint)
            canvas.restore()


def _paint_ring(
    canvas: skia.Canvas, outer: skia.RRect, inner: skia.RRect, widths: BorderWidths,
    style: str, color: skia.Color4f, *, rounded: bool,
) -> None:  # fmt: skip
    """One border (or outline) ring between `outer` and `inner` in the given CSS style."""
    paint = skia.Paint(color)
    paint.setAntiAlias(True)
    if style == "double" and min(w for w in widths if w > 0) >= 3:
        # outer and inner stripes filled, middle empty; Blink's integer thirds
        # (`GetDoubleBorderStripeWidths`: outer = (w + 1) / 3, inner edge at (2w + 1) / 3)
        t, r, b, left = (int(w) for w in widths)
        mid_outer = _inner_rrect(outer, ((t + 1) // 3, (r + 1) // 3, (b + 1) // 3, (left + 1) // 3))
        mid_inner = _inner_rrect(
            outer, ((2 * t + 1) // 3, (2 * r + 1) // 3, (2 * b + 1) // 3, (2 * left + 1) // 3)
        )
        canvas.drawDRRect(outer, mid_outer, paint)
        _fill_ring(canvas, mid_inner, inner, paint)
        return
    if style in ("dotted", "dashed") and not rounded:
        _paint_broken_border(canvas, outer.rect(), inner, widths, style, paint)
        return
    if style in ("inset", "outset", "groove", "ridge"):
        _paint_beveled(canvas, outer, inner, widths, style, color)
        return
    _fill_ring(canvas, outer, inner, paint)


def _best_dash_gap(length: float, dash: float, gap: float) -> float:
    """Blink `StrokeData::SelectBestDashGap` for an open line: the gap closest to `gap`."""
    min_dashes = math.floor((length + gap) / (dash + gap))
    max_dashes = min_dashes + 1
    min_gap = (length - min_dashes * dash) / (min_dashes - 1) if min_dashes > 1 else length
    max_gap = (length - max_dashes * dash) / (max_dashes - 1) if max_dashes > 1 else length
    if max_gap <= 0 or abs(min_gap - gap) < abs(max_gap - gap):
        return min_gap
    return max_gap


def _paint_broken_border(
    canvas: skia.Canvas,
    o: skia.Rect,
    inner_rr: skia.RRect,
    widths: BorderWidths,
    style: str,
    paint: skia.Paint,
) -> None:
    """Dotted / dashed sides (Blink-like, approximate): one stroked line per side.

    Dotted: round dots of diameter = width, centred along the side's mid-line, spacing
    stretched so both ends get a dot. Dashed: butt dashes of 3×width (2× from 3 px up), gaps
    adjusted so each side starts and ends with a dash; each side is clipped to its trapezoid.
    """
    t, r, b, left = widths
    sides = (
        (t, (o.left(), o.top() + t / 2), (o.right(), o.top() + t / 2)),
        (r, (o.right() - r / 2, o.top()), (o.right() - r / 2, o.bottom())),
        (b, (o.right(), o.bottom() - b / 2), (o.left(), o.bottom() - b / 2)),
        (left, (o.left() + left / 2, o.bottom()), (o.left() + left / 2, o.top())),
    )
    inner = inner_rr.rect() if not inner_rr.isEmpty() else skia.Rect.MakeXYWH(o.centerX(), o.centerY(), 0, 0)
    corners_out = ((o.left(), o.top()), (o.right(), o.top()), (o.right(), o.bottom()), (o.left(), o.bottom()))
    corners_in = (
        (inner.left(), inner.top()), (inner.right(), inner.top()),
        (inner.right(), inner.bottom()), (inner.left(), inner.bottom()),
    )  # fmt: skip
    for i, (w, (x0, y0), (x1, y1)) in enumerate(sides):
        if w <= 0:
            continue
        stroke = skia.Paint(paint)
        stroke.setStyle(skia.Paint.kStroke_Style)
        stroke.setStrokeWidth(w)
        if style == "dotted":
            # dots centred on the corner squares' centres: shorten by w/2 at each end
            ux, uy = (x1 - x0), (y1 - y0)
            full = math.hypot(ux, uy)
            if full <= w:
                continue
            ux, uy = ux / full, uy / full
            x0, y0, x1, y1 = x0 + ux * w / 2, y0 + uy * w / 2, x1 - ux * w / 2, y1 - uy * w / 2
            length = full - w
            gap = _best_dash_gap(length + w, w, w)
            stroke.setStrokeCap(skia.Paint.kRound_Cap)
            stroke.setPathEffect(skia.DashPathEffect.Make([0.0, gap + w], 0.0))
            canvas.drawLine(x0, y0, x1, y1, stroke)
            continue
        length = math.hypot(x1 - x0, y1 - y0)
        dash = w * (2.0 if w >= 3 else 3.0)
        gap_ratio = w * (1.0 if w >= 3 else 2.0)
        stroke.setStrokeCap(skia.Paint.kButt_Cap)
        if length > dash:
            gap = _best_dash_gap(length, dash, gap_ratio)
            stroke.setPathEffect(skia.DashPathEffect.Make([dash, max(gap, 0.0)], 0.0))
        clip = skia.Path()
        a, b2 = corners_out[i], corners_out[(i + 1) % 4]
        c, d = corners_in[(i + 1) % 4], corners_in[i]
        clip.addPoly([skia.Point(*a), skia.Point(*b2), skia.Point(*c), skia.Point(*d)], True)
        canvas.save()
        canvas.clipPath(clip, skia.ClipOp.kIntersect, True)
        canvas.drawLine(x0, y0, x1, y1, stroke)
        canvas.restore()
