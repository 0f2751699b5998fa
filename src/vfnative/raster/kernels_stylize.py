"""Effect pass kernels (spec 03 §B.4), stylised surfaces: frostedGlass, pixelate, filmGrain, crtScanlines, halftone.

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
    _TAU,
    LUT,
    RAD,
    F,
    _0,
    _1,
    _2,
    clamp01,
    fbm,
    fetch,
    frag_uv,
    glmod,
    hash21,
    jit,
    length2,
    luminance,
    mix,
    row_setup,
    smoothstep,
    store,
    t_frame,
    t_off,
    tex,
    tex_c,
    tex_rows,
)

# =========================================================================== 24 frostedGlass
# p: blurRadius(px), distortion, frostAmount, tintAmount, highlightAmount, tintColor[5..8]


@jit
def _blur9_table():  # type: ignore[no-untyped-def]
    ss = np.empty(17, dtype=np.float32)
    ws = np.empty(17, dtype=np.float32)
    wsum = _0
    for k in range(17):
        s = F(k - 8) / F(8.0)
        ss[k] = s
        ws[k] = math.exp(F(-2.5) * s * s)
        wsum = wsum + ws[k]
    return ss, ws, wsum


@jit
def frost_field(w, h):  # type: ignore[no-untyped-def]
    """The two fbm values frostedGlass's first pass displaces each pixel of a w×h canvas by,
    (2, h, w) float32: they depend on the pixel alone, so a render computes them once per size."""
    out = np.empty((2, h, w), dtype=np.float32)
    for y in range(h):
        for x in range(w):
            u, v = frag_uv(x, y, w, h)
            fu = F(30.0) * u
            fv = F(30.0) * v
            out[0, y, x] = fbm(fu, fv)
            out[1, y, x] = fbm(fu + F(13.7), fv + F(91.3))
    return out


@jit
def frosted_glass_h(src, dst, x0, y0, x1, y1, p, field, has_field):  # type: ignore[no-untyped-def]
    """frostedGlass pass 1 over the box; the fbm values come from `field` (`frost_field` of the
    canvas size) when `has_field`, else they are computed here (the same float32 values)."""
    h = src.shape[0]
    w = src.shape[1]
    dist = p[1]
    r = max(p[0], _0)
    blur = r >= _H
    sx = r / F(w)
    ss, ws, wsum = _blur9_table()
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            qx = u
            qy = v
            if dist > _0:
                if has_field:
                    n0 = field[0, y, x]
                    n1 = field[1, y, x]
                else:
                    fu = F(30.0) * u
                    fv = F(30.0) * v
                    n0 = fbm(fu, fv)
                    n1 = fbm(fu + F(13.7), fv + F(91.3))
                qx = qx + (n0 - _H) * dist * F(0.05)
                qy = qy + (n1 - _H) * dist * F(0.05)
            # every tap shares the (clamped) row of qy: set it up once
            r0, r1, fy = row_setup(src, clamp01(qy))
            if fy != fy:
                store(dst, x, y, _0, _0, _0, _0)
                continue
            if not blur:
                r_, g_, b_, a_ = tex_rows(src, r0, r1, fy, clamp01(qx))
                store(dst, x, y, r_, g_, b_, a_)
                continue
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            for k in range(17):
                sr, sg, sb, sa = tex_rows(src, r0, r1, fy, clamp01(qx + sx * ss[k]))
                wk = ws[k]
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
            store(dst, x, y, ar / wsum, ag / wsum, ab / wsum, aa / wsum)


@jit
def k_frosted_glass_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    frosted_glass_h(src, dst, x0, y0, x1, y1, p, np.zeros((2, 1, 1), dtype=np.float32), False)


@jit
def k_frosted_glass_v(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    frost = p[2]
    tint = p[3] * p[8]
    hl = p[4]
    tox, toy = t_off(t_frame(time))
    r = max(p[0], _0)
    blur = r >= _H
    # the vertical blur9 folded into 34 fixed row taps (array-row offset, weight) for interior pixels
    ss, ws, wsum = _blur9_table()
    offs = np.empty(34, dtype=np.int64)
    wts = np.empty(34, dtype=np.float32)
    for k in range(17):
        oy = np.float64(r) * np.float64(ss[k])
        j = math.floor(oy)
        fy = F(oy - j)
        offs[2 * k] = -j
        wts[2 * k] = ws[k] * (_1 - fy)
        offs[2 * k + 1] = -j - 1
        wts[2 * k + 1] = ws[k] * fy
    lo = offs.min() - 1
    hi = offs.max() + 1
    for y in range(y0, y1):
        interior = blur and y + lo >= 0 and y + hi <= h - 1
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            if interior:
                br = _0
                bg = _0
                bb = _0
                ba = _0
                for k in range(34):
                    yy = y + offs[k]
                    wk = wts[k]
                    br = br + wk * LUT[src[yy, x, 0]]
                    bg = bg + wk * LUT[src[yy, x, 1]]
                    bb = bb + wk * LUT[src[yy, x, 2]]
                    ba = ba + wk * LUT[src[yy, x, 3]]
                br = br / wsum
                bg = bg / wsum
                bb = bb / wsum
                ba = ba / wsum
            else:
                br, bg, bb, ba = _blur9_at(src, x, y, p[0])
            if ba > _EPS4:
                rr = br / ba
                gg = bg / ba
                b = bb / ba
            else:
                rr = br
                gg = bg
                b = bb
            rr = mix(rr, p[5], tint)
            gg = mix(gg, p[6], tint)
            b = mix(b, p[7], tint)
            n = frost * (F(0.2) * hash21(F(200.0) * u + tox, F(200.0) * v + toy) - F(0.1))
            rr = rr + n
            gg = gg + n
            b = b + n
            if hl != _0:
                e = hl * smoothstep(F(0.55), F(0.95), fbm(F(8.0) * u, F(8.0) * v))
                rr = rr + e
                gg = gg + e
                b = b + e
            store(dst, x, y, clamp01(rr) * ba, clamp01(gg) * ba, clamp01(b) * ba, ba)


@jit
def _blur9_at(src, x, y, radius):  # type: ignore[no-untyped-def]
    """blurV9 at one pixel, unquantised (frostedGlass pass 2 keeps working on the float result)."""
    h = src.shape[0]
    w = src.shape[1]
    r = max(radius, _0)
    if not r >= _H:
        return fetch(src, x, y)
    u, v = frag_uv(x, y, w, h)
    sy = r / F(h)
    ar = _0
    ag = _0
    ab = _0
    aa = _0
    wsum = _0
    for k in range(17):
        s = F(k - 8) / F(8.0)
        wk = math.exp(F(-2.5) * s * s)
        sr, sg, sb, sa = tex_c(src, u, v + sy * s)
        ar = ar + wk * sr
        ag = ag + wk * sg
        ab = ab + wk * sb
        aa = aa + wk * sa
        wsum = wsum + wk
    return ar / wsum, ag / wsum, ab / wsum, aa / wsum


# =========================================================================== 31 pixelate
# p: pixelSize(px), pixelAspect, mix, snapToIntegerPixels


@jit
def k_pixelate(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    ps = max(p[0], _1)
    asp = max(p[1], F(0.001))
    m = clamp01(p[2])
    snap = p[3] != _0
    nbx = F(w) / ps
    nby = F(h) / (ps / asp)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            cx = np.floor(u * nbx) + _H
            cy = np.floor(v * nby) + _H
            if snap:
                cx = np.floor(cx)
                cy = np.floor(cy)
            s = tex_c(src, cx / nbx, cy / nby)
            c = fetch(src, x, y)
            store(dst, x, y, mix(c[0], s[0], m), mix(c[1], s[1], m), mix(c[2], s[2], m), mix(c[3], s[3], m))


# =========================================================================== 34 filmGrain
# p: amount, grainSize(px), luminanceResponse, blendMode (0 overlay, 1 softLight, 2 add), monochrome


@jit
def _grain_blend(x, gamma, amount, mode):  # type: ignore[no-untyped-def]
    if mode == 2:
        return x
    if mode == 0:
        res = _2 * x * gamma if x < _H else _1 - _2 * (_1 - x) * (_1 - gamma)
    else:
        if gamma < _H:
            res = _2 * x * gamma + x * x * (_1 - _2 * gamma)
        else:
            res = math.sqrt(max(x, _0)) * (_2 * gamma - _1) + _2 * x * (_1 - gamma)
    return mix(x, res, amount)


@jit
def k_film_grain(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    gs = max(p[1], _H)
    lr = clamp01(p[2])
    mode = int(p[3])
    mono = p[4] != _0
    ft = np.floor(F(60.0) * time)
    tsx = F(53.17) * ft
    tsy = F(71.93) * ft
    fw = F(w)
    fh = F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            gx = u * fw / gs + tsx
            gy = v * fh / gs + tsy
            nr = _2 * hash21(gx, gy) - _1
            if mono:
                ng = nr
                nb = nr
            else:
                ng = _2 * hash21(gx + F(7.7), gy + F(11.3)) - _1
                nb = _2 * hash21(gx + F(13.4), gy + F(19.8)) - _1
            c = fetch(src, x, y)
            a = c[3]
            if a > _EPS4:
                xr = c[0] / a
                xg = c[1] / a
                xb = c[2] / a
                lum = luminance(xr, xg, xb)
            else:
                xr = c[0]
                xg = c[1]
                xb = c[2]
                lum = _0
            k = amount * mix(_1, _1 - _2 * abs(lum - _H), lr)
            nr = nr * k
            ng = ng * k
            nb = nb * k
            if mode == 2:
                rr = xr + F(0.3) * nr
                rg = xg + F(0.3) * ng
                rb = xb + F(0.3) * nb
            else:
                rr = _grain_blend(xr, _H * nr + _H, amount, mode)
                rg = _grain_blend(xg, _H * ng + _H, amount, mode)
                rb = _grain_blend(xb, _H * nb + _H, amount, mode)
            store(dst, x, y, clamp01(rr) * a, clamp01(rg) * a, clamp01(rb) * a, a)


# =========================================================================== 35 crtScanlines
# p: scanlineCount, scanlineIntensity, rgbMaskAmount, curvature, brightnessRollOff, flicker


@jit
def k_crt_scanlines(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    count = p[0]
    si = clamp01(p[1])
    ma = clamp01(p[2])
    curv = p[3]
    roll = p[4]
    flicker = p[5] != _0
    fw = F(w)
    lo = F(0.6)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            qx = u
            qy = v
            if curv > _0:
                vx = u - _H
                vy = v - _H
                k = _1 + (vx * vx + vy * vy) * curv
                qx = _H + vx * k
                qy = _H + vy * k
                if qx < _0 or qx > _1 or qy < _0 or qy > _1:
                    store(dst, x, y, _0, _0, _0, _0)
                    continue
            r, g, b, a = tex(src, qx, qy)
            k = mix(_1, _H + _H * math.cos(qy * count * _TAU), si)
            r = r * k
            g = g * k
            b = b * k
            mc = glmod(qx * fw / F(3.0), _1) * F(3.0)
            if mc < _1:
                mr, mg, mb = _1, lo, lo
            elif mc < _2:
                mr, mg, mb = lo, _1, lo
            else:
                mr, mg, mb = lo, lo, _1
            r = r * mix(_1, mr, ma)
            g = g * mix(_1, mg, ma)
            b = b * mix(_1, mb, ma)
            k = _1 - roll * smoothstep(_H, F(0.95), length2(qx - _H, qy - _H))
            r = r * k
            g = g * k
            b = b * k
            if flicker:
                k = F(0.93) + F(0.07) * math.sin(F(220.0) * qy)
                r = r * k
                g = g * k
                b = b * k
            store(dst, x, y, r, g, b, a)


# =========================================================================== 37 halftone
# p: dotSize, spacing(px), angle, threshold, softness, colorMode (0 blackWhite, 1 duotone, 2 original)


@jit
def k_halftone(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    ds = max(p[0], F(0.001))
    sp = max(p[1], _2)
    th = p[2] * RAD
    thr = p[3]
    soft = max(p[4], F(0.001))
    mode = int(p[5])
    ct = math.cos(th)
    st = math.sin(th)
    fw = F(w)
    fh = F(h)
    hsp = sp / _2
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            vx = (u - _H) * fw
            vy = (v - _H) * fh
            rx = ct * vx + st * vy
            ry = -st * vx + ct * vy
            gx = np.floor(rx / sp)
            gy = np.floor(ry / sp)
            cpx = rx - gx * sp - hsp
            cpy = ry - gy * sp - hsp
            mx = gx * sp + hsp
            my = gy * sp + hsp
            cu = (ct * mx - st * my) / fw + _H
            cv = (st * mx + ct * my) / fh + _H
            s = tex_c(src, cu, cv)
            lum = luminance(s[0], s[1], s[2])
            fill = clamp01(_1 - lum + thr)
            rad = math.sqrt(fill) * sp * _H * ds
            dot = smoothstep(rad + soft, rad - soft, length2(cpx, cpy))
            a = s[3]
            if mode == 0:
                k = dot * a
                store(dst, x, y, k, k, k, k)
            elif mode == 1:
                store(
                    dst, x, y,
                    mix(F(0.05), F(0.95), dot) * a,
                    mix(F(0.07), F(0.95), dot) * a,
                    mix(F(0.15), F(0.85), dot) * a,
                    a,
                )  # fmt: skip
            else:
                if a > _EPS4:
                    xr = s[0] / a
                    xg = s[1] / a
                    xb = s[2] / a
                else:
                    xr = _0
                    xg = _0
                    xb = _0
                k = dot * a
                store(dst, x, y, xr * k, xg * k, xb * k, k)
