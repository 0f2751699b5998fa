"""What the builder accepts, typed: property and setting keyword arguments per layer type.

The TypedDicts here exist for editors and type checkers: `vf.add_text(font_` completes every
textual property, `shape.set(` lists every shape property, and each key's docstring gives the
default and unit the renderer uses (the table in `model/properties.py`, spec 01 §1.5). At run time
keys are snake_case and become the camelCase VideoJSON names (`font_size` -> `fontSize`);
camelCase is accepted too, so a dict copied from a TypeScript script works unchanged
(`vf.add_text(**{"fontSize": 9})` or `properties={"fontSize": 9}`).

Sizes written as plain numbers are in the property's first unit: `em` (1em = 1% of the project
width for most layers; the font size for text layers) or shape units (1 = min(width, height)/100
px). Strings carry their own unit ('12px', '50%').

Imports typing and `flow.timeparse` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict

from vfnative.flow.timeparse import Time

__all__ = [
    "AudioOptions",
    "AudioProperties",
    "BlendMode",
    "BorderStyle",
    "Caption",
    "CaptionsOptions",
    "CaptionsProperties",
    "Easing",
    "Effect",
    "GroupOptions",
    "GroupProperties",
    "ImageOptions",
    "ImageProperties",
    "LayerSettings",
    "Length",
    "Lengths",
    "MediaSettings",
    "ProjectDefaults",
    "ShapeOptions",
    "ShapeProperties",
    "ShapeType",
    "TextOptions",
    "TextProperties",
    "Transition",
    "TransitionLike",
    "VideoOptions",
    "VideoProperties",
    "VisualProperties",
    "WaitFor",
]

Easing: TypeAlias = Literal["linear", "easeIn", "easeOut", "easeInOut", "step"]
"""Keyframe easings the renderer knows; 'step' holds the start value until the next keyframe."""

Length: TypeAlias = float | str
"""A size: a number in the property's first unit (em or shape units), or a string such as '12px'."""

Lengths: TypeAlias = Length | Sequence[Length]
"""One size, or per-side sizes `[top, right, bottom, left]` (padding, borderWidth, borderRadius)."""

Vector: TypeAlias = Sequence[float]
"""`[x, y]` or `[x, y, z]`."""

BorderStyle: TypeAlias = Literal[
    "none", "solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset"
]
BlendMode: TypeAlias = Literal[
    "normal", "multiply", "screen", "overlay", "darken", "lighten", "color-dodge", "color-burn",
    "hard-light", "soft-light", "difference", "exclusion", "hue", "saturation", "color", "luminosity",
]  # fmt: skip
ShapeType: TypeAlias = Literal["rectangle", "ellipse", "polygon", "star"]
WaitFor: TypeAlias = Time | Literal["finish"]
"""How far the flow pointer moves after an `add_*`: a time, or 'finish' (the layer's end)."""


class ProjectDefaults(TypedDict, total=False):
    """Project-wide defaults (`VideoFlow(defaults=...)`)."""

    easing: Easing
    """Easing of `animate()` when it names none. Default 'easeInOut'."""
    font_family: str
    """Accepted for parity with the core, which stores it but never applies it: text layers
    without `font_family` render in 'Noto Sans' either way (spec 01 §10.16)."""
    fontFamily: str
    """camelCase spelling of `font_family`."""


class Transition(TypedDict, total=False):
    """`transition_in` / `transition_out`: a named preset over the start or end of the layer."""

    transition: str
    """Preset name: fade, slideUp, slideDown, slideLeft, slideRight, zoom, overshootPop, blurResolve,
    motionBlurSlide, radialZoom, rotate3dY, tilt3d, spin, glitchResolve, rgbSplitSnap,
    sliceAssemble, lensSnap, noiseDissolve, burnDissolve, wipeReveal, scanReveal,
    lightSweepReveal, typewriter, scrambleDecode, numberCountUp, trackingExpand, trackingContract."""
    duration: Time
    """Length of the transition window. Default 0.2 s."""
    easing: Easing
    """Easing of the transition progress. Default: the preset's own (linear or easeOut)."""
    params: Mapping[str, Any]
    """Preset-specific options, passed through verbatim (e.g. `{"cursorStyle": "bar"}`)."""


TransitionLike: TypeAlias = Transition | Mapping[str, Any] | str
"""A `Transition` dict, or just the preset name (`"fade"`: default 0.2 s window)."""


class Effect(TypedDict, total=False):
    """One effect pass on the rasterised layer (`effects=[...]` when adding a layer)."""

    effect: str
    """Effect name, e.g. pixelate, vignette, bloom, chromaticAberration, colorCorrection."""
    params: Mapping[str, Any]
    """Effect parameters; missing ones take the effect's defaults."""
    enabled: bool
    """Dropped by the core's compiler (1.2): disabled effects come out enabled. Default True."""


class Caption(TypedDict, total=False):
    """One caption entry, shown while `start_time <= t <= end_time` (project seconds)."""

    caption: str
    """The text."""
    start_time: float
    """First instant, seconds. (camelCase `startTime` is accepted too.)"""
    end_time: float
    """Last instant, seconds, inclusive. (camelCase `endTime` is accepted too.)"""


# --------------------------------------------------------------------------- properties


class VisualProperties(TypedDict, total=False):
    """Properties of every visual layer (text, captions, image, video, shape, group)."""

    visible: bool
    """Default True. Not animatable (steps at keyframes)."""
    opacity: float
    """Default 1. 0 = transparent."""
    position: Vector
    """Default [0.5, 0.5]. Where the anchor lands, in fractions of the frame; optional z in em."""
    scale: float | Vector
    """Default 1. A number, [sx, sy] or [sx, sy, sz]."""
    rotation: float | str | Sequence[float | str]
    """Default 0, degrees. A number (about z) or [z, x, y] (note the order)."""
    anchor: Vector
    """Default [0.5, 0.5]. Transform origin in fractions of the layer box."""
    background_color: str
    """Default 'transparent'. Any CSS colour."""
    border_width: Lengths
    """Default 0 (em, px)."""
    border_style: BorderStyle
    """Default 'solid'."""
    border_color: str
    """Default '#000000'."""
    inner_border: bool
    """Default False. True draws the border inside the box (border-box)."""
    border_radius: Lengths
    """Default 0 (em, px, %)."""
    box_shadow: bool
    """Default False. Master switch for the box_shadow_* properties."""
    box_shadow_blur: Length
    """Default 0 (em, px)."""
    box_shadow_offset: Sequence[Length]
    """Default [0, 0] (em, px)."""
    box_shadow_spread: Length
    """Default 0 (em, px)."""
    box_shadow_color: str
    """Default '#000000'."""
    outline_width: Length
    """Default 0 (em, px)."""
    outline_style: BorderStyle
    """Default 'none'."""
    outline_color: str
    """Default '#000000'."""
    outline_offset: Length
    """Default 0 (em, px)."""
    filter_blur: Length
    """Default 0 (em, px)."""
    filter_brightness: float
    """Default 1 (multiplier)."""
    filter_contrast: float
    """Default 1 (multiplier)."""
    filter_grayscale: float
    """Default 0 (0..1)."""
    filter_sepia: float
    """Default 0 (0..1)."""
    filter_invert: float
    """Default 0 (0..1)."""
    filter_hue_rotate: float | str
    """Default 0, degrees."""
    filter_saturate: float
    """Default 1 (multiplier)."""
    blend_mode: BlendMode
    """Default 'normal'. Not animatable."""
    perspective: Length
    """Default 100 (em, px). 3D viewing distance."""


class _TextualProperties(VisualProperties, total=False):
    font_size: Length
    """Default 4 (em: 4 = 4% of the project width; or px)."""
    font_family: str
    """Default 'Noto Sans'. Not animatable."""
    font_weight: float | str
    """Default 600 (100..900, or 'bold', 'normal')."""
    font_style: Literal["normal", "italic"]
    """Default 'normal'."""
    font_stretch: float | str
    """Default 100 (%)."""
    color: str
    """Default '#FFFFFF'."""
    text_align: Literal["left", "right", "center", "justify"]
    """Default 'center'. Also moves the box: 'left' puts its left edge at `position`."""
    vertical_align: Literal["top", "middle", "bottom"]
    """Default 'middle'. 'top' puts the box's top edge at `position`."""
    padding: Lengths
    """Default 0 (em of the font size, px). A number or [top, right, bottom, left]."""
    text_stroke: bool
    """Default False. Master switch for text_stroke_*."""
    text_stroke_width: Length
    """Default 0 (em, px)."""
    text_stroke_color: str
    """Default '#000000'."""
    text_shadow: bool
    """Default False. Master switch for text_shadow_*."""
    text_shadow_color: str
    """Default '#000000'."""
    text_shadow_offset: Sequence[Length]
    """Default [0, 0] (em, px)."""
    text_shadow_blur: Length
    """Default 0 (em, px)."""
    letter_spacing: Length
    """Default 0 (em, px); may be negative."""
    line_height: Length
    """Default 1 (a multiple of the font size; or em, px)."""
    text_transform: Literal["none", "capitalize", "uppercase", "lowercase"]
    """Default 'none'."""
    text_decoration: Literal["none", "underline", "overline", "line-through"]
    """Default 'none'."""
    word_spacing: Length
    """Default 0 (em, px)."""
    text_indent: Length
    """Default 0 (em, px)."""
    direction: Literal["ltr", "rtl"]
    """Default 'ltr'."""


class TextProperties(_TextualProperties, total=False):
    """Properties of a text layer."""

    text: str
    """Default 'Type your text here'. Only explicit newlines break lines."""


class CaptionsProperties(_TextualProperties, total=False):
    """Properties of a captions layer (its text comes from the captions setting)."""


class _MediaProperties(VisualProperties, total=False):
    fit: Literal["contain", "cover"]
    """Default 'contain' for images, 'cover' for videos."""


class ImageProperties(_MediaProperties, total=False):
    """Properties of an image layer."""


class AudioProperties(TypedDict, total=False):
    """Properties of an audio layer (and the audio half of a video layer)."""

    volume: float
    """Default 1 (gain)."""
    pan: float
    """Default 0 (-1 left .. +1 right)."""
    pitch: float
    """Default 1."""
    mute: bool
    """Default False."""


class VideoProperties(_MediaProperties, AudioProperties, total=False):
    """Properties of a video layer (visual and audio)."""


class ShapeProperties(VisualProperties, total=False):
    """Properties of a shape layer. Sizes are shape units: 1 = min(width, height)/100 px."""

    width: Length
    """Default 100."""
    height: Length
    """Default 100."""
    fill: str
    """Default '#ffffff'. 'transparent' or 'none' for no fill."""
    stroke_color: str
    """Default '#000000'."""
    stroke_width: Length
    """Default 0 (no stroke)."""
    stroke_alignment: Literal["inner", "center", "outer"]
    """Default 'inner'."""
    stroke_dash: Length
    """Default 0 (solid)."""
    stroke_gap: Length
    """Default 0 (same as stroke_dash)."""
    stroke_linejoin: Literal["miter", "round", "bevel"]
    """Default 'miter'."""
    corner_radius: Length
    """Default 0. Rectangles only."""
    sides: int
    """Default 6. Polygons and stars."""
    inner_radius: float
    """Default 0.5. Stars only: inner/outer radius ratio."""


class GroupProperties(VisualProperties, total=False):
    """Properties of a group (applied to the composited children)."""


# --------------------------------------------------------------------------- settings


class LayerSettings(TypedDict, total=False):
    """Timing settings every layer accepts."""

    name: str
    """Display name. Default: the text, the media file name, or the type ('Shape')."""
    enabled: bool
    """Default True."""
    start_time: Time
    """Where the layer starts on the timeline. Default: the flow pointer."""
    source_duration: Time
    """How long it plays, in source seconds (timeline length = source_duration / |speed|).
    Default: the media length for video/audio (probed), the children for groups, else the project end."""
    speed: float
    """Default 1. Negative plays in reverse."""
    source_start: Time
    """Offset into the source where playback begins. Default 0."""
    media_duration: Time
    """Known media length (skips probing). Default: probed for video/audio."""
    source_end: Time
    """Seconds trimmed from the end of the media. Default 0."""
    transition_in: TransitionLike
    """Transition over the start of the layer."""
    transition_out: TransitionLike
    """Transition over the end of the layer."""


class MediaSettings(LayerSettings, total=False):
    """Settings of image, video and audio layers."""

    source: str
    """File path (relative to the builder's base_dir) or URL."""


class _CaptionsSettings(LayerSettings, total=False):
    captions: Sequence[Caption | Mapping[str, Any] | tuple[str, float, float]]
    """Timed entries: dicts, or `(caption, start_time, end_time)` tuples."""
    max_chars_per_line: int
    """Kept in the JSON; no renderer reads it."""
    max_lines: int
    """Kept in the JSON; no renderer reads it."""


class _ShapeSettings(LayerSettings, total=False):
    shape_type: ShapeType
    """Default 'rectangle'."""


class _Creation(TypedDict, total=False):
    effects: Sequence[Effect | Mapping[str, Any]]
    """Effect passes run in order on the rasterised layer (fixed at creation; their params can be
    animated through 'effects.<name>.<param>' keys)."""


# --------------------------------------------------------------------------- add_* keyword arguments


class TextOptions(TextProperties, LayerSettings, _Creation, total=False):
    """Keyword arguments of `add_text`: text properties and layer settings."""


class CaptionsOptions(CaptionsProperties, _CaptionsSettings, _Creation, total=False):
    """Keyword arguments of `add_captions`."""


class ImageOptions(ImageProperties, MediaSettings, _Creation, total=False):
    """Keyword arguments of `add_image`."""


class VideoOptions(VideoProperties, MediaSettings, _Creation, total=False):
    """Keyword arguments of `add_video`."""


class AudioOptions(AudioProperties, MediaSettings, total=False):
    """Keyword arguments of `add_audio`."""


class ShapeOptions(ShapeProperties, _ShapeSettings, _Creation, total=False):
    """Keyword arguments of `add_shape`."""


class GroupOptions(GroupProperties, LayerSettings, _Creation, total=False):
    """Keyword arguments of `group`. Its `start_time` and `source_duration` are usually derived.

    `speed`, `source_start`, `media_duration` and `source_end` are accepted but, as in the core,
    have no effect on a group (it always plays at speed 1 from its own time 0).
    """
