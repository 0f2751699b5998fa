"""Every media source of one render: resolved, probed, opened and decoded once, failures once.

The library is the media service beside the pipeline (document → timeline → raster → encode):
`api` builds one per render, `prepare` rewrites the document before the timeline is planned, the
compositor asks it for video pictures and the mixer for decoded audio.

**Sources** go through one function, ``resolve(source) -> Path``, that the library is given (the
access policy — allowed roots, ``data:`` URIs, downloads — lives in that function, not here).

**Preparation** (`prepare`) does what the reference does when it initialises layers (spec 01 §2.5,
spec 04 §3.6, §5.2) on a *copy* of the document (the caller's is never changed):

* a video or audio layer whose source is missing or cannot be decoded is disabled for this
  render, visual and audio both, with one warning naming the layer and the source (in strict
  mode the error is raised instead);
* ``sourceEnd`` is resolved against the probed duration M:
  ``sourceDuration = max(0, M − sourceStart − sourceEnd)``, ``mediaDuration = M``, ``sourceEnd``
  removed. The project duration is not recomputed (the reference does not either).

Imports model (to copy layers), the media modules and errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vfnative.errors import AssetError, MediaDecodeError, MissingAssetError
from vfnative.media.cache import DEFAULT_CACHE_BYTES, FrameCache
from vfnative.media.decode import AudioTrack, VideoDecoder, decode_audio
from vfnative.media.probe import MediaInfo, probe

if TYPE_CHECKING:
    from vfnative.model.document import VideoJSON
    from vfnative.model.layers import Layer

__all__ = ["MediaLibrary", "PreparedDocument", "Resolve"]

log = logging.getLogger(__name__)

Resolve = Callable[[str], Path]
"""A document ``source`` string → a local file path; raises AssetError when it may not be used."""

_MEDIA_TYPES = ("video", "audio")


@dataclass(frozen=True)
class PreparedDocument:
    """The document as this render will play it, and what preparing it found."""

    doc: VideoJSON
    warnings: tuple[str, ...]
    """One message per disabled layer, naming the layer and the source."""
    disabled: tuple[str, ...]
    """DocPaths of the layers disabled because their media failed."""


def _remote(source: str) -> bool:
    return "://" in source and not source.startswith("file://")


class MediaLibrary:
    """Media for one render, keyed by the document's source strings.

    Usage::

        media = MediaLibrary(resolve)                   # e.g. SourceResolver(...).resolve
        prepared = media.prepare(doc)                   # disables broken layers, resolves sourceEnd
        video = media.video("media/clip.mp4")           # one VideoDecoder per source, shared
        track = media.audio("media/clip.mp4")           # AudioTrack at 48 kHz, or None (no audio)
        media.close()

    `cache_bytes` bounds the decoded-picture cache shared by every video source.
    """

    def __init__(
        self,
        resolve: Resolve,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        strict: bool = False,
        sample_rate: int = 48_000,
    ) -> None:
        self._resolve = resolve
        self.strict = strict
        """Raise media errors instead of disabling the layer."""
        self.sample_rate = sample_rate
        self.cache = FrameCache(cache_bytes)
        self._paths: dict[str, Path | AssetError] = {}
        self._infos: dict[str, MediaInfo | AssetError] = {}
        self._videos: dict[str, VideoDecoder | AssetError] = {}
        self._audio: dict[str, AudioTrack | None | AssetError] = {}

    def __repr__(self) -> str:
        return f"<MediaLibrary videos={len(self._videos)} audio={len(self._audio)} {self.cache!r}>"

    # ------------------------------------------------------------------ sources

    def path(self, source: str) -> Path:
        """The local file for `source` (resolved once); raises AssetError if it cannot be used."""
        cached = self._paths.get(source)
        if isinstance(cached, AssetError):
            raise cached
        if cached is not None:
            return cached
        try:
            path = self._resolve(source)
            if not path.is_file():
                if _remote(source):
                    raise MediaDecodeError(
                        f"remote source was not fetched (no resolver for it); got {source!r}", source=source
                    )
                raise MissingAssetError(f"media not found: {path}", source=source)
        except AssetError as exc:
            self._paths[source] = exc
            raise
        self._paths[source] = path
        return path

    def info(self, source: str) -> MediaInfo:
        """Duration and streams of `source` (probed once)."""
        return _once(self._infos, source, lambda: probe(self.path(source)))

    def video(self, source: str) -> VideoDecoder:
        """The one decoder of `source`, shared by every layer showing it."""
        return _once(self._videos, source, lambda: VideoDecoder(self.path(source), cache=self.cache))

    def audio(self, source: str) -> AudioTrack | None:
        """The decoded audio of `source` at `sample_rate`; None when it has no audio stream."""
        cached = self._audio.get(source, _MISSING)
        if isinstance(cached, AssetError):
            raise cached
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        try:
            track = decode_audio(self.path(source), rate=self.sample_rate)
        except AssetError as exc:
            self._audio[source] = exc
            raise
        self._audio[source] = track
        return track

    def release_audio(self) -> None:
        """Drop decoded audio (it is only needed while mixing)."""
        self._audio = {k: v for k, v in self._audio.items() if isinstance(v, AssetError)}

    def close(self) -> None:
        """Close every decoder and drop the caches."""
        for decoder in self._videos.values():
            if isinstance(decoder, VideoDecoder):
                decoder.close()
        self._videos.clear()
        self._audio.clear()
        self.cache.clear()

    # ------------------------------------------------------------------ preparation

    def prepare(self, doc: VideoJSON) -> PreparedDocument:
        """Check every video/audio layer's media and resolve ``sourceEnd``; a new document."""
        warnings: list[str] = []
        disabled: list[str] = []
        updates: dict[str, dict[str, Any]] = {}
        for path, layer in _media_layers(doc.layers, "layers", top=True):
            update = self._prepare_layer(path, layer, warnings)
            if update is None:
                continue
            if update.get("enabled") is False:
                disabled.append(path)
            updates[path] = update
        new_doc = doc
        if updates:
            layers, _changed = _rebuild(doc.layers, "layers", updates)
            new_doc = doc.model_copy(update={"layers": layers})
        return PreparedDocument(doc=new_doc, warnings=tuple(warnings), disabled=tuple(disabled))

    def _prepare_layer(self, path: str, layer: Layer, warnings: list[str]) -> dict[str, Any] | None:
        settings = layer.settings
        source = getattr(settings, "source", None)
        if not source:
            return None  # nothing to load: nothing is drawn or heard (the reference's no-op init)
        kind = str(layer.type)
        try:
            if kind == "video":
                duration: float | None = self.video(source).duration
            else:
                info = self.info(source)
                if not info.has_audio:
                    raise MediaDecodeError("the file has no audio stream", source=source)
                duration = info.duration
        except AssetError as exc:
            if self.strict:
                exc.add_note(f"while loading {path} ({kind} layer, source {source!r})")
                raise
            message = f"{path}: {kind} layer disabled: cannot use source {source!r}: {exc}"
            log.debug("%s", message)
            warnings.append(message)
            return {"enabled": False}
        source_end = settings.source_end
        if source_end is None or duration is None or not duration > 0:
            return None
        source_start = float(settings.source_start or 0.0)
        return {
            "source_duration": max(0.0, duration - source_start - float(source_end)),
            "media_duration": duration,
            "source_end": None,
        }


_MISSING = object()
_T = TypeVar("_T")


def _once(table: dict[str, _T | AssetError], source: str, make: Callable[[], _T]) -> _T:
    """`table[source]`, made once; a failure is remembered and raised again."""
    cached = table.get(source)
    if isinstance(cached, AssetError):
        raise cached
    if cached is not None:
        return cached
    try:
        value = make()
    except AssetError as exc:
        table[source] = exc
        raise
    table[source] = value
    return value


def _media_layers(layers: Iterable[Layer], prefix: str, *, top: bool) -> Iterable[tuple[str, Layer]]:
    """Video and audio layers that can show or sound, depth first, with their DocPaths.

    Top-level layers need ``enabled: true``; group children are skipped only when ``enabled`` is
    explicitly false (their audio plays without the key, spec 04 §1.3), so they are checked too.
    """
    for i, layer in enumerate(layers):
        path = f"{prefix}[{i}]"
        settings = layer.settings
        live = bool(settings.enabled) or (not top and "enabled" not in settings.model_fields_set)
        if not live:
            continue
        if str(layer.type) in _MEDIA_TYPES:
            yield path, layer
        children = getattr(layer, "children", None)
        if children:
            yield from _media_layers(children, f"{path}.children", top=False)


def _rebuild(
    layers: list[Layer], prefix: str, updates: dict[str, dict[str, Any]]
) -> tuple[list[Layer], bool]:
    """`layers` with the settings updates applied (copies only along changed paths)."""
    out: list[Layer] = []
    changed = False
    for i, layer in enumerate(layers):
        path = f"{prefix}[{i}]"
        new = layer
        update = updates.get(path)
        if update:
            new = new.model_copy(update={"settings": new.settings.model_copy(update=update)})
        children = getattr(new, "children", None)
        if children:
            kids, kids_changed = _rebuild(children, f"{path}.children", updates)
            if kids_changed:
                new = new.model_copy(update={"children": kids})
        changed = changed or new is not layer
        out.append(new)
    return out, changed
