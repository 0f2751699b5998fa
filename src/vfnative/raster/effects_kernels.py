"""The 42 built-in effect shaders (spec 03 §B.4) as float32 numba kernels, one per pass.

Every kernel has the same signature, so raster/effects.py can drive them from a table:

    kernel(src, dst, orig, x0, y0, x1, y1, time, p)

* `src`: (H, W, 4) uint8 premultiplied RGBA, the pass input (`u_texture`), rows top-down;
* `dst`: where the pass writes, same shape; only the rectangle [x0, x1) × [y0, y1) is written;
* `orig`: the effect's input (`u_originalTexture`), read only by composite passes;
* `time`: `u_time` as float32 seconds;
* `p`: the effect's params as float32, in schema order, colours expanded to 4 slots (layout
  noted on each kernel), em params already in px, options as indices, bools as 0/1.

The maths follows the spec's per-effect recipes literally, including the quirks it asks to keep
(rgb > a outputs, reversed smoothstep edges, un-aspect-corrected angles, the VHS "scanlines").
Imports numpy, numba and raster/effects_gl only.
"""

from __future__ import annotations

import math

import numpy as np

from vfnative.raster.effects_gl import (
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
    copy_region,
    edge_coord,
    fbm,
    fetch,
    fract,
    frag_uv,
    frag_v_pair,
    glmod,
    glow_composite,
    hash21,
    inline,
    jit,
    length2,
    luminance,
    mix,
    row_setup,
    sample_edge,
    smoothstep,
    store,
    t_frame,
    t_off,
    tex,
    tex_c,
    tex_call,
    tex_rows,
    value_noise,
)

_EPS4 = F(1e-4)
_TAU = F(6.2832)
_PI = F(3.1415926)


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


# =========================================================================== 8 displacement
# p: amount, scale, angle, noiseStrength, mode (0 noise, 1 waves, 2 swirl), axis (0 x, 1 y, 2 both)


@jit
def k_displacement(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amount = p[0]
    sc = max(p[1], F(0.001))
    th = p[2] * RAD
    nstr = p[3]
    mode = int(p[4])
    axis = int(p[5])
    ct = math.cos(th)
    st = math.sin(th)
    tx = F(0.35) * time
    ty = F(-0.27) * time
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            if mode == 0:
                px = u * sc + tx
                py = v * sc + ty
                ddx = (fbm(px, py) - _H) * _2 * nstr
                ddy = (fbm(px + F(13.7), py + F(91.3)) - _H) * _2 * nstr
                if th != _0:
                    rx = ct * ddx + st * ddy
                    ddy = -st * ddx + ct * ddy
                    ddx = rx
            elif mode == 1:
                ddx = _H * math.sin((v + _H * st) * sc * _TAU)
                ddy = _H * math.sin((u + _H * ct) * sc * _TAU + F(1.5708))
            else:
                vx = u - _H
                vy = v - _H
                r = length2(vx, vy)
                phi = math.atan2(vy, vx) + r * sc
                ddx = _2 * ((_H + r * math.cos(phi)) - u)
                ddy = _2 * ((_H + r * math.sin(phi)) - v)
            if axis == 0:
                ddy = _0
            elif axis == 1:
                ddx = _0
            r_, g_, b_, a_ = tex_c(src, u + ddx * amount, v + ddy * amount)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 9 lensDistortion
# p: distortion, centerX, centerY, zoom, curve, edgeMode


@jit
def k_lens_distortion(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    dist = p[0]
    cx = p[1]
    cy = p[2]
    zoom = max(p[3], F(0.001))
    curve = max(p[4], F(0.001))
    mode = int(p[5])
    asp = F(w) / F(h)
    iasp = F(h) / F(w)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = (u - cx) * asp
            dy = v - cy
            r = length2(dx, dy)
            k = _1 + dist * r**curve
            dx = dx * k / zoom * iasp
            dy = dy * k / zoom
            r_, g_, b_, a_ = sample_edge(src, cx + dx, cy + dy, mode)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 10 fisheye
# p: strength, centerX, centerY, radius, zoom, edgeMode


@jit
def k_fisheye(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    st = clamp(p[0], F(-1.5), F(1.5))
    cx = p[1]
    cy = p[2]
    rad = max(p[3], F(0.001))
    z = max(p[4], F(0.001))
    mode = int(p[5])
    asp = F(w) / F(h)
    iasp = F(h) / F(w)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = (u - cx) * asp
            dy = v - cy
            r = length2(dx, dy) / rad
            m = mix(r, math.sin(clamp01(r) * F(1.5707963)), st) if st >= _0 else mix(r, r * r, -st)
            if r > _0:
                k = m / r
                dx = dx * k
                dy = dy * k
            dx = dx / z * iasp
            dy = dy / z
            r_, g_, b_, a_ = sample_edge(src, cx + dx, cy + dy, mode)
            store(dst, x, y, r_, g_, b_, a_)


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


# =========================================================================== 20 waveWarp
# p: amplitude, frequency, angle, phase, falloff, axis (0 x, 1 y, 2 both)


@jit
def k_wave_warp(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    amp = p[0]
    freq = max(p[1], F(0.001))
    th = p[2] * RAD
    phase = p[3]
    fall = clamp01(p[4])
    axis = int(p[5])
    dx = math.cos(th)
    dy = math.sin(th)
    px = -dy
    py = dx
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            cu = u - _H
            cv = v - _H
            ox = _0
            oy = _0
            if axis == 0 or axis == 2:
                sv = math.sin((cu * px + cv * py) * freq * _TAU + phase)
                ox = ox + dx * sv * amp
                oy = oy + dy * sv * amp
            if axis == 1 or axis == 2:
                sv = math.sin((cu * dx + cv * dy) * freq * _TAU + phase + F(1.5708))
                ox = ox + px * sv * amp
                oy = oy + py * sv * amp
            k = mix(_1, max(_0, _1 - length2(_2 * cu, _2 * cv)), fall)
            r_, g_, b_, a_ = tex_c(src, u + ox * k, v + oy * k)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 21 liquidRipple
# p: centerX, centerY, amplitude, frequency, decay, radius, phase


@jit
def k_liquid_ripple(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    cx = p[0]
    cy = p[1]
    amp = p[2]
    freq = p[3]
    decay = p[4]
    rad = max(p[5], _EPS4)
    phase = p[6]
    asp = F(w) / F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = (u - cx) * asp
            dy = v - cy
            r = length2(dx, dy)
            if r > rad:
                c = fetch(src, x, y)
                store(dst, x, y, c[0], c[1], c[2], c[3])
                continue
            wave = math.sin(r * freq * _TAU - phase) * math.exp(-r * decay)
            fall = _1 - smoothstep(_0, rad, r)
            ux = _0
            uy = _0
            if r > _0:
                ux = dx / r / asp
                uy = dy / r
            k = wave * amp * fall
            r_, g_, b_, a_ = tex_c(src, u + ux * k, v + uy * k)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 22 shockwave
# p: progress, centerX, centerY, strength, width, softness (unused), invert


@jit
def k_shockwave(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    prog = p[0]
    cx = p[1]
    cy = p[2]
    strength = p[3]
    wd = max(p[4], _EPS4)
    sign = F(-1.0) if p[6] != _0 else _1
    asp = F(w) / F(h)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            dx = (u - cx) * asp
            dy = v - cy
            r = length2(dx, dy)
            z = (r - prog) / wd
            band = math.exp(-(z * z))
            profile = math.sin(clamp(z, F(-1.0), _1) * _PI)
            ux = _0
            uy = _0
            if r > _0:
                ux = dx / r / asp
                uy = dy / r
            push = profile * band * strength * sign
            r_, g_, b_, a_ = tex_c(src, u + ux * push, v + uy * push)
            store(dst, x, y, r_, g_, b_, a_)


# =========================================================================== 23 heatHaze
# p: intensity, waveScale, waveAngle, noiseAmount, verticalFalloff


@jit
def k_heat_haze(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    inten = p[0]
    ws = max(p[1], F(0.001))
    b = p[2] * RAD
    na = p[3]
    vfall = clamp01(p[4])
    dx = math.cos(b)
    dy = math.sin(b)
    px = -dy
    py = dx
    ws3 = F(3.0) * ws
    t1 = F(4.7) * time
    t2 = F(3.9) * time
    n1x = F(0.6) * time
    n1y = F(-0.4) * time
    n2x = F(31.7) - F(0.5) * time
    n2y = F(23.1) + F(0.7) * time
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            vf = mix(_1, smoothstep(_0, _1, _1 - v), vfall)
            s1 = math.sin((u * px + v * py) * ws * F(20.0) + t1)
            s2 = math.sin((u * dx + v * dy) * ws * F(17.0) + _1 + t2)
            ddx = dx * _H * s1 + px * F(0.3) * s2
            ddy = dy * _H * s1 + py * F(0.3) * s2
            ddx = ddx + (fbm(ws3 * u + n1x, ws3 * v + n1y) - _H) * _2 * na
            ddy = ddy + (fbm(ws3 * u + n2x, ws3 * v + n2y) - _H) * _2 * na
            k = inten * vf * F(0.01)
            r_, g_, b_, a_ = tex_c(src, u + ddx * k, v + ddy * k)
            store(dst, x, y, r_, g_, b_, a_)


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
def k_frosted_glass_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
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
                fu = F(30.0) * u
                fv = F(30.0) * v
                qx = qx + (fbm(fu, fv) - _H) * dist * F(0.05)
                qy = qy + (fbm(fu + F(13.7), fv + F(91.3)) - _H) * dist * F(0.05)
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


# =========================================================================== 25 glassRefraction
# p: refractionAmount, roughness, highlightAmount, edgeStrength, ior


@jit
def _normal(u, v, scale):  # type: ignore[no-untyped-def]
    e = F(0.002)
    h0 = fbm(scale * u, scale * v)
    hx = fbm(scale * (u + e), scale * v)
    hy = fbm(scale * u, scale * (v + e))
    return (hx - h0) / e, (hy - h0) / e


@jit
def k_glass_refraction(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    h = src.shape[0]
    w = src.shape[1]
    refr = p[0]
    rough = p[1]
    hl = p[2]
    edge = p[3]
    k = refr * F(0.005) * (max(p[4], _H) - _H)
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            nx, ny = _normal(u, v, F(6.0))
            if rough > _0:
                mx, my = _normal(u, v, F(30.0))
                nx = nx + mx * rough * _H
                ny = ny + my * rough * _H
            c = tex_c(src, u + nx * k, v + ny * k)
            spec = max(_0, F(0.7071) * (F(0.005) * nx) + F(0.7071) * (F(0.005) * ny))
            add = spec * spec * hl + smoothstep(_H, _1, F(0.001) * length2(nx, ny)) * edge
            store(dst, x, y, c[0] + add, c[1] + add, c[2] + add, c[3])


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
