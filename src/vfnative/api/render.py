"""The Renderer that owns the caches: the one place that wires the stages.

document (model) → timeline (batches of PropBlock rows → scenes) → raster (Compositor) → encode (Muxer).
The timeline is evaluated `batch_frames` frames at a time (numba kernels over contiguous columns); raster
draws one scene per frame into a reused buffer; the muxer copies it and encodes on its own thread.
`cli/` and `worker/` call this module and nothing below it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeAlias

from vfnative import storage
from vfnative.api.progress import ProgressCallback
from vfnative.errors import AssetError, EncodeError, RenderCancelled
from vfnative.media.sources import MediaCacheStats, SourcePolicy, SourceResolver
from vfnative.settings import Limits, RenderSettings
from vfnative.types import RGBA8, FrameIndex, PremulRGBA8

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vfnative.encode.formats import OutputFormat
    from vfnative.media.library import MediaLibrary
    from vfnative.model.document import VideoJSON
    from vfnative.model.layers import Layer
    from vfnative.raster.compose import Compositor
    from vfnative.raster.media import ImageStore
    from vfnative.timeline.plan import Timeline
    from vfnative.timeline.scene import LayerFrame

__all__ = [
    "DocumentSource",
    "Output",
    "check_output",
    "chunkable",
    "open_writer",
    "RenderReport",
    "Renderer",
    "StageTimings",
    "load",
    "source_policy",
]

log = logging.getLogger(__name__)

DocumentSource: TypeAlias = "str | os.PathLike[str] | bytes | Mapping[str, Any]"
"""What `load` accepts: a path, JSON text, JSON bytes, or an already parsed dict."""


class _Cancellable(Protocol):
    def is_set(self) -> bool: ...


CancelLike: TypeAlias = "_Cancellable | Callable[[], bool]"
"""A `CancelToken`, a `threading.Event`, or any callable returning True when the render should stop."""


def load(
    source: VideoJSON | DocumentSource,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    strict: bool = False,
) -> VideoJSON:
    """Parse and validate a VideoJSON document from a path, JSON text/bytes or a dict.

    Relative media paths resolve against `base_dir`, by default the document's folder (or the working
    directory for JSON text). A `VideoJSON` passes through unchanged. `limits` (default `Limits()`)
    caps size, duration, layers, nesting, text and keyframes.

    Lenient by default, as the reference renderer: unknown keys (anywhere), unknown layer types and
    unknown easing names are ignored, each logged once as a warning naming its path and listed in
    the result's `warnings`. `strict=True` makes each of them an issue of the DocumentError instead.

    Raises DocumentError listing every problem (with its DocPath; a limit exceeded names the limit),
    or MissingAssetError for a missing file.
    """
    from vfnative.model.document import VideoJSON

    doc = _load_quietly(source, base_dir=base_dir, limits=limits, strict=strict)
    if not isinstance(source, VideoJSON):  # a loaded document's warnings were logged when it was loaded
        for message in doc.warnings:
            log.warning("%s", message)
    return doc


def _load_quietly(
    source: VideoJSON | DocumentSource,
    *,
    base_dir: str | os.PathLike[str] | None,
    limits: Limits | None,
    strict: bool,
) -> VideoJSON:
    """`load` without logging the document's warnings (the Renderer reports them itself)."""
    from vfnative.model import load as _load

    if isinstance(source, Mapping) and not isinstance(source, dict):
        source = dict(source)
    return _load(source, base_dir=base_dir, limits=limits, strict=strict)


Output: TypeAlias = "str | os.PathLike[str] | IO[bytes]"
"""Where a render goes: a path (its extension picks the format), or a writable binary file object
(the codec picks the container: h264 → MP4, vp9 → WebM; a pipe gets fragmented MP4 or WebM)."""


def check_output(output: Output, settings: RenderSettings | None = None) -> OutputFormat:
    """The format a render to `output` writes (README "Output formats"); ValueError (a usage error)
    if vfnative cannot honour the output's name, codec, pixel format or transparency. Called before
    any work, so a bad request leaves nothing behind."""
    from vfnative.encode.formats import resolve_output

    encode = (settings or RenderSettings()).encode
    if isinstance(output, str | os.PathLike):
        return resolve_output(output, encode)
    if not callable(getattr(output, "write", None)):
        raise ValueError(f"output: expected a path or a writable binary file object; got {output!r}")
    return resolve_output(None, encode, pipe=not _seekable(output))


def _seekable(f: Any) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def source_policy(
    sources: SourcePolicy | None = None,
    *,
    allow_network: bool = False,
    allowed_roots: Sequence[str | os.PathLike[str]] = (),
) -> SourcePolicy:
    """The `SourcePolicy` for the api's convenience arguments: `sources`, or one built from the flags."""
    if sources is None:
        return SourcePolicy(allowed_roots=tuple(allowed_roots), allow_network=allow_network)
    if allow_network or tuple(allowed_roots):
        raise ValueError("give either sources=SourcePolicy(...) or allow_network/allowed_roots, not both")
    return sources


@dataclass(frozen=True)
class StageTimings:
    """Wall-clock seconds spent in each stage of one render (main thread unless noted)."""

    setup: float
    """Building the timeline, fonts and compositor (once per Renderer; 0 when already cached)."""
    timeline: float
    """Batch evaluation of properties and building the per-frame scenes."""
    raster: float
    """Drawing frames with Skia."""
    encode: float
    """Handing frames to the encoder: waiting for the converter to read the surface before the next
    frame is drawn on it, back-pressure, final flush."""
    encoder_thread: float
    """Time the encoder thread was busy encoding; overlaps the stages above."""
    audio: float = 0.0
    """Decoding and mixing the audio (before the first frame)."""
    converter_thread: float = 0.0
    """Time the converter thread was busy converting to yuv420p; overlaps the stages above."""


@dataclass(frozen=True)
class RenderReport:
    """What `render` produced: the file, how many frames, how long it took and what went wrong softly."""

    output: Path | str
    """The file written: a `Path`, or the object URL (``s3://bucket/key``) it was uploaded to."""
    frames: int
    """Frames written, N = round(duration · fps)."""
    seconds: float
    """Wall-clock seconds the render took (setup included)."""
    width: int
    height: int
    fps: float
    warnings: tuple[str, ...]
    """Per-layer problems that did not stop the render (deduplicated, in order of first occurrence)."""
    timings: StageTimings
    media_cache: MediaCacheStats = MediaCacheStats()
    """Remote sources (http(s), s3) served from the media cache (hits), fetched (misses), bytes fetched."""

    @property
    def duration_s(self) -> float:
        """Length of the video in seconds."""
        return self.frames / self.fps

    @property
    def realtime_factor(self) -> float:
        """Seconds of video produced per wall-clock second."""
        return self.duration_s / self.seconds if self.seconds > 0 else float("inf")


class _Warnings:
    """Collects warnings from the stages, deduplicated, logging each once."""

    def __init__(self, forward: Callable[[str], None] | None = None) -> None:
        self._seen: dict[str, None] = {}
        self._forward = forward

    def __call__(self, message: object, *more: object, **_: object) -> None:
        text = ": ".join(str(part) for part in (message, *more))
        if text in self._seen:
            return
        self._seen[text] = None
        log.warning("%s", text)
        if self._forward is not None:
            self._forward(text)

    def record(self, message: str) -> None:
        """Keep a warning that its sender has already logged (listed in the report, not logged twice)."""
        if message in self._seen:
            return
        self._seen[message] = None
        if self._forward is not None:
            self._forward(message)

    def snapshot(self) -> tuple[str, ...]:
        return tuple(self._seen)


def _cancel_check(cancel: CancelLike | None) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    is_set = getattr(cancel, "is_set", None)
    if callable(is_set):
        return is_set  # type: ignore[no-any-return]
    if callable(cancel):
        return cancel
    raise TypeError(f"cancel: expected an object with is_set() or a callable; got {cancel!r}")


class Renderer:
    """Renders one document: owns the timeline, fonts and compositor, built once and reused.

    Usage::

        with Renderer("doc.json", settings=RenderSettings.preset("draft")) as r:
            report = r.render_video("out.mp4", on_progress=print)
            still = r.render_frame(45)             # (H, W, 4) uint8, straight alpha

    `settings` sizes and fps override the document's (layout is relative, so a rescaled document keeps
    its composition); `settings.limits` caps the document before any work. `base_dir` resolves relative
    media paths; it defaults to the document's folder when the document is given as a path.
    `sources` is the `SourcePolicy` every media source goes through (default: files inside the
    document's folder, no network). A source that is missing, refused or undecodable skips its layer
    with a warning, or raises `AssetError` before the first frame when `strict` is set.
    What the reference ignores in the document (unknown keys, layer types, easing names) is ignored
    with one warning per path, or is a `DocumentError` when `strict` is set. `strict_media` (default:
    `strict`) sets the media half alone: the render farm fails a job once on a bad source while
    staying lenient about the document.
    `on_warning` is called once per distinct soft problem.
    `fetch_fonts` (True, or the base URL of a Google Fonts-compatible CSS API) downloads the families
    the document names and no installed font provides into the font cache, under the same source
    policy (it needs ``allow_network``); they join `font_dirs`, matched as web fonts. A family that
    cannot be fetched falls back to Noto Sans with a warning.
    """

    def __init__(
        self,
        doc: VideoJSON | DocumentSource,
        *,
        settings: RenderSettings | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        font_dirs: Sequence[str | os.PathLike[str]] = (),
        on_warning: Callable[[str], None] | None = None,
        sources: SourcePolicy | None = None,
        strict: bool = False,
        strict_media: bool | None = None,
        fetch_fonts: bool | str = False,
    ) -> None:
        self.settings = settings or RenderSettings()
        document = _load_quietly(doc, base_dir=base_dir, limits=self.settings.limits, strict=strict)
        self.base_dir: Path | None = document.base_dir
        self.document: VideoJSON = _apply_settings(document, self.settings)
        self.font_dirs = tuple(Path(d) for d in font_dirs)
        self.strict_document = strict
        """The document was validated as written: what the reference ignores was an error."""
        self.strict = strict if strict_media is None else strict_media
        """Missing, refused or undecodable media raise AssetError instead of skipping the layer."""
        self.sources: SourceResolver = SourceResolver(sources, self.base_dir)
        """Turns every media source into a local file under the source policy (closed with the renderer)."""
        self._images: ImageStore | None = None
        self._warnings = _Warnings(on_warning)
        already_logged = not isinstance(doc, str | bytes | os.PathLike | Mapping)  # a loaded VideoJSON
        for message in document.warnings:
            (self._warnings.record if already_logged else self._warnings)(message)
        self._timeline: Timeline | None = None
        self._compositor: Compositor | None = None
        self._media: MediaLibrary | None = None
        self._media_document: VideoJSON | None = None
        self._setup_seconds = 0.0
        if fetch_fonts:
            self.font_dirs += self._fetch_fonts(fetch_fonts)

    def __repr__(self) -> str:
        d = self.document
        name = getattr(d, "name", None) or "untitled"
        return f"<Renderer {name!r} {d.width}x{d.height}@{d.fps:g} duration={d.duration:g}s>"

    def __enter__(self) -> Renderer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Drop the cached timeline, fonts and compositor; close the media decoders; remove fetched and
        decoded sources (the resolver's temporary cache)."""
        self._timeline = None
        self._compositor = None
        self._images = None
        if self._media is not None:
            self._media.close()
        self._media = None
        self._media_document = None
        self.sources.close()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Distinct warnings seen so far by this renderer."""
        return self._warnings.snapshot()

    @property
    def timeline(self) -> Timeline:
        """The document's timeline, built on first use."""
        if self._timeline is None:
            from vfnative.timeline.plan import build_timeline

            document = self.media_document
            start = time.perf_counter()
            self._timeline = build_timeline(document)
            self._setup_seconds += time.perf_counter() - start
            for message in self._timeline.warnings:  # unknown or unimplemented transitions
                self._warnings(message)
        return self._timeline

    @property
    def media(self) -> MediaLibrary:
        """This render's media: each source resolved, opened and decoded once (built on first use)."""
        if self._media is None:
            from vfnative.media.library import MediaLibrary

            self._media = MediaLibrary(self._source_resolver(), strict=self.strict)
        return self._media

    def _source_resolver(self) -> Callable[[str], Path]:
        """The one function that turns a document `source` into a local file (the source policy)."""
        return self.sources.resolve

    @property
    def images(self) -> ImageStore:
        """Decoded still images, through the source policy and `Limits.max_media_pixels` (built on first use)."""
        if self._images is None:
            from vfnative.raster.media import ImageStore

            self._images = ImageStore(
                self.base_dir,
                resolve=self._source_resolver(),
                max_pixels=self.settings.limits.max_media_pixels,
            )
        return self._images

    @property
    def media_document(self) -> VideoJSON:
        """The document as rendered: media layers whose source fails disabled (one warning each),
        ``sourceEnd`` resolved against the probed media duration (spec 01 §2.5). A copy."""
        if self._media_document is None:
            start = time.perf_counter()
            prepared = self.media.prepare(self.document)
            for message in prepared.warnings:
                self._warnings(message)
            if self.strict:
                self._check_media(prepared.doc)
            self._media_document = prepared.doc
            self._setup_seconds += time.perf_counter() - start
        return self._media_document

    def _check_media(self, doc: VideoJSON) -> None:
        """Strict mode: every image decodes and every video fits the pixel cap, before the first frame
        (videos and audio were already opened by `MediaLibrary.prepare`)."""
        limit = self.settings.limits.max_media_pixels
        for path, layer in _live_layers(doc.layers, "layers", top=True):
            source = getattr(layer.settings, "source", None)
            if not source or layer.type not in ("image", "video"):
                continue
            try:
                if layer.type == "image":
                    self.images.get(source)
                else:
                    width, height = self.media.video(source).size
                    if width * height > limit:
                        from vfnative.errors import MediaDecodeError

                        raise MediaDecodeError(
                            f"video {source!r} is {width}×{height} = {width * height} px; "
                            f"the limit is {limit} (Limits.max_media_pixels)",
                            source=source,
                        )
            except Exception as exc:
                exc.add_note(f"while loading {path} ({layer.type} layer, source {source!r})")
                raise

    @property
    def frame_count(self) -> int:
        """N = round(duration · fps): the number of frames a video render writes."""
        return int(self.timeline.frame_count)

    @property
    def compositor(self) -> Compositor:
        """The compositor (fonts, decoded images, surfaces), built on first use."""
        if self._compositor is None:
            from vfnative.raster.compose import Compositor

            doc = self.media_document
            start = time.perf_counter()
            self._compositor = Compositor(
                doc,
                base_dir=self.base_dir,
                on_warning=self._warnings,
                text_painter=self._text_painter(),
                media=self.media,
                images=self.images,
                max_media_pixels=self.settings.limits.max_media_pixels,
                effect_threads=self.settings.encode.thread_count(),  # a --jobs worker gets its share
            )
            self._setup_seconds += time.perf_counter() - start
        return self._compositor

    def _fetch_fonts(self, fetch: bool | str) -> tuple[Path, ...]:
        """Fetch the document's missing font families (see the class docstring); their folders."""
        from vfnative.fonts.discovery import default_cache_dir
        from vfnative.fonts.fetch import GOOGLE_FONTS_URL, fetch_family
        from vfnative.fonts.registry import FontRegistry
        from vfnative.fonts.requirements import font_requirements

        if not self.sources.policy.allow_network:
            raise ValueError("fetch_fonts: fetching fonts needs network access (allow_network=True)")
        base_url = fetch if isinstance(fetch, str) else GOOGLE_FONTS_URL
        installed = FontRegistry(font_dirs=self.font_dirs, system_fallback=False)
        wanted: dict[str, tuple[str, set[float], set[str]]] = {}
        for req in font_requirements(self.document):
            if installed.has_family(req.family):
                continue
            _name, weights, styles = wanted.setdefault(req.family.casefold(), (req.family, set(), set()))
            weights.update(req.weights)
            styles.add(req.style)
        folders: list[Path] = []
        for family, weights, styles in wanted.values():
            try:
                folders.append(fetch_family(self.sources, family, weights=weights, styles=styles,
                                            cache_dir=default_cache_dir() / "fonts", base_url=base_url))  # fmt: skip
            except AssetError as exc:
                self._warnings(f"{exc}; using Noto Sans")
        return tuple(folders)

    def _text_painter(self) -> object | None:
        """Text engine over a font registry (bundled fonts plus `font_dirs`); None if not installed."""
        try:
            from vfnative.fonts.registry import FontRegistry
            from vfnative.raster.text import TextPainter
        except ImportError:  # the compositor then skips text with a warning
            return None
        from vfnative.fonts.requirements import font_requirements

        doc = self.document
        registry = FontRegistry(
            font_dirs=self.font_dirs,
            on_warning=self._warnings.record,
            document_families=[req.family for req in font_requirements(doc)],
        )
        return TextPainter(registry, width=doc.width, height=doc.height, on_warning=self._warnings)

    # ------------------------------------------------------------------ frames

    def _check_frame(self, n: int) -> None:
        count = self.frame_count
        if not 0 <= n < count:
            raise ValueError(f"frame: expected 0 <= frame < {count}; got {n}")

    def render_frame(self, n: FrameIndex) -> RGBA8:
        """Draw frame `n` and return it as a new (H, W, 4) uint8 array, straight alpha."""
        from vfnative.raster.compose import to_rgba8
        from vfnative.timeline.scalar import scene_at

        self._check_frame(n)
        scene = scene_at(self.timeline, n)
        return to_rgba8(self.compositor.render(scene))

    def iter_frames(self, frames: Iterable[FrameIndex] | None = None) -> Iterator[tuple[FrameIndex, RGBA8]]:
        """Yield ``(n, pixels)`` for each frame in `frames` (default: every frame, in order): (H, W, 4)
        uint8 RGBA, straight alpha, a new array each, for callers that feed their own pipeline.

        The pixels are the video's (batched timeline, retained raster); with
        ``EncodeSettings(alpha=True)`` the background colour is left out, as in a transparent render.
        """
        from vfnative.raster.compose import to_rgba8

        wanted = list(range(self.frame_count) if frames is None else frames)
        for n in wanted:
            self._check_frame(n)
        for n, _scene, premul in self._render_scenes(wanted, _Clock()):
            yield n, to_rgba8(premul)

    def _scenes(self, frames: Sequence[FrameIndex], clock: _Clock) -> Iterator[tuple[int, list[LayerFrame]]]:
        """Scenes for `frames` (ascending runs are evaluated in batches of `batch_frames`)."""
        timeline = self.timeline
        batch = self.settings.batch_frames
        evaluate, scene_from_block = _batch_api()
        if evaluate is None or scene_from_block is None:
            from vfnative.timeline.scalar import scene_at

            for n in frames:
                t0 = time.perf_counter()
                scene = scene_at(timeline, n)
                clock.timeline += time.perf_counter() - t0
                yield n, scene
            return
        i = 0
        while i < len(frames):
            # the longest run of consecutive frames starting at i, capped at `batch`
            j = i + 1
            while j < len(frames) and j - i < batch and frames[j] == frames[j - 1] + 1:
                j += 1
            t0 = time.perf_counter()
            block = evaluate(timeline, range(frames[i], frames[j - 1] + 1))
            clock.timeline += time.perf_counter() - t0
            for row in range(j - i):
                t0 = time.perf_counter()
                scene = scene_from_block(timeline, block, row)
                clock.timeline += time.perf_counter() - t0
                yield frames[i + row], scene
            i = j

    def _render_scenes(
        self,
        frames: Sequence[FrameIndex],
        clock: _Clock,
        *,
        bgra: bool = False,
        fence: Callable[[], None] | None = None,
    ) -> Iterator[tuple[int, list[LayerFrame], PremulRGBA8]]:
        """Draw `frames`; premultiplied RGBA views, or the surface's own BGRA pixels (no swizzle) if `bgra`.

        `fence` (with `bgra`) is called just before the surface is first written for a frame: a
        reader of the previous frame's pixels (`Muxer.fence`) finishes there; its time is `encode`.
        """
        compositor = self.compositor
        waited = 0.0

        def timed(wait: Callable[[], None]) -> Callable[[], None]:
            def before_write() -> None:
                nonlocal waited
                t = time.perf_counter()
                wait()
                waited += time.perf_counter() - t

            return before_write

        draw: Callable[[Sequence[LayerFrame]], PremulRGBA8] = compositor.render
        if bgra:
            draw = functools.partial(compositor.render_bgra, before_write=timed(fence) if fence else None)
        for n, scene in self._scenes(frames, clock):
            t0 = time.perf_counter()
            waited = 0.0
            try:
                pixels = draw(scene)
            except Exception as exc:
                exc.add_note(f"while drawing frame {n}")
                raise
            clock.raster += time.perf_counter() - t0 - waited
            if waited:
                clock.encode += waited
            yield n, scene, pixels

    # ------------------------------------------------------------------ audio

    def render_audio(self) -> npt.NDArray[np.float32] | None:
        """The mixed sound: (n, 2) float32 at 48 kHz, n = ceil(duration · 48000), not clipped.

        None when no enabled layer can carry audio (then a video render has no audio stream).
        """
        mixed = self._mix()
        return None if mixed is None else mixed.T.copy()

    def write_audio(self, output: str | os.PathLike[str]) -> Path | None:
        """Write the mix as a 16-bit PCM WAV (48 kHz stereo, the reference's conversion, spec 04 §2.9).

        Returns the path, or None (and writes nothing) when the document has no audio.
        """
        from vfnative.audio.wav import write_wav

        samples = self.render_audio()
        if samples is None:
            return None
        return write_wav(output, samples)

    def _mix(self) -> npt.NDArray[np.float32] | None:
        """The mix as (2, n) planar float32 (what the encoder takes), or None."""
        from vfnative.audio.mixer import mix

        timeline = self.timeline
        try:
            return mix(timeline, self.media, on_warning=self._warnings)
        finally:
            self.media.release_audio()

    # ------------------------------------------------------------------ video

    def render_video(
        self,
        output: Output,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: CancelLike | None = None,
    ) -> RenderReport:
        """Render every frame to `output`, atomically; returns a RenderReport.

        The format follows the output's extension and `settings.encode` (`codec`, `alpha`, `crf`,
        `pix_fmt`; README "Output formats"): an H.264 MP4 by default. A file object receives the
        finished file (a pipe: a fragmented MP4 or WebM as it is encoded). `cancel` is checked before
        each frame and before the file is finished; a cancelled (or failed, or interrupted) render
        raises and leaves no file at `output`. ValueError (before any work) when vfnative cannot
        write the requested format. `output` may also be an object URL (``s3://bucket/key``: rendered
        to a private temp file, then uploaded; see `vfnative.storage`).
        """
        fmt = check_output(output, self.settings)
        if not isinstance(output, str | os.PathLike):
            return self._render_video(output, fmt, on_progress=on_progress, cancel=cancel)
        if fmt.kind == "images" and storage.is_object_url(output):
            raise ValueError(f"output: {output}: image sequences are written to local folders only")
        with output_file(output) as target:
            report = self._render_video(target, fmt, on_progress=on_progress, cancel=cancel)
        return replace(report, output=storage.display(output))

    def _render_video(
        self,
        output: Output,
        fmt: OutputFormat,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: CancelLike | None = None,
    ) -> RenderReport:
        started = time.perf_counter()
        setup_before = self._setup_seconds
        is_cancelled = _cancel_check(cancel)
        timeline = self.timeline
        total = int(timeline.frame_count)
        doc = self.document
        name = Path(output) if isinstance(output, str | os.PathLike) else Path("-")
        clock = _Clock()
        if fmt.kind == "audio":
            return self._render_sound(output, fmt, name, started, clock, on_progress, is_cancelled)
        self.compositor  # noqa: B018 - built here so its cost is counted as setup, not raster
        t0 = time.perf_counter()
        audio = self._mix() if fmt.audio_encoder is not None else None
        clock.audio = time.perf_counter() - t0
        log.info("rendering %r to %s as %s (%d frames)", self, name, fmt, total)
        muxer = open_writer(output, fmt, width=int(doc.width), height=int(doc.height), fps=float(doc.fps),
                            frame_count=total, settings=self.settings.encode, audio=audio)  # fmt: skip
        with muxer:
            if is_cancelled():
                raise RenderCancelled("render cancelled before the first frame", frame=0)
            compositor = self.compositor
            scenes = self._render_scenes(range(total), clock, bgra=True, fence=muxer.fence)
            for n, _scene, pixels in scenes:
                t0 = time.perf_counter()
                # converted on the muxer's thread (only what changed; alpha formats un-premultiplied
                # there) while the next frame is prepared; the compositor calls muxer.fence() before
                # it draws on these pixels again
                muxer.write(pixels, damage=compositor.last_damage)
                clock.encode += time.perf_counter() - t0
                if on_progress is not None:
                    on_progress("render", n + 1, total)
                if is_cancelled():
                    raise RenderCancelled(f"render cancelled after frame {n}", frame=n)
            if on_progress is not None:
                on_progress("finish", 0, 1)
            t0 = time.perf_counter()
            muxer.close()
            clock.encode += time.perf_counter() - t0
        if on_progress is not None:
            on_progress("finish", 1, 1)
        timings = StageTimings(
            setup=self._setup_seconds - setup_before,
            timeline=clock.timeline,
            raster=clock.raster,
            encode=clock.encode,
            encoder_thread=muxer.encode_seconds,
            audio=clock.audio,
            converter_thread=muxer.convert_seconds,
        )
        return self._report(name, total, started, timings)

    def _report(self, name: Path, total: int, started: float, timings: StageTimings) -> RenderReport:
        doc = self.document
        seconds = time.perf_counter() - started
        report = RenderReport(
            output=name,
            frames=total,
            seconds=seconds,
            width=int(doc.width),
            height=int(doc.height),
            fps=float(doc.fps),
            warnings=self.warnings,
            timings=timings,
            media_cache=self.sources.stats,
        )
        log.info(
            "wrote %s: %d frames in %.2f s (%.2fx realtime)", name, total, seconds, report.realtime_factor
        )
        return report

    def _render_sound(
        self,
        output: Output,
        fmt: OutputFormat,
        name: Path,
        started: float,
        clock: _Clock,
        on_progress: ProgressCallback | None,
        is_cancelled: Callable[[], bool],
    ) -> RenderReport:
        """An audio-only output: the mix (silence when the document has no sound, with a warning)."""
        import math

        import numpy as np

        from vfnative.encode.mux import AUDIO_RATE
        from vfnative.encode.writers import write_audio_file

        if is_cancelled():
            raise RenderCancelled("render cancelled before the audio", frame=0)
        t0 = time.perf_counter()
        mixed = self._mix()
        clock.audio = time.perf_counter() - t0
        if mixed is None:
            self._warnings(
                f"{name.name}: the document has no sound; writing {self.document.duration:g} s of silence"
            )
            mixed = np.zeros((2, max(1, math.ceil(self.document.duration * AUDIO_RATE))), np.float32)
        t0 = time.perf_counter()
        if fmt.codec == "pcm" and isinstance(output, str | os.PathLike):
            from vfnative.audio.wav import write_wav  # the reference's 16-bit conversion, as `vfnative audio`

            write_wav(output, mixed.T)
        else:
            write_audio_file(mixed, output, fmt)
        clock.encode = time.perf_counter() - t0
        if on_progress is not None:
            on_progress("finish", 1, 1)
        timings = StageTimings(setup=0.0, timeline=0.0, raster=0.0, encode=clock.encode, encoder_thread=0.0,
                               audio=clock.audio)  # fmt: skip
        return self._report(name, self.frame_count, started, timings)


@contextlib.contextmanager
def output_file(output: str | os.PathLike[str]) -> Iterator[Path]:
    """The local file a render writes for `output`: the path itself, or a temp file uploaded to an
    object URL when the block ends cleanly. Storage failures become `EncodeError` naming the output."""
    try:
        with storage.staged_write(output) as target:  # the same file name: its extension is the format
            yield target
    except storage.StorageError as exc:
        raise EncodeError(f"{output}: {exc}" if str(output) not in str(exc) else str(exc),
                          source=str(output)) from exc  # fmt: skip


def open_writer(
    output: Output,
    fmt: OutputFormat,
    *,
    width: int,
    height: int,
    fps: float,
    frame_count: int | None,
    settings: Any,
    audio: Any = None,
    first_frame: int = 0,
) -> Any:
    """The encoder for `fmt`: a `Muxer` (video containers), `GifWriter` or `ImageSequenceWriter`.

    They take Skia's premultiplied BGRA frames (alpha formats un-premultiply them themselves).
    """
    if fmt.codec == "gif":
        from vfnative.encode.writers import GifWriter

        return GifWriter(output, width=width, height=height, fps=fps, frame_count=frame_count,
                         settings=settings, pixel_format="bgra")  # fmt: skip
    if fmt.kind == "images":
        from vfnative.encode.writers import ImageSequenceWriter

        assert isinstance(output, str | os.PathLike)
        return ImageSequenceWriter(output, width=width, height=height, fps=fps, output_format=fmt,
                                   frame_count=frame_count, settings=settings, pixel_format="bgra",
                                   first_frame=first_frame)  # fmt: skip
    from vfnative.encode.mux import Muxer

    return Muxer(output, width=width, height=height, fps=fps, frame_count=frame_count, settings=settings,
                 pixel_format="bgra",  # Skia's native N32 order: the surface's own pixels, no swizzle
                 audio=audio, first_frame=first_frame, output_format=fmt,
                 deferred_read=True)  # write returns at once; the compositor calls muxer.fence before drawing  # fmt: skip


def chunkable(output: Output, fmt: OutputFormat) -> str | None:
    """None when a render to `output` can be cut into chunks joined without re-encoding (H.264,
    H.265, AV1, VP9 and ProRes files); else why not (a GIF's palette spans the whole render, ...)."""
    if not isinstance(output, str | os.PathLike):
        return "a stream is written by one process"
    video = fmt.video
    if fmt.kind == "audio":
        return "an audio-only output has no frames to share out"
    if fmt.kind == "images":
        return "image sequences are written by one process"
    if fmt.codec == "gif":
        return "a GIF's palette is computed over the whole render"
    if video is None or not video.stitchable:
        return f"{fmt} pieces cannot be joined without re-encoding"
    return None


class _Clock:
    """Per-render stage accumulators (seconds)."""

    __slots__ = ("audio", "encode", "raster", "timeline")

    def __init__(self) -> None:
        self.timeline = 0.0
        self.raster = 0.0
        self.encode = 0.0
        self.audio = 0.0


def _batch_api() -> tuple[Any, Any]:
    """The batch evaluator and scene builder, or (None, None) where the timeline has no batch path."""
    try:
        from vfnative.timeline.evaluate import evaluate, scene_from_block
    except ImportError:
        return None, None
    return evaluate, scene_from_block


def _apply_settings(doc: VideoJSON, settings: RenderSettings) -> VideoJSON:
    """The document at the settings' size and fps (a copy; layout in relative units follows the size)."""
    width, height = settings.output_size(int(doc.width), int(doc.height))
    update: dict[str, Any] = {}
    if settings.encode.alpha:  # transparent output: the background colour is not painted
        update["background_color"] = "transparent"
    if (width, height) != (doc.width, doc.height):
        update["width"] = width
        update["height"] = height
    if settings.fps is not None and settings.fps != doc.fps:
        update["fps"] = settings.fps
    if not update:
        return doc
    from vfnative.model.limits import check_size

    out = doc.model_copy(update=update)
    check_size(out, settings.limits, what=" (with the render settings' size and fps)")
    return out


def _live_layers(layers: Sequence[Layer], prefix: str, *, top: bool) -> Iterator[tuple[str, Layer]]:
    """Layers that can show or sound, depth first, with their DocPaths: top-level layers need
    ``enabled: true``; group children only count as off when ``enabled`` is explicitly false."""
    for i, layer in enumerate(layers):
        settings = layer.settings
        if not (settings.enabled or (not top and "enabled" not in settings.model_fields_set)):
            continue
        path = f"{prefix}[{i}]"
        yield path, layer
        children = getattr(layer, "children", None)
        if children:
            yield from _live_layers(children, f"{path}.children", top=False)
