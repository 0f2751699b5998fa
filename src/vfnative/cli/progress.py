"""Terminal presentation: a ProgressCallback drawn with rich.progress, and RichHandler logging.

The bar is transient (it disappears when done) and disabled when stderr is not a terminal, so logs
and CI output stay clean. Log lines print above the bar. Imports rich and the standard library only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

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

__all__ = ["RichProgress", "setup_logging"]

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


def setup_logging(console: Console, *, verbose: bool) -> Callable[[], None]:
    """Route vfnative's (and, when verbose, FFmpeg's) log records to `console`; returns an undo function.

    Library code only logs through stdlib `logging`; this is the one place that decides how it looks.
    """
    handler = RichHandler(
        console=console, show_time=False, show_path=False, markup=False, rich_tracebacks=False
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
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
