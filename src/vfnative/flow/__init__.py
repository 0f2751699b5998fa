"""Build videos in Python with the @videoflow/core flow API; compile to the same VideoJSON.

    from vfnative.flow import VideoFlow

    vf = VideoFlow("Hello", width=1280, height=720)
    title = vf.add_text("Hello, VideoFlow!", font_size=9, font_weight=800)
    title.animate({"opacity": 0, "scale": 0.8}, {"opacity": 1, "scale": 1}, duration="0.8s")
    vf.wait("1.5s")
    title.fade_out("0.8s")
    vf.render("hello.mp4")

`VideoFlow` records the flow (`builder`); `compiler` turns it into VideoJSON exactly as the
TypeScript core does; `params` types every property and setting for editors; `timeparse`
reads '5s' / '01:30' / '120f' time values. This package sits before `model` in the pipeline: it
produces documents and only reaches the renderer through `VideoFlow.render`.
"""

from __future__ import annotations

from vfnative.flow.builder import ParallelBlock, VideoFlow
from vfnative.flow.layers import (
    AudioLayer,
    CaptionsLayer,
    GroupLayer,
    ImageLayer,
    Layer,
    ShapeLayer,
    TextLayer,
    VideoLayer,
)
from vfnative.flow.params import Caption, Easing, Effect, ProjectDefaults, Transition
from vfnative.flow.timeparse import Time, parse_time, time_to_frames

__all__ = [
    "AudioLayer",
    "Caption",
    "CaptionsLayer",
    "Easing",
    "Effect",
    "GroupLayer",
    "ImageLayer",
    "Layer",
    "ParallelBlock",
    "ProjectDefaults",
    "ShapeLayer",
    "TextLayer",
    "Time",
    "Transition",
    "VideoFlow",
    "VideoLayer",
    "parse_time",
    "time_to_frames",
]
