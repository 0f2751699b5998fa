"""The reference's WebGL effect runtime, in float32 numba: sampling, storage and shader helpers.

Everything the 42 effect kernels (raster/kernels_*.py, gathered in raster/effects_kernels.py) share, written to reproduce
SwiftShader's output (spec 03 §B.0, §B.2): float32 arithmetic in the shader's operation order,
`texture2D` as a clamp-to-edge bilinear blend of 8-bit premultiplied texels (§B.0.4), and per-pass
storage clamped per channel and rounded to nearest 8-bit (§B.0.2). No fused multiply-add: numba
does not contract without fastmath, which is what keeps `hash21` bit-exact.

Texture coordinates are the GL ones: uv in [0, 1]² with the origin at the **bottom-left**; texel
(i, j) counts rows from the bottom, so it lives at array row `H − 1 − j` of the (H, W, 4) buffer.
Kernels loop over array rows (`y`, top-down) and convert with `frag_uv`.

Every helper is `@njit(cache=True, nogil=True)` (small ones inlined) and private to the effects
modules; numba cannot be seen by mypy, so the typed surface is raster/effects.py. Imports numpy and
numba only.

Caching caveat for developers: numba invalidates a cached kernel when *its own* file changes, not
when an inlined helper from this file does. After editing this module, touch the
raster/kernels_*.py files (or delete their raster/__pycache__/kernels_*.nb? entries) so the kernels
recompile. Installs are unaffected (an upgrade replaces both files).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from vfnative.timeline import easing as _easing  # noqa: F401  (points numba's cache somewhere writable)

F = np.float32
"""Float32 constructor; `F(0.5)` inside a kernel is a float32 constant (a bare 0.5 would be float64)."""

LUT = np.arange(256, dtype=np.float32) / np.float32(255.0)
"""8-bit texel → float32, exactly as unorm8 is read by the GPU (b / 255, correctly rounded)."""

RAD = F(math.pi / 180.0)
"""GLSL radians(): degrees × π/180 in float32."""

_0 = F(0.0)
_1 = F(1.0)
_2 = F(2.0)
_3 = F(3.0)
_H = F(0.5)
_255 = F(255.0)

jit = njit(cache=True, nogil=True, error_model="numpy")  # GLSL semantics: x/0 is inf, never an exception
inline = njit(cache=True, nogil=True, inline="always", error_model="numpy")
"""For small helpers: numba-level inlining (LLVM does not inline across numba's per-function
modules, and an out-of-line `tex` returning a 4-tuple costs twice as much)."""


# --------------------------------------------------------------------------- GLSL built-ins (§B.2.3)


@inline
def fract(x):  # type: ignore[no-untyped-def]
    return x - np.floor(x)


@inline
def glmod(x, y):  # type: ignore[no-untyped-def]
    """GLSL mod: x − y·floor(x/y)."""
    return x - y * np.floor(x / y)


@inline
def mix(a, b, t):  # type: ignore[no-untyped-def]
    return a * (_1 - t) + b * t


@inline
def clamp(x, lo, hi):  # type: ignore[no-untyped-def]
    return min(max(x, lo), hi)


@inline
def clamp01(x):  # type: ignore[no-untyped-def]
    return min(max(x, _0), _1)


@inline
def smoothstep(e0, e1, x):  # type: ignore[no-untyped-def]
    """u²(3 − 2u) with u = clamp((x − e0)/(e1 − e0)); reversed edges are used deliberately."""
    u = clamp01((x - e0) / (e1 - e0))
    return u * u * (_3 - _2 * u)


@inline
def step(e, x):  # type: ignore[no-untyped-def]
    return _0 if x < e else _1


@inline
def luminance(r, g, b):  # type: ignore[no-untyped-def]
    """Rec.709 weights (the source comment says Rec.601; the numbers are 709)."""
    return F(0.2126) * r + F(0.7152) * g + F(0.0722) * b


@inline
def length2(x, y):  # type: ignore[no-untyped-def]
    return np.sqrt(x * x + y * y)


# --------------------------------------------------------------------------- noise (§B.2.1)


@inline
def hash21(x, y):  # type: ignore[no-untyped-def]
    """The preamble's hash21, step by step in float32 (chaotic in the last bits: keep the order)."""
    px = fract(x * F(123.34))
    py = fract(y * F(456.21))
    d = px * (px + F(45.32)) + py * (py + F(45.32))
    px = px + d
    py = py + d
    return fract(px * py)


@jit
def value_noise(x, y):  # type: ignore[no-untyped-def]
    ix = np.floor(x)
    iy = np.floor(y)
    fx = x - ix
    fy = y - iy
    ux = fx * fx * (_3 - _2 * fx)
    uy = fy * fy * (_3 - _2 * fy)
    a = hash21(ix, iy)
    b = hash21(ix + _1, iy)
    c = hash21(ix, iy + _1)
    d = hash21(ix + _1, iy + _1)
    return mix(mix(a, b, ux), mix(c, d, ux), uy)


@jit
def fbm(x, y):  # type: ignore[no-untyped-def]
    """4 octaves, gain 0.5, lacunarity 2.02, no rotation; range [0, 0.9375]."""
    v = _0
    amp = _H
    for _ in range(4):
        v = v + amp * value_noise(x, y)
        x = x * F(2.02)
        y = y * F(2.02)
        amp = amp * _H
    return v


@inline
def t_frame(time):  # type: ignore[no-untyped-def]
    """floor(u_time·60) in float32 (differs from integer maths on ~2 % of frames, as the GPU does)."""
    return np.floor(time * F(60.0))


@inline
def t_off(tf):  # type: ignore[no-untyped-def]
    return glmod(tf * F(53.17), F(977.0)), glmod(tf * F(71.93), F(991.0))


# --------------------------------------------------------------------------- coordinates and storage


@inline
def frag_uv(x, y, w, h):  # type: ignore[no-untyped-def]
    """The fragment uv of array pixel (x, y), y counted from the top, as SwiftShader interpolates it.

    The full-screen quad is two triangles split along the top-left → bottom-right diagonal, and
    each evaluates the varying's plane equation from its own anchor vertex in float32:

    * lower-left triangle, anchored at the top-left corner (uv (0, 1)):
      `(xc·(1/W), 1 − yc·(1/H))`;
    * upper-right triangle, anchored at the bottom-right corner (uv (1, 0)):
      `(1 + (xc − W)·(1/W), (H − yc)·(1/H))`,

    with (xc, yc) the pixel centre. Both differ from `(x+.5)/W` by an ulp here and there, which is
    invisible except through the hash-seeded effects (frostedGlass frost, filmGrain, vhs noise...)
    where it decides every value. Measured on the effects golden's frost speckle (100 % of pixels
    on both triangles); spec 03 §B.0.3 gives the simpler `(x+.5)/W`.
    """
    xc = F(x) + _H
    yc = F(y) + _H
    fw = F(w)
    fh = F(h)
    if yc * fw < xc * fh:
        return _1 + (xc - fw) * (_1 / fw), (fh - yc) * (_1 / fh)
    return xc * (_1 / fw), _1 - yc * (_1 / fh)


@inline
def frag_v_pair(y, h):  # type: ignore[no-untyped-def]
    """The two values frag_uv's v takes on row y: (lower-left triangle, upper-right triangle)."""
    yc = F(y) + _H
    fh = F(h)
    return _1 - yc * (_1 / fh), (fh - yc) * (_1 / fh)


@inline
def edge_coord(c, mode):  # type: ignore[no-untyped-def]
    """One coordinate of sampleEdge: (coordinate to sample, inside?) for modes transparent/mirror/clamp."""
    if mode == 1:
        return c, c >= _0 and c <= _1
    if mode == 2:
        return mirror1(c), True
    return clamp01(c), True


@inline
def fetch(src, x, y):  # type: ignore[no-untyped-def]
    """The texel under array pixel (x, y): what `texture2D(tex, v_uv)` returns at a pixel centre."""
    return LUT[src[y, x, 0]], LUT[src[y, x, 1]], LUT[src[y, x, 2]], LUT[src[y, x, 3]]


@inline
def q8(v):  # type: ignore[no-untyped-def]
    """Store one channel into RGBA8: clamp to [0, 1], round to nearest; NaN stores 0."""
    if v > _0:
        if v >= _1:
            return 255
        return int(v * _255 + _H)
    return 0


@inline
def store(dst, x, y, r, g, b, a):  # type: ignore[no-untyped-def]
    dst[y, x, 0] = q8(r)
    dst[y, x, 1] = q8(g)
    dst[y, x, 2] = q8(b)
    dst[y, x, 3] = q8(a)


@jit
def copy_region(src, dst, x0, y0, x1, y1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            for k in range(4):
                dst[y, x, k] = src[y, x, k]


# --------------------------------------------------------------------------- sampling (§B.0.4)


@inline
def axis_setup(c, n):  # type: ignore[no-untyped-def]
    """One axis of texture2D: texel coordinate c (= uv·n − 0.5) → clamped neighbours i0, i1 and weight f."""
    fi = np.floor(c)
    f = c - fi
    fi = min(max(fi, F(-2.0)), F(n + 1))
    i = int(fi)
    return min(max(i, 0), n - 1), min(max(i + 1, 0), n - 1), f


@inline
def tex_rows(src, r0, r1, fy, u):  # type: ignore[no-untyped-def]
    """texture2D at (u, v) with v's rows already set up (r0/r1 = array rows of j0/j1, fy its weight)."""
    w = src.shape[1]
    s = u * F(w) - _H
    if s != s:
        return _0, _0, _0, _0
    i0, i1, fx = axis_setup(s, w)
    if fy == _0:
        if fx == _0:
            return LUT[src[r0, i0, 0]], LUT[src[r0, i0, 1]], LUT[src[r0, i0, 2]], LUT[src[r0, i0, 3]]
        w00 = _1 - fx
        return (
            w00 * LUT[src[r0, i0, 0]] + fx * LUT[src[r0, i1, 0]],
            w00 * LUT[src[r0, i0, 1]] + fx * LUT[src[r0, i1, 1]],
            w00 * LUT[src[r0, i0, 2]] + fx * LUT[src[r0, i1, 2]],
            w00 * LUT[src[r0, i0, 3]] + fx * LUT[src[r0, i1, 3]],
        )
    w00 = (_1 - fx) * (_1 - fy)
    w10 = fx * (_1 - fy)
    w01 = (_1 - fx) * fy
    w11 = fx * fy
    return (
        w00 * LUT[src[r0, i0, 0]]
        + w10 * LUT[src[r0, i1, 0]]
        + w01 * LUT[src[r1, i0, 0]]
        + w11 * LUT[src[r1, i1, 0]],
        w00 * LUT[src[r0, i0, 1]]
        + w10 * LUT[src[r0, i1, 1]]
        + w01 * LUT[src[r1, i0, 1]]
        + w11 * LUT[src[r1, i1, 1]],
        w00 * LUT[src[r0, i0, 2]]
        + w10 * LUT[src[r0, i1, 2]]
        + w01 * LUT[src[r1, i0, 2]]
        + w11 * LUT[src[r1, i1, 2]],
        w00 * LUT[src[r0, i0, 3]]
        + w10 * LUT[src[r0, i1, 3]]
        + w01 * LUT[src[r1, i0, 3]]
        + w11 * LUT[src[r1, i1, 3]],
    )


@inline
def row_setup(src, v):  # type: ignore[no-untyped-def]
    """The row half of texture2D for coordinate v: (array row of j0, array row of j1, fy); NaN fy if v is NaN."""
    h = src.shape[0]
    q = v * F(h) - _H
    if q != q:
        return 0, 0, q
    j0, j1, fy = axis_setup(q, h)
    return h - 1 - j0, h - 1 - j1, fy


@inline
def tex(src, u, v):  # type: ignore[no-untyped-def]
    """texture2D with LINEAR + CLAMP_TO_EDGE: bilinear blend of the 4 clamped texels, float32.

    Zero weights are skipped, which changes nothing (a term 0·T is +0).
    """
    r0, r1, fy = row_setup(src, v)
    if fy != fy:
        return _0, _0, _0, _0
    return tex_rows(src, r0, r1, fy, u)


tex_call = jit(tex.py_func)
"""An out-of-line texture2D, for kernels with many call sites (inlining each costs compile time)."""


@inline
def tex_c(src, u, v):  # type: ignore[no-untyped-def]
    """texture2D(tex, clamp(uv, 0, 1)): clamps the sample point, not just the texel indices."""
    return tex(src, clamp01(u), clamp01(v))


@inline
def mirror1(u):  # type: ignore[no-untyped-def]
    m = glmod(np.floor(u), _2)
    f = fract(u)
    return mix(f, _1 - f, m)


@inline
def sample_edge(src, u, v, mode):  # type: ignore[no-untyped-def]
    """sampleEdge: 1 = transparent outside [0, 1]², 2 = mirror, anything else = clamp."""
    if mode == 1:
        if u < _0 or u > _1 or v < _0 or v > _1:
            return _0, _0, _0, _0
    elif mode == 2:
        u = mirror1(u)
        v = mirror1(v)
    else:
        u = clamp01(u)
        v = clamp01(v)
    return tex(src, u, v)


# --------------------------------------------------------------------------- shared passes


@jit
def blur9(src, dst, x0, y0, x1, y1, radius, horizontal):  # type: ignore[no-untyped-def]
    """blurH9 / blurV9 (glow, bloom, edgeGlow, frostedGlass): 17 taps over ±radius px, clamped uv."""
    h = src.shape[0]
    w = src.shape[1]
    r = max(radius, _0)
    if not r >= _H:
        copy_region(src, dst, x0, y0, x1, y1)
        return
    sx = r / F(w) if horizontal else _0
    sy = _0 if horizontal else r / F(h)
    ss = np.empty(17, dtype=np.float32)
    ws = np.empty(17, dtype=np.float32)
    wsum = _0
    for k in range(17):
        s = F(k - 8) / F(8.0)
        ss[k] = s
        ws[k] = math.exp(F(-2.5) * s * s)
        wsum = wsum + ws[k]
    for y in range(y0, y1):
        for x in range(x0, x1):
            u, v = frag_uv(x, y, w, h)
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            for k in range(17):
                sr, sg, sb, sa = tex_c(src, u + sx * ss[k], v + sy * ss[k])
                wk = ws[k]
                ar = ar + wk * sr
                ag = ag + wk * sg
                ab = ab + wk * sb
                aa = aa + wk * sa
            store(dst, x, y, ar / wsum, ag / wsum, ab / wsum, aa / wsum)


@jit
def glow_composite(src, dst, orig, x0, y0, x1, y1, intensity, blend):  # type: ignore[no-untyped-def]
    """glow / edgeGlow pass 4: g = blurred·intensity over the effect input O; alpha max(O.a, g.a)."""
    for y in range(y0, y1):
        for x in range(x0, x1):
            gr, gg, gb, ga = fetch(src, x, y)
            gr = gr * intensity
            gg = gg * intensity
            gb = gb * intensity
            ga = ga * intensity
            orr, og, ob, oa = fetch(orig, x, y)
            if blend == 0:
                r = orr + gr
                g = og + gg
                b = ob + gb
            elif blend == 1:
                r = orr + gr - orr * gr
                g = og + gg - og * gg
                b = ob + gb - ob * gb
            else:
                den = max(ga, F(0.001))
                t = clamp01(ga)
                r = mix(orr, gr / den, t)
                g = mix(og, gg / den, t)
                b = mix(ob, gb / den, t)
            store(dst, x, y, r, g, b, max(oa, ga))


# --------------------------------------------------------------------------- fast fixed-tap filters


@jit
def taps_filter(src, dst, x0, y0, x1, y1, dxs, dys, ws, norm, keep_alpha):  # type: ignore[no-untyped-def]
    """Σ ws[k]·T[y + dys[k], x + dxs[k]] / norm over [x0, x1) × [y0, y1), stored as RGBA8.

    The fast form of a linear filter whose taps sit at fixed offsets from every pixel (blurs,
    motion blur): the bilinear weights are folded into integer-offset taps once, so the inner loop
    is a plain weighted sum of float32 texels (`LUT` of the 8-bit ones, read in place: no float
    copy of the texture). The caller keeps every tap inside `src` (interior pixels only, where
    clamp/transparent/mirror edge modes all agree). `keep_alpha` takes alpha from `src` instead
    (gaussianBlur with alphaAware false). Differs from the per-sample GL model only in float32
    rounding of the tap positions (≪ 1/255).
    """
    n = ws.shape[0]
    for y in range(y0, y1):
        for x in range(x0, x1):
            ar = _0
            ag = _0
            ab = _0
            aa = _0
            for k in range(n):
                yy = y + dys[k]
                xx = x + dxs[k]
                wk = ws[k]
                ar = ar + wk * LUT[src[yy, xx, 0]]
                ag = ag + wk * LUT[src[yy, xx, 1]]
                ab = ab + wk * LUT[src[yy, xx, 2]]
                aa = aa + wk * LUT[src[yy, xx, 3]]
            a = aa / norm
            if keep_alpha:
                a = LUT[src[y, x, 3]]
            store(dst, x, y, ar / norm, ag / norm, ab / norm, a)


# --------------------------------------------------------------------------- constants the kernels share

_EPS4 = F(1e-4)
_TAU = F(6.2832)
_PI = F(3.1415926)
