"""The farm's Celery tasks: thin wrappers over the api, one per kind of piece. JSON in, JSON out.

Every task takes one message ``{"job": id, "piece": name, "attempt": n}`` and returns a JSON dict; the
job's document, settings and piece specs are read from the job store (a document is stored once per
job, not copied into every message). `run_piece` (`lease.py`) does the claiming, heartbeat, progress
and error policy; the bodies below only call the api:

* ``vfnative.plan``   validate the document (`vfnative.Renderer`), check local media, cut frame ranges,
  dispatch the chunks and the audio piece;
* ``vfnative.chunk``  `render_chunk(doc, frames, out)` into ``<work dir>/chunk_NNNN.mp4`` (the same
  name for every attempt, written atomically: a redelivered chunk overwrites, never duplicates);
  the work dir is a folder beside a local output, or ``s3://BUCKET/.vfnative/<job>/`` for an object
  output: each chunk is rendered to a local temp file and uploaded (`vfnative.storage`);
* ``vfnative.audio``  `vfnative.render_audio(doc)` once, encoded to ``<work dir>/audio.m4a``;
* ``vfnative.stitch`` remux the chunks (and the audio) into the output, check the frame count, move
  it into place atomically (or upload it: one PUT, or a multipart upload when large), record the
  result (with a presigned GET URL when the job asked for one), remove the work dir or prefix;
* ``vfnative.render`` the fast path for a job whose frames fit in one chunk: validate, render every
  frame and the sound straight into ``<work dir>/render.mp4`` (`Renderer.render_video`), check the
  frame count and the audio stream, move it into place, record the result. One task, one document
  load, no remux; the same lease, re-delivery and error policy as every other piece.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import vfnative
from vfnative import storage
from vfnative.errors import EncodeError
from vfnative.worker import primitives
from vfnative.worker.app import app, farm
from vfnative.worker.jobs import Message
from vfnative.worker.lease import PieceRun, run_piece
from vfnative.worker.plan import check_local_sources, plan_chunks, settings_from_json

__all__ = ["audio", "chunk", "plan", "render", "stitch"]

log = logging.getLogger(__name__)


_TaskDecorator = Callable[[Callable[..., dict[str, Any]]], Any]


def _task(name: str) -> _TaskDecorator:
    """``app.task(name=name, bind=True)``, typed (celery ships no type information)."""
    decorator: _TaskDecorator = app.task(name=name, bind=True)
    return decorator


def _run(task: Any, message: Message, body: Any) -> dict[str, Any]:
    holder = str(task.request.hostname or socket.gethostname())

    def report_state(meta: dict[str, Any]) -> None:
        if task.request.id:
            task.update_state(state="PROGRESS", meta=meta)

    return run_piece(message, farm(task.app).store, holder, body, report_state=report_state)


def _process_info() -> dict[str, Any]:
    """This process's id, tasks run so far and resident memory (MB), recorded in results (warm workers)."""
    global _TASKS_RUN
    _TASKS_RUN += 1
    try:
        with open("/proc/self/statm") as f:
            rss_mb = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        rss_mb = None
    return {"pid": os.getpid(), "tasks": _TASKS_RUN, "rss_mb": round(rss_mb, 1) if rss_mb else None}


_TASKS_RUN = 0


def _document(run: PieceRun) -> tuple[str, Any, str | None]:
    """The job's document text, its RenderSettings (encoder threads sized to this worker) and base dir."""
    text = run.store.document(run.job)
    if text is None:
        raise vfnative.RenderCancelled(f"job {run.job} has ended; its document is gone")
    config = farm(app).config
    settings = settings_from_json(
        json.loads(run.meta.get("settings") or "{}"), threads=config.encoder_threads()
    )
    return text, settings, run.meta.get("base_dir") or None


def _sources(run: PieceRun) -> vfnative.SourcePolicy:
    """The job's media source policy (from `submit(sources=)`), with this worker's media cache."""
    options = json.loads(run.meta.get("options") or "{}")
    given = dict(options.get("sources") or {})
    config = farm(app).config
    return vfnative.SourcePolicy(
        allowed_roots=tuple(given.get("allowed_roots") or ()),
        allow_network=bool(given.get("allow_network")),
        allow_private=bool(given.get("allow_private")),
        allowed_networks=tuple(given.get("allowed_networks") or ()),
        allowed_buckets=tuple(given.get("allowed_buckets") or ()),
        cache_dir=config.cache_dir or None,
        cache_max_bytes=config.cache_max_bytes,
    )


def _output_error(run: PieceRun, output: str, work_dir: str) -> bool:
    """Fail the job (True) when its output cannot be written from this worker: a local folder that
    does not exist here, or a bucket that does not exist. Creates a local work folder."""
    try:
        storage.check_writable(output)
        storage.make_folder(work_dir)
    except storage.StorageError as exc:
        run.store.fail(run.job, EncodeError(f"{exc} (on this worker)", source=output).to_json())
        return True
    return False


def _published(meta: dict[str, str], output: str) -> dict[str, Any]:
    """Result fields for the written output: the presigned GET URL and its expiry, when asked for."""
    options = json.loads(meta.get("options") or "{}")
    expires = int(options.get("presign_s") or 0)
    if not expires:
        return {}
    return {
        "presigned_url": storage.presign(output, expires),
        "presigned_expires": round(time.time() + expires),
    }


@_task("vfnative.plan")
def plan(self: Any, message: Message) -> dict[str, Any]:
    """Validate the document, cut it into chunks and dispatch them (and the audio piece)."""
    return _run(self, message, _plan)


def _plan(run: PieceRun) -> dict[str, Any]:
    text, settings, base_dir = _document(run)
    with vfnative.Renderer(text, settings=settings, base_dir=base_dir, strict_media=True,
                           sources=_sources(run)) as renderer:  # fmt: skip
        doc = renderer.document
        check_local_sources(doc, base_dir)  # names the layer (strict mode below also catches the rest)
        total = renderer.frame_count  # prepares the media: strict mode raises AssetError here
        fps, width, height = float(doc.fps), int(doc.width), int(doc.height)
        run.store.add_media_counts(run.job, renderer.sources.stats.to_json())
    output, work_dir = run.meta["output"], run.meta["work_dir"]
    if _output_error(run, output, work_dir):
        return {"frames": 0}
    ranges = plan_chunks(
        run.meta.get("chunks_requested", "auto"), total, fps, settings.encode.keyframe_interval_s
    )
    ext = PurePosixPath(output).suffix.lower()  # a path or an object URL
    suffix = ".mp4" if ext in ("", ".m4v") else ext  # the container
    pieces: dict[str, dict[str, Any]] = {
        f"chunk-{i:04d}": {
            "kind": "chunk",
            "index": i,
            "start": r.start,
            "stop": r.stop,
            "path": storage.join(work_dir, f"chunk_{i:04d}{suffix}"),
        }
        for i, r in enumerate(ranges)
    }
    # the audio piece is dispatched first: it runs beside the chunks, not after them (Opus beside VP9)
    audio_name = "audio.webm" if suffix == ".webm" else "audio.m4a"
    pieces = {"audio": {"kind": "audio", "path": storage.join(work_dir, audio_name)}, **pieces}
    parts = list(pieces)
    pieces["stitch"] = {"kind": "stitch"}
    run.store.add_pieces(
        run.job, pieces, frames=total, fps=fps, width=width, height=height, pieces=len(parts)
    )
    run.store.set_status(run.job, "running")
    for name in parts:
        run.store.dispatch(run.job, name, mode="new")
    return {"frames": 0, "frames_total": total, "chunks": len(ranges)}


@_task("vfnative.chunk")
def chunk(self: Any, message: Message) -> dict[str, Any]:
    """Render one frame range to its chunk file."""
    return _run(self, message, _chunk)


def _chunk(run: PieceRun) -> dict[str, Any]:
    text, settings, base_dir = _document(run)
    frames = range(int(run.spec["start"]), int(run.spec["stop"]))
    out = run.spec["path"]
    with storage.staged_write(out) as local:  # the path itself, or a temp file uploaded to the job prefix
        report = primitives.render_chunk(text, frames, local, settings=settings, base_dir=base_dir,
                                         on_progress=run.progress, cancel=run.cancel, sources=_sources(run))  # fmt: skip
    run.store.add_media_counts(run.job, report.media_cache.to_json())
    _no_orphans(run)
    return {"frames": len(frames), "path": out, "media_cache": report.media_cache.to_json()}


def _no_orphans(run: PieceRun) -> None:
    """A piece that wrote into the work dir after its job ended (failed, or finished by another
    attempt) removes the dir again: the job's end already cleaned it, and nobody else will."""
    if run.store.document(run.job) is None:
        _clean_work_dir(run)


def _clean_work_dir(run: PieceRun) -> None:
    from vfnative.worker.app import _remove_work_dir

    with contextlib.suppress(storage.StorageError):
        _remove_work_dir(run.job, run.meta)


@_task("vfnative.audio")
def audio(self: Any, message: Message) -> dict[str, Any]:
    """Mix the document's audio once and encode it for the stitch."""
    return _run(self, message, _audio)


def _audio(run: PieceRun) -> dict[str, Any]:
    text, settings, base_dir = _document(run)
    with vfnative.Renderer(text, settings=settings, base_dir=base_dir, strict_media=True,
                           sources=_sources(run)) as renderer:  # fmt: skip
        samples = renderer.render_audio()  # what primitives.render_audio does, with the cache counts
        run.store.add_media_counts(run.job, renderer.sources.stats.to_json())
    if samples is None:
        return {"frames": 0, "audio": False}
    with storage.staged_write(run.spec["path"]) as local:
        primitives.encode_audio(samples, local, handler_name=settings.encode.handler_name)
    _no_orphans(run)
    return {"frames": 0, "audio": True, "samples": int(len(samples))}


@_task("vfnative.stitch")
def stitch(self: Any, message: Message) -> dict[str, Any]:
    """Remux the chunks (and audio) into the job's output and finish the job."""
    return _run(self, message, _stitch)


def _stitch(run: PieceRun) -> dict[str, Any]:
    store, job, meta = run.store, run.job, run.meta
    store.set_status(job, "stitching")
    output, work_dir = meta["output"], meta["work_dir"]
    status = store.status(job) or {}
    names = sorted(p for p in status.get("pieces", {}) if p.startswith("chunk-"))
    specs = [store.piece(job, name) for name in names]
    paths = [str(spec["path"]) for spec in specs]
    missing = [p.rsplit("/", 1)[-1] for p in paths if storage.stat(p) is None]
    if missing:
        err = EncodeError(
            f"{work_dir}: chunk file(s) {', '.join(missing)} not found although rendered; "
            "is the output folder on storage every worker shares? (an s3:// output needs none)",
            source=work_dir,
        )
        store.fail(job, err.to_json())
        return {"frames": 0}
    audio_spec = store.piece(job, "audio")
    audio_path = str(audio_spec.get("path") or "")
    has_audio = bool(audio_path) and storage.stat(audio_path) is not None
    expected = int(meta.get("frames", 0) or 0)
    with contextlib.ExitStack() as stack:  # chunks downloaded from object storage, removed after
        local_chunks = [stack.enter_context(storage.staged_read(p)) for p in paths]
        audio_file = stack.enter_context(storage.staged_read(audio_path)) if has_audio else None
        # staged in the job's folder (local) or a temp file (uploaded): published only if checked
        stitched = stack.enter_context(
            storage.staged_write(output, stage_local=True, stage_dir=storage.local_dir(work_dir))
        )
        primitives.stitch(local_chunks, stitched, audio=audio_file)
        frames = primitives.count_video_frames(stitched)
        if frames != expected:
            raise EncodeError(f"{output}: stitched {frames} frames; expected {expected}", source=output)
        if run.cancel.is_set():  # lost the lease meanwhile: the attempt that holds it finishes the job
            raise vfnative.RenderCancelled(f"job {job}: lease lost before the output was published")
    fps = float(meta.get("fps", 0) or 0)
    result = {
        "output": output,
        "frames": frames,
        "width": int(meta.get("width", 0) or 0),
        "height": int(meta.get("height", 0) or 0),
        "fps": fps,
        "duration_s": round(frames / fps, 6) if fps else None,
        "chunks": len(paths),
        "audio": audio_file is not None,
        "seconds": round(time.time() - float(meta.get("created", time.time())), 3),
        "primitives": primitives.describe(),
        "media_cache": store.media_counts(job),
        **_published(meta, output),
    }
    _clean_work_dir(run)  # before the job reads as done: whoever sees "done" finds no chunks left
    store.finish(job, result)  # (the job's end removes the work dir or prefix too, whoever ends it)
    return {"frames": 0, "output": output}


@_task("vfnative.render")
def render(self: Any, message: Message) -> dict[str, Any]:
    """The fast path: render a short job's whole document, sound included, straight to its output."""
    return _run(self, message, _render)


def _render(run: PieceRun) -> dict[str, Any]:
    started = time.perf_counter()
    store, job, meta = run.store, run.job, run.meta
    text, settings, base_dir = _document(run)
    output, work_dir = meta["output"], meta["work_dir"]
    render_started = time.perf_counter()  # what `vfnative.render` would cost: load, media, frames
    with vfnative.Renderer(text, settings=settings, base_dir=base_dir, strict_media=True,
                           sources=_sources(run)) as renderer:  # fmt: skip
        doc = renderer.document
        check_local_sources(doc, base_dir)  # names the layer (strict mode below also catches the rest)
        total = renderer.frame_count  # prepares the media: strict mode raises AssetError here
        fps, width, height = float(doc.fps), int(doc.width), int(doc.height)
        if _output_error(run, output, work_dir):
            return {"frames": 0}
        store.add_pieces(job, {"render": {"kind": "render", "start": 0, "stop": total}}, frames=total, fps=fps,
                         width=width, height=height)  # fmt: skip
        store.set_status(job, "running")
        # into the job's own folder first (a local output: a render killed midway leaves its temp file
        # there, and the folder goes when the job ends) or a temp file uploaded when complete (s3); the
        # output itself appears only complete and checked
        with storage.staged_write(output, stage_local=True, stage_dir=storage.local_dir(work_dir)) as part:
            renderer.render_video(part, on_progress=run.progress, cancel=run.cancel)
            render_seconds = time.perf_counter() - render_started
            frames, audio_streams = _probe(part)
            if frames != total:
                raise EncodeError(f"{output}: rendered {frames} frames; expected {total}", source=output)
            if not run.still_mine():  # cancelled, or the lease went elsewhere: do not publish
                raise vfnative.RenderCancelled(f"job {job}: lease lost before the output was published")
        media = renderer.sources.stats.to_json()
    result = {
        "output": output,
        "frames": frames,
        "width": width,
        "height": height,
        "fps": fps,
        "duration_s": round(frames / fps, 6) if fps else None,
        "chunks": 1,
        "fast_path": True,
        "audio": audio_streams > 0,
        "seconds": round(time.time() - float(meta.get("created", time.time())), 3),
        "render_seconds": round(render_seconds, 3),
        "task_seconds": round(time.perf_counter() - started, 3),
        "process": _process_info(),
        "media_cache": media,
        **_published(meta, output),
    }
    _clean_work_dir(run)  # before the job reads as done: whoever sees "done" finds no temp files left
    store.finish(job, result)  # (the job's end removes the work dir too, whoever ends it)
    return {"frames": 0, "output": output}


def _probe(path: Path) -> tuple[int, int]:
    """(video frames, audio streams) of a finished MP4, from its index (the ``stts`` sample count;
    no demuxing: milliseconds, where counting packets reads the whole file)."""
    import av

    with av.open(str(path)) as container:
        video = container.streams.video
        frames = int(video[0].frames) if video else 0
        if video and frames == 0:  # WebM and GIF keep no frame count: count the packets
            frames = sum(1 for p in container.demux(video[0]) if p.size)
        return frames, len(container.streams.audio)
