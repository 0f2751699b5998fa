"""Layer effects: resolve a layer's effect list and run it over the layer's premultiplied pixels.

The reference runs effects in WebGL on the layer rasterised alone onto a transparent, project-sized
canvas (spec 03 §B.0). This module reproduces that pipeline on the CPU:

* `resolve_effects(layer, props)` builds the list the reference's `resolveEffectsForProps` builds
  (spec 01 §3.7, spec 03 §B.0.6): the layer's enabled effects, then the transition-injected ones
  from `props["__effects"]`, then the `effects.<name>[k].<param>` dot-path overrides, with every
  schema default filled in (params the schema does not declare are dropped: they bind nothing).
* `apply_effects(pixels, calls, ...)` binds params to uniforms (§B.1: em × W/100, option indices,
  JS truthiness, `parseColorToVec4`) and runs each effect's passes as numba kernels
  (raster/kernels_*.py, gathered in raster/effects_kernels.py), storing RGBA8 between passes like the reference's framebuffers.

Outputs may hold invalid premultiplied pixels (rgb > a): the reference composites them additively
(§B.0.8), so callers must draw the result as a kPremul image without clamping.

Only the pixels that can change are computed: each pass grows the layer's `bounds` by that pass's
reach (its sampling footprint, or the whole canvas for effects that paint where the layer is
transparent), and the result equals a full-canvas pass. Imports numpy, numba (via the kernels),
model (effect dot-paths) and nothing from compose.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from vfnative.model.layers import parse_effect_path
from vfnative.raster import effects_kernels as K
from vfnative.raster.effects_gl import taps_filter

__all__ = ["EFFECT_NAMES", "EffectCall", "apply_effects", "bind_params", "resolve_effects"]

Box = tuple[int, int, int, int]
"""(x0, y0, x1, y1) pixel rectangle, rows counted from the top, x1/y1 exclusive."""

Kind = Literal["float", "int", "bool", "color", "option"]


class Param(NamedTuple):
    """One declared effect param (`effects.ts` schema): uniform type, default, em unit, options."""

    name: str
    kind: Kind
    default: Any
    em: bool = False
    options: tuple[str, ...] = ()


def _f(name: str, default: float, *, em: bool = False) -> Param:
    return Param(name, "float", default, em)


def _b(name: str, default: bool) -> Param:
    return Param(name, "bool", default)


def _c(name: str, default: str) -> Param:
    return Param(name, "color", default)


def _o(name: str, default: str, *options: str) -> Param:
    return Param(name, "option", default, False, options)


_EDGE = ("clamp", "transparent", "mirror")
_GLOW_BLEND = ("add", "screen", "normal")

SCHEMAS: dict[str, tuple[Param, ...]] = {
    "gaussianBlur": (
        _f("radius", 0.4, em=True), _o("direction", "both", "both", "horizontal", "vertical"),
        _o("edgeMode", "clamp", *_EDGE), _b("alphaAware", True),
    ),
    "motionBlur": (
        _f("amount", 1.25, em=True), _f("angle", 0), _f("centerBias", 0), _o("edgeMode", "clamp", *_EDGE),
    ),
    "zoomBlur": (
        _f("amount", 0.4), _f("centerX", 0.5), _f("centerY", 0.5), _f("falloff", 1), _o("mode", "out", "in", "out"),
    ),
    "chromaticAberration": (
        _f("intensity", 0.005), _f("angle", 0), _f("centerX", 0.5), _f("centerY", 0.5), _f("edgeFalloff", 0),
        _b("radial", False),
    ),
    "rgbSplit": (
        _f("amount", 0.005), _f("bandSize", 0.05), _f("bandOffset", 0.005), _f("randomness", 0.5),
        _o("axis", "horizontal", "horizontal", "vertical", "both"), _b("preserveLuminance", False),
    ),
    "wipeMask": (
        _f("progress", 0.5), _f("angle", 0), _f("softness", 0.02), _f("edgeWidth", 0), _c("edgeColor", "#ffffff"),
        _b("invert", False),
    ),
    "noiseDissolve": (
        _f("progress", 0.5), _f("noiseScale", 8), _f("softness", 0.05), _f("edgeWidth", 0.05),
        _c("edgeColor", "#ffffff"), _b("invert", False),
    ),
    "displacement": (
        _f("amount", 0.05), _f("scale", 4), _f("angle", 0), _f("noiseStrength", 1),
        _o("mode", "noise", "noise", "waves", "swirl"), _o("axis", "both", "x", "y", "both"),
    ),
    "lensDistortion": (
        _f("distortion", 0.3), _f("centerX", 0.5), _f("centerY", 0.5), _f("zoom", 1), _f("curve", 2),
        _o("edgeMode", "clamp", *_EDGE),
    ),
    "fisheye": (
        _f("strength", 0.5), _f("centerX", 0.5), _f("centerY", 0.5), _f("radius", 0.5), _f("zoom", 1),
        _o("edgeMode", "clamp", *_EDGE),
    ),
    "glow": (
        _f("intensity", 1), _f("radius", 0.6, em=True), _f("threshold", 0.6), _c("color", "#ffffff"),
        _o("source", "alpha", "alpha", "brightness"), _o("blendMode", "screen", *_GLOW_BLEND),
    ),
    "bloom": (
        _f("threshold", 0.7), _f("intensity", 0.8), _f("radius", 0.8, em=True), _f("knee", 0.1),
        _o("blendMode", "add", "add", "screen"),
    ),
    "colorCorrection": (
        _f("exposure", 0), _f("contrast", 0), _f("saturation", 0), _f("temperature", 0), _f("tint", 0),
        _f("gamma", 1),
    ),
    "vignette": (
        _f("intensity", 0.6), _f("radius", 0.8), _f("softness", 0.4), _f("centerX", 0.5), _f("centerY", 0.5),
        _c("color", "#000000"), _o("shape", "circle", "circle", "ellipse", "rectangle"),
    ),
    "lightSweep": (
        _f("progress", 0.5), _f("angle", 30), _f("width", 0.15), _f("softness", 0.06), _f("intensity", 1),
        _c("color", "#ffffff"), _o("blendMode", "add", *_GLOW_BLEND),
    ),
    "scanReveal": (
        _f("progress", 0.5), _f("angle", 0), _f("bandWidth", 0.04), _f("softness", 0.01), _f("edgeGlow", 1),
        _f("edgeDistortion", 0.005), _b("invert", False),
    ),
    "radialReveal": (
        _f("progress", 0.5), _f("centerX", 0.5), _f("centerY", 0.5), _f("softness", 0.02), _f("edgeGlow", 0.5),
        _b("invert", False),
    ),
    "streakBlur": (
        _f("amount", 2.5, em=True), _f("angle", 0), _f("samples", 24), _f("highlightBias", 2), _f("falloff", 1),
        _o("edgeMode", "transparent", *_EDGE),
    ),
    "spinBlur": (
        _f("amount", 12), _f("centerX", 0.5), _f("centerY", 0.5), _f("samples", 24), _f("radiusFalloff", 0),
        _o("direction", "clockwise", "clockwise", "counterClockwise"),
    ),
    "waveWarp": (
        _f("amplitude", 0.02), _f("frequency", 4), _f("angle", 0), _f("phase", 0), _f("falloff", 0),
        _o("axis", "both", "x", "y", "both"),
    ),
    "liquidRipple": (
        _f("centerX", 0.5), _f("centerY", 0.5), _f("amplitude", 0.02), _f("frequency", 8), _f("decay", 4),
        _f("radius", 0.5), _f("phase", 0),
    ),
    "shockwave": (
        _f("progress", 0.5), _f("centerX", 0.5), _f("centerY", 0.5), _f("strength", 0.06), _f("width", 0.08),
        _f("softness", 0.02), _b("invert", False),
    ),
    "heatHaze": (
        _f("intensity", 1), _f("waveScale", 1), _f("waveAngle", 0), _f("noiseAmount", 0.5),
        _f("verticalFalloff", 0.7),
    ),
    "frostedGlass": (
        _f("blurRadius", 0.6, em=True), _f("distortion", 1.2), _f("frostAmount", 0.2), _f("tintAmount", 0),
        _f("highlightAmount", 0), _c("tintColor", "#ffffff"),
    ),
    "glassRefraction": (
        _f("refractionAmount", 1), _f("roughness", 0.2), _f("highlightAmount", 0.6), _f("edgeStrength", 0.3),
        _f("ior", 1.45),
    ),
    "prismSplit": (
        _f("amount", 0.01), _f("angle", 0), _f("spectrumWidth", 0.4), _f("centerX", 0.5), _f("centerY", 0.5),
        _f("falloff", 1),
    ),
    "sliceGlitch": (
        _f("sliceCount", 30), _f("offsetAmount", 0.04), _f("gap", 0), _f("randomness", 0.7),
        _o("axis", "horizontal", "horizontal", "vertical"), _o("edgeMode", "transparent", *_EDGE),
    ),
    "digitalBlocks": (
        _f("blockSize", 1.25, em=True), _f("blockAmount", 0.3), _f("offsetAmount", 0.03), _f("colorShift", 0.005),
        _f("randomness", 1), _b("hideBlocks", False),
    ),
    "datamoshSmear": (
        _f("amount", 4.2, em=True), _f("blockSize", 1.25, em=True), _f("angle", 0), _f("smearLength", 0.5),
        _f("randomness", 0.5), _o("mode", "streak", "soft", "blocky", "streak"),
    ),
    "vhsDistortion": (
        _f("trackingAmount", 1), _f("tearAmount", 0.3), _f("tearSize", 0.05), _f("colorBleed", 1),
        _f("noiseAmount", 0.5), _f("scanlineIntensity", 0.4),
    ),
    "pixelate": (
        _f("pixelSize", 0.8, em=True), _f("pixelAspect", 1), _f("mix", 1), _b("snapToIntegerPixels", False),
    ),
    "mosaicReveal": (
        _f("progress", 0.5), _f("cellSize", 1.6, em=True), _f("randomness", 0.5), _f("softness", 0.05),
        _o("direction", "left", "left", "right", "top", "bottom", "random"), _b("invert", False),
    ),
    "burnDissolve": (
        _f("progress", 0.5), _f("noiseScale", 6), _f("edgeWidth", 0.05), _f("softness", 0.02),
        _f("ashAmount", 0.4), _c("burnColor", "#3a0a00"), _c("hotColor", "#ffb347"),
    ),
    "filmGrain": (
        _f("amount", 0.2), _f("grainSize", 0.08, em=True), _f("luminanceResponse", 0.5),
        _o("blendMode", "overlay", "overlay", "softLight", "add"), _b("monochrome", True),
    ),
    "crtScanlines": (
        _f("scanlineCount", 240), _f("scanlineIntensity", 0.4), _f("rgbMaskAmount", 0.3), _f("curvature", 0.1),
        _f("brightnessRollOff", 0.4), _b("flicker", False),
    ),
    "duotone": (
        _c("shadowColor", "#1a1a3a"), _c("highlightColor", "#ffd966"), _f("contrast", 0), _f("brightness", 0),
        _f("midtoneBias", 0), _f("mix", 1),
    ),
    "halftone": (
        _f("dotSize", 1), _f("spacing", 0.4, em=True), _f("angle", 30), _f("threshold", 0), _f("softness", 0.5),
        _o("colorMode", "blackWhite", "blackWhite", "duotone", "original"),
    ),
    "lightRays": (
        _f("intensity", 1.5), _f("length", 0.3), _f("centerX", 0.5), _f("centerY", 0.5), _f("threshold", 0.7),
        _f("samples", 32), _c("color", "#ffffff"),
    ),
    "volumetricLight": (
        _f("intensity", 1.5), _f("decay", 0.95), _f("density", 1), _f("weight", 1), _f("centerX", 0.5),
        _f("centerY", 0.5), _f("samples", 48),
    ),
    "edgeGlow": (
        _f("strength", 1), _f("threshold", 0.15), _f("radius", 0.4, em=True), _f("sampleDistance", 0.05, em=True),
        _c("color", "#ffffff"), _o("blendMode", "screen", *_GLOW_BLEND),
    ),
    "lightLeak": (
        _f("amount", 0.6), _f("scale", 0.6), _f("softness", 0.3), _f("angle", 30), _f("positionX", 0.2),
        _f("positionY", 0.2), _c("colorA", "#ff8a3d"), _c("colorB", "#ffd96b"),
        _o("blendMode", "screen", "screen", "add", "softLight"), _o("shape", "organic", "linear", "radial", "organic"),
    ),
    "invert": (_f("amount", 1),),
}  # fmt: skip
"""Every built-in effect's params in declaration order (spec 03 §B.4 tables)."""

EFFECT_NAMES: tuple[str, ...] = tuple(SCHEMAS)
"""The 42 registered effect names, in the reference's source order."""


# --------------------------------------------------------------------------- resolution (spec 01 §3.7)


@dataclass(frozen=True)
class EffectCall:
    """One resolved effect: its name and every schema param (defaults filled in, em not yet in px).

    Unknown effect names keep the params they were given; `apply_effects` skips them.
    """

    name: str
    params: dict[str, Any]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _dot_path_values(layer: Any, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Dot-path keys in the reference's props order (animations first, then static), with values.

    The timeline does not resolve effect dot-paths yet: a value in `props` wins when present;
    otherwise an animated dot-path takes the static `properties` value, or its first keyframe's
    value when it has none (TODO: interpolate animated dot-paths at the layer's frame).
    """
    static = _get(layer, "properties") or {}
    ordered: dict[str, Any] = {}
    for anim in _get(layer, "animations") or ():
        key = _get(anim, "property")
        frames = _get(anim, "keyframes") or ()
        if not isinstance(key, str) or parse_effect_path(key) is None or not frames:
            continue
        ordered[key] = static[key] if key in static else _get(frames[0], "value")
    for key, value in static.items():
        if key not in ordered and parse_effect_path(key) is not None:
            ordered[key] = value
    for key in props:
        if key not in ordered and parse_effect_path(key) is not None:
            ordered[key] = props[key]
    return [(key, props.get(key, value)) for key, value in ordered.items()]


def resolve_effects(layer: Any, props: Mapping[str, Any]) -> list[EffectCall]:
    """The layer's effect list for one frame, as `resolveEffectsForProps` builds it.

    Declared effects whose `enabled` is literally False are dropped; injected entries from
    `props["__effects"]` follow in push order; dot-path overrides address the k-th entry of a name
    in that combined, enabled-only list (out-of-range indices are ignored).
    """
    entries: list[tuple[str, dict[str, Any]]] = []
    for spec in _get(layer, "effects") or ():
        if _get(spec, "enabled", True) is False:
            continue
        name = _get(spec, "effect")
        if isinstance(name, str):
            entries.append((name, dict(_get(spec, "params") or {})))
    for entry in props.get("__effects") or ():
        name, params = (
            (entry[0], entry[1]) if isinstance(entry, tuple | list) and len(entry) == 2 else (None, None)
        )
        if isinstance(name, str):
            entries.append((name, dict(params) if isinstance(params, Mapping) else {}))
    for key, value in _dot_path_values(layer, props):
        path = parse_effect_path(key)
        if path is None:
            continue
        hits = [params for name, params in entries if name == path.name]
        if path.index < len(hits):
            hits[path.index][path.param] = value
    calls = []
    for name, params in entries:
        schema = SCHEMAS.get(name)
        if schema is not None:
            params = {p.name: params.get(p.name, p.default) for p in schema}
        calls.append(EffectCall(name, params))
    return calls


# --------------------------------------------------------------------------- binding (spec 03 §B.1)

_JS_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)")
_JS_RADIX = re.compile(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+")


def _js_number(value: Any) -> float:
    """JavaScript `Number(value)`."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip(" \t\n\r\v\f\u00a0\ufeff")
        if not text:
            return 0.0
        if _JS_DECIMAL.fullmatch(text):
            return float(text.replace("Infinity", "inf"))
        if _JS_RADIX.fullmatch(text):
            return float(int(text, 0))
        return math.nan
    if isinstance(value, list | tuple):
        if not value:
            return 0.0
        if len(value) == 1:
            inner = value[0]
            return _js_number("" if inner is None else inner if isinstance(inner, str) else _js_string(inner))
        return math.nan
    return math.nan


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join("" if v is None else _js_string(v) for v in value)
    return str(value)


def _to_int32(number: float) -> int:
    """JavaScript `number | 0`."""
    if not math.isfinite(number):
        return 0
    return (int(number) + 2**31) % 2**32 - 2**31


def _js_truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _em_scaled(value: Any, em: float) -> Any:
    """`convertParamValue` for unit 'em': numbers, numeric strings and arrays (element-wise) × W/100."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value * em
    if isinstance(value, str):
        number = _js_number(value)
        return number * em if not math.isnan(number) else value
    if isinstance(value, list | tuple):
        return [_em_scaled(v, em) for v in value]
    return value


_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUM = r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*"
_RGB = re.compile(rf"rgba?\({_NUM},{_NUM},{_NUM}(?:,{_NUM})?\)")


def parse_color_vec4(value: Any) -> tuple[float, float, float, float]:
    """`parseColorToVec4`: arrays are 0..1 channels; hex and plain-number rgb()/rgba(); else opaque black.

    Named colours, hsl() and percentages are not understood by the reference and give black.
    """
    if isinstance(value, list | tuple):
        ch = [_js_number(v) for v in value[:4]] + [0.0] * (3 - min(len(value), 3))
        alpha = ch[3] if len(value) > 3 and value[3] is not None else 1.0
        return ch[0], ch[1], ch[2], alpha
    if isinstance(value, str):
        text = value.strip()
        m = _HEX.fullmatch(text)
        if m:
            digits = m.group(1)
            if len(digits) <= 4:
                digits = "".join(d * 2 for d in digits)
            vals = [int(digits[i : i + 2], 16) / 255.0 for i in range(0, len(digits), 2)]
            return vals[0], vals[1], vals[2], vals[3] if len(vals) > 3 else 1.0
        m = _RGB.fullmatch(text)
        if m:
            r, g, b, a = m.groups()
            return float(r) / 255.0, float(g) / 255.0, float(b) / 255.0, float(a) if a is not None else 1.0
    return 0.0, 0.0, 0.0, 1.0


def _option_index(value: Any, param: Param) -> int:
    n = len(param.options)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return min(max(int(value), 0), n - 1)
    if isinstance(value, str) and value in param.options:
        return param.options.index(value)
    return param.options.index(param.default) if param.default in param.options else 0


def bind_params(name: str, params: Mapping[str, Any], width: int) -> npt.NDArray[np.float32]:
    """The uniform values of one effect as the float32 vector its kernels read (schema order).

    Colours take 4 slots (straight RGBA); options become indices; bools 0/1; em params × W/100.
    """
    em = width * 0.01
    out: list[float] = []
    for param in SCHEMAS[name]:
        value = params.get(param.name, param.default)
        if param.em:
            value = _em_scaled(value, em)
        if param.kind == "float":
            out.append(_js_number(value))
        elif param.kind == "int":
            number = _js_number(value)
            out.append(float(_to_int32(number)))
        elif param.kind == "bool":
            out.append(1.0 if _js_truthy(value) else 0.0)
        elif param.kind == "color":
            out.extend(parse_color_vec4(value))
        else:
            out.append(float(_option_index(value, param)))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(out, dtype=np.float64).astype(np.float32)


# --------------------------------------------------------------------------- reach (which pixels can change)

_BIG = 1e9

Grow = Callable[[Box, npt.NDArray[np.float32], int, int], Box | None]
"""Output box of a pass given its input's non-transparent box; None means the whole canvas."""


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _pad(box: Box, mx: float, my: float, w: int, h: int) -> Box | None:
    """Grow by a sampling reach of mx/my px (+2 for the bilinear footprint and float slack)."""
    if not _finite(mx, my):
        return None
    ix = math.ceil(abs(mx)) + 2
    iy = math.ceil(abs(my)) + 2
    return max(box[0] - ix, 0), max(box[1] - iy, 0), min(box[2] + ix, w), min(box[3] + iy, h)


def _local(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    """Per-pixel effects that leave transparent pixels transparent."""
    return box


def _full(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    return None


def _scaled(box: Box, cx: float, cy: float, ks: Sequence[float], w: int, h: int) -> Box | None:
    """Pixels p whose samples C + (p − C)·k (k in [min ks, max ks]) can land in `box`.

    Sides of the box on the canvas edge extend to infinity first, because clamped sample points
    (texC) pile up on the edge texels.
    """
    k_lo, k_hi = min(ks), max(ks)
    if not _finite(cx, cy, k_lo, k_hi) or k_lo <= 1e-3:
        return None
    x0, y0, x1, y1 = box[0] - 2.0, box[1] - 2.0, box[2] + 2.0, box[3] + 2.0
    x0 = -_BIG if box[0] <= 0 else x0
    y0 = -_BIG if box[1] <= 0 else y0
    x1 = _BIG if box[2] >= w else x1
    y1 = _BIG if box[3] >= h else y1
    xs = [cx + (x - cx) / k for x in (x0, x1) for k in (k_lo, k_hi)]
    ys = [cy + (y - cy) / k for y in (y0, y1) for k in (k_lo, k_hi)]
    return (
        max(math.floor(min(xs)) - 2, 0), max(math.floor(min(ys)) - 2, 0),
        min(math.ceil(max(xs)) + 2, w), min(math.ceil(max(ys)) + 2, h),
    )  # fmt: skip


def _c_px(p: npt.NDArray[np.float32], ix: int, w: int, h: int) -> tuple[float, float]:
    """Centre params (UV, y up) at p[ix], p[ix+1] → top-down pixel coordinates."""
    return float(p[ix]) * w, (1.0 - float(p[ix + 1])) * h


def _blur_x(ix: int) -> Grow:
    return lambda box, p, w, h: _pad(box, max(float(p[ix]), 0.0), 0, w, h)


def _blur_y(ix: int) -> Grow:
    return lambda box, p, w, h: _pad(box, 0, max(float(p[ix]), 0.0), w, h)


def _g_gauss_h(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    return box if int(p[1]) == 2 else _pad(box, max(float(p[0]), 0.0), 0, w, h)


def _g_gauss_v(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    return box if int(p[1]) == 1 else _pad(box, 0, max(float(p[0]), 0.0), w, h)


def _g_directional(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    """motionBlur / streakBlur: ±amount px along the angle."""
    a, th = float(p[0]), math.radians(float(p[1]))
    return _pad(box, a * abs(math.cos(th)), a * abs(math.sin(th)), w, h)


def _g_zoom(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    sig = float(p[0]) if int(p[4]) == 1 else -float(p[0])
    return _scaled(box, *_c_px(p, 1, w, h), (1.0, 1.0 + sig), w, h)


def _g_chromatic(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    inten, th, cx, cy, ef = (float(v) for v in p[:5])
    far = math.hypot(max(abs(cx), abs(1 - cx)) * w / h, max(abs(cy), abs(1 - cy)))
    edge = max(1.0, 2 * far) if ef > 0 else 1.0
    if p[5] != 0:
        dx, dy = max(abs(cx), abs(1 - cx)), max(abs(cy), abs(1 - cy))
    else:
        dx, dy = abs(math.cos(math.radians(th))), abs(math.sin(math.radians(th)))
    return _pad(box, dx * abs(inten) * edge * w, dy * abs(inten) * edge * h, w, h)


def _g_rgb_split(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = abs(float(p[0])) + abs(float(p[2]))
    axis = int(p[4])
    return _pad(box, 0 if axis == 1 else k * w, 0 if axis == 0 else k * h, w, h)


def _g_displacement(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    amount, mode = abs(float(p[0])), int(p[4])
    if mode == 2:
        return None
    reach = 0.5 * amount if mode == 1 else abs(float(p[3])) * math.sqrt(2) * amount
    return _pad(box, reach * w, reach * h, w, h)


def _g_scan_reveal(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    d = abs(float(p[5]))
    return _pad(box, d * w, d * h, w, h)


def _g_spin(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    """Samples rotate about C by at most ±amount/2 (aspect-corrected): bound by the swept annulus box."""
    half = abs(math.radians(float(p[0]))) / 2
    if not math.isfinite(half) or half >= math.pi / 2:
        return None
    if half < 0.0005:
        return box
    cx, cy = _c_px(p, 1, w, h)
    corners = [(x - cx, y - cy) for x in (box[0] - 2, box[2] + 2) for y in (box[1] - 2, box[3] + 2)]
    r_max = max(math.hypot(x, y) for x, y in corners)
    steps = 16
    xs, ys = [], []
    for i in range(steps + 1):
        ang = -half + 2 * half * i / steps
        c, s = math.cos(ang), math.sin(ang)
        for x, y in corners:
            xs.append(cx + c * x - s * y)
            ys.append(cy + s * x + c * y)
    bulge = r_max * (1 - math.cos(half / steps)) + 2
    return (
        max(math.floor(min(xs) - bulge), 0), max(math.floor(min(ys) - bulge), 0),
        min(math.ceil(max(xs) + bulge), w), min(math.ceil(max(ys) + bulge), h),
    )  # fmt: skip


def _g_wave(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = 2 * abs(float(p[0]))
    return _pad(box, k * w, k * h, w, h)


def _g_ripple(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    amp, decay, rad = abs(float(p[2])), float(p[4]), max(float(p[5]), 1e-4)
    grow = math.exp(max(0.0, -decay) * rad) if math.isfinite(decay) else math.inf
    k = amp * grow
    return _pad(box, k * h, k * h, w, h)


def _g_shockwave(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = abs(float(p[3]))
    return _pad(box, k * h, k * h, w, h)


def _g_heat(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = (0.8 + abs(float(p[3]))) * abs(float(p[0])) * 0.01
    return _pad(box, k * w, k * h, w, h)


def _g_frost_h(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    d = 0.025 * max(float(p[1]), 0.0)
    r = max(float(p[0]), 0.0)
    return _pad(box, d * w + r, d * h, w, h)


def _g_prism(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    if float(p[2]) > 0:
        return None
    fall = max(1.0, math.sqrt(2) ** max(float(p[5]), 0.0))
    k = abs(float(p[0])) * fall
    return _pad(box, k * w, k * h, w, h)


def _g_slice(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = abs(float(p[1]))
    return _pad(box, k * w, 0, w, h) if int(p[4]) == 0 else _pad(box, 0, k * h, w, h)


def _g_blocks(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    off = abs(float(p[2])) * min(max(float(p[4]), 0.0), 1.0)
    return _pad(box, (off + abs(float(p[3]))) * w, off * h, w, h)


def _g_datamosh(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    reach = abs(float(p[0]) * float(p[3]))
    th = math.radians(float(p[2]))
    bs = max(float(p[1]), 1.0)
    return _pad(box, reach * abs(math.cos(th)) + bs, reach * abs(math.sin(th)) + bs, w, h)


def _g_vhs(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    if float(p[4]) != 0:
        return None  # the noise speckle is added over the whole canvas
    k = 0.02 * abs(float(p[0])) + 0.1 * abs(float(p[1])) + 0.004 * abs(float(p[3]))
    return _pad(box, k * w, 0, w, h)


def _g_pixelate(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    ps = max(float(p[0]), 1.0)
    return _pad(box, ps, ps / max(float(p[1]), 0.001), w, h)


def _g_crt(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    k = 0.25 * max(float(p[3]), 0.0)
    return _pad(box, k * w, k * h, w, h)


def _g_halftone(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    sp = max(float(p[1]), 2.0) * 1.5
    return _pad(box, sp, sp, w, h)


def _g_rays(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    n = int(min(max(float(p[5]), 4.0), 64.0)) if math.isfinite(float(p[5])) else 4
    ln = float(p[1])
    return _scaled(box, *_c_px(p, 2, w, h), (1.0, 1.0 - ln * (n - 1) / n), w, h)


def _g_volumetric(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    n = int(min(max(float(p[6]), 4.0), 100.0)) if math.isfinite(float(p[6])) else 4
    dens = float(p[2])
    return _scaled(box, *_c_px(p, 4, w, h), (1.0 - dens / n, 1.0 - dens), w, h)


def _g_edge_extract(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    if float(p[1]) < 0:
        return None  # smoothstep(thr, thr + .15, 0) > 0: flat areas glow too
    sd = max(float(p[3]), 1.0)
    return _pad(box, sd, sd, w, h)


def _g_glow_extract(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    if int(p[7]) == 1 and float(p[2]) + 0.1 <= 0:
        return None  # brightness source with a threshold below black lights every pixel
    return box


def _g_leak(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    return None if int(p[14]) == 0 else box


def _g_glass(box: Box, p: npt.NDArray[np.float32], w: int, h: int) -> Box | None:
    return None  # highlights and edge light land on transparent pixels too


Kernel = Callable[..., None]


Taps = Callable[
    [npt.NDArray[np.float32], int, int], "tuple[list[tuple[float, float, float]], float, bool] | None"
]
"""A linear pass's fixed taps from its params: ([(dx px, dy px y-up, weight)], normaliser, keep_alpha),
or None when the pass does not filter (it then runs its exact kernel)."""


class Pass(NamedTuple):
    kernel: Kernel
    grow: Grow
    taps: Taps | None = None


def _one(kernel: Kernel, grow: Grow = _local, taps: Taps | None = None) -> tuple[Pass, ...]:
    return (Pass(kernel, grow, taps),)


def _f32(v: float | np.floating[Any]) -> np.float32:
    return np.float32(v)


def _t_gauss(horizontal: bool) -> Taps:
    def taps(
        p: npt.NDArray[np.float32], w: int, h: int
    ) -> tuple[list[tuple[float, float, float]], float, bool] | None:
        direction = int(p[1])
        if (horizontal and direction == 2) or (not horizontal and direction == 1):
            return None
        r = max(p[0], _f32(0))
        if not r >= 0.5:
            return None
        q = int(min(max(_f32(0.7) * r + _f32(3), _f32(4)), _f32(24)))
        out, wsum = [], _f32(0)
        for k in range(-q, q + 1):
            s = _f32(k) / _f32(q)
            wk = np.exp(_f32(-2.5) * s * s, dtype=np.float32)
            wsum = _f32(wsum + wk)
            o = float(r) * float(s)
            out.append((o, 0.0, float(wk)) if horizontal else (0.0, o, float(wk)))
        return out, float(wsum), p[3] == 0

    return taps


def _t_blur9(ix: int, horizontal: bool) -> Taps:
    def taps(
        p: npt.NDArray[np.float32], w: int, h: int
    ) -> tuple[list[tuple[float, float, float]], float, bool] | None:
        r = max(p[ix], _f32(0))
        if not r >= 0.5:
            return None
        out, wsum = [], _f32(0)
        for k in range(-8, 9):
            s = _f32(k) / _f32(8)
            wk = np.exp(_f32(-2.5) * s * s, dtype=np.float32)
            wsum = _f32(wsum + wk)
            o = float(r) * float(s)
            out.append((o, 0.0, float(wk)) if horizontal else (0.0, o, float(wk)))
        return out, float(wsum), False

    return taps


def _t_motion(
    p: npt.NDArray[np.float32], w: int, h: int
) -> tuple[list[tuple[float, float, float]], float, bool] | None:
    a = p[0]
    if not a >= 0.5:
        return None
    th = float(p[1]) * math.pi / 180
    n = int(min(max(_f32(0.3) * a + _f32(8), _f32(8)), _f32(32)))
    bias = min(max(float(p[2]), 0.0), 1.0)
    out, wsum = [], _f32(0)
    for i in range(n):
        s = ((_f32(i) + _f32(0.5)) / _f32(n)) * _f32(2) - _f32(1)
        wk = _f32(_f32(1) * _f32(1 - bias) + _f32(max(0.0, 1 - abs(float(s)))) * _f32(bias))
        wsum = _f32(wsum + wk)
        out.append((math.cos(th) * float(a) * float(s), math.sin(th) * float(a) * float(s), float(wk)))
    return out, max(float(wsum), 1e-4), False


_frost_lock = threading.Lock()
_frost_cache: list[tuple[tuple[int, int], npt.NDArray[np.float32]]] = []


def _frost_field(w: int, h: int) -> npt.NDArray[np.float32]:
    """`K.frost_field(w, h)`, kept for the last canvas size (8 bytes a pixel: 16.6 MB at 1080p)."""
    with _frost_lock:
        if _frost_cache and _frost_cache[0][0] == (w, h):
            return _frost_cache[0][1]
        field: npt.NDArray[np.float32] = K.frost_field(w, h)
        _frost_cache[:] = [((w, h), field)]
        return field


def _frosted_glass_h(src, dst, orig, x0, y0, x1, y1, time, p):  # type: ignore[no-untyped-def]
    """frostedGlass pass 1 (`K.k_frosted_glass_h`, same pixels) with its per-pixel fbm noise computed
    once per canvas size instead of every frame: two fbm calls (32 hashes) a pixel were half its cost."""
    h, w = src.shape[:2]
    if not p[1] > 0:  # no displacement: the noise is not read
        K.k_frosted_glass_h(src, dst, orig, x0, y0, x1, y1, time, p)
        return
    K.frosted_glass_h(src, dst, x0, y0, x1, y1, p, _frost_field(w, h), True)


PASSES: dict[str, tuple[Pass, ...]] = {
    "gaussianBlur": (
        Pass(K.k_gaussian_blur_h, _g_gauss_h, _t_gauss(True)), Pass(K.k_gaussian_blur_v, _g_gauss_v, _t_gauss(False)),
    ),
    "motionBlur": _one(K.k_motion_blur, _g_directional, _t_motion),
    "zoomBlur": _one(K.k_zoom_blur, _g_zoom),
    "chromaticAberration": _one(K.k_chromatic_aberration, _g_chromatic),
    "rgbSplit": _one(K.k_rgb_split, _g_rgb_split),
    "wipeMask": _one(K.k_wipe_mask),
    "noiseDissolve": _one(K.k_noise_dissolve),
    "displacement": _one(K.k_displacement, _g_displacement),
    "lensDistortion": _one(K.k_lens_distortion, _full),
    "fisheye": _one(K.k_fisheye, _full),
    "glow": (
        Pass(K.k_glow_extract, _g_glow_extract), Pass(K.k_glow_blur_h, _blur_x(1), _t_blur9(1, True)),
        Pass(K.k_glow_blur_v, _blur_y(1), _t_blur9(1, False)), Pass(K.k_glow_composite, _local),
    ),
    "bloom": (
        Pass(K.k_bloom_extract, _local), Pass(K.k_bloom_blur_h, _blur_x(2), _t_blur9(2, True)),
        Pass(K.k_bloom_blur_v, _blur_y(2), _t_blur9(2, False)), Pass(K.k_bloom_composite, _local),
    ),
    "colorCorrection": _one(K.k_color_correction),
    "vignette": _one(K.k_vignette),
    "lightSweep": _one(K.k_light_sweep),
    "scanReveal": _one(K.k_scan_reveal, _g_scan_reveal),
    "radialReveal": _one(K.k_radial_reveal),
    "streakBlur": _one(K.k_streak_blur, _g_directional),
    "spinBlur": _one(K.k_spin_blur, _g_spin),
    "waveWarp": _one(K.k_wave_warp, _g_wave),
    "liquidRipple": _one(K.k_liquid_ripple, _g_ripple),
    "shockwave": _one(K.k_shockwave, _g_shockwave),
    "heatHaze": _one(K.k_heat_haze, _g_heat),
    "frostedGlass": (Pass(_frosted_glass_h, _g_frost_h), Pass(K.k_frosted_glass_v, _blur_y(0))),
    "glassRefraction": _one(K.k_glass_refraction, _g_glass),
    "prismSplit": _one(K.k_prism_split, _g_prism),
    "sliceGlitch": _one(K.k_slice_glitch, _g_slice),
    "digitalBlocks": _one(K.k_digital_blocks, _g_blocks),
    "datamoshSmear": _one(K.k_datamosh_smear, _g_datamosh),
    "vhsDistortion": _one(K.k_vhs_distortion, _g_vhs),
    "pixelate": _one(K.k_pixelate, _g_pixelate),
    "mosaicReveal": _one(K.k_mosaic_reveal),
    "burnDissolve": _one(K.k_burn_dissolve),
    "filmGrain": _one(K.k_film_grain),
    "crtScanlines": _one(K.k_crt_scanlines, _g_crt),
    "duotone": _one(K.k_duotone),
    "halftone": _one(K.k_halftone, _g_halftone),
    "lightRays": _one(K.k_light_rays, _g_rays),
    "volumetricLight": _one(K.k_volumetric_light, _g_volumetric),
    "edgeGlow": (
        Pass(K.k_edge_glow_extract, _g_edge_extract), Pass(K.k_edge_glow_blur_h, _blur_x(2), _t_blur9(2, True)),
        Pass(K.k_edge_glow_blur_v, _blur_y(2), _t_blur9(2, False)), Pass(K.k_edge_glow_composite, _local),
    ),
    "lightLeak": _one(K.k_light_leak, _g_leak),
    "invert": _one(K.k_invert),
}  # fmt: skip
"""Each effect's passes in order; composite passes read the effect's input as `orig` (§B.0.7)."""

assert tuple(PASSES) == EFFECT_NAMES


# --------------------------------------------------------------------------- running


def _clip_bounds(bounds: tuple[float, float, float, float] | None, w: int, h: int) -> Box:
    if bounds is None:
        return 0, 0, w, h
    x0, y0, x1, y1 = bounds
    return (
        min(max(math.floor(x0), 0), w), min(max(math.floor(y0), 0), h),
        max(min(math.ceil(x1), w), 0), max(min(math.ceil(y1), h), 0),
    )  # fmt: skip


def _integer_taps(taps: list[tuple[float, float, float]]) -> tuple[list[int], list[int], list[float]]:
    """Fold bilinear taps at (dx, dy-up) px into integer (column, array-row) offsets with weights."""
    acc: dict[tuple[int, int], float] = {}
    for ox, oy, wk in taps:
        i, j = math.floor(ox), math.floor(oy)
        fx, fy = ox - i, oy - j
        for di, dj, wt in (
            (0, 0, (1 - fx) * (1 - fy)),
            (1, 0, fx * (1 - fy)),
            (0, 1, (1 - fx) * fy),
            (1, 1, fx * fy),
        ):
            if wt != 0.0:
                key = (i + di, -(j + dj))  # texel row j up is array row y − j
                acc[key] = acc.get(key, 0.0) + wk * wt
    keys = sorted(acc, key=lambda k: (k[1], k[0]))
    return [k[0] for k in keys], [k[1] for k in keys], [acc[k] for k in keys]


def _run_pass(
    kernel: Kernel,
    taps: tuple[list[tuple[float, float, float]], float, bool] | None,
    src: npt.NDArray[np.uint8],
    dst: npt.NDArray[np.uint8],
    orig: npt.NDArray[np.uint8],
    box: Box,
    time: np.float32,
    p: npt.NDArray[np.float32],
) -> None:
    """One pass over `box`: writes dst there only, reads src/orig anywhere (so bands can run at once).

    With `taps` (a fixed-tap linear pass): folded taps on canvas-interior pixels, the exact kernel at
    the edges. Interior means every tap (with a pixel of slack) lands inside the canvas, where all
    edge modes agree; the split depends on canvas position only, so bounded and full-canvas runs match.
    """
    if taps is None:
        kernel(src, dst, orig, *box, time, p)
        return
    h, w = src.shape[:2]
    dxs, dys, ws = _integer_taps(taps[0])
    lo_x, hi_x = min(dxs) - 1, max(dxs) + 1
    lo_y, hi_y = min(dys) - 1, max(dys) + 1
    x0, y0, x1, y1 = box
    ix0, ix1 = max(x0, -lo_x), min(x1, w - hi_x)
    iy0, iy1 = max(y0, -lo_y), min(y1, h - hi_y)
    if ix1 <= ix0 or iy1 <= iy0:
        kernel(src, dst, orig, x0, y0, x1, y1, time, p)
        return
    for bx0, by0, bx1, by1 in (
        (x0, y0, x1, iy0),
        (x0, iy1, x1, y1),
        (x0, iy0, ix0, iy1),
        (ix1, iy0, x1, iy1),
    ):
        if bx1 > bx0 and by1 > by0:
            kernel(src, dst, orig, bx0, by0, bx1, by1, time, p)
    taps_filter(
        src, dst, ix0, iy0, ix1, iy1,
        np.asarray(dxs, np.int64), np.asarray(dys, np.int64), np.asarray(ws, np.float32),
        np.float32(taps[1]), taps[2],
    )  # fmt: skip


_SPLIT_MIN_PIXELS = 1 << 16
"""A pass over fewer pixels than this runs on one thread (a hand-off costs ~50 µs; a pass ~5 ns/px and up)."""

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()
os.register_at_fork(after_in_child=_pools.clear)  # a forked child has the executors but not their threads


def _pool(threads: int) -> ThreadPoolExecutor:
    """The process's helper threads for `threads`-way passes (threads − 1 helpers; the caller is one)."""
    with _pools_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = _pools[threads] = ThreadPoolExecutor(threads - 1, thread_name_prefix="vfnative-effects")
        return pool


def _row_parts(box: Box, threads: int) -> list[Box]:
    """`box` cut into up to `threads` bands of whole rows, or `[box]` when it is too small to share."""
    x0, y0, x1, y1 = box
    rows = y1 - y0
    n = min(threads, rows, (x1 - x0) * rows // _SPLIT_MIN_PIXELS)
    if n <= 1:
        return [box]
    cuts = [y0 + rows * i // n for i in range(n + 1)]
    return [(x0, cuts[i], x1, cuts[i + 1]) for i in range(n)]


def apply_effects(
    pixels: npt.NDArray[np.uint8],
    calls: Sequence[EffectCall],
    *,
    time_s: float,
    width: int,
    height: int,
    bounds: tuple[int, int, int, int] | None = None,
    on_warning: Callable[[str], None] | None = None,
    threads: int = 1,
) -> npt.NDArray[np.uint8]:
    """Run `calls` in order over the layer's (H, W, 4) premultiplied RGBA8 pixels.

    `time_s` is `u_time` (frame / fps of the layer's timeline). `bounds` (x0, y0, x1, y1) must
    contain every non-transparent input pixel; only pixels the effects can reach from there are
    computed, with the same result as a full-canvas pass. Unknown names are skipped with one
    warning per name per call (the message is stable, so a dedup-by-message sink warns once).
    Returns a new array, or `pixels` itself when nothing ran.

    `threads` > 1 splits each large pass into bands of rows run at once (the kernels release the
    GIL); the result is the same as one band, since a pass's output at a pixel does not depend on
    the box it runs over.
    """
    if pixels.shape != (height, width, 4) or pixels.dtype != np.uint8:
        raise ValueError(
            f"apply_effects: expected ({height}, {width}, 4) uint8 pixels; got {pixels.shape} {pixels.dtype}"
        )
    src = pixels if pixels.flags.c_contiguous else np.ascontiguousarray(pixels)
    time = np.float32(time_s)
    box: Box | None = _clip_bounds(bounds, width, height)
    warned: set[str] = set()
    out = pixels
    for call in calls:
        passes = PASSES.get(call.name)
        if passes is None:
            if call.name not in warned and on_warning is not None:
                on_warning(f"effect {call.name!r} is not a registered effect; skipped")
            warned.add(call.name)
            continue
        p = bind_params(call.name, call.params, width)
        orig = src
        for ps in passes:
            box = ps.grow(box, p, width, height) if box is not None else None
            x0, y0, x1, y1 = box if box is not None else (0, 0, width, height)
            if x1 <= x0 or y1 <= y0:
                continue  # nothing visible can come out: input and output are fully transparent
            dst = np.zeros_like(src)
            taps = ps.taps(p, width, height) if ps.taps is not None else None
            parts = _row_parts((x0, y0, x1, y1), threads)
            jobs = [_pool(threads).submit(_run_pass, ps.kernel, taps, src, dst, orig, part, time, p)
                    for part in parts[1:]]  # fmt: skip
            _run_pass(ps.kernel, taps, src, dst, orig, parts[0], time, p)
            for job in jobs:
                job.result()
            src = dst
        out = src
    return out
