"""How a job is cut into chunks, and the JSON form of render settings that travels with it.

Pure functions over integers and dicts (no Redis, no Celery), so the splitting rules are tested as
tables. Imports the standard library, `settings` and `errors`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from vfnative.errors import MissingAssetError
from vfnative.settings import EncodeSettings, Limits, RenderSettings

if TYPE_CHECKING:
    from vfnative.model.document import VideoJSON

__all__ = [
    "AUTO_CHUNK_SECONDS",
    "MAX_CHUNKS",
    "MIN_CHUNK_FRAMES",
    "check_local_sources",
    "expected_frames",
    "fits_one_chunk",
    "parse_chunks",
    "plan_chunks",
    "settings_from_json",
    "settings_to_json",
    "split_frames",
    "split_frames_by_size",
]

MIN_CHUNK_FRAMES = 5
"""Shorter chunks are merged away: per-chunk setup dominates and very short H.264 pieces gain nothing
(Remotion raised its minimum to 5 frames for the same reason)."""
MAX_CHUNKS = 256
"""An upper bound on pieces per job: each costs a task, a file and a lease."""
AUTO_CHUNK_SECONDS = 10.0
"""``--chunks auto`` aims at chunks this long, rounded to whole keyframe intervals."""


def split_frames(total: int, chunks: int) -> list[range]:
    """Cut frames ``0..total-1`` into `chunks` contiguous ranges whose lengths differ by at most one.

    Fewer chunks are made when they would be shorter than `MIN_CHUNK_FRAMES` (or more than
    `MAX_CHUNKS`). Every frame is in exactly one range, in order; longer ranges come first.
    """
    if total < 1:
        raise ValueError(f"total: expected frames >= 1; got {total}")
    if chunks < 1:
        raise ValueError(f"chunks: expected >= 1; got {chunks}")
    chunks = max(1, min(chunks, MAX_CHUNKS, total // MIN_CHUNK_FRAMES or 1))
    size, extra = divmod(total, chunks)
    ranges: list[range] = []
    start = 0
    for i in range(chunks):
        stop = start + size + (1 if i < extra else 0)
        ranges.append(range(start, stop))
        start = stop
    return ranges


def split_frames_by_size(total: int, size: int) -> list[range]:
    """Cut frames ``0..total-1`` into ranges of `size` frames (the last one shorter)."""
    if total < 1 or size < 1:
        raise ValueError(f"total, size: expected >= 1; got {total}, {size}")
    size = max(size, math.ceil(total / MAX_CHUNKS))
    return [range(start, min(start + size, total)) for start in range(0, total, size)]


def plan_chunks(
    requested: int | Literal["auto"] | str, total: int, fps: float, keyframe_interval_s: float
) -> list[range]:
    """The frame ranges of a job: `requested` equal chunks, or ``auto``.

    ``auto`` makes chunks of about `AUTO_CHUNK_SECONDS`, each a whole number of keyframe intervals
    (the last one shorter), so the stitched file has its keyframes exactly where a single-process
    render puts them.
    """
    if requested == "auto":
        gop = max(1, math.ceil(keyframe_interval_s * fps))
        return split_frames_by_size(total, gop * max(1, round(AUTO_CHUNK_SECONDS * fps / gop)))
    n = parse_chunks(requested)
    return split_frames(total, n if n != "auto" else 1)


def expected_frames(doc: Any, settings: RenderSettings | None = None) -> int | None:
    """``round(duration · fps)`` read from a document's JSON (or a loaded `VideoJSON`) without
    validating it; `settings.fps` wins. None when the fields are missing or not numbers: the
    farm then plans the job the long way, whose validation reports the problem."""
    get = doc.get if isinstance(doc, Mapping) else (lambda name: getattr(doc, name, None))
    duration = get("duration")
    fps = settings.fps if settings is not None and settings.fps else get("fps")
    numbers = (int, float)
    if isinstance(duration, bool) or isinstance(fps, bool):
        return None
    if not isinstance(duration, numbers) or not isinstance(fps, numbers) or duration <= 0 or fps <= 0:
        return None
    if not math.isfinite(duration * fps):
        return None
    return max(1, math.floor(duration * fps + 0.5))


def fits_one_chunk(
    requested: int | Literal["auto"] | str, total: int, fps: float, keyframe_interval_s: float
) -> bool:
    """True when `plan_chunks` would cut `total` frames into one range: the job takes the fast path
    (one task renders it straight to its output, sound included)."""
    return len(plan_chunks(requested, total, fps, keyframe_interval_s)) == 1


def parse_chunks(value: int | str) -> int | Literal["auto"]:
    """``"auto"`` or a positive chunk count, from a CLI or JSON value; ValueError otherwise."""
    if value == "auto":
        return "auto"
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"chunks: expected a positive integer or 'auto'; got {value!r}") from None
    if n < 1 or isinstance(value, bool) or (isinstance(value, float) and value != n):
        raise ValueError(f"chunks: expected a positive integer or 'auto'; got {value!r}")
    return n


_LOCAL_ENCODE_FIELDS = frozenset({"threads"})
"""Encoder fields each worker decides for itself (its CPU limit), never taken from the job."""


def settings_to_json(settings: RenderSettings | None) -> dict[str, Any]:
    """A job's `RenderSettings` as JSON: size, fps, batch size, every encoder field, the limits.

    Encoder threads are left out on purpose: each worker sizes them to its own CPU limit.
    """
    s = settings or RenderSettings()
    return {
        "width": s.width,
        "height": s.height,
        "scale": s.scale,
        "fps": s.fps,
        "batch_frames": s.batch_frames,
        "encode": {
            f.name: getattr(s.encode, f.name)
            for f in fields(EncodeSettings)
            if f.name not in _LOCAL_ENCODE_FIELDS
        },
        "limits": asdict(s.limits),
    }


def settings_from_json(data: Mapping[str, Any], *, threads: int | None = None) -> RenderSettings:
    """`RenderSettings` from `settings_to_json` output (or a subset), with `threads` encoder threads."""
    encode = dict(data.get("encode") or {})
    known_encode = {f.name for f in fields(EncodeSettings)} - _LOCAL_ENCODE_FIELDS
    known = {"width", "height", "scale", "fps", "batch_frames", "encode", "limits"}
    unknown = (set(data) - known) | (set(encode) - known_encode)
    if unknown:
        raise ValueError(f"settings: unknown field(s) {sorted(unknown)}")
    encode_kwargs = {k: v for k, v in encode.items() if v is not None}
    top: dict[str, Any] = {
        k: data[k] for k in ("width", "height", "scale", "fps", "batch_frames") if data.get(k) is not None
    }
    if data.get("limits"):
        top["limits"] = Limits(**data["limits"])
    return RenderSettings(**top, encode=EncodeSettings(**encode_kwargs, threads=threads))


def check_local_sources(doc: VideoJSON, base_dir: str | Path | None) -> None:
    """Raise MissingAssetError for the first image/video/audio layer whose local file does not exist.

    A farm fails such a job at once, before any chunk starts, rather than shipping a video with a
    silently missing layer. URLs and data: URIs are left to the renderer's source policy.
    """
    root = Path(base_dir) if base_dir else (doc.base_dir or Path.cwd())
    for path, layer in doc.walk_layers():
        settings = getattr(layer, "settings", None)
        for field, key in (("source", "source"), ("audio_source", "audioSource")):
            source = getattr(settings, field, None)
            if not isinstance(source, str) or not source or _is_remote(source):
                continue
            local = source[len("file://") :] if source.startswith("file://") else source
            file = Path(local) if PurePosixPath(local).is_absolute() else root / local
            if not file.is_file():
                raise MissingAssetError(
                    f"{path}.settings.{key}: media not found: {file}",
                    path=f"{path}.settings.{key}",
                    source=source,
                )


def _is_remote(source: str) -> bool:
    head = source.split(":", 1)[0].lower()
    return ":" in source and head in {"http", "https", "data", "blob", "s3"}
