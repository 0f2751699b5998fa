"""The render farm's Celery app: ``celery -A vfnative.worker.app worker`` (or ``vfnative worker``).

Delivery settings (STYLE, spec 05 §6.1): JSON only; ``worker_prefetch_multiplier = 1`` and
``task_acks_late`` so a message is acknowledged only after its piece is recorded, and a worker holds
no more messages than it has processes; a Redis ``visibility_timeout`` longer than the longest render
(`WorkerConfig.visibility_timeout_s`), so Celery never starts a second copy of a render that is still
running. Lost work is found by leases instead (`vfnative.worker.jobs`): each worker's main process
runs a `Sweeper` thread that re-dispatches pieces whose lease expired, and claims the lease of every
farm message it reserves (``task_received``) so a piece is covered from the moment a worker holds it.

The module-level `app` is configured from the environment (``VFNATIVE_BROKER`` ...); `configure`
re-points it (the CLI's ``--broker``). Imports celery, redis and the worker's own modules.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from typing import Any

import redis
from celery import Celery, signals
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from vfnative import storage
from vfnative.worker.config import WorkerConfig
from vfnative.worker.jobs import TASK_NAMES, JobStore, Message

__all__ = ["Farm", "Sweeper", "app", "configure", "create_app", "farm"]

log = logging.getLogger(__name__)

_TASKS = frozenset(TASK_NAMES.values())
LOST_CHECK_S = 10.0
"""How often (at most, farm-wide) the broker's queues are scanned for queued pieces whose message was
lost (`JobStore.find_lost`: a Redis restart at the wrong moment)."""
_LOST_CHECK_LOCK = "vfnative:lost-check"
_REDIS_RETRIES = 40
"""A worker's job-store commands retry for about a minute (2 s apart at most) while Redis is away."""
_CLIENT_RETRIES = 6


class Farm:
    """One process's handle on the farm: its config, Redis client and `JobStore` (rebuilt after a fork)."""

    def __init__(self, app: Celery, config: WorkerConfig, *, client: bool = False) -> None:
        self.app = app
        self.config = config
        self.retries = _CLIENT_RETRIES if client else _REDIS_RETRIES
        """Redis commands retry this many times (backing off to 2 s): a worker waits out a Redis restart
        (about a minute); a client (submit, status) gives up after about 3 s."""
        self._store: JobStore | None = None
        self._pid = -1
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Farm {self.config.broker} queue={self.config.queue!r}>"

    @property
    def store(self) -> JobStore:
        with self._lock:
            if self._store is None or self._pid != os.getpid():
                client = redis.Redis.from_url(
                    self.config.broker,
                    decode_responses=True,
                    health_check_interval=30,
                    # a Redis restart (seconds with AOF) is waited out, not turned into a failed piece
                    retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), self.retries),
                    retry_on_error=[redis.ConnectionError, redis.TimeoutError],
                )
                self._store = JobStore(
                    client,
                    send=self.send,
                    lease_s=self.config.lease_s,
                    max_attempts=self.config.max_attempts,
                    job_ttl_s=self.config.job_ttl_s,
                    default_queue=self.config.queue,
                    on_end=_remove_work_dir,
                )
                self._pid = os.getpid()
            return self._store

    def send(self, name: str, message: Message, task_id: str, queue: str | None = None) -> None:
        """Send one farm task to `queue` (the job's), else to this farm's default queue."""
        self.app.send_task(name, args=[message], task_id=task_id, queue=queue or self.config.queue,
                           ignore_result=True)  # fmt: skip


def _remove_work_dir(job: str, meta: dict[str, str]) -> None:
    """A job has ended (done or failed): its chunk files or objects are no longer needed."""
    work_dir = meta.get("work_dir")
    # never anything but the job's own folder (``.<out>.<job>.parts``) or prefix (``.vfnative/<job>``)
    if work_dir and (
        work_dir.endswith(f".{job}.parts") or work_dir.rstrip("/").endswith(f"/.vfnative/{job}")
    ):
        storage.delete_prefix(work_dir)


def configure(app: Celery, config: WorkerConfig, *, client: bool = False) -> Celery:
    """Apply `config` to `app`: broker and result backend, JSON only, prefetch 1, late acks, timeouts.

    `client`: the app only submits and reads jobs (shorter Redis retries than a worker's)."""
    transport = {"visibility_timeout": int(config.visibility_timeout_s)}
    app.conf.update(
        broker_url=config.broker,
        result_backend=config.broker,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=config.queue,
        task_acks_late=True,
        # A child killed mid-task acks its message (Celery's default); the piece's lease then expires
        # and the sweeper dispatches it again, counted against max_attempts, so a document that crashes
        # its process cannot loop forever, which requeue-on-worker-lost would allow.
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,
        worker_concurrency=config.worker_concurrency(),
        # warm processes: a pool process keeps fonts, numba kernels and media across tasks; these
        # recycle it (after its current task) before it grows
        worker_max_tasks_per_child=config.max_tasks_per_child,
        worker_max_memory_per_child=(
            int(config.max_memory_per_child_mb * 1024) if config.max_memory_per_child_mb else None
        ),
        # every outcome is in the job store; Celery's own result records are not read
        task_ignore_result=True,
        result_expires=int(config.job_ttl_s),
        task_track_started=False,
        worker_send_task_events=False,
    )
    app.farm = Farm(app, config, client=client)
    return app


def create_app(config: WorkerConfig | None = None) -> Celery:
    """A configured Celery app with the farm's tasks (``vfnative.plan/chunk/audio/stitch``)."""
    app = Celery("vfnative", include=["vfnative.worker.tasks"])
    return configure(app, config or WorkerConfig.from_environ())


def farm(app: Celery) -> Farm:
    """The `Farm` attached to `app` by `configure`."""
    found = getattr(app, "farm", None)
    if not isinstance(found, Farm):
        raise RuntimeError(f"{app!r} was not configured by vfnative.worker.app.configure")
    return found


class Sweeper(threading.Thread):
    """Every `sweep_interval_s` (with jitter), dispatch again each piece whose lease has expired; every
    `LOST_CHECK_S`, one sweeper of the farm also looks for queued pieces whose message was lost."""

    def __init__(self, farm: Farm) -> None:
        super().__init__(name="vfnative-sweeper", daemon=True)
        self.farm = farm
        self._stop_event = threading.Event()

    def run(self) -> None:
        interval = self.farm.config.sweep_interval_s
        next_lost_check = time.monotonic() + LOST_CHECK_S * random.uniform(0.5, 1.0)
        machine, me = self.farm.config.machine, str(os.getpid())
        if machine:  # before the first sweep: submit sees this machine as soon as the worker is up
            with contextlib.suppress(Exception):
                self.farm.store.beat_machine(machine, me)
        while not self._stop_event.wait(interval * random.uniform(0.75, 1.25)):
            try:
                if machine:
                    self.farm.store.beat_machine(machine, me)
                for job, piece, attempt in self.farm.store.sweep():
                    log.warning("job %s: dispatched %s again (attempt %d)", job, piece, attempt)
                if time.monotonic() >= next_lost_check:
                    next_lost_check = time.monotonic() + LOST_CHECK_S
                    # one worker of the farm at a time scans the queues
                    if self.farm.store.redis.set(_LOST_CHECK_LOCK, "1", nx=True, ex=int(LOST_CHECK_S)):
                        self.farm.store.find_lost()
            except Exception:  # Redis restarting, a network blip: try again next round
                log.warning("lease sweep failed", exc_info=True)

    def stop(self) -> None:
        self._stop_event.set()
        if self.farm.config.machine:
            with contextlib.suppress(Exception):
                self.farm.store.forget_worker(self.farm.config.machine, str(os.getpid()))


app = create_app()

_sweepers: list[Sweeper] = []


def _start_sweeper(sender: Any = None, **_: Any) -> None:
    """In the worker's main process: start the lease sweeper (it outlives any child process), and clear
    a drain mark a previous worker of the same name may have left."""
    target = getattr(getattr(sender, "app", None), "farm", None) or farm(app)
    sweeper = Sweeper(target)
    sweeper.start()
    _sweepers.append(sweeper)
    hostname = getattr(sender, "hostname", None)
    if hostname:
        try:
            target.store.set_draining(str(hostname), None)
        except Exception:
            log.warning("could not clear the drain mark of %s", hostname, exc_info=True)


def _start_draining(sender: Any = None, **_: Any) -> None:
    """SIGTERM (warm shutdown), in the main process: Celery lets running tasks finish; each of ours
    checks, at its next heartbeat, whether it can finish within the grace period and hands its piece
    back to the farm at once if not (`WorkerConfig.drain_grace_s`)."""
    target = farm(app)
    hostname = str(sender) if sender else None
    if not hostname:
        return
    try:
        target.store.set_draining(hostname, time.time() + target.config.drain_grace_s)
        log.warning("%s is shutting down: pieces that cannot finish within %g s are handed back", hostname,
                    target.config.drain_grace_s)  # fmt: skip
    except Exception:  # Redis away: running tasks simply finish (Celery's warm shutdown)
        log.warning("could not mark %s as draining", hostname, exc_info=True)


_WARM_UP_DOCUMENT = {
    "width": 64, "height": 36, "fps": 30, "duration": 1.0,
    "layers": [{"id": "warm", "type": "shape",
                "settings": {"enabled": True, "sourceDuration": 1.0, "shapeType": "rectangle"},
                "properties": {"width": 10, "height": 10, "fill": "#ffffff", "cornerRadius": 2, "boxShadow": True},
                "animations": [{"property": "opacity", "keyframes": [{"time": 0, "value": 0}, {"time": 1.0, "value": 1}]}],
                "transitionIn": {"transition": "slideUp", "duration": 0.5}},
               {"id": "text", "type": "text", "settings": {"enabled": True, "sourceDuration": 1.0},
                "properties": {"text": "Warm 123", "fontSize": 8, "fontWeight": 700, "fontFamily": "Inter"},
                "transitionIn": {"transition": "numberCountUp", "duration": 0.5}}],
}  # fmt: skip
"""Shapes, text (the bundled fonts, HarfBuzz) and common transitions: what a typical template draws."""


def _warm_up(**_: Any) -> None:
    """In the main process, before the pool forks: import the render stack and draw two tiny frames.

    Every pool process then starts with the modules imported, the bundled fonts scanned and numba's
    kernels for shapes, text and transitions loaded (about 2 s saved on each process's first task).
    Nothing is encoded here: no threads exist before the fork.
    """
    if not farm(app).config.warm_up:
        return
    try:
        import vfnative

        with vfnative.Renderer(_WARM_UP_DOCUMENT) as renderer:
            renderer.render_frame(3)
            renderer.render_frame(20)
    except Exception:  # a warm-up problem shows up again, with context, in the first real task
        log.warning("warm-up render failed", exc_info=True)


def _init_process(**_: Any) -> None:
    """In each pool process as it starts: give freed frame buffers back to the system at once, so a
    process that renders hundreds of documents keeps a flat resident size (see `limit_heap_growth`)."""
    try:
        from vfnative.api.environment import limit_heap_growth

        limit_heap_growth()
    except Exception:  # not glibc: the memory ceiling (max_memory_per_child_mb) still recycles
        log.debug("limit_heap_growth failed", exc_info=True)


def _stop_sweeper(**_: Any) -> None:
    while _sweepers:
        _sweepers.pop().stop()


def _claim_reserved(sender: Any = None, request: Any = None, **_: Any) -> None:
    """In the main process, as soon as a farm message is reserved: take the piece's lease ("taken").

    Covers the moment between reserving a message and a child starting it; the child's heartbeat
    renews the same lease (same attempt and worker name) once the task runs.
    """
    if request is None or getattr(request, "name", None) not in _TASKS:
        return
    try:
        message = request.args[0]
        target = getattr(getattr(sender, "app", None), "farm", None) or farm(app)
        target.store.claim(str(message["job"]), str(message["piece"]), int(message["attempt"]),
                           str(request.hostname), state="taken")  # fmt: skip
    except Exception:  # the task claims again when it starts
        log.warning("could not claim the lease of %s", getattr(request, "id", "?"), exc_info=True)


signals.worker_init.connect(_warm_up)
signals.worker_process_init.connect(_init_process)
signals.worker_ready.connect(_start_sweeper)
signals.worker_shutting_down.connect(_start_draining)
signals.worker_shutdown.connect(_stop_sweeper)
signals.task_received.connect(_claim_reserved)
