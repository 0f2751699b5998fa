"""The whole vfnative error tree, and `DocPath` formatting.

    VfnativeError
    ├── DocumentError          invalid VideoJSON (CLI exit 3); `.issues` lists every problem
    │   └── TimecodeError      a time value that cannot be parsed or is out of range
    ├── AssetError             a source or font that cannot be used (exit 4)
    │   ├── FontError
    │   ├── MediaDecodeError
    │   └── MissingAssetError  (also a FileNotFoundError)
    ├── RenderError            a failure while drawing a frame (exit 5)
    │   ├── EffectCompileError
    │   └── RenderCancelled    a cancel token or signal stopped the render (exit 130)
    └── EncodeError            the encoder or the output file failed (exit 6)

Every error carries `path` (a `DocPath` such as ``layers[3].animations[0].keyframes[2].easing``),
`frame` and `source`, each possibly None. Messages read ``<path>: <what is wrong>; got <value>``.
Imports nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AssetError",
    "DocPath",
    "DocumentError",
    "DocumentIssue",
    "EffectCompileError",
    "EncodeError",
    "FontError",
    "MediaDecodeError",
    "MissingAssetError",
    "RenderCancelled",
    "RenderError",
    "TimecodeError",
    "VfnativeError",
    "format_docpath",
]

DocPath = str
"""A dotted/indexed path into the document, e.g. ``layers[2].settings.startTime``."""


def format_docpath(loc: Iterable[str | int]) -> DocPath:
    """Turn a location tuple such as ``("layers", 2, "settings", "startTime")`` into a DocPath."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out or "<document>"


@dataclass(frozen=True)
class DocumentIssue:
    """One problem found in a document: where, and what is wrong."""

    path: DocPath
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class VfnativeError(Exception):
    """Root of every error vfnative raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: DocPath | None = None,
        frame: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.frame = frame
        self.source = source

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, path={self.path!r}, frame={self.frame!r})"

    def to_json(self) -> dict[str, object]:
        """The JSON shape the worker returns: type, path, frame, message."""
        return {"type": type(self).__name__, "path": self.path, "frame": self.frame, "message": self.message}


class DocumentError(VfnativeError, ValueError):
    """The document is not valid VideoJSON; `issues` lists every problem found."""

    def __init__(self, issues: Sequence[DocumentIssue] | str, *, path: DocPath | None = None) -> None:
        if isinstance(issues, str):
            issues = [DocumentIssue(path or "<document>", issues)]
        self.issues: tuple[DocumentIssue, ...] = tuple(issues)
        if len(self.issues) == 1:
            message = str(self.issues[0])
        else:
            lines = "\n".join(f"  {issue}" for issue in self.issues)
            message = f"{len(self.issues)} problems in the document:\n{lines}"
        super().__init__(message, path=self.issues[0].path if self.issues else path)


class TimecodeError(DocumentError):
    """A time value that cannot be parsed or is out of range."""


class AssetError(VfnativeError):
    """A media source or font that cannot be used."""


class FontError(AssetError):
    """A font that cannot be found or loaded."""


class MediaDecodeError(AssetError):
    """A media file that exists but cannot be decoded."""


class MissingAssetError(AssetError, FileNotFoundError):
    """A local media file that does not exist."""


class RenderError(VfnativeError):
    """A failure while drawing a frame."""


class EffectCompileError(RenderError):
    """An effect kernel that could not be built."""


class RenderCancelled(RenderError):
    """The render was stopped by a cancel token, Ctrl-C or SIGTERM."""


class EncodeError(VfnativeError):
    """The encoder or the output file failed (disk full, codec missing, ...)."""
