"""Submitting jobs to the render farm and reading their progress: `submit`, `status`, `wait`.

The client only writes the job's record and sends its ``plan`` task; validation, chunking and every
render happen on the workers, so an invalid document comes back as the job's error JSON (once).
`output` must be a path on storage every worker shares, as the workers see it.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vfnative.errors import MissingAssetError
from vfnative.worker.config import WorkerConfig
from vfnative.worker.plan import parse_chunks, settings_to_json

if TYPE_CHECKING:
    from vfnative.settings import RenderSettings
    from vfnative.worker.app import Farm

__all__ = ["JobFailed", "status", "submit", "wait"]

_FARMS: dict[WorkerConfig, Farm] = {}


def _farm(broker: str | None, environ: Mapping[str, str] | None) -> Farm:
    config = WorkerConfig.from_environ(environ if environ is not None else os.environ, broker=broker)
    found = _FARMS.get(config)
    if found is None:
        from celery import Celery

        from vfnative.worker.app import Farm, configure

        app = configure(Celery("vfnative-client"), config)
        found = _FARMS[config] = app.farm
        assert isinstance(found, Farm)
    return found


def _document_text(doc: Any, base_dir: str | os.PathLike[str] | None) -> tuple[str, str | None]:
    """(JSON text, base dir) for a path, JSON text or bytes, a dict or a loaded `VideoJSON`."""
    if hasattr(doc, "to_json") and hasattr(doc, "walk_layers"):  # a VideoJSON
        own = getattr(doc, "base_dir", None)
        return doc.to_json(), str(base_dir or own or "") or None
    if isinstance(doc, Mapping):
        return json.dumps(dict(doc)), str(base_dir) if base_dir else None
    if isinstance(doc, bytes):
        return doc.decode("utf-8"), str(base_dir) if base_dir else None
    if isinstance(doc, str) and doc.lstrip().startswith(("{", "[")):
        return doc, str(base_dir) if base_dir else None
    path = Path(os.fspath(doc)).absolute()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise MissingAssetError(f"{path}: document file not found", source=str(path)) from exc
    return text, str(Path(base_dir).absolute() if base_dir else path.parent)


def submit(
    doc: Any,
    output: str | os.PathLike[str],
    *,
    chunks: int | Literal["auto"] = "auto",
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    broker: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Queue a render of `doc` to `output` on the farm; returns the job id at once.

    `output` is made absolute here and must name the same file on every worker (shared storage);
    chunks are written to a hidden folder beside it and removed when the job ends well. The broker is
    `broker`, else ``VFNATIVE_BROKER`` from `environ`, else ``redis://localhost:6379/0``.

    Usage::

        job = vfnative.worker.submit("doc.json", "/shared/out.mp4", chunks=8)
        vfnative.worker.wait(job, on_progress=lambda s: print(s["frames_done"], "/", s["frames_total"]))
    """
    chunks = parse_chunks(chunks)
    text, doc_base = _document_text(doc, base_dir)
    out = Path(os.path.abspath(os.fspath(output)))
    job = uuid.uuid4().hex
    store = _farm(broker, environ).store
    store.create(
        job,
        doc_text=text,
        base_dir=doc_base,
        output=str(out),
        work_dir=str(out.parent / f".{out.name}.{job}.parts"),
        settings=settings_to_json(settings),
        chunks=chunks,
    )
    store.dispatch(job, "plan", mode="new")
    return job


def status(
    job: str, *, broker: str | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """The job's state as JSON-ready data (status, frames_done/frames_total, pieces, error, result).

    None for an unknown (or expired) job id.
    """
    return _farm(broker, environ).store.status(job)


class JobFailed(Exception):
    """A farm job ended with an error; `error` is its ``{"type", "path", "frame", "message"}``."""

    def __init__(self, job: str, error: Mapping[str, Any]) -> None:
        super().__init__(f"{error.get('type')}: {error.get('message')}")
        self.job = job
        self.error = dict(error)


def wait(
    job: str,
    *,
    timeout: float | None = None,
    poll_s: float = 0.5,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    broker: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Poll until the job ends; returns its final status. Raises JobFailed, TimeoutError or KeyError.

    `on_progress` gets every status read (about every `poll_s` seconds).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    store = _farm(broker, environ).store
    while True:
        state = store.status(job)
        if state is None:
            raise KeyError(f"unknown job {job!r} (never submitted, or expired)")
        if on_progress is not None:
            on_progress(state)
        if state["status"] == "done":
            return state
        if state["status"] == "failed":
            raise JobFailed(job, state["error"] or {"type": "RenderError", "message": "failed"})
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"job {job}: still {state['status']} after {timeout:g} s")
        time.sleep(poll_s)
