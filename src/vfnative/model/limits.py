"""Enforce `Limits` on a document: its structure before validation, its numbers after.

Two passes, both cheap and both before any heavy work:

* `structure_issues(data, limits)` walks the *parsed JSON* iteratively (no recursion, so a hostile
  nesting cannot blow the stack): JSON depth, layer count, group depth, string length, keyframes per
  animation, captions per layer. It runs before pydantic, so a document with a million layers is
  refused in milliseconds instead of being validated first.
* `size_issues(doc, limits)` checks the validated numbers: width, height, width × height, duration,
  and the frame count round(duration · fps) (at least 1, at most `max_frames`).

Each issue names the offending field path and the limit (`limit max_layers`), in the usual
``<path>: expected ...; got ...`` form. `check_structure` / `check_size` raise one `DocumentError`
listing them. Imports `errors`, `settings` and `model.*` only.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from vfnative.errors import DocumentError, DocumentIssue, format_docpath
from vfnative.model.animation import Loc
from vfnative.settings import Limits

if TYPE_CHECKING:
    from vfnative.model.document import VideoJSON

__all__ = [
    "Limits",
    "check_document_bytes",
    "check_size",
    "check_structure",
    "size_issues",
    "structure_issues",
]

_MAX_ISSUES = 20
"""Stop collecting after this many limit issues: one hostile document should not print a megabyte."""

_UNBOUNDED_STRINGS = frozenset({"source", "audioSource"})
"""Strings bounded by the source policy's byte cap (data: URIs are long by nature), not by text length."""


def _num(value: float) -> str:
    """A number as a message shows it: `30`, `29.97`, `1e+300` (never 300 digits)."""
    return format(float(value), ".10g")


def _issue(loc: Loc, message: str) -> DocumentIssue:
    return DocumentIssue(format_docpath(loc), message)


def check_document_bytes(size: int, limits: Limits) -> None:
    """Refuse JSON text longer than `max_document_bytes` (before it is parsed)."""
    if size > limits.max_document_bytes:
        raise DocumentError(
            f"expected at most {limits.max_document_bytes} bytes of JSON (limit max_document_bytes); "
            f"got {size}"
        )


def structure_issues(data: object, limits: Limits) -> list[DocumentIssue]:
    """Problems with the shape of parsed JSON `data` against `limits` (empty if within them).

    Tolerates any JSON: values of the wrong type are left for validation to report.
    """
    issues: list[DocumentIssue] = []
    max_json_depth = limits.max_json_depth
    layer_count = 0
    # (value, location, JSON depth, group depth when the value sits in a list of layers, else None)
    stack: list[tuple[Any, Loc, int, int | None]] = [(data, (), 1, None)]
    while stack and len(issues) < _MAX_ISSUES:
        value, loc, depth, group_depth = stack.pop()
        if depth > max_json_depth:
            issues.append(
                _issue(
                    loc,
                    f"expected JSON nested at most {max_json_depth} levels "
                    f"(limit max_group_depth = {limits.max_group_depth}); got deeper",
                )
            )
        elif isinstance(value, str):
            if len(value) > limits.max_text_chars and (not loc or loc[-1] not in _UNBOUNDED_STRINGS):
                issues.append(
                    _issue(
                        loc,
                        f"expected at most {limits.max_text_chars} characters (limit max_text_chars); "
                        f"got {len(value)}",
                    )
                )
        elif isinstance(value, list):
            stack.extend((value[i], (*loc, i), depth + 1, None) for i in reversed(range(len(value))))
        elif isinstance(value, dict):
            if group_depth is not None:
                _layer_issues(value, loc, limits, issues)
            pushed: list[tuple[Any, Loc, int, int | None]] = []
            for key, item in value.items():
                child_loc = (*loc, key)
                layers_at: int | None = None
                if isinstance(item, list):
                    if not loc and key == "layers":
                        layers_at = 0
                    elif group_depth is not None and key == "children":
                        layers_at = group_depth + 1
                if layers_at is None:
                    pushed.append((item, child_loc, depth + 1, None))
                elif layers_at > limits.max_group_depth:
                    issues.append(
                        _issue(
                            child_loc,
                            f"expected groups nested at most {limits.max_group_depth} deep "
                            f"(limit max_group_depth); got depth {layers_at}",
                        )
                    )
                else:
                    layer_count += len(item)  # counted when seen, so a huge list is refused unwalked
                    if layer_count > limits.max_layers:
                        issues.append(
                            _issue(
                                ("layers",),
                                f"expected at most {limits.max_layers} layers, group children included "
                                f"(limit max_layers); got {layer_count} or more",
                            )
                        )
                        return issues[:_MAX_ISSUES]
                    pushed.extend(
                        (layer, (*child_loc, i), depth + 2, layers_at) for i, layer in enumerate(item)
                    )
            stack.extend(reversed(pushed))
    return issues[:_MAX_ISSUES]


def _layer_issues(layer: dict[str, Any], loc: Loc, limits: Limits, out: list[DocumentIssue]) -> None:
    """Keyframes per animation and captions per layer (counted on the raw lists)."""
    animations = layer.get("animations")
    if isinstance(animations, list):
        for j, animation in enumerate(animations):
            keyframes = animation.get("keyframes") if isinstance(animation, dict) else None
            if isinstance(keyframes, list) and len(keyframes) > limits.max_keyframes:
                out.append(
                    _issue(
                        (*loc, "animations", j, "keyframes"),
                        f"expected at most {limits.max_keyframes} keyframes (limit max_keyframes); "
                        f"got {len(keyframes)}",
                    )
                )
    settings = layer.get("settings")
    captions = settings.get("captions") if isinstance(settings, dict) else None
    if isinstance(captions, list) and len(captions) > limits.max_captions:
        out.append(
            _issue(
                (*loc, "settings", "captions"),
                f"expected at most {limits.max_captions} captions (limit max_captions); got {len(captions)}",
            )
        )


def check_structure(data: object, limits: Limits) -> None:
    """Raise one `DocumentError` listing every structural limit `data` exceeds."""
    issues = structure_issues(data, limits)
    if issues:
        raise DocumentError(issues)


def size_issues(doc: VideoJSON, limits: Limits, *, what: str = "") -> list[DocumentIssue]:
    """Problems with a validated document's size, duration and frame count against `limits`.

    `what` is added to messages when the numbers come from render settings rather than the JSON
    (e.g. `" (output size)"`).
    """
    issues: list[DocumentIssue] = []
    width, height = int(doc.width), int(doc.height)
    duration, fps = float(doc.duration), float(doc.fps)
    for name, value in (("width", width), ("height", height)):
        if value > limits.max_dimension:
            issues.append(
                _issue(
                    (name,),
                    f"expected px <= {limits.max_dimension}{what} (limit max_dimension); got {value}",
                )
            )
    if not issues and width * height > limits.max_frame_pixels:
        issues.append(
            _issue(
                ("width",),
                f"expected width × height <= {limits.max_frame_pixels} px{what} (limit max_frame_pixels); "
                f"got {width} × {height} = {width * height}",
            )
        )
    too_long = duration > limits.max_duration_s
    if too_long:
        issues.append(
            _issue(
                ("duration",),
                f"expected seconds <= {_num(limits.max_duration_s)} (limit max_duration_s); "
                f"got {_num(duration)}",
            )
        )
    frames = duration * fps  # round(frames) is the frame count; compare without rounding
    if too_long:
        pass  # the frame count follows from the duration already refused
    elif not math.isfinite(frames) or frames >= limits.max_frames + 0.5:
        issues.append(
            _issue(
                ("fps",),
                f"expected at most {limits.max_frames} frames, round(duration · fps){what} "
                f"(limit max_frames); got {_num(duration)} s × {_num(fps)} fps "
                f"= {frames:.6g} frames",
            )
        )
    elif frames < 0.5:
        issues.append(
            _issue(
                ("fps",),
                f"expected at least one frame, round(duration · fps) >= 1{what}; "
                f"got {_num(duration)} s × {_num(fps)} fps = {frames:.6g} frames",
            )
        )
    return issues


def check_size(doc: VideoJSON, limits: Limits, *, what: str = "") -> None:
    """Raise one `DocumentError` listing every size, duration or frame-count limit `doc` exceeds."""
    issues = size_issues(doc, limits, what=what)
    if issues:
        raise DocumentError(issues)
