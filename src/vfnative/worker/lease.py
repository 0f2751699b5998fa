"""Running one piece of a job under a lease: claim, heartbeat, progress, and what each outcome means.

`run_piece` is the frame every farm task shares. It claims the piece's lease (or skips: the piece is
done, another live attempt holds it, or the job has ended), starts a `Heartbeat` thread that renews the
lease every ``lease_s / 4`` seconds and cancels the render when the lease is lost or the job ends, runs
the task's body, and then:

* success → the piece is marked done; the last chunk/audio piece to finish dispatches the stitch;
* `DocumentError` / `AssetError` → the job fails at once with the error's JSON; never retried;
* any other error → the piece is dispatched again, until `max_attempts`, then the job fails with it;
* the worker is draining (SIGTERM: `JobStore.set_draining`) → the heartbeat estimates the time left;
  a piece that would not finish before the deadline is cancelled and handed back at once.

Imports the standard library, `errors` and the job store; nothing from Celery.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vfnative.errors import AssetError, DocumentError, RenderCancelled, VfnativeError
from vfnative.worker.jobs import JobStore, Message

__all__ = ["Heartbeat", "PieceRun", "error_json", "run_piece"]

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
"""Progress is written at most twice a second (STYLE: worker progress)."""
DRAIN_MARGIN_S = 2.0
"""A draining worker finishes a piece only if it expects to be done this long before its deadline."""


def error_json(exc: BaseException) -> dict[str, Any]:
    """``{"type", "path", "frame", "message"}`` for any exception (a bug gets its type name and text)."""
    if isinstance(exc, VfnativeError):
        return exc.to_json()
    return {"type": type(exc).__name__, "path": None, "frame": None, "message": str(exc) or repr(exc)}


class Heartbeat(threading.Thread):
    """Renews a piece's lease until stopped; sets `cancel` (and `reason`) when this attempt must stop."""

    def __init__(self, store: JobStore, job: str, piece: str, attempt: int, holder: str) -> None:
        super().__init__(name=f"vfnative-lease-{piece}", daemon=True)
        self.store, self.job, self.piece, self.attempt, self.holder = store, job, piece, attempt, holder
        self.interval = store.lease_ms / 4000
        self.cancel = threading.Event()
        """Set when the lease was lost, the job ended, or the piece is handed back (`reason` says which):
        the render checks it before each frame."""
        self.reason: str | None = None
        self.started = time.monotonic()
        self.done, self.total = 0, 0
        """Frames rendered of this piece so far (`PieceRun.progress`), for the time-left estimate."""
        self._stop_event = threading.Event()

    def seconds_left(self) -> float | None:
        """Estimated seconds until this piece is rendered (None: nothing rendered yet to judge by)."""
        if self.done <= 0 or self.total <= 0:
            return None
        return (time.monotonic() - self.started) / self.done * max(0, self.total - self.done)

    def _drain(self, deadline: float) -> bool:
        """The worker is shutting down by `deadline`: True to hand the piece back now (it would not
        finish in time, with a margin for the last steps), False to finish it."""
        left = self.seconds_left()
        return left is None or time.time() + left + DRAIN_MARGIN_S > deadline

    def run(self) -> None:
        failures = 0
        while not self._stop_event.wait(self.interval):
            try:
                outcome = self.store.refresh(self.job, self.piece, self.attempt, self.holder)
                failures = 0
            except Exception:  # Redis away for a moment: keep rendering, the lease may survive
                failures += 1
                log.warning("lease renewal for %s/%s failed (%d in a row)", self.job, self.piece, failures,
                            exc_info=failures == 1)  # fmt: skip
                continue
            if outcome.startswith("drain:"):
                if not self._drain(float(outcome.split(":", 1)[1])):
                    continue
                outcome = "handback"
            if outcome != "ok":
                self.reason = outcome
                self.cancel.set()
                log.info("%s/%s attempt %d stops: %s", self.job, self.piece, self.attempt, outcome)
                return

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)


@dataclass
class PieceRun:
    """What a task body gets: the piece's identity and spec, the job's record, cancel and progress."""

    store: JobStore
    job: str
    piece: str
    attempt: int
    holder: str
    spec: dict[str, Any]
    meta: dict[str, str]
    heartbeat: Heartbeat
    report_state: Callable[[dict[str, Any]], None] | None = None
    """Called with ``{"job", "piece", "done", "total"}`` (the task's update_state), at most twice a second."""
    _last: float = field(default=0.0, repr=False)

    @property
    def cancel(self) -> threading.Event:
        return self.heartbeat.cancel

    def still_mine(self) -> bool:
        """Renew the lease now (not at the next heartbeat): False, and `cancel` set, when this attempt
        must not publish its output (the job ended or was cancelled, or the lease went elsewhere)."""
        if self.cancel.is_set():
            return self.heartbeat.reason == "handback"
        try:
            outcome = self.store.refresh(self.job, self.piece, self.attempt, self.holder)
        except Exception:  # Redis away: the heartbeat decides, as for the rest of the render
            return True
        if outcome == "ok" or outcome.startswith("drain:"):
            return True
        self.heartbeat.reason = outcome
        self.cancel.set()
        return False

    def progress(self, stage: str, done: int, total: int) -> None:
        """A `ProgressCallback`: frames done of this piece, written at most twice a second."""
        if stage == "render":
            self.heartbeat.done, self.heartbeat.total = done, total
        now = time.monotonic()
        final = stage == "render" and done >= total
        if stage != "render" or (not final and now - self._last < PROGRESS_INTERVAL_S):
            return
        self._last = now
        try:
            self.store.set_progress(self.job, self.piece, done)
        except Exception:  # progress is best effort
            log.debug("progress write failed", exc_info=True)
        if self.report_state is not None:
            self.report_state({"job": self.job, "piece": self.piece, "done": done, "total": total})


def run_piece(
    message: Message,
    store: JobStore,
    holder: str,
    body: Callable[[PieceRun], dict[str, Any]],
    *,
    report_state: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Claim the piece named in `message`, run `body` under a heartbeat and record the outcome (JSON)."""
    job, piece, attempt = str(message["job"]), str(message["piece"]), int(message["attempt"])
    head = {"job": job, "piece": piece, "attempt": attempt}
    claimed = store.claim(job, piece, attempt, holder)
    if claimed != "ok":
        return {**head, "skipped": claimed}
    heartbeat = Heartbeat(store, job, piece, attempt, holder)
    heartbeat.start()
    run = PieceRun(store, job, piece, attempt, holder, store.piece(job, piece), store.meta(job), heartbeat,
                   report_state)  # fmt: skip
    started = time.perf_counter()
    try:
        result = body(run)
    except BaseException as exc:
        heartbeat.stop()
        if heartbeat.cancel.is_set():  # lost the lease or the job ended: someone else owns the outcome
            if (heartbeat.reason or "").startswith("job:"):
                store.cleanup(job)  # the job ended (failed, cancelled) while this piece ran: its folder goes
            elif heartbeat.reason == "handback":  # this worker is shutting down: another one starts it now
                store.event(job, piece, "handed-back", attempt=attempt, holder=holder)
                store.dispatch(job, piece, mode="handback")
            return {**head, "skipped": heartbeat.reason or "cancelled"}
        if isinstance(exc, RenderCancelled) or not isinstance(exc, Exception):
            raise  # a worker shutdown or signal: the message is redelivered or the lease expires
        err = error_json(exc)
        if isinstance(exc, (DocumentError, AssetError)):
            store.fail(job, err)  # the document or its media is wrong: no retry can help
            return {**head, "error": err}
        log.error("%s/%s attempt %d failed: %s", job, piece, attempt, "".join(
            traceback.format_exception_only(type(exc), exc)).strip())  # fmt: skip
        log.debug("traceback", exc_info=True)
        store.event(job, piece, "error", attempt=attempt, error=err)
        if attempt >= store.max_attempts:
            store.fail(job, err)
        else:
            store.dispatch(job, piece, mode="again")
        return {**head, "error": err}
    heartbeat.stop()
    # The body finished, so its file is complete and in place: record it even if the lease was lost
    # meanwhile (a duplicate attempt writes the same file under the same name).
    outcome = store.complete(job, piece, frames=int(result.get("frames", 0)))
    if outcome == "all":
        store.dispatch(job, "stitch", mode="new")
    return {**head, **result, "seconds": round(time.perf_counter() - started, 3)}
