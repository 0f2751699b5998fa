"""The CSS element transform of one layer as a single projective matrix (spec 02 §3.2–§3.6).

Pure maths over resolved props: no drawing. The full 4×4 product

    M = C · T(bx, by, 0) · T(O) · T(t) · Persp(d_e) · RotX · RotY · RotZ · Scale · T(−O)

(C = the container's `perspective: W px` about the frame centre) is computed in float64 and then
reduced to the 3×3 that maps box-local points (u, v, 0, 1) to the screen — raster only ever draws
z = 0 content, so the z column is irrelevant and the homogeneous row carries both perspectives.
Skia clips geometry behind the viewer (w ≤ 0) when it draws through a perspective matrix.
Imports skia, numpy and stdlib only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import skia

__all__ = [
    "Placement",
    "as_vector",
    "css_round",
    "layer_matrix",
    "rotation_zxy",
    "scale_xyz",
]


def css_round(x: float) -> float:
    """Round half up, as Blink snaps a paint offset (spec 02 §3.2)."""
    return math.floor(x + 0.5)


def as_vector(value: Any, default: tuple[float, float, float]) -> tuple[float, float, float]:
    """`position` / `anchor` → (x, y, z). A bare number is ignored (CSS leaves the defaults)."""
    if isinstance(value, (list, tuple)):
        out = list(default)
        for i, item in enumerate(value[:3]):
            try:
                f = float(item)
            except (TypeError, ValueError):
                continue
            if math.isfinite(f):
                out[i] = f
        return out[0], out[1], out[2]
    return default


def rotation_zxy(value: Any) -> tuple[float, float, float]:
    """`rotation` → (rz, rx, ry) degrees: a number is Z; an array is [Z, X, Y] (spec 02 §3.3, Q3)."""
    if isinstance(value, (list, tuple)):
        parts = [float(v) for v in value[:3]] + [0.0] * (3 - min(len(value), 3))
        return parts[0], parts[1], parts[2]
    try:
        return float(value or 0.0), 0.0, 0.0
    except (TypeError, ValueError):
        return 0.0, 0.0, 0.0


def scale_xyz(value: Any) -> tuple[float, float, float]:
    """`scale` → (sx, sy, sz): a number is uniform; [sx, sy] keeps sz = 1."""
    if isinstance(value, (list, tuple)):
        if not value:
            return 1.0, 1.0, 1.0
        sx = float(value[0])
        sy = float(value[1]) if len(value) > 1 else 1.0
        sz = float(value[2]) if len(value) > 2 else 1.0
        return sx, sy, sz
    if value is None:
        return 1.0, 1.0, 1.0
    k = float(value)
    return k, k, k


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a layer's box lands: box-local (origin = border-box top-left) → screen."""

    matrix: skia.Matrix
    """3×3 box-local → screen (may carry perspective)."""
    affine: bool
    """True when the matrix has no perspective row."""
    scale_translate: bool
    """True when the matrix is only scale + translate (no rotation/skew/perspective)."""


def _translate(x: float, y: float, z: float) -> np.ndarray:
    m = np.eye(4)
    m[0, 3], m[1, 3], m[2, 3] = x, y, z
    return m


def _perspective(d: float) -> np.ndarray:
    m = np.eye(4)
    m[3, 2] = -1.0 / d
    return m


def _rot_x(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    m = np.eye(4)
    m[1, 1], m[1, 2], m[2, 1], m[2, 2] = c, -s, s, c
    return m


def _rot_y(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    m = np.eye(4)
    m[0, 0], m[0, 2], m[2, 0], m[2, 2] = c, s, -s, c
    return m


def _rot_z(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    m = np.eye(4)
    m[0, 0], m[0, 1], m[1, 0], m[1, 1] = c, -s, s, c
    return m


def layer_matrix4(
    props: Mapping[str, Any],
    box_w: float,
    box_h: float,
    offset_x: float,
    offset_y: float,
    width: int,
    height: int,
) -> np.ndarray:
    """The 4×4 `M` of spec 02 §3.3 (float64, column vectors) for a box at static offset (bx, by).

    `offset_x/y` must already be rounded (Blink discards the fractional paint offset under a
    non-translation transform); `box_w/h` stay fractional for the % translations and the origin.
    `props["perspective"]` is the element perspective in px: < 0 is invalid CSS, which drops the
    whole transform; values below 1 px act as 1 px.
    """
    vw = width / 100.0
    p0, p1, p2 = as_vector(props.get("position"), (0.5, 0.5, 0.0))
    a0, a1, a2 = as_vector(props.get("anchor"), (0.5, 0.5, 0.0))
    rz, rx, ry = rotation_zxy(props.get("rotation", 0.0))
    sx, sy, sz = scale_xyz(props.get("scale", 1.0))
    d_e = float(props.get("perspective", width) or 0.0)

    container = (
        _translate(width / 2, height / 2, 0.0)
        @ _perspective(float(width))
        @ _translate(-width / 2, -height / 2, 0.0)
    )
    offset = _translate(offset_x, offset_y, 0.0)
    if not math.isfinite(d_e) or d_e < 0:
        out: np.ndarray = container @ offset  # invalid `transform` declaration: static position only
        return out

    ox, oy, oz = a0 * box_w, a1 * box_h, a2 * vw
    tx = -(a0 - 0.5) * box_w + (p0 - 0.5) * width
    ty = -(a1 - 0.5) * box_h + (p1 - 0.5) * height
    tz = p2 * vw
    element = _translate(tx, ty, tz) @ _perspective(max(d_e, 1.0))
    if rx:
        element = element @ _rot_x(rx)
    if ry:
        element = element @ _rot_y(ry)
    if rz:
        element = element @ _rot_z(rz)
    scale = np.diag([sx, sy, sz, 1.0])
    local = offset @ _translate(ox, oy, oz) @ element @ scale @ _translate(-ox, -oy, -oz)
    result: np.ndarray = container @ local
    return result


def to_placement(m4: np.ndarray) -> Placement:
    """Reduce a 4×4 to the 3×3 acting on z = 0 points; normalise so that affine means affine."""
    m = m4[np.ix_((0, 1, 3), (0, 1, 3))]
    if abs(m[2, 0]) < 1e-12 and abs(m[2, 1]) < 1e-12 and m[2, 2] > 0:
        m = m / m[2, 2]
        m[2, 0] = m[2, 1] = 0.0
        m[2, 2] = 1.0
        affine = True
    else:
        affine = False
    flat = [float(v) for v in m.reshape(-1)]
    matrix = skia.Matrix.MakeAll(*flat)
    scale_translate = affine and abs(flat[1]) < 1e-12 and abs(flat[3]) < 1e-12
    return Placement(matrix, affine, scale_translate)


def layer_matrix(
    props: Mapping[str, Any],
    box_w: float,
    box_h: float,
    offset_x: float,
    offset_y: float,
    width: int,
    height: int,
) -> Placement:
    """`layer_matrix4` reduced to a Skia 3×3 placement.

    Most layers stay in the z = 0 plane (no X/Y rotation, no z translation, anchor z = 0): both
    perspectives then act as the identity and the 4×4 chain is the 2D affine
    ``T(offset + origin + t) · R(z) · S(x, y) · T(−origin)``, built here directly (the 4×4 path costs
    ~30 µs of numpy per layer and frame; equal to it within 1e-9, tests/raster/test_transform.py).
    """
    flat = _planar_affine(props, box_w, box_h, offset_x, offset_y, width, height)
    if flat is None:
        return to_placement(layer_matrix4(props, box_w, box_h, offset_x, offset_y, width, height))
    return Placement(skia.Matrix.MakeAll(*flat), True, abs(flat[1]) < 1e-12 and abs(flat[3]) < 1e-12)


def _planar_affine(
    props: Mapping[str, Any],
    box_w: float,
    box_h: float,
    offset_x: float,
    offset_y: float,
    width: int,
    height: int,
) -> list[float] | None:
    """The 3×3 of `layer_matrix4` as 9 floats when the layer stays in z = 0, else None."""
    rz, rx, ry = rotation_zxy(props.get("rotation", 0.0))
    p0, p1, p2 = as_vector(props.get("position"), (0.5, 0.5, 0.0))
    a0, a1, a2 = as_vector(props.get("anchor"), (0.5, 0.5, 0.0))
    d_e = float(props.get("perspective", width) or 0.0)
    if rx or ry or p2 or a2 or not math.isfinite(d_e) or d_e < 0:
        return None
    sx, sy, _sz = scale_xyz(props.get("scale", 1.0))
    ox, oy = a0 * box_w, a1 * box_h
    tx = offset_x + ox - (a0 - 0.5) * box_w + (p0 - 0.5) * width
    ty = offset_y + oy - (a1 - 0.5) * box_h + (p1 - 0.5) * height
    if rz:
        c, s = math.cos(math.radians(rz)), math.sin(math.radians(rz))
    else:
        c, s = 1.0, 0.0
    m00, m01, m10, m11 = c * sx, -s * sy, s * sx, c * sy
    return [m00, m01, tx - m00 * ox - m01 * oy, m10, m11, ty - m10 * ox - m11 * oy, 0.0, 0.0, 1.0]
