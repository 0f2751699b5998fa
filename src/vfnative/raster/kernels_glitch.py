"""Effect pass kernels (spec 03 §B.4), glitches and channel splits: chromaticAberration, rgbSplit, prismSplit, sliceGlitch, digitalBlocks, datamoshSmear, vhsDistortion.

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
    _PI,
    _TAU,
    RAD,
    F,
    _0,
    _1,
    _2,
    clamp,
    clamp01,
    fetch,
    fract,
    frag_uv,
    glmod,
    hash21,
    jit,
    length2,
    luminance,
    mix,
    sample_edge,
    store,
    t_frame,
    t_off,
    tex_c,
    value_noise,
)

# =========================================================================== 4 chromaticAberration
# p: intensity, angle, centerX, centerY, edgeFalloff, radial


@jit
def k_chromatic_aberration(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    inten = p[0]
    th = p[1] * RAD
    cx = p[2]
    cy = p[3]
    ef = clamp01(p[4])
    radial = p[5] != _0
    asp = F(w) / F(h)
    ca = math.cos(th)
    sa_ = math.sin(th)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            fx = u - cx
            fy = v - cy
            dist = length2(fx * asp, fy)
            em = mix(_1, _2 * dist, ef)
            if radial:
                ox = fx * inten * em
                oy = fy * inten * em
            else:
                ox = ca * inten * em
                oy = sa_ * inten * em
            c = fetch(src, x, y)
            rr = tex_c(src, u + ox, v + oy)[0]
            bb = tex_c(src, u - ox, v - oy)[2]
            store(dst, x, y, rr, c[1], bb, c[3])


# =========================================================================== 5 rgbSplit
# p: amount, bandSize, bandOffset, randomness, axis (0 h, 1 v, 2 both), preserveLuminance


@jit
def k_rgb_split(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    bs = max(p[1], _EPS4)
    bo = p[2]
    rnd = clamp01(p[3])
    axis = int(p[4])
    keep_lum = p[5] != _0
    tf = t_frame(time)
    seed_y = F(7.31) + F(0.93) * tf
    bx = _0 if axis == 1 else _1
    by = _0 if axis == 0 else _1
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            band = np.floor(u / bs) if axis == 1 else np.floor(v / bs)
            b_rand = hash21(band, seed_y)
            pulse = rnd * (_2 * b_rand - _1)
            k = amount + bo * pulse
            ox = bx * k
            oy = by * k
            c = fetch(src, x, y)
            rr = tex_c(src, u + ox, v + oy)[0]
            gg = c[1]
            bb = tex_c(src, u - ox, v - oy)[2]
            if keep_lum:
                m = luminance(c[0], c[1], c[2]) / max(luminance(rr, gg, bb), _EPS4)
                rr = rr * m
                gg = gg * m
                bb = bb * m
            store(dst, x, y, rr, gg, bb, c[3])


# =========================================================================== 26 prismSplit
# p: amount, angle, spectrumWidth, centerX, centerY, falloff


@jit
def k_prism_split(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    th = p[1] * RAD
    sw = p[2]
    cx = p[3]
    cy = p[4]
    fo = max(p[5], _0)
    dx = math.cos(th)
    dy = math.sin(th)
    amax = max(amount, _EPS4)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            fall = length2(u - cx, v - cy) ** fo
            sp = amount * fall
            c = fetch(src, x, y)
            r = tex_c(src, u + dx * sp, v + dy * sp)[0]
            g = c[1]
            b = tex_c(src, u - dx * sp, v - dy * sp)[2]
            if sw > _0:
                z = clamp01(sp / amax)
                ph = _TAU * z
                k = sw * fall
                rb = _H + _H * math.cos(ph)
                r = mix(r, r + F(0.4) * (rb - _H), k)
                rb = _H + _H * math.cos(ph + F(2.094))
                g = mix(g, g + F(0.4) * (rb - _H), k)
                rb = _H + _H * math.cos(ph + F(4.188))
                b = mix(b, b + F(0.4) * (rb - _H), k)
            store(dst, x, y, r, g, b, c[3])


# =========================================================================== 27 sliceGlitch
# p: sliceCount, offsetAmount, gap, randomness, axis (0 horizontal, 1 vertical), edgeMode


@jit
def k_slice_glitch(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    n = int(clamp(p[0], _2, F(256.0)))
    off_amt = p[1]
    g = clamp01(p[2])
    rho = clamp01(p[3])
    axis = int(p[4])
    mode = int(p[5])
    seed_y = F(7.31) + F(0.93) * t_frame(time)
    fn = F(n)
    hg = g / _2
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            along = v if axis == 0 else u
            f = along * fn
            idx = np.floor(f)
            r = hash21(idx, seed_y)
            off = mix(_1, _2 * r - _1, rho) * off_amt
            if g > _0:
                fr = fract(f)
                if fr < hg or fr > _1 - hg:
                    store(dst, x, y, _0, _0, _0, _0)
                    continue
            if axis == 0:
                r_, g_, b_, a_ = sample_edge(src, u + off, v, mode)
            else:
                r_, g_, b_, a_ = sample_edge(src, u, v + off, mode)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 28 digitalBlocks
# p: blockSize(px), blockAmount, offsetAmount, colorShift, randomness, hideBlocks


@jit
def k_digital_blocks(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    bs = max(p[0], _1)
    bk = clamp01(p[1])
    off_amt = p[2]
    cs = p[3]
    rho = clamp01(p[4])
    hide = p[5] != _0
    tf = t_frame(time)
    t1x, t1y = t_off(tf)
    t2x = glmod(tf * F(0.91) + F(7.31), F(983.0))
    t2y = glmod(tf * F(1.27) + F(13.7), F(997.0))
    t3x = glmod(tf * F(1.71) + F(31.7), F(971.0))
    t3y = glmod(tf * F(2.13) + F(47.3), F(967.0))
    fw = F(w)
    fh = F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            cx = np.floor(u * fw / bs)
            cy = np.floor(v * fh / bs)
            gate = hash21(cx + t1x, cy + t1y)
            if gate >= bk:
                c = fetch(src, x, y)
                store(dst, x, y, c[0], c[1], c[2], c[3])
                continue
            r = hash21(cx + t2x, cy + t2y)
            r2 = hash21(cx + t3x, cy + t3y)
            if hide and r2 < F(0.3):
                store(dst, x, y, _0, _0, _0, _0)
                continue
            qx = u + (r - _H) * _2 * off_amt * rho
            qy = v + (r2 - _H) * _2 * off_amt * rho
            c = tex_c(src, qx, qy)
            rr = tex_c(src, qx + cs, qy)[0]
            bb = tex_c(src, qx - cs, qy)[2]
            store(dst, x, y, rr, c[1], bb, c[3])


# =========================================================================== 29 datamoshSmear
# p: amount(px), blockSize(px), angle, smearLength, randomness, mode (0 soft, 1 blocky, 2 streak)


@jit
def k_datamosh_smear(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    bs = max(p[1], _1)
    th = p[2] * RAD
    sl = p[3]
    rho = clamp01(p[4])
    mode = int(p[5])
    fw = F(w)
    fh = F(h)
    dx = math.cos(th) / fw
    dy = math.sin(th) / fh
    tox, toy = t_off(t_frame(time))
    nbx = fw / bs
    nby = fh / bs
    ws = np.empty(16, dtype=np.float32)
    ss = np.empty(16, dtype=np.float32)
    wsum = _0
    for i in range(16):
        s = F(i) / F(15.0)
        ss[i] = s
        ws[i] = _1 - s
        wsum = wsum + ws[i]
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            cx = np.floor(u * fw / bs)
            cy = np.floor(v * fh / bs)
            r = hash21(cx + tox, cy + toy)
            big_l = amount * mix(sl, sl * r, rho)
            if mode == 1:
                px = cx / nbx + _H / nbx
                py = cy / nby + _H / nby
                r_, g_, b_, a_ = tex_c(src, px + dx * big_l, py + dy * big_l)
            elif mode == 2:
                r_ = _0
                g_ = _0
                b_ = _0
                a_ = _0
                for i in range(16):
                    sr, sg, sb, sa = tex_c(src, u - dx * ss[i] * big_l, v - dy * ss[i] * big_l)
                    wk = ws[i]
                    r_ = r_ + wk * sr
                    g_ = g_ + wk * sg
                    b_ = b_ + wk * sb
                    a_ = a_ + wk * sa
                r_ = r_ / wsum
                g_ = g_ / wsum
                b_ = b_ / wsum
                a_ = a_ / wsum
            else:
                c = fetch(src, x, y)
                sr, sg, sb, sa = tex_c(src, u - dx * big_l, v - dy * big_l)
                r_ = mix(c[0], sr, rho)
                g_ = mix(c[1], sg, rho)
                b_ = mix(c[2], sb, rho)
                a_ = mix(c[3], sa, rho)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 30 vhsDistortion
# p: trackingAmount, tearAmount, tearSize, colorBleed, noiseAmount, scanlineIntensity


@jit
def k_vhs_distortion(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    track = p[0]
    tear = p[1]
    tsize = max(p[2], _EPS4)
    bl = F(0.004) * p[3]
    noise = p[4]
    scan_k = clamp01(p[5])
    tf = t_frame(time)
    tox, toy = t_off(tf)
    e_tear = _1 - clamp01(tear)
    seed = F(0.93) * tf
    ny = F(0.27) * tf
    nx = F(17.3) * tf
    fw = F(w)
    fh = F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            qx = u + (_2 * value_noise(F(80.0) * v + nx, ny) - _1) * track * F(0.02)
            key = np.floor(v / tsize)
            tb = _0 if hash21(key + seed, F(1.7) + seed) < e_tear else _1
            qx = qx + tb * tear * F(0.1)
            c = tex_c(src, qx, v)
            r = tex_c(src, qx + bl, v)[0]
            g = c[1]
            b = tex_c(src, qx - bl, v)[2]
            scan = _H + _H * math.cos(v * fh * _PI)
            k = mix(_1, scan, scan_k)
            n = (_2 * hash21(u * fw + tox, v * fh + toy) - _1) * noise * F(0.1)
            store(dst, x, y, r * k + n, g * k + n, b * k + n, c[3])
