"""Terminal presentation: a ProgressCallback drawn with rich.progress, and how log records look.

The bar is transient (it disappears when done) and disabled when stderr is not a terminal, so logs
and CI output stay clean. Log lines print above the bar. Records are shown three ways:

* stderr is a terminal: rich's `RichHandler` (coloured level, wrapped to the terminal's width);
* stderr is a file or a pipe: one line per record, ``WARNING: <message>``, never wrapped, so a
  log collector or `grep` sees one message per line;
* ``--log-format json``: one JSON object per line, ``{"level", "message", "path", "layer",
  "frame"}``; `path` is the document path the message starts with (`layers[2].settings.speed`),
  `layer` its layer part (`layers[2]`), `frame` the frame number when the record carries one
  (``extra={"frame": n}``), else null.

Imports rich and the standard library only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["LOG_FORMATS", "JsonLineFormatter", "RichProgress", "message_fields", "setup_logging"]

LOG_FORMATS = ("text", "json")

_DOC_PATH = re.compile(r"(<document>|[A-Za-z_][\w-]*(?:\[\d+\])*(?:\.[A-Za-z_][\w-]*(?:\[\d+\])*)*): ")
"""A message that starts with a document path: `layers[0].children[2].properties.fill: ...`."""
_LAYER = re.compile(r"layers\[\d+\](?:\.children\[\d+\])*")

_STAGE_LABELS = {"render": "Rendering", "finish": "Finishing"}


class RichProgress:
    """Adapts ``on_progress(stage, done, total)`` to a rich progress bar, one task per stage.

    Usage::

        with RichProgress(console, enabled=console.is_terminal) as progress:
            renderer.render_video(out, on_progress=progress)
    """

    def __init__(self, console: Console, *, enabled: bool, label: str = "") -> None:
        self._label = label
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not enabled,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self._tasks.get(stage)
        if task is None:
            description = _STAGE_LABELS.get(stage, stage.capitalize())
            if self._label:
                description = f"{description} {self._label}"
            task = self._progress.add_task(description, total=total)
            self._tasks[stage] = task
        self._progress.update(task, completed=done, total=total)


def message_fields(message: str, *, path: str | None = None, frame: int | None = None) -> dict[str, Any]:
    """`path`, `layer` and `frame` of a message: given, or read from the document path it starts with."""
    if path is None:
        match = _DOC_PATH.match(message)
        if match is not None and (match.group(1) == "<document>" or _looks_like_path(match.group(1))):
            path = match.group(1)
    layer = None
    if path is not None:
        found = _LAYER.match(path)
        layer = found.group(0) if found else None
    return {"path": path, "layer": layer, "frame": frame}


def _looks_like_path(text: str) -> bool:
    """A document path (`layers[0].type`, `meta`), not a leading word such as `Error` or `WARNING`:
    document keys are camelCase, so a lone word must start in lower case."""
    return "[" in text or "." in text or text[:1].islower()


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: level, message, path, layer, frame (and the logger's name)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{self.formatException(record.exc_info)}"
        fields = message_fields(
            message, path=getattr(record, "path", None), frame=getattr(record, "frame", None)
        )
        obj = {"level": record.levelname.lower(), "message": message, **fields, "logger": record.name}
        return json.dumps(obj, ensure_ascii=False, default=str)


class _OneLineFormatter(logging.Formatter):
    """``LEVEL: message`` on one line (a multi-line message is joined with `` | ``)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return " | ".join(line for line in text.splitlines() if line.strip()) or text


def setup_logging(console: Console, *, verbose: bool, log_format: str = "text") -> Callable[[], None]:
    """Route vfnative's (and, when verbose, FFmpeg's) log records to `console`; returns an undo function.

    Library code only logs through stdlib `logging`; this is the one place that decides how it looks
    (see the module docstring for the three forms).
    """
    handler: logging.Handler
    if log_format == "json":
        handler = logging.StreamHandler(_stream(console))
        handler.setFormatter(JsonLineFormatter())
    elif console.is_terminal:
        handler = RichHandler(
            console=console, show_time=False, show_path=False, markup=False, rich_tracebacks=False
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(_stream(console))
        handler.setFormatter(_OneLineFormatter("%(levelname)s: %(message)s"))
    level = logging.DEBUG if verbose else logging.WARNING
    names = ["vfnative", "libav"] if verbose else ["vfnative"]
    saved: list[tuple[logging.Logger, int, bool]] = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False

    def undo() -> None:
        for logger, old_level, old_propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate

    return undo


def _stream(console: Console) -> IO[str]:
    return console.file
