"""CSS colour strings -> straight-alpha sRGB floats, as a browser would compute them.

The reference renderer hands every colour to the browser, so a port must accept what CSS accepts
(spec 01 §3.5.3): hex forms, `rgb()/rgba()`, `hsl()/hsla()`, `hwb()`, the 148 named colours and
`transparent`. Channels stay floats (a number channel is `value/255`, clamped); rounding to 8 bit
belongs to whoever paints, so interpolation between two parsed colours loses nothing.
`lab()/lch()/oklab()/oklch()` are recognised by `is_color_like` (the reference's `isColor`) but are
not parsed: browsers interpolate them in Oklab and the spec allows treating them as unsupported.
Imports nothing from vfnative but `types`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from vfnative.types import Color

__all__ = ["NAMED_COLORS", "format_css_color", "is_color_like", "parse_color"]

NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "aliceblue": (240, 248, 255),
    "antiquewhite": (250, 235, 215),
    "aqua": (0, 255, 255),
    "aquamarine": (127, 255, 212),
    "azure": (240, 255, 255),
    "beige": (245, 245, 220),
    "bisque": (255, 228, 196),
    "black": (0, 0, 0),
    "blanchedalmond": (255, 235, 205),
    "blue": (0, 0, 255),
    "blueviolet": (138, 43, 226),
    "brown": (165, 42, 42),
    "burlywood": (222, 184, 135),
    "cadetblue": (95, 158, 160),
    "chartreuse": (127, 255, 0),
    "chocolate": (210, 105, 30),
    "coral": (255, 127, 80),
    "cornflowerblue": (100, 149, 237),
    "cornsilk": (255, 248, 220),
    "crimson": (220, 20, 60),
    "cyan": (0, 255, 255),
    "darkblue": (0, 0, 139),
    "darkcyan": (0, 139, 139),
    "darkgoldenrod": (184, 134, 11),
    "darkgray": (169, 169, 169),
    "darkgreen": (0, 100, 0),
    "darkgrey": (169, 169, 169),
    "darkkhaki": (189, 183, 107),
    "darkmagenta": (139, 0, 139),
    "darkolivegreen": (85, 107, 47),
    "darkorange": (255, 140, 0),
    "darkorchid": (153, 50, 204),
    "darkred": (139, 0, 0),
    "darksalmon": (233, 150, 122),
    "darkseagreen": (143, 188, 143),
    "darkslateblue": (72, 61, 139),
    "darkslategray": (47, 79, 79),
    "darkslategrey": (47, 79, 79),
    "darkturquoise": (0, 206, 209),
    "darkviolet": (148, 0, 211),
    "deeppink": (255, 20, 147),
    "deepskyblue": (0, 191, 255),
    "dimgray": (105, 105, 105),
    "dimgrey": (105, 105, 105),
    "dodgerblue": (30, 144, 255),
    "firebrick": (178, 34, 34),
    "floralwhite": (255, 250, 240),
    "forestgreen": (34, 139, 34),
    "fuchsia": (255, 0, 255),
    "gainsboro": (220, 220, 220),
    "ghostwhite": (248, 248, 255),
    "gold": (255, 215, 0),
    "goldenrod": (218, 165, 32),
    "gray": (128, 128, 128),
    "green": (0, 128, 0),
    "greenyellow": (173, 255, 47),
    "grey": (128, 128, 128),
    "honeydew": (240, 255, 240),
    "hotpink": (255, 105, 180),
    "indianred": (205, 92, 92),
    "indigo": (75, 0, 130),
    "ivory": (255, 255, 240),
    "khaki": (240, 230, 140),
    "lavender": (230, 230, 250),
    "lavenderblush": (255, 240, 245),
    "lawngreen": (124, 252, 0),
    "lemonchiffon": (255, 250, 205),
    "lightblue": (173, 216, 230),
    "lightcoral": (240, 128, 128),
    "lightcyan": (224, 255, 255),
    "lightgoldenrodyellow": (250, 250, 210),
    "lightgray": (211, 211, 211),
    "lightgreen": (144, 238, 144),
    "lightgrey": (211, 211, 211),
    "lightpink": (255, 182, 193),
    "lightsalmon": (255, 160, 122),
    "lightseagreen": (32, 178, 170),
    "lightskyblue": (135, 206, 250),
    "lightslategray": (119, 136, 153),
    "lightslategrey": (119, 136, 153),
    "lightsteelblue": (176, 196, 222),
    "lightyellow": (255, 255, 224),
    "lime": (0, 255, 0),
    "limegreen": (50, 205, 50),
    "linen": (250, 240, 230),
    "magenta": (255, 0, 255),
    "maroon": (128, 0, 0),
    "mediumaquamarine": (102, 205, 170),
    "mediumblue": (0, 0, 205),
    "mediumorchid": (186, 85, 211),
    "mediumpurple": (147, 112, 219),
    "mediumseagreen": (60, 179, 113),
    "mediumslateblue": (123, 104, 238),
    "mediumspringgreen": (0, 250, 154),
    "mediumturquoise": (72, 209, 204),
    "mediumvioletred": (199, 21, 133),
    "midnightblue": (25, 25, 112),
    "mintcream": (245, 255, 250),
    "mistyrose": (255, 228, 225),
    "moccasin": (255, 228, 181),
    "navajowhite": (255, 222, 173),
    "navy": (0, 0, 128),
    "oldlace": (253, 245, 230),
    "olive": (128, 128, 0),
    "olivedrab": (107, 142, 35),
    "orange": (255, 165, 0),
    "orangered": (255, 69, 0),
    "orchid": (218, 112, 214),
    "palegoldenrod": (238, 232, 170),
    "palegreen": (152, 251, 152),
    "paleturquoise": (175, 238, 238),
    "palevioletred": (219, 112, 147),
    "papayawhip": (255, 239, 213),
    "peachpuff": (255, 218, 185),
    "peru": (205, 133, 63),
    "pink": (255, 192, 203),
    "plum": (221, 160, 221),
    "powderblue": (176, 224, 230),
    "purple": (128, 0, 128),
    "rebeccapurple": (102, 51, 153),
    "red": (255, 0, 0),
    "rosybrown": (188, 143, 143),
    "royalblue": (65, 105, 225),
    "saddlebrown": (139, 69, 19),
    "salmon": (250, 128, 114),
    "sandybrown": (244, 164, 96),
    "seagreen": (46, 139, 87),
    "seashell": (255, 245, 238),
    "sienna": (160, 82, 45),
    "silver": (192, 192, 192),
    "skyblue": (135, 206, 235),
    "slateblue": (106, 90, 205),
    "slategray": (112, 128, 144),
    "slategrey": (112, 128, 144),
    "snow": (255, 250, 250),
    "springgreen": (0, 255, 127),
    "steelblue": (70, 130, 180),
    "tan": (210, 180, 140),
    "teal": (0, 128, 128),
    "thistle": (216, 191, 216),
    "tomato": (255, 99, 71),
    "turquoise": (64, 224, 208),
    "violet": (238, 130, 238),
    "wheat": (245, 222, 179),
    "white": (255, 255, 255),
    "whitesmoke": (245, 245, 245),
    "yellow": (255, 255, 0),
    "yellowgreen": (154, 205, 50),
}
"""The 148 CSS named colours (CSS Color 4 §6.1), 8-bit sRGB. `transparent` is handled apart."""

_COLOR_LIKE = re.compile(r"^(?:#|rgb|hsl|hwb|lab|lch|oklab|oklch)|^[A-Za-z]+$", re.IGNORECASE)
_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
_FUNC = re.compile(r"([a-z]+)\((.*)\)", re.DOTALL)
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_TOKEN = re.compile(rf"(?:({_NUMBER})(%|deg|grad|rad|turn)?|(none))")
_HUE_UNIT_DEG = {"": 1.0, "deg": 1.0, "grad": 0.9, "rad": 180.0 / math.pi, "turn": 360.0}

# One parsed argument: (number, unit) where unit is "", "%", an angle unit, or "none" (value 0).
_Arg = tuple[float, str]


def is_color_like(value: object) -> bool:
    """The reference's `isColor`: does this value get passed to the browser as a colour?

    True for strings starting (any case) with #, rgb, hsl, hwb, lab, lch, oklab or oklch, and for
    strings of ASCII letters only, so keywords such as `bold` or `auto` count too (spec 01 §3.4
    step 3). It decides interpolation routes, not validity: use `parse_color` for that.
    """
    return isinstance(value, str) and _COLOR_LIKE.search(value) is not None


def parse_color(value: str) -> Color | None:
    """Parse a CSS colour into `(r, g, b, a)` floats in [0, 1], straight alpha, sRGB.

    Returns None for `none`, '' and anything a browser would reject, so callers can treat
    "no paintable colour" uniformly (shape `fill: none` means no fill).
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or text == "none":
        return None
    if text == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if text in NAMED_COLORS:
        r, g, b = NAMED_COLORS[text]
        return (r / 255, g / 255, b / 255, 1.0)
    if text.startswith("#"):
        return _parse_hex(text)
    match = _FUNC.fullmatch(text)
    if match is None:
        return None
    parser = _FUNCTIONS.get(match.group(1))
    if parser is None:
        return None
    args = _split_args(match.group(2))
    if args is None:
        return None
    parts, legacy = args
    return parser(parts, legacy)


def format_css_color(c: Color) -> str:
    """Serialise like `getComputedStyle`: `rgb(R, G, B)` when opaque, else `rgba(R, G, B, A)`.

    Channels are rounded half-up (JS `Math.round`) to 0..255; alpha keeps 3 decimals. Used for
    messages and for the reference's in-between colour strings (spec 01 §3.5.3 step 4).
    """
    r, g, b, a = (min(1.0, max(0.0, x)) for x in c)
    rgb = ", ".join(str(math.floor(ch * 255 + 0.5)) for ch in (r, g, b))
    if a >= 1.0:
        return f"rgb({rgb})"
    alpha = f"{round(a, 3):.3f}".rstrip("0").rstrip(".")
    return f"rgba({rgb}, {alpha or '0'})"


def _parse_hex(text: str) -> Color | None:
    match = _HEX.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) <= 4:
        digits = "".join(ch * 2 for ch in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
    if len(channels) == 3:
        channels.append(1.0)
    return (channels[0], channels[1], channels[2], channels[3])


def _split_args(body: str) -> tuple[list[_Arg], bool] | None:
    """Tokenise a function body: comma (legacy) or space syntax, with an optional `/ alpha`.

    Returns the arguments (alpha last, if any) and whether the legacy comma syntax was used;
    None if the body is malformed. Legacy syntax has no `/` and no `none`.
    """
    body = body.strip()
    legacy = "," in body
    if legacy:
        if "/" in body:
            return None
        pieces = [p.strip() for p in body.split(",")]
        if len(pieces) not in (3, 4):
            return None
    else:
        main, slash, alpha = body.partition("/")
        pieces = main.split()
        if len(pieces) != 3:
            return None
        if slash:
            alpha_pieces = alpha.split()
            if len(alpha_pieces) != 1:
                return None
            pieces.append(alpha_pieces[0])
    out: list[_Arg] = []
    for piece in pieces:
        token = _TOKEN.fullmatch(piece)
        if token is None:
            return None
        if token.group(3):
            if legacy:
                return None
            out.append((0.0, "none"))
            continue
        number = float(token.group(1))
        if not math.isfinite(number):
            return None
        out.append((number, token.group(2) or ""))
    return out, legacy


def _alpha(args: list[_Arg]) -> float | None:
    """The optional 4th argument: a number or a percentage, clamped to [0, 1]."""
    if len(args) < 4:
        return 1.0
    value, unit = args[3]
    if unit == "%":
        value /= 100
    elif unit not in ("", "none"):
        return None
    return min(1.0, max(0.0, value))


def _rgb(args: list[_Arg], legacy: bool) -> Color | None:
    channels: list[float] = []
    for value, unit in args[:3]:
        if unit == "%":
            channels.append(min(100.0, max(0.0, value)) / 100)
        elif unit in ("", "none"):
            channels.append(min(255.0, max(0.0, value)) / 255)
        else:
            return None
    alpha = _alpha(args)
    if alpha is None:
        return None
    return (channels[0], channels[1], channels[2], alpha)


def _hue(arg: _Arg) -> float | None:
    value, unit = arg
    if unit == "none":
        return 0.0
    factor = _HUE_UNIT_DEG.get(unit)
    if factor is None:
        return None
    return (value * factor) % 360.0


def _fraction(arg: _Arg, *, legacy: bool) -> float | None:
    """A saturation/lightness/whiteness/blackness argument as a 0..1 fraction.

    Legacy comma syntax requires a percentage; modern syntax also takes a bare number (0..100).
    """
    value, unit = arg
    if unit == "none":
        return 0.0
    if unit != "%" and (legacy or unit != ""):
        return None
    return min(100.0, max(0.0, value)) / 100


def _hsl_to_rgb(hue: float, sat: float, light: float) -> tuple[float, float, float]:
    """CSS Color 4 `hslToRgb` (hue in degrees, saturation and lightness as fractions)."""

    def channel(n: float) -> float:
        k = (n + hue / 30) % 12
        a = sat * min(light, 1 - light)
        return light - a * max(-1.0, min(k - 3, 9 - k, 1.0))

    return (channel(0), channel(8), channel(4))


def _hsl(args: list[_Arg], legacy: bool) -> Color | None:
    hue = _hue(args[0])
    sat = _fraction(args[1], legacy=legacy)
    light = _fraction(args[2], legacy=legacy)
    alpha = _alpha(args)
    if hue is None or sat is None or light is None or alpha is None:
        return None
    r, g, b = _hsl_to_rgb(hue, sat, light)
    return (r, g, b, alpha)


def _hwb(args: list[_Arg], legacy: bool) -> Color | None:
    if legacy:
        return None
    hue = _hue(args[0])
    white = _fraction(args[1], legacy=False)
    black = _fraction(args[2], legacy=False)
    alpha = _alpha(args)
    if hue is None or white is None or black is None or alpha is None:
        return None
    if white + black >= 1:
        gray = white / (white + black)
        return (gray, gray, gray, alpha)
    r, g, b = _hsl_to_rgb(hue, 1.0, 0.5)
    scale = 1 - white - black
    return (r * scale + white, g * scale + white, b * scale + white, alpha)


_FUNCTIONS: dict[str, Callable[[list[_Arg], bool], Color | None]] = {
    "rgb": _rgb,
    "rgba": _rgb,
    "hsl": _hsl,
    "hsla": _hsl,
    "hwb": _hwb,
}
