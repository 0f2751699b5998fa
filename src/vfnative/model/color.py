"""CSS colour strings -> straight-alpha sRGB floats, as Chromium computes and draws them.

The reference renderer hands every colour to the browser, so a port must accept what CSS accepts
(spec 01 §3.5.3, CSS Color 4): hex forms, `rgb()/rgba()`, `hsl()/hsla()`, `hwb()`, the 148 named
colours, `transparent`, and the Color 4 spaces `lab()`, `lch()`, `oklab()`, `oklch()` and
`color(<space> c1 c2 c3)` (`srgb`, `srgb-linear`, `display-p3`, `a98-rgb`, `prophoto-rgb`,
`rec2020`, `xyz`, `xyz-d50`, `xyz-d65`), in the space-separated syntax with `/ alpha` and `none`
components (a missing component counts as 0). Channels stay floats (a number channel is
`value/255`, clamped); rounding to 8 bit belongs to whoever paints, so interpolation between two
parsed colours loses nothing.

Colours outside sRGB are brought into it the way Chromium draws them on an sRGB surface:
`oklab()`/`oklch()` by CSS Color 4 gamut mapping (chroma reduced in OkLCh until the clipped colour
is within a just-noticeable difference, deltaEOK 0.02), every other space by clipping each channel
(`GAMUT_MAPPED_SPACES`). `parse_color_space` also returns the Oklab coordinates: browsers
interpolate a pair of colours in Oklab unless both are legacy sRGB forms (hex, names, rgb, hsl, hwb).
Imports nothing from vfnative but `types`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vfnative.types import Color

__all__ = [
    "COLOR_SPACES",
    "GAMUT_MAPPED_SPACES",
    "NAMED_COLORS",
    "ParsedColor",
    "format_css_color",
    "is_color_like",
    "oklab_to_srgb",
    "parse_color",
    "parse_color_space",
    "srgb_to_oklab",
]

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


@dataclass(frozen=True)
class ParsedColor:
    """A parsed colour: what is drawn (sRGB, in gamut) and where it lies in Oklab."""

    srgb: Color
    """(r, g, b, a), gamma-encoded sRGB in [0, 1], straight alpha: the colour as drawn."""
    oklab: tuple[float, float, float]
    """(L, a, b) of the colour as specified (before gamut mapping): the interpolation space."""
    legacy: bool
    """Hex, named, `transparent`, `rgb()`, `hsl()` or `hwb()`: interpolated in sRGB with another legacy colour."""


def parse_color(value: str) -> Color | None:
    """Parse a CSS colour into `(r, g, b, a)` floats in [0, 1], straight alpha, sRGB.

    Returns None for `none`, '' and anything a browser would reject, so callers can treat
    "no paintable colour" uniformly (shape `fill: none` means no fill).
    """
    parsed = parse_color_space(value)
    return None if parsed is None else parsed.srgb


def parse_color_space(value: str) -> ParsedColor | None:
    """`parse_color` with the colour's Oklab coordinates and whether it is a legacy sRGB form."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or text == "none":
        return None
    rgba: Color | None
    if text == "transparent":
        rgba = (0.0, 0.0, 0.0, 0.0)
    elif text == "currentcolor":  # the reference's layers inherit CSS `color: white` (captured: a white fill)
        rgba = (1.0, 1.0, 1.0, 1.0)
    elif text in NAMED_COLORS:
        r, g, b = NAMED_COLORS[text]
        rgba = (r / 255, g / 255, b / 255, 1.0)
    elif text.startswith("#"):
        rgba = _parse_hex(text)
    else:
        match = _FUNC.fullmatch(text)
        if match is None:
            return None
        name, body = match.group(1), match.group(2)
        if name in _SPACE_FUNCTIONS:
            return _parse_space_function(name, body)
        parser = _FUNCTIONS.get(name)
        if parser is None:
            return None
        args = _split_args(body)
        if args is None:
            return None
        parts, legacy = args
        rgba = parser(parts, legacy)
    if rgba is None:
        return None
    return ParsedColor(rgba, srgb_to_oklab(rgba[:3]), legacy=True)


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


# --------------------------------------------------------------------------- CSS Color 4 spaces

_Vec = tuple[float, float, float]
_Mat = tuple[_Vec, _Vec, _Vec]


def _mul(m: _Mat, v: Sequence[float]) -> _Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


# The conversion matrices are the ones CSS Color 4 publishes (§ "Sample code for color conversions").
_XYZ_TO_LIN_SRGB: _Mat = (
    (3.2409699419045226, -1.537383177570094, -0.4986107602930034),
    (-0.9692436362808796, 1.8759675015077202, 0.04155505740717559),
    (0.05563007969699366, -0.20397695888897652, 1.0569715142428786),
)
_LIN_SRGB_TO_XYZ: _Mat = (
    (0.41239079926595934, 0.357584339383878, 0.1804807884018343),
    (0.21263900587151027, 0.715168678767756, 0.07219231536073371),
    (0.01933081871559182, 0.11919477979462598, 0.9505321522496606),
)
_D50_TO_D65: _Mat = (
    (0.955473421488075, -0.02309845494876471, 0.06325924320057072),
    (-0.0283697093338637, 1.0099953980813041, 0.021041441191917323),
    (0.012314014864481998, -0.020507649298898964, 1.330365926242124),
)
_LIN_P3_TO_XYZ: _Mat = (
    (0.4865709486482162, 0.26566769316909306, 0.1982172852343625),
    (0.2289745640697488, 0.6917385218365064, 0.079286914093745),
    (0.0, 0.04511338185890264, 1.043944368900976),
)
_LIN_A98_TO_XYZ: _Mat = (
    (0.5766690429101305, 0.1855582379065463, 0.1882286462349947),
    (0.29734497525053605, 0.6273635662554661, 0.0752914584939978),
    (0.02703136138641234, 0.07068885253582723, 0.9913375368376388),
)
_LIN_PROPHOTO_TO_XYZ_D50: _Mat = (
    (0.7977666449006423, 0.13518129740053308, 0.0313477341283922),
    (0.2880748288194013, 0.711835234241873, 0.00008993693872564),
    (0.0, 0.0, 0.8251046025104602),
)
_LIN_2020_TO_XYZ: _Mat = (
    (0.6369580483012914, 0.14461690358620832, 0.1688809751641721),
    (0.2627002120112671, 0.6779980715188708, 0.05930171646986196),
    (0.0, 0.028072693049087428, 1.060985057710791),
)
_OKLAB_TO_LMS: _Mat = (
    (1.0, 0.3963377773761749, 0.2158037573099136),
    (1.0, -0.1055613458156586, -0.0638541728258133),
    (1.0, -0.0894841775298119, -1.2914855480194092),
)
_LMS_TO_XYZ: _Mat = (
    (1.2268798758459243, -0.5578149944602171, 0.2813910456659647),
    (-0.0405757452148008, 1.1122868032803170, -0.0717110580655164),
    (-0.0763729366746601, -0.4214933324022432, 1.5869240198367816),
)
_XYZ_TO_LMS: _Mat = (
    (0.8190224379967030, 0.3619062600528904, -0.1288737815209879),
    (0.0329836539323885, 0.9292868615863434, 0.0361446663506424),
    (0.0481771893596242, 0.2642395317527308, 0.6335478284694309),
)
_LMS_TO_OKLAB: _Mat = (
    (0.2104542683093140, 0.7936177747023054, -0.0040720430116193),
    (1.9779985324311684, -2.4285922420485799, 0.4505937096174110),
    (0.0259040424655478, 0.7827717124575296, -0.8086757549230774),
)
_D50_WHITE = (0.3457 / 0.3585, 1.0, (1.0 - 0.3457 - 0.3585) / 0.3585)


def _signed_pow(x: float, p: float) -> float:
    return math.copysign(abs(x) ** p, x)


def _srgb_decode(c: float) -> float:
    return c / 12.92 if abs(c) <= 0.04045 else math.copysign(((abs(c) + 0.055) / 1.055) ** 2.4, c)


def _srgb_encode(c: float) -> float:
    return 12.92 * c if abs(c) <= 0.0031308 else math.copysign(1.055 * abs(c) ** (1 / 2.4) - 0.055, c)


def _a98_decode(c: float) -> float:
    return _signed_pow(c, 563 / 256)


def _prophoto_decode(c: float) -> float:
    return c / 16 if abs(c) <= 16 / 512 else _signed_pow(c, 1.8)


def _rec2020_decode(c: float) -> float:
    alpha, beta = 1.09929682680944, 0.018053968510807
    if abs(c) < beta * 4.5:
        return c / 4.5
    return math.copysign(((abs(c) + alpha - 1) / alpha) ** (1 / 0.45), c)


def _lab_to_xyz_d50(lightness: float, a: float, b: float) -> _Vec:
    kappa, eps = 24389 / 27, 216 / 24389
    f1 = (lightness + 16) / 116
    f0 = a / 500 + f1
    f2 = f1 - b / 200
    x = f0**3 if f0**3 > eps else (116 * f0 - 16) / kappa
    y = f1**3 if lightness > kappa * eps else lightness / kappa
    z = f2**3 if f2**3 > eps else (116 * f2 - 16) / kappa
    return (x * _D50_WHITE[0], y * _D50_WHITE[1], z * _D50_WHITE[2])


def _oklab_to_xyz(lab: Sequence[float]) -> _Vec:
    lms = _mul(_OKLAB_TO_LMS, lab)
    return _mul(_LMS_TO_XYZ, (lms[0] ** 3, lms[1] ** 3, lms[2] ** 3))


def _xyz_to_oklab(xyz: Sequence[float]) -> _Vec:
    lms = _mul(_XYZ_TO_LMS, xyz)
    return _mul(_LMS_TO_OKLAB, tuple(math.copysign(abs(v) ** (1 / 3), v) for v in lms))


def srgb_to_oklab(rgb: Sequence[float]) -> tuple[float, float, float]:
    """Gamma-encoded sRGB -> Oklab (L in [0, 1])."""
    linear = tuple(_srgb_decode(c) for c in rgb[:3])
    return _xyz_to_oklab(_mul(_LIN_SRGB_TO_XYZ, linear))


def _xyz_to_linear_srgb(xyz: Sequence[float]) -> _Vec:
    return _mul(_XYZ_TO_LIN_SRGB, xyz)


def _in_gamut(linear: Sequence[float], eps: float = 1e-6) -> bool:
    return all(-eps <= c <= 1 + eps for c in linear)


def _clip_encode(linear: Sequence[float]) -> _Vec:
    r, g, b = (min(1.0, max(0.0, _srgb_encode(c))) for c in linear)
    return (r, g, b)


def _gamut_map_oklab(lab: Sequence[float]) -> _Vec:
    """CSS Color 4 gamut mapping into sRGB: reduce OkLCh chroma (binary search) until clipping the
    colour moves it by less than a just-noticeable difference (deltaEOK 0.02)."""
    lightness = lab[0]
    if lightness >= 1.0:
        return (1.0, 1.0, 1.0)
    if lightness <= 0.0:
        return (0.0, 0.0, 0.0)
    linear = _xyz_to_linear_srgb(_oklab_to_xyz(lab))
    if _in_gamut(linear):
        return _clip_encode(linear)
    chroma = math.hypot(lab[1], lab[2])
    hue = math.atan2(lab[2], lab[1])
    jnd, eps = 0.02, 0.0001

    def at(c: float) -> _Vec:
        return (lightness, c * math.cos(hue), c * math.sin(hue))

    def clipped_error(candidate: _Vec) -> tuple[_Vec, float]:
        rgb = _clip_encode(_xyz_to_linear_srgb(_oklab_to_xyz(candidate)))
        back = srgb_to_oklab(rgb)
        return rgb, math.dist(back, candidate)

    rgb, error = clipped_error(tuple(lab))  # type: ignore[arg-type]
    if error < jnd:
        return rgb
    low, high, min_in_gamut = 0.0, chroma, True
    while high - low > eps:
        mid = (low + high) / 2
        candidate = at(mid)
        linear = _xyz_to_linear_srgb(_oklab_to_xyz(candidate))
        if min_in_gamut and _in_gamut(linear):
            low = mid
            continue
        rgb, error = clipped_error(candidate)
        if error < jnd:
            if jnd - error < eps:
                return rgb
            min_in_gamut = False
            low = mid
        else:
            high = mid
    return _clip_encode(_xyz_to_linear_srgb(_oklab_to_xyz(at(low))))


def oklab_to_srgb(lab: Sequence[float], *, gamut_map: bool = True) -> tuple[float, float, float]:
    """Oklab -> gamma-encoded sRGB in [0, 1]: CSS gamut mapping (as Chromium draws oklab/oklch), or a clip."""
    if gamut_map:
        return _gamut_map_oklab(lab)
    return _clip_encode(_xyz_to_linear_srgb(_oklab_to_xyz(lab)))


def _linear_rgb_space(
    matrix: _Mat, decode: Callable[[float], float], *, d50: bool = False
) -> Callable[[_Vec], _Vec]:
    def to_xyz(c: _Vec) -> _Vec:
        xyz = _mul(matrix, tuple(decode(v) for v in c))
        return _mul(_D50_TO_D65, xyz) if d50 else xyz

    return to_xyz


COLOR_SPACES: dict[str, Callable[[_Vec], _Vec]] = {
    "srgb": _linear_rgb_space(_LIN_SRGB_TO_XYZ, _srgb_decode),
    "srgb-linear": _linear_rgb_space(_LIN_SRGB_TO_XYZ, lambda v: v),
    "display-p3": _linear_rgb_space(_LIN_P3_TO_XYZ, _srgb_decode),
    "a98-rgb": _linear_rgb_space(_LIN_A98_TO_XYZ, _a98_decode),
    "prophoto-rgb": _linear_rgb_space(_LIN_PROPHOTO_TO_XYZ_D50, _prophoto_decode, d50=True),
    "rec2020": _linear_rgb_space(_LIN_2020_TO_XYZ, _rec2020_decode),
    "xyz": lambda c: c,
    "xyz-d65": lambda c: c,
    "xyz-d50": lambda c: _mul(_D50_TO_D65, c),
}
"""`color()` spaces -> a function from the three components to CIE XYZ (D65)."""

GAMUT_MAPPED_SPACES: frozenset[str] = frozenset()
"""Spaces Chromium gamut-maps (CSS Color 4) when drawing on sRGB. None: Chromium 156 clips every
space channel by channel (captured: `oklch(92% 0.35 140)` is drawn #00ff00, `oklab(0.9 0.3 0.2)`
rgb(255, 53, 0)); `oklab_to_srgb(gamut_map=True)` keeps the CSS algorithm for callers that want it."""


def _component(arg: _Arg, percent: float, *, allow_percent: bool = True) -> float | None:
    """A number, or a percentage scaled so 100% = `percent`; `none` is 0."""
    value, unit = arg
    if unit == "none":
        return 0.0
    if unit == "%" and allow_percent:
        return value / 100 * percent
    if unit == "":
        return value
    return None


def _parse_space_function(name: str, body: str) -> ParsedColor | None:
    """`lab() lch() oklab() oklch() color()`: modern syntax only (no commas)."""
    space = name
    if name == "color":
        head, _, rest = body.strip().partition(" ")
        space, body = head.strip(), rest
        if space not in COLOR_SPACES:
            return None
    split = _split_args(body)
    if split is None or split[1]:
        return None
    args, _legacy = split
    alpha = _alpha(args)
    if alpha is None:
        return None
    xyz: _Vec
    if space in ("lab", "lch"):
        lightness = _component(args[0], 100.0)
        if lightness is None:
            return None
        lightness = min(100.0, max(0.0, lightness))
        if space == "lab":
            a, b = _component(args[1], 125.0), _component(args[2], 125.0)
            if a is None or b is None:
                return None
        else:
            chroma, hue = _component(args[1], 150.0), _hue(args[2])
            if chroma is None or hue is None:
                return None
            chroma = max(0.0, chroma)
            a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
        xyz = _mul(_D50_TO_D65, _lab_to_xyz_d50(lightness, a, b))
    elif space in ("oklab", "oklch"):
        lightness = _component(args[0], 1.0)
        if lightness is None:
            return None
        lightness = min(1.0, max(0.0, lightness))
        if space == "oklab":
            a, b = _component(args[1], 0.4), _component(args[2], 0.4)
            if a is None or b is None:
                return None
        else:
            chroma, hue = _component(args[1], 0.4), _hue(args[2])
            if chroma is None or hue is None:
                return None
            chroma = max(0.0, chroma)
            a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
        lab = (lightness, a, b)
        rgb = oklab_to_srgb(lab, gamut_map=space in GAMUT_MAPPED_SPACES)
        return ParsedColor((rgb[0], rgb[1], rgb[2], alpha), lab, legacy=False)
    else:
        comps = [_component(arg, 1.0) for arg in args[:3]]
        if any(c is None for c in comps):
            return None
        xyz = COLOR_SPACES[space]((comps[0], comps[1], comps[2]))  # type: ignore[arg-type]
    rgb = _clip_encode(_xyz_to_linear_srgb(xyz))
    return ParsedColor((rgb[0], rgb[1], rgb[2], alpha), _xyz_to_oklab(xyz), legacy=False)


_SPACE_FUNCTIONS = frozenset({"lab", "lch", "oklab", "oklch", "color"})
