"""CancelToken and the ProgressCallback protocol."""

from __future__ import annotations

import threading
from pathlib import Path

import vfnative

from .conftest import tiny_document


def test_cancel_token() -> None:
    token = vfnative.CancelToken()
    assert not token.is_set()
    assert repr(token) == "<CancelToken active>"
    threading.Thread(target=token.cancel).start()
    for _ in range(100):
        if token.is_set():
            break
        threading.Event().wait(0.01)
    assert token.is_set()
    assert repr(token) == "<CancelToken cancelled>"


def test_any_three_argument_callable_is_a_progress_callback(tmp_path: Path) -> None:
    """A plain function and a callable object both receive (stage: str, done: int, total: int), frame by
    frame, then the finish stage (isinstance against the Protocol only checks for `__call__`)."""
    seen: list[tuple[object, ...]] = []

    def show(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))

    class Bar:
        def __init__(self) -> None:
            self.calls: list[tuple[object, ...]] = []

        def __call__(self, stage: str, done: int, total: int) -> None:
            self.calls.append((stage, done, total))

    bar = Bar()
    vfnative.render(tiny_document(duration=0.2), tmp_path / "a.mp4", on_progress=show)
    vfnative.render(tiny_document(duration=0.2), tmp_path / "b.mp4", on_progress=bar)
    assert bar.calls == seen
    assert all(type(s) is str and type(d) is int and type(t) is int for s, d, t in seen)
    render = [(d, t) for s, d, t in seen if s == "render"]
    assert render[-1] == (6, 6)  # round(0.2 s · 30 fps) frames
    assert [d for d, _ in render] == sorted(d for d, _ in render)
    assert seen[-1] == ("finish", 1, 1)
    assert {s for s, _, _ in seen} == {"render", "finish"}
