"""The one-shot calls `render`, `render_frame` and `render_audio`: a short-lived `Renderer` each.

`render` with `jobs` > 1 hands the renderer to `api/parallel.py`. This module sits above both
`api/render.py` (the Renderer) and `api/parallel.py` (worker processes), which import neither it nor
each other in a circle: parallel imports render, render imports neither (parallel is loaded on
first use of `jobs`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vfnative.api.progress import ProgressCallback
from vfnative.api.render import (
    CancelLike,
    DocumentSource,
    Output,
    Renderer,
    RenderReport,
    check_output,
    chunkable,
    source_policy,
)
from vfnative.types import RGBA8, FrameIndex

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vfnative.media.sources import SourcePolicy
    from vfnative.model.document import VideoJSON
    from vfnative.settings import RenderSettings

__all__ = ["render", "render_audio", "render_frame"]


def render(
    doc: VideoJSON | DocumentSource,
    output: Output,
    *,
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelLike | None = None,
    font_dirs: Sequence[str | os.PathLike[str]] = (),
    allow_network: bool = False,
    allowed_roots: Sequence[str | os.PathLike[str]] = (),
    strict: bool = False,
    sources: SourcePolicy | None = None,
    jobs: int = 1,
    strict_media: bool | None = None,
    fetch_fonts: bool | str = False,
) -> RenderReport:
    """Render a document to `output` (an H.264 MP4 by default); a thin wrapper over a short-lived `Renderer`.

    The output's extension and ``settings.encode`` pick the format (README "Output formats"); a
    writable binary file object (``io.BytesIO()``, a pipe) receives the file instead of a path.

    Media sources come from the document's folder only, unless `allowed_roots` adds folders or
    `allow_network` allows public http(s) URLs (`sources` gives a full `SourcePolicy` instead).
    `strict` turns a missing, refused or undecodable source into an `AssetError` before any frame,
    and what the reference ignores in the document (unknown keys, layer types, easing names) into a
    `DocumentError` with the same paths as the warnings; `strict_media` (default: `strict`) sets the
    media half alone. `fetch_fonts` downloads the missing font families the document names (see
    `Renderer`).
    `jobs` > 1 renders frame ranges in that many worker processes and stitches them without
    re-encoding (`api/parallel.py`; the same frames; renders shorter than two chunks stay in this
    process). Scripts that use it need the usual ``if __name__ == "__main__":`` guard (spawn).

    Usage::

        report = vfnative.render("doc.json", "out.mp4")
        report = vfnative.render("doc.json", "out.mp4", jobs=4)
        report = vfnative.render(doc, "out.mp4", settings=RenderSettings.preset("draft"), cancel=token)
        report = vfnative.render("doc.json", "out.mp4", allow_network=True, strict=True)
        report = vfnative.render("doc.json", "overlay.mov",
                                 settings=RenderSettings(encode=EncodeSettings(alpha=True)))
        vfnative.render("doc.json", buffer := io.BytesIO())       # the MP4's bytes in memory
    """
    fmt = check_output(output, settings)  # before the document is even loaded
    policy = source_policy(sources, allow_network=allow_network, allowed_roots=allowed_roots)
    with Renderer(
        doc, settings=settings, base_dir=base_dir, font_dirs=font_dirs, sources=policy, strict=strict,
        strict_media=strict_media, fetch_fonts=fetch_fonts,
    ) as renderer:  # fmt: skip
        if jobs != 1 and chunkable(output, fmt) is None:
            from vfnative.api.parallel import render_parallel  # on use: multiprocessing is not free

            return render_parallel(renderer, output, jobs=jobs, on_progress=on_progress, cancel=cancel)
        return renderer.render_video(output, on_progress=on_progress, cancel=cancel)


def render_frame(
    doc: VideoJSON | DocumentSource,
    n: FrameIndex,
    *,
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    font_dirs: Sequence[str | os.PathLike[str]] = (),
    allow_network: bool = False,
    allowed_roots: Sequence[str | os.PathLike[str]] = (),
    strict: bool = False,
    sources: SourcePolicy | None = None,
    strict_media: bool | None = None,
) -> RGBA8:
    """Draw frame `n` of a document as a (H, W, 4) uint8 array, straight alpha (the video's compositor).

    Sources, `strict` and limits as in `render`."""
    policy = source_policy(sources, allow_network=allow_network, allowed_roots=allowed_roots)
    with Renderer(
        doc, settings=settings, base_dir=base_dir, font_dirs=font_dirs, sources=policy, strict=strict,
        strict_media=strict_media,
    ) as renderer:  # fmt: skip
        return renderer.render_frame(n)


def render_audio(
    doc: VideoJSON | DocumentSource,
    *,
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    allow_network: bool = False,
    allowed_roots: Sequence[str | os.PathLike[str]] = (),
    strict: bool = False,
    sources: SourcePolicy | None = None,
    strict_media: bool | None = None,
) -> npt.NDArray[np.float32] | None:
    """Mix a document's sound: (n, 2) float32 at 48 kHz (n = ceil(duration · 48000)), or None.

    None when no enabled layer can carry audio. Samples are not clipped (the WAV writer and the
    AAC encoder clip to [-1, 1]). Usage::

        samples = vfnative.render_audio("doc.json")
    """
    policy = source_policy(sources, allow_network=allow_network, allowed_roots=allowed_roots)
    with Renderer(doc, settings=settings, base_dir=base_dir, sources=policy, strict=strict,
                  strict_media=strict_media) as renderer:  # fmt: skip
        return renderer.render_audio()
