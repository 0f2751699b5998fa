"""Output formats: which file kinds vfnative writes, chosen by the output's name and `--codec`.

Owns the table of containers and codecs and the one check every render entry point makes before
any work starts (`resolve_output`): an output name, codec, pixel format or transparency request that
vfnative cannot honour is a usage error (`ValueError`, exit 2 in the CLI), never a file of another
kind under that name and never a silently flattened picture.

Imports only the standard library and settings (the CLI and the api check names without PyAV).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from vfnative.settings import EncodeSettings

__all__ = [
    "CODECS",
    "CONTAINERS",
    "AUDIO_CODECS",
    "Codec",
    "Container",
    "OutputFormat",
    "alpha_formats",
    "resolve_output",
    "supported_names",
]

Kind = Literal["video", "images", "audio"]


@dataclass(frozen=True)
class Codec:
    """A picture codec: its FFmpeg encoder and the pixel formats vfnative encodes it in."""

    name: str
    encoder: str
    pix_fmts: tuple[str, ...]
    """Accepted `EncodeSettings.pix_fmt` values; the first is the default."""
    alpha_pix_fmt: str | None = None
    """The pixel format that carries alpha, if the codec can."""
    stitchable: bool = False
    """Pieces of one render join without re-encoding (closed GOPs starting with a keyframe)."""
    bt601: bool = False
    """The format defines its YUV as BT.601 (WebP, JPEG), so RGB is converted with that matrix and the
    stream is not tagged BT.709."""


CODECS: dict[str, Codec] = {
    "h264": Codec("h264", "libx264", ("yuv420p",), stitchable=True),
    "h265": Codec("h265", "libx265", ("yuv420p", "yuv420p10le"), stitchable=True),
    "av1": Codec("av1", "libsvtav1", ("yuv420p", "yuv420p10le"), stitchable=True),
    "vp9": Codec("vp9", "libvpx-vp9", ("yuv420p",), "yuva420p", stitchable=True),
    "prores": Codec("prores", "prores_ks", ("yuv422p10le", "yuv444p10le"), "yuva444p10le", stitchable=True),
    "gif": Codec("gif", "gif", ("pal8",)),
    "webp": Codec("webp", "libwebp_anim", ("yuv420p",), "yuva420p", bt601=True),
}
"""Video codecs."""

IMAGE_CODECS: dict[str, Codec] = {
    "png": Codec("png", "png", ("rgb24",), "rgba"),
    "jpeg": Codec("jpeg", "mjpeg", ("yuvj420p",), bt601=True),
    "webp": Codec("webp", "libwebp", ("yuv420p",), "yuva420p", bt601=True),
}
"""Codecs of image sequences (one file per frame)."""

AUDIO_CODECS: dict[str, str] = {
    "aac": "aac",
    "opus": "libopus",
    "mp3": "libmp3lame",
    "flac": "flac",
    "pcm": "pcm_s16le",
}
"""Audio codec name → FFmpeg encoder."""


@dataclass(frozen=True)
class Container:
    """One kind of output file: its container (FFmpeg muxer) and the codecs it may carry."""

    name: str
    """Short name used in messages, e.g. ``mp4``."""
    kind: Kind
    extensions: tuple[str, ...]
    """Lower-case extensions (with the dot) that select it."""
    muxer: str
    """FFmpeg muxer name (image sequences: none, vfnative writes the files)."""
    codecs: tuple[str, ...]
    """`--codec` values it can carry; the first is the default."""
    audio: str | None = None
    """Audio codec of the document's sound in this container (None: the sound is not written)."""
    streamable: bool = False
    """Can be written to a pipe (``-o -``): fragmented MP4, WebM, MP3, Ogg Opus."""


CONTAINERS: tuple[Container, ...] = (
    Container("mp4", "video", (".mp4", ".m4v"), "mp4", ("h264", "h265", "av1"), "aac", streamable=True),
    Container("mov", "video", (".mov",), "mov", ("prores", "h264", "h265"), "aac"),
    Container("webm", "video", (".webm",), "webm", ("vp9", "av1"), "opus", streamable=True),
    Container("gif", "video", (".gif",), "gif", ("gif",)),
    Container("webp", "video", (".webp",), "webp", ("webp",)),
    Container("png sequence", "images", (".png",), "", ("png",)),
    Container("jpeg sequence", "images", (".jpg", ".jpeg"), "", ("jpeg",)),
    Container("webp sequence", "images", (".webp",), "", ("webp",)),
    Container("wav", "audio", (".wav",), "wav", ("pcm",)),
    Container("m4a", "audio", (".m4a",), "ipod", ("aac",)),
    Container("mp3", "audio", (".mp3",), "mp3", ("mp3",), streamable=True),
    Container("opus", "audio", (".opus",), "ogg", ("opus",), streamable=True),
    Container("flac", "audio", (".flac",), "flac", ("flac",)),
)
"""Every output kind vfnative writes (README "Output formats")."""


@dataclass(frozen=True)
class OutputFormat:
    """What a render writes: the container, the codec and the pixel format chosen for one output."""

    container: Container
    codec: str
    pix_fmt: str | None
    """Encoder pixel format (None for audio-only outputs)."""
    alpha: bool = False
    """Whether alpha is encoded (the picture is straight RGBA, not composited over black)."""
    pipe: bool = False
    """Written to a non-seekable stream (fragmented MP4, WebM, ...)."""

    @property
    def kind(self) -> Kind:
        return self.container.kind

    @property
    def video(self) -> Codec | None:
        """The picture codec (None for audio-only outputs)."""
        if self.kind == "images":
            return IMAGE_CODECS[self.codec]
        return CODECS.get(self.codec) if self.kind == "video" else None

    @property
    def audio_encoder(self) -> str | None:
        """FFmpeg encoder of the sound (None: the output carries none)."""
        if self.kind == "audio":
            return AUDIO_CODECS[self.codec]
        return AUDIO_CODECS[self.container.audio] if self.container.audio else None

    def __str__(self) -> str:
        return f"{self.container.name}/{self.codec}"


def supported_names() -> str:
    """The output names vfnative writes, for messages."""
    names = [ext for c in CONTAINERS if c.kind != "images" for ext in c.extensions]
    return ", ".join(names) + ", frames/%05d.png|.jpg|.webp"


def alpha_formats() -> str:
    """The outputs that carry alpha, for messages."""
    return (
        ".mov (ProRes 4444), .webm (VP9, yuva420p), .webp (animated), "
        "frames/%05d.png and frames/%05d.webp sequences"
    )


_PATTERN = re.compile(r"%0?\d*d")
_BY_CODEC = {"h264": "mp4", "h265": "mp4", "av1": "mp4", "vp9": "webm", "prores": "mov", "gif": "gif",
             "webp": "webp", "aac": "m4a", "mp3": "mp3", "opus": "opus", "flac": "flac", "pcm": "wav"}  # fmt: skip
"""The container a codec is written in when the output has no name (a file object or ``-``)."""


def _container_named(name: str) -> Container:
    return next(c for c in CONTAINERS if c.name == name)


def resolve_output(
    output: str | os.PathLike[str] | None, settings: EncodeSettings | None = None, *, pipe: bool = False
) -> OutputFormat:
    """The format `output` will be written in: by its extension, `settings.codec`, `alpha`, `pix_fmt`.

    `output` None (or ``"-"``) means a file object or stdout: the codec alone picks the container
    (h264 → MP4); `pipe` says the stream cannot seek, which only streamable containers allow.
    Raises ValueError naming the field and what is supported when vfnative cannot honour the
    request: checked before any work starts, so nothing is written.
    """
    s = settings or EncodeSettings()
    text = "-" if output is None else os.fspath(output)
    if text == "-":
        container = _container_named(_BY_CODEC[s.codec or "h264"])
        if pipe and not container.streamable:
            streamable = ", ".join(c.name for c in CONTAINERS if c.streamable)
            raise ValueError(
                f"output: {container.name} cannot be written to a pipe (it needs to seek); "
                f"streamable: {streamable} (--codec h264/h265/av1, vp9, mp3, opus)"
            )
    else:
        container = _container_for(text)
    chosen = container.codecs[0] if s.codec is None else s.codec
    if chosen not in container.codecs:
        raise ValueError(
            f"codec: {container.name} output carries {', '.join(container.codecs)}; got {s.codec!r}"
        )
    _check_rate_control(s, container, chosen)
    if container.kind == "audio":
        if s.alpha:
            raise ValueError(
                f"transparent: {container.name} is audio only; formats with alpha: {alpha_formats()}"
            )
        if s.pix_fmt is not None:
            raise ValueError(f"pix_fmt: {container.name} is audio only; got {s.pix_fmt!r}")
        return OutputFormat(container, chosen, None, pipe=pipe)
    codec = IMAGE_CODECS[chosen] if container.kind == "images" else CODECS[chosen]
    if s.alpha and codec.alpha_pix_fmt is None:
        raise ValueError(
            f"transparent: {container.name}/{chosen} cannot carry alpha; formats with alpha: {alpha_formats()}"
        )
    accepted = (*codec.pix_fmts, *((codec.alpha_pix_fmt,) if codec.alpha_pix_fmt else ()))
    if s.pix_fmt is not None and s.pix_fmt not in accepted:
        raise ValueError(
            f"pix_fmt: {container.name}/{chosen} accepts {', '.join(accepted)}; got {s.pix_fmt!r}"
        )
    pix_fmt = codec.alpha_pix_fmt if s.alpha else s.pix_fmt or codec.pix_fmts[0]
    return OutputFormat(
        container, chosen, pix_fmt, alpha=s.alpha or pix_fmt == codec.alpha_pix_fmt, pipe=pipe
    )


_CRF_CODECS = frozenset({"h264", "h265", "av1", "vp9", "webp"})
_BITRATE_CODECS = frozenset({"h264", "h265", "av1", "vp9"})


def _check_rate_control(s: EncodeSettings, container: Container, codec: str) -> None:
    """`crf`, `bitrate` and `lossless` only where the encoder has them: never silently ignored."""
    if s.crf is not None and codec not in _CRF_CODECS:
        raise ValueError(
            f"crf: {container.name}/{codec} has no quality factor (crf: {', '.join(sorted(_CRF_CODECS))})"
        )
    if s.bitrate is not None and codec not in _BITRATE_CODECS:
        raise ValueError(
            f"bitrate: {container.name}/{codec} has no target bitrate (bitrate: {', '.join(sorted(_BITRATE_CODECS))})"
        )
    if s.lossless and codec != "h264":
        raise ValueError(f"lossless: x264's lossless mode is for h264; got {container.name}/{codec}")


def _container_for(text: str) -> Container:
    name = PurePath(text).name
    ext = PurePath(text).suffix.lower()
    sequence = bool(_PATTERN.search(name))
    for container in CONTAINERS:
        if ext in container.extensions and sequence == (container.kind == "images"):
            return container
    if sequence:
        raise ValueError(
            f"output: {text!r} is an image-sequence pattern with {ext or 'no extension'!r}; "
            "sequences are written as .png, .jpg or .webp (e.g. frames/%05d.png)"
        )
    if ext in (".png", ".jpg", ".jpeg"):
        raise ValueError(
            f"output: {text!r} is a single image; write a sequence with a pattern such as "
            f"frames/%05d{ext}, or one frame with `vfnative frames`"
        )
    shown = f"the extension {ext!r}" if ext else "no extension"
    raise ValueError(
        f"output: {text!r} has {shown}, which vfnative cannot write (supported: {supported_names()})"
    )
