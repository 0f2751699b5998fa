"""CancelToken and the ProgressCallback protocol."""

from __future__ import annotations

import threading

import vfnative


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


def test_any_three_argument_callable_is_a_progress_callback() -> None:
    def show(stage: str, done: int, total: int) -> None:
        pass

    assert isinstance(show, vfnative.ProgressCallback)
