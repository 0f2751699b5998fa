"""Effect pass kernels (spec 03 §B.4), masks and reveals: wipeMask, noiseDissolve, scanReveal, radialReveal, mosaicReveal, burnDissolve.

Each kernel has the signature raster/effects_kernels.py describes (`kernel(src, dst, orig, x0, y0,
x1, y1, time, p)`) and follows the spec's recipe for its effect literally. Imports numpy, numba and
raster/effects_gl only.
"""

from __future__ import annotations

import math

import numpy as np

from vfnative.raster.effects_gl import (
    _EPS4,
    _H,
    RAD,
    F,
    _0,
    _1,
    _2,
    clamp01,
    fbm,
    fetch,
    frag_uv,
    hash21,
    jit,
    length2,
    mix,
    smoothstep,
    store,
    t_frame,
    t_off,
    tex_c,
)

# =========================================================================== 6 wipeMask
# p: progress, angle, softness, edgeWidth, edgeColor[4..7], invert


@jit
def _mask_edge(dst, x, y, c, diff, s, ew, er, eg, eb, ea):  # type: ignore[no-untyped-def]
    mask = smoothstep(-s / _2, s / _2, diff)
    edge = _0
    if ew > _0:
        z = diff / ew
        edge = math.exp(-(z * z)) * ea
    r = mix(c[0], er * c[3], edge)
    g = mix(c[1], eg * c[3], edge)
    b = mix(c[2], eb * c[3], edge)
    store(dst, x, y, r * mask, g * mask, b * mask, c[3] * mask)


@jit
def k_wipe_mask(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    progress = p[0]
    th = p[1] * RAD
    dx = math.cos(th)
    dy = math.sin(th)
    s = max(p[2], _EPS4)
    ew = max(p[3], _0)
    inv = p[8] != _0
    thr = _1 - progress if inv else progress
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            along = (u - _H) * dx + (v - _H) * dy + _H
            diff = along - thr if inv else thr - along
            _mask_edge(dst, x, y, fetch(src, x, y), diff, s, ew, p[4], p[5], p[6], p[7])


# =========================================================================== 7 noiseDissolve
# p: progress, noiseScale, softness, edgeWidth, edgeColor[4..7], invert


@jit
def k_noise_dissolve(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    progress = p[0]
    ns = max(p[1], F(0.001))
    s = max(p[2], _EPS4)
    ew = max(p[3], _0)
    inv = p[8] != _0
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            n = fbm(u * ns, v * ns)
            diff = n - (_1 - progress) if inv else progress - n
            _mask_edge(dst, x, y, fetch(src, x, y), diff, s, ew, p[4], p[5], p[6], p[7])


# =========================================================================== 16 scanReveal
# p: progress, angle, bandWidth, softness, edgeGlow, edgeDistortion, invert


@jit
def k_scan_reveal(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    pos = p[0]
    th = p[1] * RAD
    dx = math.cos(th)
    dy = math.sin(th)
    hb = p[2] / _2
    s = p[3]
    glow = p[4]
    ed = p[5]
    inv = p[6] != _0
    px = -dy
    py = dx
    tox, toy = t_off(t_frame(time))
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            along = (u - _H) * dx + (v - _H) * dy + _H
            band = _1 - smoothstep(hb, hb + s, abs(along - pos))
            n = _2 * hash21(F(50.0) * u + tox, F(50.0) * v + toy) - _1
            ox = px * ed * band * n
            oy = py * ed * band * n
            c = tex_c(src, u + ox, v + oy)
            soft = smoothstep(pos - s, pos + s, along) if inv else smoothstep(pos + s, pos - s, along)
            e = glow * band * c[3]
            store(dst, x, y, c[0] + e, c[1] + e, c[2] + e, c[3] * soft)


# =========================================================================== 17 radialReveal
# p: progress, centerX, centerY, softness, edgeGlow, invert


@jit
def k_radial_reveal(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    cx = p[1]
    cy = p[2]
    s = p[3]
    glow = p[4]
    inv = p[5] != _0
    asp = F(w) / F(h)
    max_d = length2(max(cx, _1 - cx) * asp, max(cy, _1 - cy))
    rr = p[0] * max_d * F(1.05)
    es = max(F(1.5) * s, _EPS4)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dist = length2((u - cx) * asp, v - cy)
            diff = dist - rr if inv else rr - dist
            mask = smoothstep(-s, s, diff)
            z = (dist - rr) / es
            edge = math.exp(-(z * z))
            c = fetch(src, x, y)
            e = glow * edge * c[3]
            store(dst, x, y, c[0] + e, c[1] + e, c[2] + e, c[3] * mask)


# =========================================================================== 32 mosaicReveal
# p: progress, cellSize(px), randomness, softness, direction (0 left .. 4 random), invert


@jit
def k_mosaic_reveal(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    prog = p[0]
    cs = max(p[1], _1)
    rnd = clamp01(p[2])
    s = max(p[3], _EPS4)
    direction = int(p[4])
    inv = p[5] != _0
    nbx = F(w) / cs
    nby = F(h) / cs
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            cx = np.floor(u * nbx)
            cy = np.floor(v * nby)
            r = hash21(cx, cy)
            if direction == 0:
                dv = (cx + _H) / nbx
            elif direction == 1:
                dv = _1 - (cx + _H) / nbx
            elif direction == 2:
                dv = (cy + _H) / nby
            elif direction == 3:
                dv = _1 - (cy + _H) / nby
            else:
                dv = r
            thr = mix(dv, r, rnd)
            diff = thr - prog if inv else prog - thr
            mask = smoothstep(-s, s, diff)
            c = fetch(src, x, y)
            store(dst, x, y, c[0] * mask, c[1] * mask, c[2] * mask, c[3] * mask)


# =========================================================================== 33 burnDissolve
# p: progress, noiseScale, edgeWidth, softness, ashAmount, burnColor[5..8], hotColor[9..12]


@jit
def k_burn_dissolve(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    prog = p[0]
    ns = max(p[1], F(0.001))
    ew = max(p[2], _EPS4)
    s = max(p[3], _EPS4)
    ash_amt = clamp01(p[4])
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            n = fbm(u * ns, v * ns)
            diff = n - (_1 - prog)
            amask = smoothstep(-s, s, diff)
            e_t = clamp01(diff / ew)
            c = fetch(src, x, y)
            a = c[3]
            ash = smoothstep(s, -s, diff) * ash_amt * a
            r = mix(mix(p[9], p[5], e_t) * a, c[0], e_t)
            g = mix(mix(p[10], p[6], e_t) * a, c[1], e_t)
            b = mix(mix(p[11], p[7], e_t) * a, c[2], e_t)
            r = r + (F(0.04) - r) * ash
            g = g + (F(0.03) - g) * ash
            b = b + (F(0.03) - b) * ash
            store(dst, x, y, r, g, b, a * max(amask, F(0.4) * ash))
