"""Effect pass kernels (spec 03 §B.4), blurs: gaussianBlur, motionBlur, zoomBlur, streakBlur, spinBlur.

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
    clamp,
    clamp01,
    copy_region,
    edge_coord,
    fetch,
    frag_uv,
    frag_v_pair,
    jit,
    length2,
    luminance,
    mix,
    row_setup,
    sample_edge,
    store,
    tex_c,
    tex_rows,
)

# =========================================================================== 1 gaussianBlur
# p: radius(px), direction (0 both, 1 horizontal, 2 vertical), edgeMode, alphaAware


@jit
def _gauss(src, dst, x0, y0, x1, y1, p, horizontal):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    direction = int(p[1])
    mode = int(p[2])
    alpha_aware = p[3] != _0
    r = max(p[0], _0)
    skip = (horizontal and direction == 2) or ((not horizontal) and direction == 1)
    if skip or not r >= _H:
        copy_region(src, dst, x0, y0, x1, y1)
        return
    q = int(clamp(F(0.7) * r + F(3.0), F(4.0), F(24.0)))
    n = 2 * q + 1
    ss = np.empty(n, dtype=np.float32)
    ws = np.empty(n, dtype=np.float32)
    wsum = _0
    for k in range(n):
        s = F(k - q) / F(q)
        ss[k] = s
        ws[k] = math.exp(F(-2.5) * s * s)
        wsum = wsum + ws[k]
    sx = r / F(w) if horizontal else _0
    sy = _0 if horizontal else r / F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            for k in range(n):
                sr, sg, sb, sa = sample_edge(src, u + sx * ss[k], v + sy * ss[k], mode)
                wk = ws[k]
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
            a = aa / wsum
            if not alpha_aware:
                a = fetch(src, x, y)[3]
            store(dst, x, y, ar / wsum, ag / wsum, ab / wsum, a)


@jit
def k_gaussian_blur_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    _gauss(src, dst, x0, y0, x1, y1, p, True)


@jit
def k_gaussian_blur_v(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    _gauss(src, dst, x0, y0, x1, y1, p, False)


# =========================================================================== 2 motionBlur
# p: amount(px), angle, centerBias, edgeMode


@jit
def k_motion_blur(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    a = p[0]
    if not a >= _H:
        copy_region(src, dst, x0, y0, x1, y1)
        return
    th = p[1] * RAD
    n = int(clamp(F(0.3) * a + F(8.0), F(8.0), F(32.0)))
    bias = clamp01(p[2])
    mode = int(p[3])
    dx = math.cos(th) * a / F(w)
    dy = math.sin(th) * a / F(h)
    ss = np.empty(n, dtype=np.float32)
    ws = np.empty(n, dtype=np.float32)
    for i in range(n):
        s = ((F(i) + _H) / F(n)) * _2 - _1
        ss[i] = s
        ws[i] = mix(_1, max(_0, _1 - abs(s)), bias)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            wsum = _0
            for i in range(n):
                sr, sg, sb, sa = sample_edge(src, u + dx * ss[i], v + dy * ss[i], mode)
                wk = ws[i]
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
                wsum = wsum + wk
            d = max(wsum, _EPS4)
            store(dst, x, y, ar / d, ag / d, ab / d, aa / d)


# =========================================================================== 3 zoomBlur
# p: amount, centerX, centerY, falloff, mode (0 in, 1 out)


@jit
def k_zoom_blur(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    cx = p[1]
    cy = p[2]
    fo = max(p[3], _0)
    n = int(clamp(F(50.0) * amount + F(12.0), F(12.0), F(48.0)))
    sig = amount if int(p[4]) == 1 else -amount
    ks = np.empty(n, dtype=np.float32)
    ws = np.empty(n, dtype=np.float32)
    for i in range(n):
        s = F(i) / F(max(n - 1, 1))
        ws[i] = (_1 - s) ** fo
        ks[i] = _1 + sig * s
    # sample rows depend on the row and the tap only (per triangle): set them up once per row
    rows0 = np.empty((2, n), dtype=np.int64)
    rows1 = np.empty((2, n), dtype=np.int64)
    fys = np.empty((2, n), dtype=np.float32)
    for y in range(y0, y1):
        v_lo, v_up = frag_v_pair(y, h)
        for t in range(2):
            dy = (v_lo if t == 0 else v_up) - cy
            for i in range(n):
                rows0[t, i], rows1[t, i], fys[t, i] = row_setup(src, clamp01(cy + dy * ks[i]))
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            t = 0 if v == v_lo else 1
            dx = u - cx
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            wsum = _0
            for i in range(n):
                fy = fys[t, i]
                if fy == fy:
                    sr, sg, sb, sa = tex_rows(src, rows0[t, i], rows1[t, i], fy, clamp01(cx + dx * ks[i]))
                else:
                    sr, sg, sb, sa = _0, _0, _0, _0
                wk = ws[i]
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
                wsum = wsum + wk
            d = max(wsum, _EPS4)
            store(dst, x, y, ar / d, ag / d, ab / d, aa / d)


# =========================================================================== 18 streakBlur
# p: amount(px), angle, samples, highlightBias, falloff, edgeMode


@jit
def k_streak_blur(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    a = p[0]
    if not a >= _H:
        copy_region(src, dst, x0, y0, x1, y1)
        return
    th = p[1] * RAD
    n = int(clamp(p[2], _2, F(64.0)))
    bias = max(p[3], _0)
    fo = max(p[4], _0)
    mode = int(p[5])
    dx = math.cos(th) * a / F(w)
    dy = math.sin(th) * a / F(h)
    ss = np.empty(n, dtype=np.float32)
    base = np.empty(n, dtype=np.float32)
    for i in range(n):
        s = ((F(i) + _H) / F(n)) * _2 - _1
        ss[i] = s
        base[i] = max(_0, _1 - abs(s)) ** fo
    rows0 = np.empty((2, n), dtype=np.int64)
    rows1 = np.empty((2, n), dtype=np.int64)
    fys = np.empty((2, n), dtype=np.float32)
    oks = np.empty((2, n), dtype=np.bool_)
    for y in range(y0, y1):
        v_lo, v_up = frag_v_pair(y, h)
        for t in range(2):
            vv = v_lo if t == 0 else v_up
            for i in range(n):
                cv, ok = edge_coord(vv + dy * ss[i], mode)
                rows0[t, i], rows1[t, i], fys[t, i] = row_setup(src, cv)
                oks[t, i] = ok and fys[t, i] == fys[t, i]
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            t = 0 if v == v_lo else 1
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            wsum = _0
            for i in range(n):
                cu, ok = edge_coord(u + dx * ss[i], mode)
                if ok and oks[t, i]:
                    sr, sg, sb, sa = tex_rows(src, rows0[t, i], rows1[t, i], fys[t, i], cu)
                else:
                    sr, sg, sb, sa = _0, _0, _0, _0
                lum = luminance(sr, sg, sb)
                wk = base[i] * (_1 + bias * lum * lum)
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
                wsum = wsum + wk
            d = max(wsum, _EPS4)
            store(dst, x, y, ar / d, ag / d, ab / d, aa / d)


# =========================================================================== 19 spinBlur
# p: amount(deg), centerX, centerY, samples, radiusFalloff, direction (0 clockwise, 1 counter)


@jit
def k_spin_blur(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    big_a = p[0] * RAD
    if not abs(big_a) >= F(0.001):
        copy_region(src, dst, x0, y0, x1, y1)
        return
    cx = p[1]
    cy = p[2]
    n = int(clamp(p[3], _2, F(64.0)))
    rf = max(p[4], _0)
    sign = _1 if int(p[5]) == 0 else F(-1.0)
    asp = F(w) / F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = (u - cx) * asp
            dy = v - cy
            r = length2(dx, dy)
            m = big_a * clamp01(_2 * r) ** rf * sign
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            for i in range(n):
                s = (F(i) + _H) / F(n) - _H
                ang = m * s
                c = math.cos(ang)
                sn = math.sin(ang)
                vx = (c * dx + sn * dy) / asp
                vy = -sn * dx + c * dy
                sr, sg, sb, sa = tex_c(src, cx + vx, cy + vy)
                ar = ar + sr
                ag = ag + sg
                ab = ab + sb
                aa = aa + sa
            fn = F(n)
            store(dst, x, y, ar / fn, ag / fn, ab / fn, aa / fn)
