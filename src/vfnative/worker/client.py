"""Submitting jobs to the render farm and reading their progress: `submit`, `submit_many`, `status`,
`batch_status`, `wait`.

The client only writes the job's record and sends its first task; validation, chunking and every
render happen on the workers, so an invalid document comes back as the job's error JSON (once).
A job whose frames fit in one chunk (``round(duration · fps)`` read from the JSON, against `chunks`)
is sent as one ``render`` task (the fast path); a longer one as ``plan``, which cuts it into chunks.
`output` is an object URL (``s3://BUCKET/KEY``: chunks go to ``s3://BUCKET/.vfnative/<job>/``, no worker
needs a shared folder) or a local path as the workers see it: refused when the live workers run on
more than one machine, unless `shared_dir` says the folder is mounted at the same path everywhere.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vfnative import storage
from vfnative.errors import MissingAssetError
from vfnative.worker.config import WorkerConfig
from vfnative.worker.plan import expected_frames, fits_one_chunk, parse_chunks, settings_to_json

if TYPE_CHECKING:
    from vfnative.media.sources import SourcePolicy
    from vfnative.settings import RenderSettings
    from vfnative.worker.app import Farm

__all__ = ["Batch", "JobFailed", "batch_status", "cancel", "status", "submit", "submit_many", "wait"]

_FARMS: dict[WorkerConfig, Farm] = {}


def _farm(broker: str | None, environ: Mapping[str, str] | None) -> Farm:
    config = WorkerConfig.from_environ(environ if environ is not None else os.environ, broker=broker)
    found = _FARMS.get(config)
    if found is None:
        from celery import Celery

        from vfnative.worker.app import Farm, configure

        app = configure(Celery("vfnative-client"), config, client=True)
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


def _job_fields(
    doc: Any,
    output: str | os.PathLike[str],
    *,
    chunks: int | Literal["auto"],
    settings: RenderSettings | None,
    base_dir: str | os.PathLike[str] | None,
    queue: str,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A new job's id and record (`JobStore.create` arguments), its entry piece chosen here."""
    from vfnative.api.render import check_output, chunkable

    out = str(output) if storage.is_object_url(output) else os.path.abspath(os.fspath(output))
    fmt = check_output(out, settings)  # ValueError: an output name vfnative cannot write
    if fmt.kind != "video" or fmt.codec == "webp":
        raise ValueError(
            f"output: the farm writes video files (.mp4 .mov .webm .gif); render {fmt.container.name} "
            "with `vfnative render` on one machine"
        )
    one_piece = chunkable(out, fmt) is not None  # GIF: one piece (its palette spans the render)
    text, doc_base = _document_text(doc, base_dir)
    job = uuid.uuid4().hex
    entry: Literal["plan", "render"] = "render" if one_piece else "plan"  # GIF, sequences, audio: whole
    frames = None
    try:
        parsed = doc if hasattr(doc, "walk_layers") else json.loads(text)
    except ValueError:
        parsed = None  # not JSON: the plan's validation reports it
    if parsed is not None:
        frames = expected_frames(parsed, settings)
        fps = settings.fps if settings is not None and settings.fps else getattr(parsed, "fps", None)
        if fps is None and isinstance(parsed, Mapping):
            fps = parsed.get("fps")
        keyframes_s = settings.encode.keyframe_interval_s if settings is not None else 5.0
        if one_piece:
            pass
        elif frames is not None and fits_one_chunk(chunks, frames, float(fps), keyframes_s):  # type: ignore[arg-type]
            entry = "render"
    return {
        "job": job,
        "doc_text": text,
        "base_dir": doc_base,
        "output": out,
        "work_dir": storage.work_location(out, job),
        "settings": settings_to_json(settings),
        "chunks": chunks,
        "entry": entry,
        "frames": frames if entry == "render" else None,
        "queue": queue,
        "options": dict(options or {}),
    }


def _options(sources: SourcePolicy | None, presign_s: int | None) -> dict[str, Any]:
    """What travels with a job besides the document: its media source policy (each worker adds its
    own media cache) and the presigned-URL expiry of the result."""
    options: dict[str, Any] = {}
    if sources is not None:
        options["sources"] = {
            "allowed_roots": [os.fspath(r) for r in sources.allowed_roots],
            "allow_network": sources.allow_network,
            "allow_private": sources.allow_private,
            "allowed_networks": list(sources.allowed_networks),
            "allowed_buckets": list(sources.allowed_buckets),
        }
    if presign_s:
        if not 1 <= int(presign_s) <= 7 * 86400:
            raise ValueError(f"presign_s: expected 1..604800 seconds; got {presign_s!r}")
        options["presign_s"] = int(presign_s)
    return options


def _check_outputs(
    farm: Farm,
    outputs: Sequence[str | os.PathLike[str]],
    shared_dir: str | os.PathLike[str] | None,
    environ: Mapping[str, str] | None,
) -> None:
    """Refuse a local output no worker can be sure to share: ValueError (a usage error) when the live
    workers run on more than one machine and the path is not inside `shared_dir`."""
    local = [Path(os.path.abspath(os.fspath(o))) for o in outputs if not storage.is_object_url(o)]
    if not local:
        return
    env = os.environ if environ is None else environ
    shared = shared_dir if shared_dir is not None else (env.get("VFNATIVE_SHARED_DIR", "").strip() or None)
    if shared is not None:
        root = Path(os.path.abspath(os.fspath(shared)))
        for out in local:
            if not out.is_relative_to(root):
                raise ValueError(f"output: {out} is not inside the shared folder {root} (--shared-dir)")
        return
    machines = farm.store.live_machines(within_s=max(15.0, 4 * farm.config.sweep_interval_s))
    if len(machines) > 1:
        raise ValueError(
            f"output: {local[0]} is a local path, but the farm's workers run on {len(machines)} machines "
            f"({', '.join(machines[:4])}{', ...' if len(machines) > 4 else ''}) that may not share it; "
            "write to object storage (-o s3://BUCKET/KEY), or say the folder is mounted at the same "
            "path on every worker with --shared-dir DIR (shared_dir=)"
        )


def _queue(config_queue: str, queue: str | None) -> str:
    if queue is None:
        return config_queue
    WorkerConfig(queue=queue)  # validates the name
    return queue


def submit(
    doc: Any,
    output: str | os.PathLike[str],
    *,
    chunks: int | Literal["auto"] = "auto",
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    queue: str | None = None,
    broker: str | None = None,
    environ: Mapping[str, str] | None = None,
    sources: SourcePolicy | None = None,
    shared_dir: str | os.PathLike[str] | None = None,
    presign_s: int | None = None,
) -> str:
    """Queue a render of `doc` to `output` on the farm; returns the job id at once.

    `output` is an object URL (``s3://BUCKET/KEY``; chunks go to ``s3://BUCKET/.vfnative/<job>/``,
    removed when the job ends) or a local path, made absolute here, that must name the same file on
    every worker: refused (ValueError) when live workers run on several machines, unless it lies in
    `shared_dir` (or ``VFNATIVE_SHARED_DIR``), a folder mounted at the same path on every worker.
    `sources` is the media source policy of the job (default: the document's folder only; each worker
    adds its own media cache). `presign_s` puts a presigned GET URL valid that long in the result. The broker is
    `broker`, else ``VFNATIVE_BROKER`` from `environ`, else ``redis://localhost:6379/0``. `queue`
    (default ``VFNATIVE_QUEUE``, else ``render``) is the Celery queue every piece of the job goes to:
    only workers started with ``--queue`` that name render it.

    Usage::

        job = vfnative.worker.submit("doc.json", "/shared/out.mp4", chunks=8)
        vfnative.worker.wait(job, on_progress=lambda s: print(s["frames_done"], "/", s["frames_total"]))
    """
    chunks = parse_chunks(chunks)
    farm = _farm(broker, environ)
    options = _options(sources, presign_s)
    fields = _job_fields(doc, output, chunks=chunks, settings=settings, base_dir=base_dir,
                         queue=_queue(farm.config.queue, queue), options=options)  # fmt: skip
    _check_outputs(farm, [output], shared_dir, environ)  # after the checks that need no broker
    job = fields.pop("job")
    store = farm.store
    store.create(job, **fields)
    store.dispatch(job, fields["entry"], mode="new")
    return str(job)


@dataclass(frozen=True)
class Batch(Sequence[str]):
    """What `submit_many` returns: the batch id and one job id per document, in order.

    A sequence of the job ids (``list(batch)``, ``batch[3]``, ``len(batch)``); `id` is what
    `batch_status` and ``vfnative status`` take.
    """

    id: str
    jobs: tuple[str, ...]

    def __getitem__(self, index: Any) -> Any:
        return self.jobs[index]

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[str]:
        return iter(self.jobs)

    def __repr__(self) -> str:
        return f"<Batch {self.id} jobs={len(self.jobs)}>"


def submit_many(
    docs: Sequence[Any],
    outputs: Sequence[str | os.PathLike[str]],
    *,
    chunks: int | Literal["auto"] = "auto",
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    queue: str | None = None,
    broker: str | None = None,
    environ: Mapping[str, str] | None = None,
    sources: SourcePolicy | None = None,
    shared_dir: str | os.PathLike[str] | None = None,
    presign_s: int | None = None,
) -> Batch:
    """Queue many renders at once (`docs[i]` to `outputs[i]`); returns a `Batch` of their job ids.

    Each document is what `submit` takes (path, JSON text, dict, `VideoJSON`). Every document is
    read before anything is recorded, so a missing file raises and queues nothing; the jobs and
    the batch are then written in one Redis transaction and their first tasks sent. Each job runs
    and ends on its own (`status(job)`); `batch_status(batch.id)` gives the totals.

    Usage::

        batch = vfnative.worker.submit_many(docs, [f"/shared/out/{i}.mp4" for i in range(len(docs))])
        vfnative.worker.batch_status(batch.id)   # {"counts": {"done": 180, "running": 2, ...}, ...}
    """
    if len(docs) != len(outputs):
        raise ValueError(f"outputs: expected one per document ({len(docs)}); got {len(outputs)}")
    if not docs:
        raise ValueError("docs: expected at least one document; got none")
    chunks = parse_chunks(chunks)
    farm = _farm(broker, environ)
    target = _queue(farm.config.queue, queue)
    options = _options(sources, presign_s)
    jobs = [
        _job_fields(
            doc, out, chunks=chunks, settings=settings, base_dir=base_dir, queue=target, options=options
        )  # fmt: skip
        for doc, out in zip(docs, outputs, strict=True)
    ]
    _check_outputs(farm, outputs, shared_dir, environ)  # after the checks that need no broker
    batch = uuid.uuid4().hex
    store = farm.store
    store.create_batch(batch, jobs)
    for fields in jobs:
        store.dispatch(str(fields["job"]), fields["entry"], mode="new")
    return Batch(batch, tuple(str(f["job"]) for f in jobs))


def batch_status(
    batch: str, *, broker: str | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """A batch's totals: ``{"batch", "status", "jobs", "counts": {status: n}, "frames_done",
    "frames_total", "created", "finished", "errors": {job: error}, "job_ids"}``; None if unknown.

    ``status`` is ``running`` until every job has ended, then ``done`` (all done) or ``failed``.
    """
    return _farm(broker, environ).store.batch_status(batch)


def status(
    job: str, *, broker: str | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """The job's state as JSON-ready data (status, frames_done/frames_total, pieces, error, result).

    None for an unknown (or expired) job id.
    """
    return _farm(broker, environ).store.status(job)


def cancel(job: str, *, broker: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Cancel a job: it ends ``cancelled`` at once (error type ``RenderCancelled``), its running pieces
    stop within a heartbeat (``lease_s / 4``) and no output appears. False if it had already ended."""
    return _farm(broker, environ).store.cancel(job)


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
        if state["status"] in ("failed", "cancelled"):
            raise JobFailed(job, state["error"] or {"type": "RenderError", "message": "failed"})
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"job {job}: still {state['status']} after {timeout:g} s")
        time.sleep(poll_s)
