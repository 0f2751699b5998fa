"""vfnative: render VideoJSON documents to MP4 without a browser.

Usage::

    import vfnative

    report = vfnative.render("doc.json", "out.mp4")              # H.264 MP4, atomically written
    pixels = vfnative.render_frame("doc.json", 45)               # (H, W, 4) uint8, straight alpha
    samples = vfnative.render_audio("doc.json")                  # (n, 2) float32 at 48 kHz, or None
    with vfnative.Renderer("doc.json", settings=vfnative.RenderSettings.preset("draft")) as r:
        r.render_video("draft.mp4", on_progress=lambda stage, done, total: ...)

This module is the only public surface; everything it exports reports ``vfnative`` as its module.
"""

from __future__ import annotations

import typing as _typing

from vfnative.api.environment import Check, EnvironmentReport, check_environment
from vfnative.api.oneshot import render, render_audio, render_frame
from vfnative.api.progress import CancelToken, ProgressCallback
from vfnative.api.render import Renderer, RenderReport, StageTimings, load
from vfnative.errors import (
    AssetError,
    DocumentError,
    DocumentIssue,
    EffectCompileError,
    EncodeError,
    FontError,
    MediaDecodeError,
    MissingAssetError,
    RenderCancelled,
    RenderError,
    TimecodeError,
    VfnativeError,
)
from vfnative.media.sources import SourcePolicy
from vfnative.settings import PRESETS, EncodeSettings, Limits, RenderSettings

if _typing.TYPE_CHECKING:
    from vfnative.flow import VideoFlow

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`VideoFlow` is imported on first use: renders and `vfnative probe` don't pay for the builder."""
    if name == "VideoFlow":
        from vfnative.flow import VideoFlow

        VideoFlow.__module__ = "vfnative"
        globals()["VideoFlow"] = VideoFlow
        return VideoFlow
    raise AttributeError(f"module 'vfnative' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"VideoFlow"})


__all__ = [
    "AssetError",
    "CancelToken",
    "Check",
    "DocumentError",
    "DocumentIssue",
    "EffectCompileError",
    "EncodeError",
    "EncodeSettings",
    "EnvironmentReport",
    "FontError",
    "Limits",
    "MediaDecodeError",
    "MissingAssetError",
    "PRESETS",
    "ProgressCallback",
    "RenderCancelled",
    "RenderError",
    "RenderReport",
    "RenderSettings",
    "Renderer",
    "SourcePolicy",
    "StageTimings",
    "TimecodeError",
    "VfnativeError",
    "VideoFlow",
    "__version__",
    "check_environment",
    "load",
    "render",
    "render_audio",
    "render_frame",
]

# Reprs and tracebacks show `vfnative.Renderer`, not the private module path (as httpx does).
for _name in __all__:
    if not _name.startswith("__"):
        _obj = globals().get(_name)  # None: imported on first use (`__getattr__`)
        if _obj is not None and hasattr(_obj, "__module__") and not isinstance(_obj, dict):
            _obj.__module__ = "vfnative"
del _name, _obj
