"""Progress reporting and cancellation: a callback Protocol and a cancel token. No UI here.

Progress is data, not logging: the render calls ``on_progress(stage, done, total)`` on the calling
thread, and front ends (the CLI's rich bar, a worker's task state) decide how to show it.
Imports the standard library only.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

__all__ = ["CancelToken", "ProgressCallback"]


@runtime_checkable
class ProgressCallback(Protocol):
    """Anything callable as ``(stage, done, total)``.

    `stage` is ``"render"`` (frames drawn and queued for the encoder) or ``"finish"`` (flushing the
    encoder and writing the file); `done` counts up to `total` within a stage.
    """

    def __call__(self, stage: str, done: int, total: int) -> None: ...


class CancelToken:
    """A thread-safe flag that stops a render: ``cancel()`` from any thread or a signal handler.

    The render checks it before each frame and before finishing the file, then raises
    `RenderCancelled` and leaves no output behind. Any object with ``is_set()`` (a `threading.Event`)
    works in its place.
    """

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the render to stop at the next check."""
        self._event.set()

    def is_set(self) -> bool:
        """True once `cancel()` was called."""
        return self._event.is_set()

    def __repr__(self) -> str:
        return f"<CancelToken {'cancelled' if self.is_set() else 'active'}>"
