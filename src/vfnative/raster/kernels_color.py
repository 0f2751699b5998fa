"""Effect pass kernels (spec 03 §B.4), colour: colorCorrection, vignette, duotone, invert.

Each kernel has the signature raster/effects_kernels.py describes (`kernel(src, dst, orig, x0, y0,
x1, y1, time, p)`) and follows the spec's recipe for its effect literally. Imports numpy, numba and
raster/effects_gl only.
"""

from __future__ import annotations

import math

from vfnative.raster.effects_gl import (
    _EPS4,
    _H,
    F,
    _0,
    _1,
    _2,
    clamp01,
    fetch,
    frag_uv,
    jit,
    length2,
    luminance,
    mix,
    smoothstep,
    store,
)

# =========================================================================== 13 colorCorrection
# p: exposure, contrast, saturation, temperature, tint, gamma


@jit
def k_color_correction(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    gain = _2 ** p[0]
    con = _1 + p[1]
    sat = _1 + p[2]
    temp = F(0.1) * p[3]
    tint = F(0.1) * p[4]
    ig = _1 / max(p[5], _EPS4)
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = fetch(src, x, y)
            a = c[3]
            if a < _EPS4:
                store(dst, x, y, c[0], c[1], c[2], a)
                continue
            r = c[0] / a * gain
            g = c[1] / a * gain
            b = c[2] / a * gain
            r = (r - _H) * con + _H
            g = (g - _H) * con + _H
            b = (b - _H) * con + _H
            r = r + temp
            b = b - temp
            g = g - tint
            lum = luminance(r, g, b)
            r = mix(lum, r, sat)
            g = mix(lum, g, sat)
            b = mix(lum, b, sat)
            r = max(r, _0) ** ig
            g = max(g, _0) ** ig
            b = max(b, _0) ** ig
            store(dst, x, y, r * a, g * a, b * a, a)


# =========================================================================== 14 vignette
# p: intensity, radius, softness, centerX, centerY, color[5..8], shape (0 circle, 1 ellipse, 2 rectangle)


@jit
def k_vignette(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    inten = p[0]
    rad = p[1]
    soft = p[2]
    cx = p[3]
    cy = p[4]
    shape = int(p[9])
    asp = F(w) / F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = u - cx
            dy = v - cy
            if shape == 0:
                d = _2 * length2(dx * asp, dy)
            elif shape == 1:
                d = length2(_2 * dx, _2 * dy)
            else:
                d = _2 * max(abs(dx), abs(dy))
            f = smoothstep(rad - soft, rad + soft, d)
            k = f * inten * p[8]
            c = fetch(src, x, y)
            store(
                dst,
                x,
                y,
                mix(c[0], p[5] * c[3], k),
                mix(c[1], p[6] * c[3], k),
                mix(c[2], p[7] * c[3], k),
                c[3],
            )


# =========================================================================== 36 duotone
# p: shadowColor[0..3], highlightColor[4..7], contrast, brightness, midtoneBias, mix


@jit
def k_duotone(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    con = _1 + p[8]
    bright = p[9]
    ex = math.exp(F(-2.0) * p[10])
    m = clamp01(p[11])
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = fetch(src, x, y)
            a = c[3]
            if a < _EPS4:
                store(dst, x, y, c[0], c[1], c[2], a)
                continue
            xr = c[0] / a
            xg = c[1] / a
            xb = c[2] / a
            lum = (luminance(xr, xg, xb) - _H) * con + _H + bright
            b = clamp01(lum) ** ex
            store(
                dst, x, y,
                mix(xr, mix(p[0], p[4], b), m) * a,
                mix(xg, mix(p[1], p[5], b), m) * a,
                mix(xb, mix(p[2], p[6], b), m) * a,
                a,
            )  # fmt: skip


# =========================================================================== 42 invert
# p: amount


@jit
def k_invert(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    amount = p[0]
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = fetch(src, x, y)
            a = c[3]
            if a < _EPS4:
                store(dst, x, y, c[0], c[1], c[2], a)
                continue
            xr = c[0] / a
            xg = c[1] / a
            xb = c[2] / a
            store(
                dst,
                x,
                y,
                mix(xr, _1 - xr, amount) * a,
                mix(xg, _1 - xg, amount) * a,
                mix(xb, _1 - xb, amount) * a,
                a,
            )
