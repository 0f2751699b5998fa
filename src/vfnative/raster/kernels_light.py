"""Effect pass kernels (spec 03 §B.4), light: glow, bloom, lightSweep, lightRays, volumetricLight, edgeGlow, lightLeak.

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
    LUT,
    RAD,
    F,
    _0,
    _1,
    _2,
    axis_setup,
    blur9,
    clamp,
    clamp01,
    fbm,
    fetch,
    frag_uv,
    frag_v_pair,
    glow_composite,
    inline,
    jit,
    length2,
    luminance,
    mix,
    row_setup,
    smoothstep,
    store,
    tex_call,
    tex_rows,
)

# =========================================================================== 11 glow
# p: intensity, radius(px), threshold, color[3..6], source (0 alpha, 1 brightness), blendMode (0 add, 1 screen, 2 normal)


@jit
def k_glow_extract(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    thr = p[2]
    cr = p[3]
    cg = p[4]
    cb = p[5]
    ca = p[6]
    source = int(p[7])
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = fetch(src, x, y)
            mask = c[3] if source == 0 else smoothstep(thr, thr + F(0.1), luminance(c[0], c[1], c[2]))
            store(dst, x, y, cr * ca * mask, cg * ca * mask, cb * ca * mask, mask * ca)


def k_glow_blur_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[1], True)  # plain Python: one compiled blur9 serves every effect


def k_glow_blur_v(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[1], False)  # plain Python: one compiled blur9 serves every effect


def k_glow_composite(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    glow_composite(src, dst, orig, x0, y0, x1, y1, p[0], int(p[8]))


# =========================================================================== 12 bloom
# p: threshold, intensity, radius(px), knee, blendMode (0 add, 1 screen)


@jit
def k_bloom_extract(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    thr = p[0]
    k = max(p[3], _EPS4)
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = fetch(src, x, y)
            lum = luminance(c[0], c[1], c[2])
            soft = smoothstep(thr - k, thr + k, lum)
            bright = max(_0, lum - thr)
            mul = soft * bright / max(lum, _EPS4)
            store(dst, x, y, c[0] * mul, c[1] * mul, c[2] * mul, c[3] * soft)


def k_bloom_blur_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[2], True)  # plain Python: one compiled blur9 serves every effect


def k_bloom_blur_v(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[2], False)  # plain Python: one compiled blur9 serves every effect


@jit
def k_bloom_composite(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    inten = p[1]
    screen = int(p[4]) == 1
    for y in range(y0, y1):
        for x in range(x0, x1):
            b = fetch(src, x, y)
            br = b[0] * inten
            bg = b[1] * inten
            bb = b[2] * inten
            o = fetch(orig, x, y)
            if screen:
                store(dst, x, y, o[0] + br - o[0] * br, o[1] + bg - o[1] * bg, o[2] + bb - o[2] * bb, o[3])
            else:
                store(dst, x, y, o[0] + br, o[1] + bg, o[2] + bb, o[3])


# =========================================================================== 15 lightSweep
# p: progress, angle, width, softness, intensity, color[5..8], blendMode (0 add, 1 screen, 2 normal)


@jit
def k_light_sweep(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    th = p[1] * RAD
    dx = math.cos(th)
    dy = math.sin(th)
    pos = mix(F(-0.3), F(1.3), p[0])
    hw = p[2] / _2
    soft = p[3]
    inten = p[4]
    cr = p[5]
    cg = p[6]
    cb = p[7]
    ca = p[8]
    blend = int(p[9])
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            along = (u - _H) * dx + (v - _H) * dy + _H
            dist = abs(along - pos)
            band = (_1 - smoothstep(hw - soft, hw + soft, dist)) * inten * ca
            ar = cr * band
            ag = cg * band
            ab = cb * band
            c = fetch(src, x, y)
            a = c[3]
            if blend == 0:
                store(dst, x, y, c[0] + ar * a, c[1] + ag * a, c[2] + ab * a, a)
            elif blend == 1:
                store(
                    dst,
                    x,
                    y,
                    c[0] + ar * a - c[0] * ar,
                    c[1] + ag * a - c[1] * ag,
                    c[2] + ab * a - c[2] * ab,
                    a,
                )
            else:
                store(dst, x, y, mix(c[0], cr * a, band), mix(c[1], cg * a, band), mix(c[2], cb * a, band), a)


# =========================================================================== 38 lightRays
# p: intensity, length, centerX, centerY, threshold, samples, color[6..9]


@jit
def light_rays_reach(src, thr):  # type: ignore[no-untyped-def]
    """Where a lightRays sample can pass the threshold: 2-D prefix sums (h+1, w+1) of a 0/1 mask.

    The mask is 1 at (array row r, column i) when a bilinear sample whose first texel is there
    (r0 = r, i0 = i; its other texels are at row r − 1 and column i + 1, clamped) can have a
    luminance above `thr`: the luminance of the four texels' per-channel maxima, with a relative
    margin far above float32 rounding, is above it. Elsewhere the sample's weight
    max(0, luminance − thr) is exactly +0 and it adds exactly nothing.
    """
    h = src.shape[0]
    w = src.shape[1]
    out = np.zeros((h + 1, w + 1), dtype=np.int32)
    limit = np.float64(thr)
    for r in range(h):
        ru = max(r - 1, 0)
        acc = 0
        for i in range(w):
            i1 = min(i + 1, w - 1)
            bound = np.float64(0.0)
            for k in range(3):
                m = max(max(src[r, i, k], src[r, i1, k]), max(src[ru, i, k], src[ru, i1, k]))
                wk = 0.2126 if k == 0 else (0.7152 if k == 1 else 0.0722)
                bound += wk * np.float64(LUT[m])
            if bound * 1.0001 + 1e-6 > limit:
                acc += 1
            out[r + 1, i + 1] = out[r, i + 1] + acc
    return out


@inline
def _reach_any(reach, r_lo, r_hi, c_lo, c_hi):  # type: ignore[no-untyped-def]
    """Whether the mask of `light_rays_reach` has a 1 in rows [r_lo, r_hi] × columns [c_lo, c_hi]."""
    return (
        reach[r_hi + 1, c_hi + 1] - reach[r_lo, c_hi + 1] - reach[r_hi + 1, c_lo] + reach[r_lo, c_lo]
    ) != 0


@inline
def _col_anchor(u, w):  # type: ignore[no-untyped-def]
    """The first texel column a sample at u reads (tex_rows' i0)."""
    return axis_setup(u * F(w) - _H, w)[0]


@jit
def light_rays(src, dst, x0, y0, x1, y1, p, skip):  # type: ignore[no-untyped-def]
    """lightRays over the box; with `skip`, samples (and whole pixels) that cannot pass the threshold
    are not fetched. They add exactly +0 (the weight is max(0, luminance − threshold) = +0), so the
    pixels are the same as without `skip`."""
    h = src.shape[0]
    w = src.shape[1]
    inten = p[0]
    ln = p[1]
    cx = p[2]
    cy = p[3]
    thr = p[4]
    n = int(clamp(p[5], F(4.0), F(64.0)))
    k = inten / F(n)
    kr = k * p[6] * p[9]
    kg = k * p[7] * p[9]
    kb = k * p[8] * p[9]
    skip = skip and math.isfinite(thr) and math.isfinite(ln) and math.isfinite(cx) and math.isfinite(cy)
    reach = light_rays_reach(src, thr) if skip else np.zeros((1, 1), dtype=np.int32)
    # per-sample checks pay only where most samples are dark (else they cost ~35 % more)
    per_sample = skip and reach[h, w] * 2 < h * w
    rows0 = np.empty((2, n), dtype=np.int64)
    rows1 = np.empty((2, n), dtype=np.int64)
    fys = np.empty((2, n), dtype=np.float32)
    r_lo = np.zeros(2, dtype=np.int64)
    r_hi = np.zeros(2, dtype=np.int64)
    last = F(n - 1) / F(n)
    for y in range(y0, y1):
        v_lo, v_up = frag_v_pair(y, h)
        for t in range(2):
            vv = v_lo if t == 0 else v_up
            dy = vv - cy
            r_lo[t] = h
            r_hi[t] = -1
            for i in range(n):
                s = F(i) / F(n)
                rows0[t, i], rows1[t, i], fys[t, i] = row_setup(src, clamp01(vv - dy * s * ln))
                if fys[t, i] == fys[t, i]:
                    r_lo[t] = min(r_lo[t], rows0[t, i])
                    r_hi[t] = max(r_hi[t], rows0[t, i])
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            t = 0 if v == v_lo else 1
            dx = u - cx
            rr = _0
            rg = _0
            rb = _0
            if not skip:
                dark = False
            elif r_hi[t] < r_lo[t]:
                dark = True
            else:
                # the sample columns run monotonically from i = 0 to i = n − 1
                ca = _col_anchor(clamp01(u), w)
                cb = _col_anchor(clamp01(u - dx * last * ln), w)
                dark = not _reach_any(reach, r_lo[t], r_hi[t], min(ca, cb), max(ca, cb))
            if not dark:
                for i in range(n):
                    s = F(i) / F(n)
                    fy = fys[t, i]
                    if fy != fy:
                        continue
                    uu = clamp01(u - dx * s * ln)
                    if per_sample:
                        ci = _col_anchor(uu, w)
                        if not _reach_any(reach, rows0[t, i], rows0[t, i], ci, ci):
                            continue
                    sr, sg, sb, sa = tex_rows(src, rows0[t, i], rows1[t, i], fy, uu)
                    m = max(_0, luminance(sr, sg, sb) - thr) * (_1 - s)
                    rr = rr + sr * m
                    rg = rg + sg * m
                    rb = rb + sb * m
            c = fetch(src, x, y)
            store(dst, x, y, c[0] + rr * kr, c[1] + rg * kg, c[2] + rb * kb, c[3])


@jit
def k_light_rays(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    light_rays(src, dst, x0, y0, x1, y1, p, True)


# =========================================================================== 39 volumetricLight
# p: intensity, decay, density, weight, centerX, centerY, samples


@jit
def k_volumetric_light(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    inten = p[0]
    dec = clamp01(p[1])
    dens = p[2]
    wt = p[3]
    cx = p[4]
    cy = p[5]
    n = int(clamp(p[6], F(4.0), F(100.0)))
    fn = F(n)
    rows0 = np.empty((2, n), dtype=np.int64)
    rows1 = np.empty((2, n), dtype=np.int64)
    fys = np.empty((2, n), dtype=np.float32)
    ills = np.empty(n, dtype=np.float32)
    ill = _1
    for i in range(n):
        ills[i] = ill
        ill = ill * dec
    for y in range(y0, y1):
        v_lo, v_up = frag_v_pair(y, h)
        for t in range(2):
            qy = v_lo if t == 0 else v_up
            ddy = (qy - cy) * dens / fn
            for i in range(n):
                qy = qy - ddy
                rows0[t, i], rows1[t, i], fys[t, i] = row_setup(src, clamp01(qy))
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            t = 0 if v == v_lo else 1
            ddx = (u - cx) * dens / fn
            qx = u
            rr = _0
            rg = _0
            rb = _0
            for i in range(n):
                qx = qx - ddx
                fy = fys[t, i]
                if fy != fy:
                    continue
                sr, sg, sb, sa = tex_rows(src, rows0[t, i], rows1[t, i], fy, clamp01(qx))
                m = luminance(sr, sg, sb) * ills[i] * wt
                rr = rr + sr * m
                rg = rg + sg * m
                rb = rb + sb * m
            c = fetch(src, x, y)
            store(dst, x, y, c[0] + rr * inten / fn, c[1] + rg * inten / fn, c[2] + rb * inten / fn, c[3])


# =========================================================================== 40 edgeGlow
# p: strength, threshold, radius(px), sampleDistance(px), color[4..7], blendMode (0 add, 1 screen, 2 normal)


@jit
def k_edge_glow_extract(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    thr = p[1]
    sd = max(p[3], _1)
    sx = sd / F(w)
    sy = sd / F(h)
    cr = p[4]
    cg = p[5]
    cb = p[6]
    ca = p[7]
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            tl = tex_call(src, u - sx, v - sy)
            tc = tex_call(src, u, v - sy)
            tr = tex_call(src, u + sx, v - sy)
            ml = tex_call(src, u - sx, v)
            mr = tex_call(src, u + sx, v)
            bl = tex_call(src, u - sx, v + sy)
            bc = tex_call(src, u, v + sy)
            br = tex_call(src, u + sx, v + sy)
            gxr = -tl[0] - _2 * ml[0] - bl[0] + tr[0] + _2 * mr[0] + br[0]
            gxg = -tl[1] - _2 * ml[1] - bl[1] + tr[1] + _2 * mr[1] + br[1]
            gxb = -tl[2] - _2 * ml[2] - bl[2] + tr[2] + _2 * mr[2] + br[2]
            gyr = -tl[0] - _2 * tc[0] - tr[0] + bl[0] + _2 * bc[0] + br[0]
            gyg = -tl[1] - _2 * tc[1] - tr[1] + bl[1] + _2 * bc[1] + br[1]
            gyb = -tl[2] - _2 * tc[2] - tr[2] + bl[2] + _2 * bc[2] + br[2]
            e = length2(luminance(gxr, gxg, gxb), luminance(gyr, gyg, gyb))
            m = smoothstep(thr, thr + F(0.15), e)
            store(dst, x, y, cr * ca * m, cg * ca * m, cb * ca * m, m * ca)


def k_edge_glow_blur_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[2], True)  # plain Python: one compiled blur9 serves every effect


def k_edge_glow_blur_v(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    blur9(src, dst, x0, y0, x1, y1, p[2], False)  # plain Python: one compiled blur9 serves every effect


def k_edge_glow_composite(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    glow_composite(src, dst, orig, x0, y0, x1, y1, p[0], int(p[8]))


# =========================================================================== 41 lightLeak
# p: amount, scale, softness, angle, positionX, positionY, colorA[6..9], colorB[10..13],
#    blendMode (0 screen, 1 add, 2 softLight), shape (0 linear, 1 radial, 2 organic)


@jit
def _soft_light(c, x, gamma, amt, a):  # type: ignore[no-untyped-def]
    if gamma < _H:
        res = _2 * x * gamma + x * x * (_1 - _2 * gamma)
    else:
        res = math.sqrt(max(x, _0)) * (_2 * gamma - _1) + _2 * x * (_1 - gamma)
    return mix(c, res * a, amt)


@jit
def k_light_leak(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    hsc = max(p[1], F(0.001)) / _2
    s = max(p[2], _EPS4)
    th = p[3] * RAD
    cx = p[4]
    cy = p[5]
    blend = int(p[14])
    shape = int(p[15])
    ct = math.cos(th)
    st = math.sin(th)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            if shape == 0:
                al = (u - cx) * ct + (v - cy) * st
                t = smoothstep(-s, s, al) * (_1 - smoothstep(hsc, hsc + _2 * s, abs(al)))
            else:
                t = _1 - smoothstep(hsc, hsc + s, length2(u - cx, v - cy))
                if shape == 2:
                    t = t * (_H + _H * fbm(F(4.0) * u + th, F(4.0) * v + th))
            lr = mix(p[6], p[10], t)
            lg = mix(p[7], p[11], t)
            lb = mix(p[8], p[12], t)
            amt = amount * t * mix(p[9], p[13], t)
            c = fetch(src, x, y)
            a = c[3]
            if blend == 0:
                r = c[0] + lr * amt - c[0] * lr * amt
                g = c[1] + lg * amt - c[1] * lg * amt
                b = c[2] + lb * amt - c[2] * lb * amt
            elif blend == 1:
                r = c[0] + lr * amt * a
                g = c[1] + lg * amt * a
                b = c[2] + lb * amt * a
            else:
                if a > _EPS4:
                    xr = c[0] / a
                    xg = c[1] / a
                    xb = c[2] / a
                else:
                    xr = c[0]
                    xg = c[1]
                    xb = c[2]
                r = _soft_light(c[0], xr, _H * lr * amt + _H, amt, a)
                g = _soft_light(c[1], xg, _H * lg * amt + _H, amt, a)
                b = _soft_light(c[2], xb, _H * lb * amt + _H, amt, a)
            store(dst, x, y, r, g, b, a)
