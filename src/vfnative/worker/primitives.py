"""The render primitives a farm job needs, as the farm calls them (strict media, job-shaped arguments).

* ``render_chunk(doc, frames, out, ...)``: frames ``frames`` of a document as one closed-GOP H.264 MP4
  (its first frame an IDR frame), written atomically: `vfnative.api.parallel.render_chunk`.
* ``stitch(pieces, out, audio=...)``: chunk MP4s remuxed, without re-encoding, into one MP4 with
  continuous timestamps: `vfnative.encode.stitch.stitch`.
* ``render_audio(doc)`` / ``encode_audio(samples, out)``: the mixed soundtrack as ``(n, 2)`` float32
  (or None), and its AAC piece for the stitch: `vfnative.render_audio`, `vfnative.encode.stitch.write_audio_piece`.

Media that cannot be used is an AssetError here (strict), so a job fails once instead of rendering a
silently empty layer. `describe()` names the implementations; job results record it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import vfnative
from vfnative.api.parallel import ChunkReport
from vfnative.api.parallel import render_chunk as _render_chunk
from vfnative.api.progress import ProgressCallback
from vfnative.api.render import CancelLike
from vfnative.encode.stitch import probe_piece, write_audio_piece
from vfnative.encode.stitch import stitch as _stitch

__all__ = [
    "count_video_frames",
    "describe",
    "encode_audio",
    "render_audio",
    "render_chunk",
    "stitch",
]


def render_chunk(
    doc: Any,
    frames: range,
    out: Path,
    *,
    settings: vfnative.RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelLike | None = None,
    sources: vfnative.SourcePolicy | None = None,
) -> ChunkReport:
    """Render `frames` of `doc` to `out`, atomically (strict media, under the `sources` policy)."""
    return _render_chunk(doc, frames, out, settings=settings, base_dir=base_dir, strict_media=True,
                         on_progress=on_progress, cancel=cancel, sources=sources)  # fmt: skip


def stitch(pieces: Sequence[Path], out: Path, *, audio: Path | None = None) -> Path:
    """Remux `pieces` (in order) and the optional `audio` piece into `out`, atomically."""
    return _stitch(list(pieces), out, audio=audio)


def count_video_frames(path: str | os.PathLike[str]) -> int:
    """Frames in an MP4's video stream, counted by demuxing only."""
    return probe_piece(path).frames


def render_audio(
    doc: Any,
    *,
    settings: vfnative.RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """The document's mix ((n, 2) float32, 48 kHz), or None when nothing in it makes sound."""
    return vfnative.render_audio(doc, settings=settings, base_dir=base_dir, strict_media=True)


def encode_audio(samples: Any, out: Path, *, handler_name: str = "VideoFlow.dev") -> Path:
    """Encode an (n, 2) float32 mix as the AAC piece the stitch copies (the `Muxer`'s audio packets)."""
    planar = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).T)
    return write_audio_piece(planar, out, handler_name=handler_name)


def describe() -> dict[str, str]:
    """Which implementation each primitive is (recorded in job results)."""
    return {
        "render_chunk": "vfnative.api.parallel",
        "stitch": "vfnative.encode.stitch",
        "render_audio": "vfnative.render_audio",
        "audio_piece": "vfnative.encode.stitch",
    }
