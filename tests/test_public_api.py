"""The public surface: `vfnative.__all__` is exactly these names, sorted, all reporting module `vfnative`."""

from __future__ import annotations

import vfnative

PUBLIC = [
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


def test_all_is_pinned_and_sorted() -> None:
    assert vfnative.__all__ == PUBLIC
    assert sorted(vfnative.__all__) == vfnative.__all__


def test_public_names_report_the_public_module() -> None:
    for name in vfnative.__all__:
        obj = getattr(vfnative, name)
        if callable(obj):
            assert obj.__module__ == "vfnative", name


def test_no_private_module_leaks_into_the_namespace() -> None:
    exported = {name for name in dir(vfnative) if not name.startswith("_")}
    modules = {
        "api",
        "encode",
        "errors",
        "settings",
        "types",
        "model",
        "timeline",
        "raster",
        "fonts",
        "media",
    }
    modules |= {"cli", "demo", "parity", "audio", "worker", "storage", "service", "client", "annotations", "flow"}  # annotations: __future__
    assert exported - modules == set(vfnative.__all__) - {"__version__"}
