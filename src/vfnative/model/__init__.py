"""The VideoJSON document model: pydantic models, validation and loading.

Everything downstream (timeline, raster, audio) reads these frozen models; nothing re-parses JSON.
"""

from __future__ import annotations

from vfnative.model.animation import Animation, EffectSpec, Keyframe, TransitionSpec
from vfnative.model.color import format_css_color, is_color_like, parse_color
from vfnative.model.document import Track, VideoJSON
from vfnative.model.layers import (
    AudioLayer,
    CaptionEntry,
    CaptionsLayer,
    CaptionsSettings,
    GroupLayer,
    ImageLayer,
    Layer,
    LayerSettings,
    MediaSettings,
    ShapeLayer,
    ShapeSettings,
    TextLayer,
    VideoLayer,
)
from vfnative.model.load import load

__all__ = [
    "Animation",
    "AudioLayer",
    "CaptionEntry",
    "CaptionsLayer",
    "CaptionsSettings",
    "EffectSpec",
    "GroupLayer",
    "ImageLayer",
    "Keyframe",
    "Layer",
    "LayerSettings",
    "MediaSettings",
    "ShapeLayer",
    "ShapeSettings",
    "TextLayer",
    "Track",
    "TransitionSpec",
    "VideoJSON",
    "VideoLayer",
    "format_css_color",
    "is_color_like",
    "load",
    "parse_color",
]
