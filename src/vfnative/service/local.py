"""The embedded backend's render processes: N local processes that take jobs from the SQLite store.

Each process claims the oldest queued job (one IMMEDIATE transaction, so two never take the same
job), renders it through `vfnative.Renderer` into ``work/<id>/`` and moves the MP4 to
``outputs/<id>.mp4`` when it is complete. A watcher thread checks the job's row every 0.2 s: a
DELETE (status ``cancelled``) or a shutdown trips the render's `CancelToken`, the render stops at
the next frame, and the work folder is removed before the process lets go of the job.

The service wakes the processes with a semaphore when it accepts a job (they also look every
second on their own). A process dies with the service (``PR_SET_PDEATHSIG``), so a killed service
leaves no render running; the next start puts its jobs back in the queue.

Imports `vfnative` (the api), the service's `store` and `options`, and the standard library.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vfnative import storage
from vfnative.service.store import JobStore

__all__ = ["LocalWorkers", "WorkerSpec"]

log = logging.getLogger(__name__)

_WATCH_S = 0.2
_PROGRESS_S = 0.25


@dataclass(frozen=True)
class WorkerSpec:
    """What a render process needs (picklable): folders, limits per key, the source policy inputs."""

    data_dir: str
    media_root: str | None
    allowed_networks: tuple[str, ...]
    limits: dict[str, dict[str, Any]]
    """Key name → Limits fields (the service default under ``""``)."""
    threads: int | None
    fonts_url: str | None = None
    """``options.fetch_fonts``: the CSS API's base URL (None: Google Fonts)."""


def _die_with_parent(parent_pid: int) -> None:
    """Linux: SIGKILL this process when the service's process exits, however it exits."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:
        os._exit(0)


def _warm_up() -> None:
    """Import the render stack and draw one tiny frame, so the first job does not pay for it."""
    import vfnative

    doc = {"width": 16, "height": 16, "fps": 1, "duration": 1, "layers": []}
    with contextlib.suppress(Exception):
        vfnative.render_frame(doc, 0)


def worker_main(spec: WorkerSpec, name: str, parent_pid: int, wake: Any, stop: Any) -> None:
    """A render process: claim, render, repeat until `stop` is set."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the service, which stops us cleanly
    signal.signal(signal.SIGTERM, lambda _s, _f: stop.set())
    logging.basicConfig(level=logging.WARNING, format=f"vfnative serve [{name}] %(levelname)s %(message)s")
    _warm_up()
    data = Path(spec.data_dir)
    store = JobStore(data / "jobs.sqlite3")
    try:
        while not stop.is_set():
            job = store.claim(name)
            if job is None:
                wake.acquire(timeout=1.0)
                continue
            _run(store, spec, name, job, stop, parent_pid)
    finally:
        store.close()


def _run(store: JobStore, spec: WorkerSpec, name: str, job: Any, stop: Any, parent_pid: int) -> None:
    import vfnative
    from vfnative.service.options import render_settings, source_policy

    data = Path(spec.data_dir)
    work = data / "work" / job.id
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    target = job.output or str(data / "outputs" / f"{job.id}.mp4")
    in_store = storage.is_object_url(target)
    final = None if in_store else Path(storage.display(target))
    token = vfnative.CancelToken()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(_WATCH_S):
            if stop.is_set() or os.getppid() != parent_pid or not store.still_mine(job.id, name):
                token.cancel()
                return

    watcher = threading.Thread(target=watch, name=f"watch-{job.id}", daemon=True)
    watcher.start()
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == "render" and (now - last[0] >= _PROGRESS_S or done == total):
            last[0] = now
            store.progress(job.id, name, done, total)

    limits_fields = spec.limits.get(job.key_name, spec.limits[""])
    try:
        settings = render_settings(job.options, vfnative.Limits(**limits_fields), threads=spec.threads)
        policy = source_policy(spec.media_root, spec.allowed_networks)
        # from here to the report: the engine's time, as `vfnative render` spends it
        engine_started = time.perf_counter()
        engine_cpu = time.process_time()
        with vfnative.Renderer(
            job.document,
            settings=settings,
            base_dir=spec.media_root or work,
            sources=policy,
            strict=bool(job.options.get("strict")),
            fetch_fonts=(spec.fonts_url or True) if job.options.get("fetch_fonts") else False,
        ) as renderer:
            store.progress(job.id, name, 0, renderer.frame_count)
            report = renderer.render_video(work / "output.mp4", on_progress=progress, cancel=token)
        engine_seconds = time.perf_counter() - engine_started
        engine_cpu = time.process_time() - engine_cpu
        size = Path(report.output).stat().st_size
        if final is None:
            if not store.still_mine(job.id, name):
                raise vfnative.RenderCancelled("cancelled before the upload")
            storage.put_file(report.output, target)  # atomic: the whole object or none
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(report.output, final)
        result = {
            "output": target,
            "frames": report.frames,
            "width": report.width,
            "height": report.height,
            "fps": report.fps,
            "duration_s": report.duration_s,
            "seconds": round(report.seconds, 4),
            "engine_seconds": round(engine_seconds, 4),
            "engine_cpu_seconds": round(engine_cpu, 4),
            "size": size,
        }
        if not store.finish(job.id, name, status="done", result=result, warnings=report.warnings,
                            frames_done=report.frames):  # fmt: skip
            _remove(target)  # cancelled while the file was being finished
    except vfnative.RenderCancelled:
        if final is not None:
            final.unlink(missing_ok=True)
        if stop.is_set() or os.getppid() != parent_pid:
            store.requeue(job.id, name)  # a shutdown, not a DELETE: the job runs again after restart
    except vfnative.VfnativeError as exc:
        store.finish(job.id, name, status="failed", error=exc.to_json(), warnings=())
    except storage.StorageError as exc:
        error = {"type": "StorageError", "path": None, "frame": None, "message": str(exc)}
        store.finish(job.id, name, status="failed", error=error, warnings=())
    except Exception as exc:  # a bug: the job fails with the message, the process keeps serving
        log.exception("job %s failed unexpectedly", job.id)
        error = {"type": type(exc).__name__, "path": None, "frame": None, "message": str(exc)}
        store.finish(job.id, name, status="failed", error=error, warnings=())
    finally:
        finished.set()
        watcher.join()
        shutil.rmtree(work, ignore_errors=True)
        store.release(job.id, name)


def _remove(target: str) -> None:
    """Remove a published output (a file, or an object in the store)."""
    if storage.is_object_url(target):  # a DELETE during the upload (checked just before it)
        log.warning("a cancelled job's output was uploaded before the cancel was seen: %s", target)
        return
    Path(storage.display(target)).unlink(missing_ok=True)


class LocalWorkers:
    """Starts, watches and stops the render processes of one service (spawned, not forked)."""

    def __init__(self, spec: WorkerSpec, count: int, store: JobStore) -> None:
        self.spec = spec
        self.count = count
        self.store = store
        self._ctx = multiprocessing.get_context("spawn")
        self._wake = self._ctx.Semaphore(0)
        self._stop = self._ctx.Event()
        self._procs: dict[str, Any] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<LocalWorkers {len(self._procs)}/{self.count} alive={self.alive}>"

    @property
    def alive(self) -> int:
        return sum(1 for p in self._procs.values() if p.is_alive())

    def _spawn(self) -> None:
        self._generation += 1
        name = f"local-{os.getpid()}-{self._generation}"
        proc = self._ctx.Process(
            target=worker_main,
            args=(self.spec, name, os.getpid(), self._wake, self._stop),
            name=f"vfnative-render-{self._generation}",
            daemon=False,
        )
        proc.start()
        self._procs[name] = proc

    def start(self) -> None:
        with self._lock:
            for _ in range(self.count):
                self._spawn()
        self._monitor = threading.Thread(target=self._watch, name="vfnative-workers", daemon=True)
        self._monitor.start()

    def _watch(self) -> None:
        """Replace a render process that died; its job goes back to the queue and runs again."""
        while not self._stopping.wait(0.5):
            with self._lock:
                for name, proc in list(self._procs.items()):
                    if proc.is_alive() or self._stopping.is_set():
                        continue
                    lost = self.store.requeue_worker(name)
                    log.warning("render process %s exited (code %s); jobs requeued: %s", name, proc.exitcode,
                                lost or "none")  # fmt: skip
                    del self._procs[name]
                    self._spawn()
                    self.wake(len(lost))

    def wake(self, n: int = 1) -> None:
        """Tell idle processes that jobs are waiting."""
        for _ in range(max(1, min(n, self.count))):
            self._wake.release()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every process: running renders are cancelled and their jobs go back to the queue."""
        self._stopping.set()
        self._stop.set()
        for _ in range(self.count):
            self._wake.release()
        deadline = time.monotonic() + timeout
        with self._lock:
            for proc in self._procs.values():
                proc.join(max(0.1, deadline - time.monotonic()))
            for proc in self._procs.values():
                if proc.is_alive():
                    proc.kill()
                    proc.join(5)
            self._procs.clear()
        if self._monitor is not None:
            self._monitor.join(2)
        # free the named semaphores now: the CLI ends with os._exit, which skips their finalizers
        self._wake = self._stop = None  # type: ignore[assignment]
        gc.collect()


def limits_table(default: Any, keys: Any) -> dict[str, dict[str, Any]]:
    """Key name → Limits fields for `WorkerSpec.limits` (plain dicts: picklable and JSON-able)."""
    from dataclasses import asdict

    table = {"": asdict(default)}
    for key in keys:
        if key.limits is not None:
            table[key.name] = asdict(key.limits)
    json.dumps(table)  # must stay plain data
    return table
