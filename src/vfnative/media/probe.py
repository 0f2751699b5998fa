"""What a media file holds, read from the container header without decoding (spec 04 §5.4).

`probe_duration` is the container duration ffprobe reports as ``format.duration`` (what the
reference's compiler and the browser's ``media.duration`` use to resolve ``sourceEnd``).
`probe` adds the streams. Sizes here are coded sizes; the display size (pixel aspect, rotation)
needs a decoded picture and comes from `VideoDecoder`. Imports av and errors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import av

from vfnative.errors import MediaDecodeError, MissingAssetError

__all__ = ["MediaInfo", "probe", "probe_duration"]


@dataclass(frozen=True)
class MediaInfo:
    """A media file's duration and streams (the first video and first audio stream)."""

    path: Path
    duration: float | None
    """Seconds, > 0; None when the container does not know it."""
    has_video: bool
    has_audio: bool
    width: int = 0
    """Coded width of the first video stream (0 without video)."""
    height: int = 0
    fps: float | None = None
    """Average frame rate of the first video stream, if known."""
    audio_channels: int = 0
    sample_rate: int = 0


def _duration(container: av.container.InputContainer) -> float | None:
    if container.duration and container.duration > 0:
        return float(container.duration) / 1_000_000
    for stream in container.streams:
        if stream.duration and stream.time_base and stream.duration > 0:
            return float(stream.duration * stream.time_base)
    return None


def probe(path: str | Path) -> MediaInfo:
    """Open `path` and describe it; MissingAssetError if absent, MediaDecodeError if unreadable."""
    path = Path(path)
    if not path.exists():
        raise MissingAssetError(f"media not found: {path}", source=str(path))
    try:
        with av.open(str(path)) as container:
            info = MediaInfo(path=path, duration=_duration(container), has_video=False, has_audio=False)
            fields: dict[str, object] = {}
            if container.streams.video:
                vs = container.streams.video[0]
                rate = vs.average_rate or vs.guessed_rate
                fields.update(
                    has_video=True,
                    width=int(vs.codec_context.width or 0),
                    height=int(vs.codec_context.height or 0),
                    fps=float(rate) if rate else None,
                )
            if container.streams.audio:
                aus = container.streams.audio[0]
                fields.update(
                    has_audio=True,
                    audio_channels=int(aus.codec_context.channels or 0),
                    sample_rate=int(aus.codec_context.sample_rate or 0),
                )
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaDecodeError(f"cannot read media: {exc}", source=str(path)) from exc
    return replace(info, **fields)  # type: ignore[arg-type]


def probe_duration(path: str | Path) -> float:
    """Container duration in seconds (ffprobe's format.duration), > 0, or MediaDecodeError."""
    info = probe(path)
    if info.duration is None:
        raise MediaDecodeError("media has no known duration", source=str(path))
    return info.duration
