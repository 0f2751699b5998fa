"""Transition windows and the built-in presets that change properties (spec 01 §4, spec 03 §A).

Presets run on *raw* resolved values (see resolve.py) after keyframes and captions, in then out,
exactly as the reference calls them with eased, signed progress p. Presets that also inject
WebGL effects record them under the ``__effects`` key as ``(name, params)`` pairs; drawing them
is the effects stage's job. Pure Python: a handful of multiplications per layer per frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from vfnative.timeline.easing import easing_id, poly_ease
from vfnative.timeline.resolve import Raw
from vfnative.timeline.timecode import js_round

__all__ = ["KNOWN_TRANSITIONS", "apply_transitions", "cyrb53", "seeded_random", "transition_progress"]

_MASK = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    return ((a & _MASK) * (b & _MASK)) & _MASK


def cyrb53(text: str) -> int:
    """The reference's 53-bit string hash, over UTF-16 code units with int32 `imul` maths."""
    h1, h2 = 0xDEADBEEF, 0x41C6CE57
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        ch = data[i] | (data[i + 1] << 8)
        h1 = _imul(h1 ^ ch, 2654435761)
        h2 = _imul(h2 ^ ch, 1597334677)
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507)
    h1 ^= _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507)
    h2 ^= _imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (h2 & 0x1FFFFF) + (h1 & _MASK)


def seeded_random(seed: str, salt: str) -> float:
    """Deterministic [0, 1) from the layer id and a salt (`seededRandom`)."""
    return cyrb53(f"{seed}|{salt}") / 2**53


def transition_progress(start_time: float, duration: float, d_in: float, d_out: float,
                        frame: int, fps: float) -> tuple[float, float]:  # fmt: skip
    """(pIn, pOut) before easing: pIn in [-1, 0) inside the in-window, pOut in (0, 1] inside the out one."""
    if d_in + d_out > duration and d_in + d_out > 0:
        k = duration / (d_in + d_out)
        d_in, d_out = d_in * k, d_out * k
    e = frame / fps - start_time
    p_in = -1.0 + max(0.0, e / d_in) if d_in > 0 and e < d_in else 0.0
    p_out = min(1.0, (e - (duration - d_out)) / d_out) if d_out > 0 and e > duration - d_out else 0.0
    return p_in, p_out


# --- helpers on raw values -------------------------------------------------------------------------


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def _ease_out_back(x: float, c1: float = 1.70158) -> float:
    return 1 + (c1 + 1) * (x - 1) ** 3 + c1 * (x - 1) ** 2


def _num(raw: dict[str, Raw], name: str, default: float) -> float:
    value = raw.get(name)
    return float(value[1][0][0]) if value and value[0] == "num" else default


def _mult_opacity(raw: dict[str, Raw], f: float) -> None:
    raw["opacity"] = ("num", [(_clamp01(_num(raw, "opacity", 1.0) * f), "")], False)


def _add_position(raw: dict[str, Raw], dx: float, dy: float) -> None:
    if dx == 0 and dy == 0:
        return
    value = raw.get("position")
    comps = list(value[1]) if value and value[2] else [(0.5, ""), (0.5, "")]
    while len(comps) < 2:
        comps.append((0.5, ""))
    comps[0] = (comps[0][0] + dx, comps[0][1])
    comps[1] = (comps[1][0] + dy, comps[1][1])
    raw["position"] = ("num", comps, True)


def _scale_mul(raw: dict[str, Raw], f: float) -> None:
    if f == 1:
        return
    value = raw.get("scale", ("num", [(1.0, "")], False))
    raw["scale"] = ("num", [(n * f, u) for n, u in value[1]], value[2])


def _add_rotation(raw: dict[str, Raw], drx: float, dry: float, drz: float) -> None:
    if drx == 0 and dry == 0 and drz == 0:
        return
    value = raw.get("rotation", ("num", [(0.0, "deg")], False))
    comps = [n for n, _ in value[1]]
    if value[2]:
        comps += [0.0] * (3 - len(comps))
        z, x, y = comps[0], comps[1], comps[2]
        raw["rotation"] = ("num", [(z + drz, "deg"), (x + drx, "deg"), (y + dry, "deg")], True)
    elif drx != 0 or dry != 0:
        raw["rotation"] = ("num", [(comps[0] + drz, "deg"), (drx, "deg"), (dry, "deg")], True)
    else:
        raw["rotation"] = ("num", [(comps[0] + drz, "deg")], False)


def _add_length(raw: dict[str, Raw], name: str, delta: float) -> None:
    value = raw.get(name)
    base, unit = (value[1][0][0], value[1][0][1] or "em") if value and value[0] == "num" else (0.0, "em")
    raw[name] = ("num", [(base + delta, unit)], False)


def _inject(raw: dict[str, Raw], name: str, params: dict[str, Any]) -> None:
    effects = list(raw.get("__effects", ("effects", ()))[1])
    effects.append((name, params))
    raw["__effects"] = ("effects", tuple(effects))


def _param(params: dict[str, Any], name: str, default: float) -> float:
    value = params.get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _fade_on(params: dict[str, Any]) -> bool:
    return params.get("fade") is not False


# --- presets ---------------------------------------------------------------------------------------

Preset = Callable[[float, dict[str, Raw], dict[str, Any], str], None]


def _fade(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    _mult_opacity(raw, t)
    if "volume" in raw:
        raw["volume"] = ("num", [(max(0.0, _num(raw, "volume", 1.0) * t), "")], False)


def _slide(dx: float, dy: float, default: float) -> Preset:
    def preset(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
        d = _param(params, "distance", default) * (1 - t)
        _add_position(raw, dx * d, dy * d)
        if _fade_on(params):
            _mult_opacity(raw, _clamp01(2 * t))

    return preset


def _zoom(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    _scale_mul(raw, _lerp(_param(params, "from", 0.85), 1, t))
    if _fade_on(params):
        _mult_opacity(raw, _clamp01(2 * t))


def _overshoot_pop(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    overshoot = _param(params, "overshoot", 1.70158)
    _scale_mul(raw, _lerp(_param(params, "from", 0.4), 1, _ease_out_back(t, overshoot)))
    direction = -1.0 if seeded_random(seed, "overshootPop:tiltDir") < 0.5 else 1.0
    _add_rotation(raw, 0, 0, direction * _param(params, "tilt", 6) * (1 - t))
    if _fade_on(params):
        _mult_opacity(raw, _clamp01(1.5 * t))


def _rotate3d_y(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    _add_rotation(raw, 0, _param(params, "angle", 75) * (1 - t), 0)
    if _fade_on(params):
        _mult_opacity(raw, _clamp01(1.4 * t))


def _tilt3d(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    _add_rotation(raw, -_param(params, "angle", 60) * (1 - t), 0, 0)
    _add_position(raw, 0, _param(params, "lift", 0.04) * (1 - t))
    if _fade_on(params):
        _mult_opacity(raw, _clamp01(1.4 * t))


def _spin(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    _add_rotation(raw, 0, 0, _param(params, "angle", 360) * (1 - t))
    _scale_mul(raw, _lerp(_param(params, "from", 0.2), 1, t))
    if _fade_on(params):
        _mult_opacity(raw, _clamp01(1.5 * t))


def _str_param(params: dict[str, Any], name: str, default: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) else default


def _fade_by(params: dict[str, Any], raw: dict[str, Raw], f: float) -> None:
    if _fade_on(params):
        _mult_opacity(raw, f)


def _blur_resolve(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    radius = _param(params, "amount", 1.5) * (1 - t)
    if radius > 0.02:
        _inject(raw, "gaussianBlur", {"radius": radius, "direction": "both", "edgeMode": "transparent",
                                      "alphaAware": True})  # fmt: skip
    _fade_by(params, raw, _clamp01(1.5 * t))


def _motion_blur_slide(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    angle = _param(params, "angle", 0)
    theta = angle * math.pi / 180
    d = _param(params, "distance", 0.18)
    aspect = float(params.get("__aspect", 1080 / 1920))
    _add_position(raw, math.cos(theta) * d * aspect * (1 - t), math.sin(theta) * d * (1 - t))
    amount = _param(params, "blur", 4.5) * max(1 - t, 4 * t * (1 - t))
    if amount > 0.02:
        _inject(
            raw, "motionBlur", {"amount": amount, "angle": angle, "centerBias": 0, "edgeMode": "transparent"}
        )
    _fade_by(params, raw, _clamp01(1.5 * t))


def _radial_zoom(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    mode = "in" if params.get("mode") == "in" else "out"
    amount = _param(params, "amount", 0.4) * (1 - t)
    if amount > 0.001:
        _inject(raw, "zoomBlur", {"amount": amount, "centerX": _param(params, "centerX", 0.5),
                                  "centerY": _param(params, "centerY", 0.5), "falloff": 1, "mode": mode})  # fmt: skip
    _fade_by(params, raw, _clamp01(1.5 * t))
    _scale_mul(raw, _lerp(1.1 if mode == "in" else 0.88, 1, t))


def _glitch_resolve(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    k = (1 - t) * _param(params, "intensity", 1)
    band = _lerp(0.04, 0.10, seeded_random(seed, "glitchResolve:bandSize"))
    _inject(raw, "digitalBlocks", {"blockSize": _param(params, "blockSize", 1.25), "blockAmount": 0.5 * k,
                                   "offsetAmount": 0.05 * k, "colorShift": 0.012 * k, "randomness": 1,
                                   "hideBlocks": False})  # fmt: skip
    _inject(raw, "rgbSplit", {"amount": 0.012 * k, "bandSize": band, "bandOffset": 0.012 * k, "randomness": 1,
                              "axis": "horizontal", "preserveLuminance": False})  # fmt: skip
    _fade_by(params, raw, _lerp(0.6, 1, t))


def _rgb_split_snap(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    k = 1 - t
    amount = _param(params, "amount", 0.04)
    axis = params.get("axis") if params.get("axis") in ("vertical", "both") else "horizontal"
    _inject(raw, "rgbSplit", {"amount": amount * k, "bandSize": 0.05, "bandOffset": 0.5 * amount * k,
                              "randomness": 0.7, "axis": axis, "preserveLuminance": False})  # fmt: skip
    _scale_mul(raw, _lerp(1.06, 1, _ease_out_back(t, 1.2)))
    _fade_by(params, raw, _clamp01(1.4 * t))


def _slice_assemble(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    axis = "vertical" if params.get("axis") == "vertical" else "horizontal"
    _inject(raw, "sliceGlitch", {"sliceCount": _param(params, "sliceCount", 30),
                                 "offsetAmount": _param(params, "offset", 0.18) * (1 - t), "gap": 0,
                                 "randomness": 1, "axis": axis, "edgeMode": "transparent"})  # fmt: skip
    _fade_by(params, raw, _clamp01(1.3 * t))


def _noise_dissolve(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    _inject(raw, "noiseDissolve", {"progress": t, "noiseScale": _param(params, "noiseScale", 8),
                                   "softness": _param(params, "softness", 0.04),
                                   "edgeWidth": _param(params, "edgeWidth", 0.04),
                                   "edgeColor": _str_param(params, "edgeColor", "#ffffff"), "invert": False})  # fmt: skip


def _burn_dissolve(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    _inject(raw, "burnDissolve", {"progress": t, "noiseScale": _param(params, "noiseScale", 6),
                                  "edgeWidth": _param(params, "edgeWidth", 0.06),
                                  "softness": _param(params, "softness", 0.02),
                                  "ashAmount": _param(params, "ashAmount", 0.4),
                                  "burnColor": _str_param(params, "burnColor", "#3a0a00"),
                                  "hotColor": _str_param(params, "hotColor", "#ffb347")})  # fmt: skip


def _wipe_reveal(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    _inject(raw, "wipeMask", {"progress": t, "angle": _param(params, "angle", 0),
                              "softness": _param(params, "softness", 0.03),
                              "edgeWidth": _param(params, "edgeWidth", 0.02),
                              "edgeColor": _str_param(params, "edgeColor", "#ffffff"), "invert": False})  # fmt: skip


def _scan_reveal(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    _inject(raw, "scanReveal", {"progress": t, "angle": _param(params, "angle", 0),
                                "bandWidth": _param(params, "bandWidth", 0.05),
                                "softness": _param(params, "softness", 0.015),
                                "edgeGlow": _param(params, "edgeGlow", 1.2),
                                "edgeDistortion": _param(params, "edgeDistortion", 0.006), "invert": False})  # fmt: skip


def _light_sweep_reveal(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    angle = _param(params, "angle", 30)
    _inject(raw, "wipeMask", {"progress": t, "angle": angle, "softness": 0.06, "edgeWidth": 0,
                              "edgeColor": "#ffffff", "invert": False})  # fmt: skip
    _inject(raw, "lightSweep", {"progress": t, "angle": angle, "width": _param(params, "bandWidth", 0.18),
                                "softness": 0.08, "intensity": _param(params, "intensity", 1.4),
                                "color": _str_param(params, "sweepColor", "#ffffff"), "blendMode": "screen"})  # fmt: skip


def _lens_snap(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    if t >= 1:
        return
    _inject(raw, "fisheye", {"strength": _param(params, "strength", 0.9) * (1 - t), "centerX": 0.5,
                             "centerY": 0.5, "radius": _param(params, "radius", 0.5),
                             "zoom": _lerp(0.85, _param(params, "zoom", 1), t), "edgeMode": "transparent"})  # fmt: skip
    _scale_mul(raw, _lerp(1.08, 1, t))
    _fade_by(params, raw, _clamp01(1.4 * t))


_CURSORS = {"none": "", "bar": "|", "block": "\u2588", "underscore": "_"}


def _typewriter(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    value = raw.get("text")
    text = value[1] if value else None
    if not isinstance(text, str) or not text:
        return
    chars = list(text)
    shown = "".join(chars[: js_round(t * len(chars))])
    style = params.get("cursorStyle")
    cursor = "" if style == "none" else _CURSORS.get(style if isinstance(style, str) else "bar", "|")
    raw["text"] = ("step", shown + (cursor if t < 1 else ""))


def _tracking(start: float) -> Preset:
    def preset(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
        delta = _lerp(_param(params, "startTracking", start), _param(params, "finalTracking", 0), t)
        if delta != 0:
            _add_length(raw, "letterSpacing", delta)
        _mult_opacity(raw, _lerp(_param(params, "startOpacity", 0), 1, t))
        blur = _param(params, "blur", 0.3) * (1 - t)
        if blur > 0.001:
            _add_length(raw, "filterBlur", blur)

    return preset


_SCRAMBLE_CHARSETS = {
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "numbers": "0123456789",
    "symbols": "!@#$%^&*_+-=[]{}|;:,.<>?",
    "mixed": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*_+-=",
}


def _scramble_decode(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    value = raw.get("text")
    text = value[1] if value else None
    if not isinstance(text, str) or not text:
        return
    chars = list(text)
    n = len(chars)
    rate = _param(params, "refreshRate", 15)
    tick = math.floor(params["__frame"] * rate / params["__fps"])
    locked_count = js_round(t * n)
    order = params.get("order")
    if order == "rightToLeft":
        locked = set(range(n - 1, n - 1 - locked_count, -1))
    elif order == "random":
        positions = list(range(n))
        for i in range(n - 1, 0, -1):
            j = cyrb53(f"{seed}|sd:{i}") % (i + 1)
            positions[i], positions[j] = positions[j], positions[i]
        locked = set(positions[:locked_count])
    else:
        locked = set(range(locked_count))
    charset = params.get("charset")
    cs = _SCRAMBLE_CHARSETS.get(
        charset if isinstance(charset, str) else "letters", _SCRAMBLE_CHARSETS["letters"]
    )
    refresh = params.get("refreshCharacters") is not False
    keep_spaces = params.get("preserveSpaces") is not False
    out = []
    for i, ch in enumerate(chars):
        if keep_spaces and ch == " ":
            out.append(" ")
        elif i in locked:
            out.append(ch)
        else:
            salt = f"{i}|{tick}" if refresh else f"{i}|stable"
            out.append(cs[cyrb53(f"{seed}|{salt}") % len(cs)])
    raw["text"] = ("step", "".join(out))


_NUM_RE = re.compile(r"([+-]?)([$€£]?)([+-]?)([0-9](?:[0-9, ]*[0-9])?)(\.[0-9]+)?([KMBkmb]?)(%?)")
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}


def _to_fixed(a: float, dp: int) -> str:
    """JavaScript Number.prototype.toFixed: the exact double rounded half away from zero."""
    return str(Decimal(a).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP))


def _format_token(m: re.Match[str], cur: float, params: dict[str, Any]) -> str:
    sign1, currency, sign2, integer, decimals, suffix, percent = m.groups()
    dp = 0 if params.get("rounding") == "integer" else (len(decimals) - 1 if decimals else 0)
    a = abs(cur) / _SUFFIX.get(suffix.lower(), 1.0) if suffix else abs(cur)
    int_part, _, dec_part = _to_fixed(a, dp).partition(".")
    digits = integer.replace(",", "").replace(" ", "")
    if params.get("formatMode") == "fixedWidth":
        int_part = int_part.rjust(len(digits), "0")
    sep = "," if re.search(r"[0-9],[0-9]", integer) else (" " if re.search(r"[0-9] [0-9]", integer) else "")
    if sep and len(int_part) > 3:
        head = len(int_part) % 3 or 3
        groups = [int_part[:head]] + [int_part[k : k + 3] for k in range(head, len(int_part), 3)]
        int_part = sep.join(groups)
    original_sign = sign1 or sign2
    sign = "-" if cur < 0 else ("+" if original_sign == "+" else "")
    return sign + currency + int_part + (f".{dec_part}" if dec_part else "") + suffix + percent


def _number_count_up(t: float, raw: dict[str, Raw], params: dict[str, Any], seed: str) -> None:
    value = raw.get("text")
    text = value[1] if value else None
    if not isinstance(text, str):
        return
    matches = list(_NUM_RE.finditer(text))
    if not matches:
        return
    start = _param(params, "startValue", 0)
    first_only = params.get("mode") == "firstNumber"
    out, pos = [], 0
    for k, m in enumerate(matches):
        out.append(text[pos : m.start()])
        pos = m.end()
        if first_only and k > 0:
            out.append(m.group(0))
            continue
        sign1, _, sign2, integer, decimals, suffix, _ = m.groups()
        number = float(integer.replace(",", "").replace(" ", "") + (decimals or ""))
        number *= _SUFFIX.get(suffix.lower(), 1.0) if suffix else 1.0
        if "-" in (sign1, sign2):
            number = -number
        out.append(_format_token(m, _lerp(start, number, t), params))
    out.append(text[pos:])
    raw["text"] = ("step", "".join(out))


PRESETS: dict[str, tuple[Preset, str]] = {
    "fade": (_fade, "linear"),
    "slideUp": (_slide(0, 1, 0.10), "easeOut"),
    "slideDown": (_slide(0, -1, 0.10), "easeOut"),
    "slideLeft": (_slide(1, 0, 0.12), "easeOut"),
    "slideRight": (_slide(-1, 0, 0.12), "easeOut"),
    "zoom": (_zoom, "easeOut"),
    "overshootPop": (_overshoot_pop, "linear"),
    "rotate3dY": (_rotate3d_y, "easeOut"),
    "tilt3d": (_tilt3d, "easeOut"),
    "spin": (_spin, "easeOut"),
    "blurResolve": (_blur_resolve, "easeOut"),
    "motionBlurSlide": (_motion_blur_slide, "easeOut"),
    "radialZoom": (_radial_zoom, "easeOut"),
    "glitchResolve": (_glitch_resolve, "easeOut"),
    "rgbSplitSnap": (_rgb_split_snap, "easeOut"),
    "sliceAssemble": (_slice_assemble, "easeOut"),
    "noiseDissolve": (_noise_dissolve, "linear"),
    "burnDissolve": (_burn_dissolve, "linear"),
    "wipeReveal": (_wipe_reveal, "linear"),
    "scanReveal": (_scan_reveal, "linear"),
    "lightSweepReveal": (_light_sweep_reveal, "linear"),
    "lensSnap": (_lens_snap, "easeOut"),
    "typewriter": (_typewriter, "linear"),
    "trackingExpand": (_tracking(-0.12), "easeOut"),
    "trackingContract": (_tracking(0.3), "easeOut"),
    "scrambleDecode": (_scramble_decode, "linear"),
    "numberCountUp": (_number_count_up, "linear"),
}
NOT_YET: frozenset[str] = frozenset()
"""Presets the reference knows that are not implemented here (reported, not silently skipped)."""
KNOWN_TRANSITIONS = frozenset(PRESETS) | NOT_YET


def apply_transitions(layer: Any, frame: int, fps: float, width: int, raw: dict[str, Raw],
                      height: int) -> None:  # fmt: skip
    """Run the layer's in/out transition presets on `raw` for `frame` (in place)."""
    t_in, t_out = layer.transition_in, layer.transition_out
    if t_in is None and t_out is None:
        return
    s = layer.settings
    duration = 0.0 if s.speed == 0 else s.source_duration / abs(s.speed)
    d_in = float(t_in.duration) if t_in is not None else 0.0
    d_out = float(t_out.duration) if t_out is not None else 0.0
    p_in, p_out = transition_progress(float(s.start_time), duration, d_in, d_out, frame, fps)
    for spec, p, sign in ((t_in, p_in, -1), (t_out, p_out, 1)):
        if spec is None or (p >= 0 if sign < 0 else p <= 0):
            continue
        entry = PRESETS.get(spec.transition)
        if entry is None:
            continue
        preset, default_easing = entry
        ease = easing_id(spec.easing if spec.easing is not None else default_easing)
        eased = -1.0 + poly_ease(ease, p + 1.0) if sign < 0 else poly_ease(ease, p)
        params = dict(spec.params or {})
        params["__aspect"] = height / width if width else 1080 / 1920
        params["__frame"], params["__fps"] = frame, fps
        preset(1.0 - abs(eased), raw, params, str(layer.id))
