"""Where jobs run: `EmbeddedBackend` (local render processes over the SQLite store) or `FarmBackend`
(the Celery farm, through `vfnative.worker`'s public client functions only).

Both keep the service's own records (key, idempotency key, webhook, timestamps) in the SQLite store.
The farm's Redis store, which `vfnative status` reads, stays the truth for a farm job's progress: a
GET reads it live, and a poll copies final states in so that webhooks and metrics work the same way.
Imports the service's `store`, `local` and `options`, and `vfnative.worker` (farm only, on first use).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from vfnative.service.local import LocalWorkers, WorkerSpec, limits_table
from vfnative.service.options import render_settings, source_policy
from vfnative.service.settings import ServiceSettings
from vfnative.service.store import ACTIVE, FINAL, Job, JobStore

__all__ = ["Backend", "EmbeddedBackend", "FarmBackend", "make_backend"]

log = logging.getLogger(__name__)

CANCEL_WAIT_S = 3.0
"""How long DELETE waits for a running render to stop and remove its files (it takes < 1 s)."""


FARM_POLL_S = 0.5
"""How often the farm's state of active jobs is copied into the service's records."""


class Backend(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def submitted(self, job: Job) -> None: ...
    def submitted_many(self, jobs: list[Job]) -> None: ...
    def cancel(self, job: Job) -> Job: ...
    def refresh(self, job: Job) -> Job: ...
    def poll(self) -> None: ...
    def ready(self) -> tuple[bool, str]: ...


class EmbeddedBackend:
    """Jobs in SQLite, rendered by `settings.workers` local processes."""

    name = "embedded"

    def __init__(self, settings: ServiceSettings, store: JobStore) -> None:
        self.settings = settings
        self.store = store
        data = settings.data_path
        spec = WorkerSpec(
            data_dir=str(data),
            media_root=str(Path(settings.media_root).absolute()) if settings.media_root is not None else None,
            allowed_networks=settings.allowed_networks,
            limits=limits_table(settings.limits, settings.keys),
            threads=settings.threads,
            fonts_url=settings.fonts_url,
        )
        self.workers = LocalWorkers(spec, settings.workers, store)

    def start(self) -> None:
        requeued = self.store.recover()
        if requeued:
            log.warning(
                "restart: %d running job(s) go back to the queue: %s", len(requeued), ", ".join(requeued)
            )
        work = self.settings.data_path / "work"
        shutil.rmtree(work, ignore_errors=True)  # nothing runs yet: every work folder is a leftover
        work.mkdir(parents=True, exist_ok=True)
        self.workers.start()
        self.workers.wake(len(self.store.ids(("queued",))))

    def stop(self) -> None:
        self.workers.stop()

    def submitted(self, job: Job) -> None:
        self.workers.wake()

    def submitted_many(self, jobs: list[Job]) -> None:
        self.workers.wake(len(jobs))

    def cancel(self, job: Job) -> Job:
        now = self.store.cancel(job.id) or job
        deadline = time.monotonic() + CANCEL_WAIT_S
        while now.worker is not None and time.monotonic() < deadline:  # the render cleans up, then lets go
            time.sleep(0.02)
            now = self.store.get(job.id) or now
        return now

    def refresh(self, job: Job) -> Job:
        return job

    def poll(self) -> None:
        return None

    def ready(self) -> tuple[bool, str]:
        if not self.store.ping():
            return False, "the job database does not answer"
        if self.workers.alive == 0:
            return False, "no render process is running"
        return True, f"{self.workers.alive} render process(es)"


def _farm_status(state: dict[str, Any]) -> dict[str, Any]:
    """A farm status (`vfnative.worker.status`) in the service's terms."""
    status = state.get("status")
    error = state.get("error")
    if status in ("stitching", "running"):
        status = "running"
    elif status == "failed" and isinstance(error, dict) and error.get("type") == "RenderCancelled":
        status = "cancelled"
    elif status not in ("queued", "done", "failed", "cancelled"):
        status = "running"
    return {**state, "status": status}


class FarmBackend:
    """Jobs submitted to the Celery farm at `settings.broker`."""

    name = "farm"

    def __init__(self, settings: ServiceSettings, store: JobStore) -> None:
        import vfnative.worker  # the worker extra (celery, redis) must be installed

        self.worker = vfnative.worker
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._polled = 0.0
        self._orphans: dict[str, str] = {}
        """Farm job → output path of jobs cancelled here whose farm job may still write an output."""

    def start(self) -> None:
        (self.settings.data_path / "outputs").mkdir(parents=True, exist_ok=True)
        for job_id in self.store.ids(("queued",)):  # accepted but not yet handed to the farm
            job = self.store.get(job_id)
            if job is not None and job.farm_job is None:
                self.submitted(job)

    def stop(self) -> None:
        return None

    def _limits(self, key_name: str) -> Any:
        for key in self.settings.keys:
            if key.name == key_name and key.limits is not None:
                return key.limits
        return self.settings.limits

    def _submit_args(self, func: Any, job: Job) -> dict[str, Any]:
        args: dict[str, Any] = {
            "chunks": self.settings.chunks,
            "settings": render_settings(
                job.options, self._limits(job.key_name), threads=self.settings.threads
            ),
            "base_dir": str(Path(self.settings.media_root).absolute()) if self.settings.media_root else None,
            "broker": self.settings.broker,
        }
        parameters = inspect.signature(func).parameters
        if "shared_dir" in parameters:
            args["shared_dir"] = str(self.settings.data_path)  # every worker mounts the data folder
        if "sources" in parameters:  # the same media policy as the embedded backend's
            args["sources"] = source_policy(self.settings.media_root, self.settings.allowed_networks)
        return args

    def _output(self, job: Job) -> str:
        return job.output or str(self.settings.data_path / "outputs" / f"{job.id}.mp4")

    def submitted(self, job: Job) -> None:
        farm_job = self.worker.submit(
            job.document, self._output(job), **self._submit_args(self.worker.submit, job)
        )
        self.store.set_farm_job(job.id, farm_job)

    def submitted_many(self, jobs: list[Job]) -> None:
        """One `submit_many` (one Redis transaction) per group of jobs with the same options."""
        submit_many = getattr(self.worker, "submit_many", None)
        if submit_many is None:
            for job in jobs:
                self.submitted(job)
            return
        groups: dict[str, list[Job]] = {}
        for job in jobs:
            groups.setdefault(json.dumps([job.options, job.key_name], sort_keys=True), []).append(job)
        for group in groups.values():
            batch = submit_many([j.document for j in group], [self._output(j) for j in group],
                                **self._submit_args(submit_many, group[0]))  # fmt: skip
            for job, farm_job in zip(group, batch, strict=True):
                self.store.set_farm_job(job.id, str(farm_job))

    def cancel(self, job: Job) -> Job:
        now = self.store.cancel(job.id) or job
        if job.farm_job:
            cancel = getattr(self.worker, "cancel", None)
            if cancel is not None:
                with contextlib.suppress(Exception):
                    cancel(job.farm_job, broker=self.settings.broker)
            with self._lock:
                self._orphans[job.farm_job] = job.output or ""
            deadline = time.monotonic() + CANCEL_WAIT_S
            while time.monotonic() < deadline:  # the farm stops the job's pieces and removes its files
                self._sweep_orphans()
                with self._lock:
                    if job.farm_job not in self._orphans:
                        break
                time.sleep(0.05)
        return now

    def refresh(self, job: Job) -> Job:
        if job.status not in ACTIVE or job.farm_job is None:
            return job
        state = self.worker.status(job.farm_job, broker=self.settings.broker)
        if state is None:
            return job
        self.store.mirror(job.id, _farm_status(state))
        return self.store.get(job.id) or job

    def poll(self) -> None:
        """Copy the farm's state of active jobs in, at most every `FARM_POLL_S` (webhooks, metrics)."""
        now = time.monotonic()
        if now - self._polled < FARM_POLL_S:
            return
        self._polled = now
        for job_id in self.store.ids(ACTIVE):
            job = self.store.get(job_id)
            if job is not None and job.farm_job is not None:
                try:
                    self.refresh(job)
                except Exception:  # the broker is away: try again next time
                    log.debug("farm status of %s failed", job_id, exc_info=True)
                    return
        self._sweep_orphans()

    def _sweep_orphans(self) -> None:
        """Outputs of cancelled farm jobs are removed as soon as the farm job ends."""
        with self._lock:
            items = list(self._orphans.items())
        for farm_job, output in items:
            try:
                state = self.worker.status(farm_job, broker=self.settings.broker)
            except Exception:
                return
            final = state is None or _farm_status(state)["status"] in FINAL
            if final:
                if output:
                    Path(output).unlink(missing_ok=True)
                with self._lock:
                    self._orphans.pop(farm_job, None)

    def ready(self) -> tuple[bool, str]:
        try:
            self.worker.status("readyz-probe", broker=self.settings.broker)
        except Exception as exc:
            return False, f"the broker does not answer: {type(exc).__name__}: {exc}"
        if not self.store.ping():
            return False, "the job database does not answer"
        return True, "broker reachable"


def make_backend(settings: ServiceSettings, store: JobStore) -> Backend:
    if settings.broker:
        return FarmBackend(settings, store)
    return EmbeddedBackend(settings, store)
