"""A render request's ``options`` → `RenderSettings`, and the service's `SourcePolicy`.

Shared by the HTTP side (which checks options and limits before accepting a job) and the render
processes (which build the same settings again from the stored options), so both agree.
Imports `vfnative` (settings, the source policy and errors) and the standard library.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import vfnative
from vfnative.errors import DocumentError, DocumentIssue
from vfnative.settings import PRESET_ALIASES, PRESETS, Limits, RenderSettings

__all__ = ["OPTION_NAMES", "check_options", "load_document", "render_settings", "source_policy"]

OPTION_NAMES = ("preset", "width", "height", "scale", "fps", "strict", "fetch_fonts")


def check_options(raw: object) -> dict[str, Any]:
    """The request's ``options`` object, checked; raises DocumentError with ``options.<name>`` paths."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise DocumentError("expected an object", path="options")
    issues: list[DocumentIssue] = []
    out: dict[str, Any] = {}
    for name, value in raw.items():
        path = f"options.{name}"
        if name not in OPTION_NAMES:
            issues.append(DocumentIssue(path, f"unknown option; known: {', '.join(OPTION_NAMES)}"))
        elif value is None:
            continue
        elif name == "preset":
            if value not in (*PRESETS, *PRESET_ALIASES):
                issues.append(DocumentIssue(path, f"expected one of {', '.join(PRESETS)}; got {value!r}"))
            else:
                out[name] = value
        elif name in ("width", "height"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                issues.append(DocumentIssue(path, f"expected px >= 2 (an integer); got {value!r}"))
            else:
                out[name] = value
        elif name in ("scale", "fps"):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                issues.append(DocumentIssue(path, f"expected a number > 0; got {value!r}"))
            else:
                out[name] = float(value)
        elif name in ("strict", "fetch_fonts"):
            if not isinstance(value, bool):
                issues.append(DocumentIssue(path, f"expected true or false; got {value!r}"))
            else:
                out[name] = value
    if issues:
        raise DocumentError(issues)
    return out


def render_settings(
    options: Mapping[str, Any], limits: Limits, *, threads: int | None = None
) -> RenderSettings:
    """Preset, then explicit options on top (as the CLI's flags), with the key's limits."""
    preset = options.get("preset")
    settings = RenderSettings.preset(preset) if preset else RenderSettings()
    changes: dict[str, Any] = {"limits": limits}
    for name in ("width", "height", "scale", "fps"):
        if options.get(name) is not None:
            changes[name] = options[name]
    if threads is not None:
        changes["encode"] = replace(settings.encode, threads=threads)
    return settings.replace(**changes)


def source_policy(
    media_root: str | os.PathLike[str] | None, allowed_networks: tuple[str, ...]
) -> vfnative.SourcePolicy:
    """Media for POSTed documents: public http(s) URLs and data: URIs; local paths only under
    `media_root`; private networks only inside `allowed_networks` (--allow-private-network)."""
    return vfnative.SourcePolicy(
        allowed_roots=(str(media_root),) if media_root is not None else (),
        include_base_dir=media_root is not None,
        allow_network=True,
        allowed_networks=allowed_networks,
    )


def _accepts_strict(func: Any) -> bool:
    try:
        return "strict" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


def load_document(
    doc: Any, *, limits: Limits, base_dir: str | os.PathLike[str] | None, strict: bool = False
) -> Any:
    """`vfnative.load` with the key's limits; strict loading (issue 17) when the api offers it."""
    kwargs: dict[str, Any] = {"limits": limits, "base_dir": base_dir}
    if strict and _accepts_strict(vfnative.load):
        kwargs["strict"] = True
    return vfnative.load(doc, **kwargs)
