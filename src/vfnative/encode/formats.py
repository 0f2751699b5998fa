"""Output formats: which file kinds vfnative writes, chosen by the output's name and `--codec`.

Owns the table of containers and codecs and the one check every render entry point makes before
any work starts (`resolve_output`): an output name whose format vfnative cannot honour is a usage
error (`ValueError`, exit 2 in the CLI), never a file of another kind under that name.

Imports only the standard library (the CLI and the api check names without loading PyAV).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

__all__ = ["CONTAINERS", "Container", "OutputFormat", "resolve_output", "supported_names"]

Kind = Literal["video", "images", "audio"]


@dataclass(frozen=True)
class Container:
    """One kind of output file: its container (FFmpeg muxer) and the codecs it may carry."""

    name: str
    """Short name used in messages, e.g. ``mp4``."""
    kind: Kind
    extensions: tuple[str, ...]
    """Lower-case extensions (with the dot) that select it."""
    muxer: str
    """FFmpeg muxer name."""
    codecs: tuple[str, ...]
    """`--codec` values it can carry; the first is the default."""


CONTAINERS: tuple[Container, ...] = (Container("mp4", "video", (".mp4",), "mp4", ("h264",)),)
"""Every output kind vfnative writes."""


@dataclass(frozen=True)
class OutputFormat:
    """What a render writes: the container and codec chosen for one output."""

    container: Container
    codec: str

    @property
    def kind(self) -> Kind:
        return self.container.kind

    def __str__(self) -> str:
        return f"{self.container.name}/{self.codec}"


def supported_names() -> str:
    """The extensions vfnative writes, for messages: ``.mp4``."""
    return ", ".join(ext for c in CONTAINERS for ext in c.extensions)


_PATTERN = re.compile(r"%0?\d*d")


def resolve_output(output: str | os.PathLike[str], *, codec: str | None = None) -> OutputFormat:
    """The format `output` will be written in, by its extension (and `codec` when given).

    Raises ValueError naming the output and what is supported when the extension (or the codec for
    it) is one vfnative cannot write: checked before any work starts, so nothing is written.
    """
    text = os.fspath(output)
    name = PurePath(text).name
    ext = PurePath(text).suffix.lower()
    if _PATTERN.search(name):
        raise ValueError(
            f"output: {text!r} is an image-sequence pattern; vfnative does not write image sequences "
            f"(supported: {supported_names()})"
        )
    for container in CONTAINERS:
        if ext in container.extensions:
            break
    else:
        shown = f"the extension {ext!r}" if ext else "no extension"
        raise ValueError(
            f"output: {text!r} has {shown}, which vfnative cannot write (supported: {supported_names()})"
        )
    chosen = container.codecs[0] if codec is None else codec.lower()
    if chosen not in container.codecs:
        raise ValueError(
            f"codec: {container.name} output carries {', '.join(container.codecs)}; got {codec!r}"
        )
    return OutputFormat(container, chosen)
