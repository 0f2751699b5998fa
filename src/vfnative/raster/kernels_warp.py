"""Effect pass kernels (spec 03 §B.4), warps that move pixels: displacement, lensDistortion, fisheye, waveWarp, liquidRipple, shockwave, heatHaze, glassRefraction.

Each kernel has the signature raster/effects_kernels.py describes (`kernel(src, dst, orig, x0, y0,
x1, y1, time, p)`) and follows the spec's recipe for its effect literally. Imports numpy, numba and
raster/effects_gl only.
"""

from __future__ import annotations

import math

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
    fbm,
    fetch,
    frag_uv,
    jit,
    length2,
    mix,
    sample_edge,
    smoothstep,
    store,
    tex_c,
)

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
