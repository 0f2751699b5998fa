"""Render by frame ranges: one chunk in this process (`render_chunk`), or a whole video across
worker processes stitched without re-encoding (`render_parallel`, the CLI's ``--jobs``).

skia-python never releases the GIL, so one process draws on one core; the encoder thread overlaps
it but cannot use the rest of a machine. `render_parallel` cuts the frames into contiguous chunks,
renders the first in this process and the others in ``jobs - 1`` spawned processes (each keeps one
`Renderer` for the chunks it takes, so fonts, images and kernels load once per process), encodes
each chunk as a closed-GOP piece starting with a keyframe (`Muxer(first_frame=)`; H.264, H.265, AV1,
VP9 or ProRes, in the output's container; other formats render in one process), encodes
the audio mix once, and joins everything with `encode.stitch.stitch` — packets copied, never
re-encoded.

Frames are identical to a single-process render (raster's retained mode is exact whatever frame a
chunk starts at; tests/api/test_jobs.py decodes both). The bitstreams differ only where x264's rate
control restarts: each chunk starts with an IDR frame and its own rate-control state.

Chunking rules (spec 05 §6.2): contiguous ranges of (nearly) equal size, one per process, of at
least `MIN_CHUNK_FRAMES` frames — a spawned worker costs about a second (interpreter, imports,
fonts) before its first frame, and each chunk restarts the retained raster and x264, so short
renders stay in one process. Measured on 2 CPUs: a render whose raster dominates (a photo
resampled every frame) gains ~25 %; one whose raster is cheap next to x264 gains nothing.

Workers are started with the ``spawn`` method (safe with threads, and the same on every platform);
the function they run is module-level and everything they receive is picklable.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vfnative import storage
from vfnative.api.progress import ProgressCallback
from vfnative.api.render import (
    CancelLike,
    Renderer,
    RenderReport,
    StageTimings,
    _cancel_check,
    _Clock,
    output_file,
)
from vfnative.errors import EncodeError, RenderCancelled, RenderError
from vfnative.media.content_cache import MediaCacheStats
from vfnative.settings import EncodeSettings, RenderSettings, cpu_limit

if TYPE_CHECKING:
    from vfnative.api.render import DocumentSource
    from vfnative.media.sources import SourcePolicy
    from vfnative.model.document import VideoJSON

__all__ = [
    "MIN_CHUNK_FRAMES",
    "ChunkReport",
    "effective_jobs",
    "plan_chunks",
    "render_chunk",
    "render_parallel",
]

log = logging.getLogger(__name__)

MIN_CHUNK_FRAMES = 90
"""Fewest frames worth a chunk of its own (3 s at 30 fps): below that, process start-up and the
extra IDR frame cost more than the parallelism gains."""
CHUNKS_PER_JOB = 1
"""Chunks per process. More would spread uneven content (a busy intro, a static tail) better, but
every chunk pays a full first frame, a new x264 and an IDR frame; on 2 CPUs one per process wins."""
_PROGRESS_EVERY = 5
_SPLIT_RATIO = 1.5
"""Drawing must cost this many times the encoder's time per frame before workers are started."""
_SPLIT_GAIN_S = 3.0
"""... and the drawing they would take over must exceed this many seconds."""
_SPLIT_IDLE = 0.5
"""... and at least this many CPUs must have been idle while this process drew (its own CPU time
over wall time, against the CPU limit), with the machine's load average below the CPU limit."""
"""Frames between progress messages from a worker."""


@dataclass(frozen=True)
class ChunkReport:
    """What `render_chunk` produced: one piece of a longer render."""

    output: Path
    frames: range
    """Document frames in the piece (the piece's own timestamps start at 0)."""
    seconds: float
    timings: StageTimings
    warnings: tuple[str, ...] = ()
    pid: int = field(default_factory=os.getpid)
    """The process that rendered it."""
    media_cache: MediaCacheStats = MediaCacheStats()
    """Remote sources this piece resolved: cache hits, misses, bytes fetched."""


def plan_chunks(
    total: int, jobs: int, *, min_frames: int = MIN_CHUNK_FRAMES, per_job: int = CHUNKS_PER_JOB
) -> list[range]:
    """Cut frames ``0..total`` into contiguous ranges for `jobs` processes.

    One range when one job is asked for or the render is shorter than two chunks; otherwise up to
    ``jobs · per_job`` ranges of at least `min_frames` frames, sizes differing by at most one.
    """
    if total < 1:
        raise ValueError(f"total: expected frames >= 1; got {total}")
    if jobs < 1:
        raise ValueError(f"jobs: expected >= 1; got {jobs}")
    count = 1 if jobs == 1 else max(1, min(jobs * per_job, total // max(1, min_frames)))
    base, extra = divmod(total, count)
    ranges = []
    start = 0
    for i in range(count):
        stop = start + base + (1 if i < extra else 0)
        ranges.append(range(start, stop))
        start = stop
    return ranges


def _chunk_of(renderer: Renderer, frames: range, out: Path, on_progress: ProgressCallback | None,
              is_cancelled: Callable[[], bool], *, encode: EncodeSettings | None = None) -> ChunkReport:  # fmt: skip
    """Render `frames` of `renderer`'s document into the piece `out` (no audio, no fast start)."""
    from vfnative.encode.mux import Muxer

    media_before = renderer.sources.stats
    total = renderer.frame_count
    if frames.step != 1 or not 0 <= frames.start < frames.stop <= total:
        raise ValueError(f"frames: expected an ascending range inside 0..{total}; got {frames}")
    started = time.perf_counter()
    setup_before = renderer._setup_seconds
    renderer.compositor  # noqa: B018 - built here so its cost counts as setup
    doc = renderer.document
    clock = _Clock()
    encode = replace(encode or renderer.settings.encode, faststart=False)  # stitch moves the index once
    muxer = Muxer(out, width=int(doc.width), height=int(doc.height), fps=float(doc.fps),
                  frame_count=len(frames), settings=encode, pixel_format="bgra",
                  first_frame=frames.start, deferred_read=True)  # fmt: skip
    with muxer:
        compositor = renderer.compositor
        scenes = renderer._render_scenes(frames, clock, bgra=True, fence=muxer.fence)
        for i, (n, _scene, pixels) in enumerate(scenes, start=1):
            t0 = time.perf_counter()
            muxer.write(pixels, damage=compositor.last_damage)  # read before the next draw
            clock.encode += time.perf_counter() - t0
            if on_progress is not None:
                on_progress("render", i, len(frames))
            if is_cancelled():
                raise RenderCancelled(
                    f"chunk {frames.start}-{frames.stop - 1} cancelled after frame {n}", frame=n
                )
        t0 = time.perf_counter()
        muxer.close()
        clock.encode += time.perf_counter() - t0
    timings = StageTimings(
        setup=renderer._setup_seconds - setup_before,
        timeline=clock.timeline,
        raster=clock.raster,
        encode=clock.encode,
        encoder_thread=muxer.encode_seconds,
        converter_thread=muxer.convert_seconds,
    )
    return ChunkReport(out, frames, time.perf_counter() - started, timings, renderer.warnings,
                       media_cache=renderer.sources.stats - media_before)  # fmt: skip


class _ChunkWriter:
    """This process's piece, written frame range by frame range (its length decided on the way)."""

    def __init__(self, renderer: Renderer, out: Path, encode: EncodeSettings, first: int) -> None:
        from vfnative.encode.mux import Muxer

        self.renderer, self.out, self.first = renderer, out, first
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.setup_before = renderer._setup_seconds
        renderer.compositor  # noqa: B018 - built here so its cost counts as setup
        doc = renderer.document
        self.clock = _Clock()
        self.muxer = Muxer(out, width=int(doc.width), height=int(doc.height), fps=float(doc.fps),
                           settings=replace(encode, faststart=False), pixel_format="bgra",
                           first_frame=first, deferred_read=True).open()  # fmt: skip
        self.next = first

    def render(
        self, frames: range, on_frame: Callable[[int], None], is_cancelled: Callable[[], bool]
    ) -> None:
        """Draw and queue `frames` (they must continue the piece)."""
        assert frames.start == self.next, (frames, self.next)
        compositor, muxer, clock = self.renderer.compositor, self.muxer, self.clock
        try:
            for n, _scene, pixels in self.renderer._render_scenes(
                frames, clock, bgra=True, fence=muxer.fence
            ):
                t0 = time.perf_counter()
                muxer.write(pixels, damage=compositor.last_damage)  # read before the next draw
                clock.encode += time.perf_counter() - t0
                self.next = n + 1
                on_frame(n + 1 - self.first)
                if is_cancelled():
                    raise RenderCancelled(f"render cancelled after frame {n}", frame=n)
        finally:  # the compositor may be used for something else before the next call
            t0 = time.perf_counter()
            muxer.fence()
            clock.encode += time.perf_counter() - t0

    def worth_splitting(self, since: tuple[int, float], remaining: int, processes: int) -> bool:
        """Whether more processes would finish sooner, judged from the frames drawn since `since`.

        Drawing runs on one core and libx264 on the others, so extra processes only help when drawing
        is well above the encoder's cost per frame (a resampled photo, heavy effects) and what they
        would take over outweighs starting them (~1.5 s of CPU each: interpreter, imports, fonts,
        the first full frame). Measured on 2 CPUs (bench/documents): the promo (drawing 1.1× the
        encoder) and the dashboard (2×, but only 2 s to take over) lose ~0.6 s when split; the Ken
        Burns promo (2.4×, 8 s to take over) gains 25 %.

        A worker also needs a CPU nobody uses: when this process already keeps the CPUs busy
        (drawing, effect bands, decoder and encoder threads) or the machine's load average is at
        the CPU limit, a second process only shares the same cores, at twice the memory (the
        upscaled-clips bench ran 12 % slower in two processes on a loaded machine).
        """
        frames, drawing = self.mark()
        per_frame = (drawing - since[1]) / max(1, frames - since[0])
        encoder = self.muxer.encode_seconds / max(1, self.muxer.frames_encoded)
        saved = remaining * per_frame * (1 - 1 / processes)
        if not (per_frame > _SPLIT_RATIO * encoder and saved > _SPLIT_GAIN_S):
            return False
        cpus = cpu_limit()
        wall = max(1e-6, time.perf_counter() - self.started)
        busy = (time.process_time() - self.cpu_started) / wall
        try:
            load = os.getloadavg()[0]
        except OSError:  # not available: judge from this process alone
            load = 0.0
        idle = cpus - busy >= _SPLIT_IDLE and load < cpus
        log.debug("split? drawing %.1f ms/frame, encoder %.1f, busy %.2f of %d CPUs, load %.2f: %s",
                  1000 * per_frame, 1000 * encoder, busy, cpus, load, idle)  # fmt: skip
        return idle

    def mark(self) -> tuple[int, float]:
        """(frames drawn, drawing seconds) so far."""
        return self.next - self.first, self.clock.timeline + self.clock.raster

    def close(self) -> ChunkReport:
        t0 = time.perf_counter()
        self.muxer.close()
        self.clock.encode += time.perf_counter() - t0
        c = self.clock
        timings = StageTimings(setup=self.renderer._setup_seconds - self.setup_before, timeline=c.timeline,
                               raster=c.raster, encode=c.encode, encoder_thread=self.muxer.encode_seconds,
                               converter_thread=self.muxer.convert_seconds)  # fmt: skip
        return ChunkReport(self.out, range(self.first, self.next), time.perf_counter() - self.started, timings,
                           self.renderer.warnings)  # fmt: skip

    def abort(self) -> None:
        self.muxer.abort()


def render_chunk(
    doc: VideoJSON | DocumentSource,
    frames: range,
    out: str | os.PathLike[str],
    *,
    settings: RenderSettings | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    font_dirs: Sequence[str | os.PathLike[str]] = (),
    sources: SourcePolicy | None = None,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelLike | None = None,
    strict_media: bool | None = None,
) -> ChunkReport:
    """Render document frames `frames` as one piece: a closed-GOP H.264 MP4, atomically, no audio.

    The piece's first frame is an IDR frame and its timestamps start at 0; its other keyframes fall
    where the whole render forces them. `stitch` joins pieces of one render (same settings) into
    the video a single-process render writes. `on_progress("render", done, len(frames))`; `cancel`
    is checked after every frame (a cancelled chunk leaves no file).

    Usage::

        render_chunk("doc.json", range(0, 150), "chunk_0000.mp4")
        render_chunk("doc.json", range(150, 300), "chunk_0001.mp4")
        stitch(["chunk_0000.mp4", "chunk_0001.mp4"], "out.mp4", audio="audio.m4a")
    """
    with Renderer(doc, settings=settings, base_dir=base_dir, font_dirs=font_dirs, sources=sources,
                  strict=strict, strict_media=strict_media) as renderer:  # fmt: skip
        return _chunk_of(renderer, frames, Path(out), on_progress, _cancel_check(cancel))


# ---------------------------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class _WorkerSpec:
    """Everything a worker process needs to build its Renderer (all picklable)."""

    doc: Any
    settings: RenderSettings
    base_dir: Path | None
    font_dirs: tuple[Path, ...]
    sources: Any
    strict: bool
    strict_document: bool = False


def _worker_main(spec: _WorkerSpec, tasks: Any, results: Any, stop: Any) -> None:
    """A worker process: take (index, frames, path) tasks until None, render each, report back."""
    from vfnative.api.environment import limit_heap_growth

    limit_heap_growth()
    renderer: Renderer | None = None
    try:
        while True:
            task = tasks.get()
            if task is None:
                return
            index, frames, path = task
            try:
                if renderer is None:
                    renderer = Renderer(spec.doc, settings=spec.settings, base_dir=spec.base_dir,
                                        font_dirs=spec.font_dirs, sources=spec.sources,
                                        strict=spec.strict_document, strict_media=spec.strict)  # fmt: skip

                report = _chunk_of(renderer, frames, Path(path), _progress_to(results, index), stop.is_set)
                results.put(("done", index, report))
            except BaseException as exc:  # reported to the parent, which raises it
                results.put(("error", index, _picklable(exc)))
                return
    except KeyboardInterrupt:  # the parent handles Ctrl-C
        return
    finally:
        if renderer is not None:
            renderer.close()


def _progress_to(results: Any, index: int) -> ProgressCallback:
    """A chunk's progress callback: every `_PROGRESS_EVERY` frames (and the last) to the parent."""

    def progress(stage: str, done: int, total: int) -> None:
        if done % _PROGRESS_EVERY == 0 or done == total:
            results.put(("progress", index, done))

    return progress


def _picklable(exc: BaseException) -> BaseException:
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - anything that cannot cross the process boundary as is
        return RenderError(f"{type(exc).__name__}: {exc}")
    return exc


def _sum_timings(reports: Sequence[ChunkReport], audio: float) -> StageTimings:
    def total(name: str) -> float:
        return float(sum(getattr(r.timings, name) for r in reports))

    return StageTimings(setup=total("setup"), timeline=total("timeline"), raster=total("raster"),
                        encode=total("encode"), encoder_thread=total("encoder_thread"), audio=audio,
                        converter_thread=total("converter_thread"))  # fmt: skip


def render_parallel(
    renderer: Renderer,
    output: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelLike | None = None,
    min_chunk_frames: int = MIN_CHUNK_FRAMES,
    probe_frames: int | None = None,
    split: bool | None = None,
) -> RenderReport:
    """Render `renderer`'s document to `output` using up to `jobs` processes (default: the CPU limit).

    This process starts drawing from frame 0 and, after `probe_frames` (default: two seconds of
    video), looks at what set the pace after the first frame: when drawing did, by enough to pay
    for starting workers (`_ChunkWriter.worth_splitting`), it keeps a share of the frames and
    spawns ``jobs - 1`` workers for the rest, in equal contiguous chunks of at least
    `min_chunk_frames`; otherwise more processes would only compete with libx264 for the same CPUs,
    so it renders everything itself (`split` True or False overrides the decision). Either way the pieces and the audio (mixed
    and encoded once) are stitched without re-encoding. Renders too short for two chunks go straight
    to `renderer.render_video`.

    The output appears atomically; on an error, a cancel or Ctrl-C the workers are stopped and no
    file is left. `RenderReport.timings` are summed over the pieces (CPU-like seconds, not wall time).
    """
    from vfnative.api.render import check_output, chunkable

    fmt = check_output(output, renderer.settings)  # before any work: a bad name leaves nothing behind
    why_not = chunkable(output, fmt)
    if why_not is not None:  # GIF, image sequences, audio, streams: one process
        log.info("rendering %s in one process: %s", output, why_not)
        return renderer.render_video(output, on_progress=on_progress, cancel=cancel)
    with output_file(output) as target:
        report = _render_parallel(renderer, target, jobs=jobs, on_progress=on_progress, cancel=cancel,
                                  min_chunk_frames=min_chunk_frames, probe_frames=probe_frames, split=split)  # fmt: skip
    return replace(report, output=storage.display(output))


def _render_parallel(
    renderer: Renderer,
    output: Path,
    *,
    jobs: int | None,
    on_progress: ProgressCallback | None,
    cancel: CancelLike | None,
    min_chunk_frames: int,
    probe_frames: int | None,
    split: bool | None,
) -> RenderReport:
    jobs = cpu_limit() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs: expected >= 1; got {jobs}")
    total = renderer.frame_count
    if jobs == 1 or total < 2 * max(1, min_chunk_frames):
        return renderer.render_video(output, on_progress=on_progress, cancel=cancel)
    from vfnative.encode.stitch import stitch, write_audio_piece

    started = time.perf_counter()
    is_cancelled = _cancel_check(cancel)
    if not output.parent.is_dir():
        raise EncodeError(f"{output}: the output folder does not exist", source=str(output))
    doc = renderer.document
    settings = renderer.settings
    probe = min(
        total - min_chunk_frames, probe_frames if probe_frames is not None else max(30, round(2 * doc.fps))
    )
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".chunks", dir=output.parent))
    ctx = mp.get_context("spawn")
    tasks, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs: list[Any] = []
    own: _ChunkWriter | None = None
    reports: list[ChunkReport] = []
    try:
        t0 = time.perf_counter()
        audio = renderer.render_audio()
        suffix = _piece_suffix(output)
        audio_name = "audio.webm" if suffix == ".webm" else "audio.m4a"  # Opus beside VP9, else AAC
        audio_piece = write_audio_piece(audio.T, work / audio_name, handler_name=settings.encode.handler_name) \
            if audio is not None else None  # fmt: skip
        audio_seconds = time.perf_counter() - t0
        pieces = [work / f"chunk_0000{suffix}"]
        own = _ChunkWriter(renderer, pieces[0], settings.encode, 0)
        tracker = _Tracker(procs, results, stop, [range(0, total)], on_progress, is_cancelled)
        own.render(range(0, 1), tracker.local, tracker.cancelled)  # the first frame draws everything: skip it
        first = own.mark()
        own.render(range(1, probe), tracker.local, tracker.cancelled)
        chunks = [range(0, total)]
        processes = min(jobs, max(1, (total - probe) // min_chunk_frames))
        if split if split is not None else own.worth_splitting(first, total - probe, processes):
            chunks = plan_chunks(total - probe, jobs, min_frames=min_chunk_frames,
                                 per_job=_chunks_per_job(renderer.document))  # fmt: skip
            chunks = [range(c.start + probe, c.stop + probe) for c in chunks]
            chunks[0] = range(0, chunks[0].stop)
        log.info("rendering %r to %s: %d frames in %d chunk(s)", renderer, output, total, len(chunks))
        if len(chunks) > 1:
            processes = min(jobs, len(chunks))
            encode = settings.encode
            if encode.threads is None:  # share the CPUs between the workers' encoder threads
                encode = replace(encode, threads=max(1, cpu_limit() // processes))
            spec = _WorkerSpec(
                doc=doc,
                settings=replace(settings, width=int(doc.width), height=int(doc.height), scale=1.0,
                                 fps=float(doc.fps), encode=encode),
                base_dir=renderer.base_dir,
                font_dirs=renderer.font_dirs,
                sources=renderer.sources.policy,
                strict=renderer.strict,
                strict_document=renderer.strict_document,
            )  # fmt: skip
            pieces += [work / f"chunk_{i:04d}{suffix}" for i in range(1, len(chunks))]
            procs += [ctx.Process(target=_worker_main, args=(spec, tasks, results, stop),
                                  name=f"vfnative-chunk-{i}", daemon=True) for i in range(1, processes)]  # fmt: skip
            tracker.set_chunks(chunks, done0=probe)
            for p in procs:
                p.start()
            for i in range(1, len(chunks)):
                tasks.put((i, chunks[i], str(pieces[i])))
            for _ in procs:
                tasks.put(None)
        own.render(range(probe, chunks[0].stop), tracker.local, tracker.cancelled)
        tracker.finished(0, own.close())
        own = None
        reports = tracker.wait()
        if on_progress is not None:
            on_progress("finish", 0, 1)
        stitch(pieces, output, audio=audio_piece)
    finally:
        if own is not None:
            own.abort()
        stop.set()
        _stop_workers(procs)
        tasks.close()
        results.close()
        shutil.rmtree(work, ignore_errors=True)
    if on_progress is not None:
        on_progress("finish", 1, 1)
    for r in reports:
        for w in r.warnings:
            if w not in renderer.warnings:
                renderer._warnings.record(w)
    seconds = time.perf_counter() - started
    report = RenderReport(output=output, frames=total, seconds=seconds, width=int(doc.width),
                          height=int(doc.height), fps=float(doc.fps), warnings=renderer.warnings,
                          timings=_sum_timings(reports, audio_seconds),
                          media_cache=sum((r.media_cache for r in reports if r.pid != os.getpid()),
                                          renderer.sources.stats))  # fmt: skip
    log.info("wrote %s: %d frames in %.2f s (%.2fx realtime, %d processes)", output, total, seconds,
             report.realtime_factor, 1 + len(procs))  # fmt: skip
    return report


class _Tracker:
    """The chunks' progress and results: this process's chunk and the workers' messages."""

    def __init__(self, procs: Sequence[Any], results: Any, stop: Any, chunks: Sequence[range],
                 on_progress: ProgressCallback | None, is_cancelled: Callable[[], bool]) -> None:  # fmt: skip
        self.procs, self.results, self.stop, self.chunks = procs, results, stop, chunks
        self.on_progress, self.is_cancelled = on_progress, is_cancelled
        self.total = sum(len(c) for c in chunks)
        self.done = [0] * len(chunks)
        self.reports: dict[int, ChunkReport] = {}

    def set_chunks(self, chunks: Sequence[range], *, done0: int) -> None:
        """The final plan (this process's chunk first), once the probe has decided it."""
        self.chunks = chunks
        self.done = [0] * len(chunks)
        self.done[0] = done0

    def cancelled(self) -> bool:
        if self.is_cancelled():
            self.stop.set()
            raise RenderCancelled(
                f"render cancelled after {sum(self.done)} of {self.total} frames", frame=sum(self.done)
            )
        return False

    def local(self, done: int) -> None:
        """Progress of the chunk rendered in this process; also drains the workers' messages."""
        self.done[0] = done
        while self._poll(0.0):
            pass
        self._report()

    def finished(self, index: int, report: ChunkReport) -> None:
        self.reports[index] = report
        self.done[index] = len(self.chunks[index])
        self._report()

    def wait(self) -> list[ChunkReport]:
        """Every chunk's report, in order; raises the first worker error, a cancel, or a dead worker."""
        while len(self.reports) < len(self.chunks):
            self.cancelled()
            if not self._poll(0.1):
                self._check_workers()
        return [self.reports[i] for i in range(len(self.chunks))]

    def _poll(self, timeout: float) -> bool:
        try:
            kind, index, payload = self.results.get(timeout=timeout) if timeout else self.results.get_nowait()
        except queue.Empty:
            return False
        if kind == "progress":
            self.done[index] = payload
        elif kind == "done":
            self.finished(index, payload)
            return True
        else:
            self.stop.set()
            raise payload
        self._report()
        return True

    def _check_workers(self) -> None:
        dead = [p for p in self.procs if p.exitcode not in (None, 0)]
        if dead:
            raise RenderError(f"a render worker process died (exit code {dead[0].exitcode})")
        if all(p.exitcode == 0 for p in self.procs) and not self._poll(1.0):
            # every worker has exited and what they sent last is in the pipe by now
            raise RenderError("the render workers stopped before every chunk was rendered")

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress("render", sum(self.done), self.total)


def _stop_workers(procs: Sequence[Any], grace: float = 2.0) -> None:
    """Join the worker processes; terminate (then kill) any that do not exit within `grace` seconds."""
    deadline = time.monotonic() + grace
    for p in procs:
        if p.pid is None:
            continue
        p.join(timeout=max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.pid is not None and p.is_alive():
            p.terminate()
            p.join(timeout=1.0)
            if p.is_alive():
                p.kill()
                p.join()


def _piece_suffix(output: Path) -> str:
    """The pieces' extension: the output's container (.mp4 for H.264/H.265/AV1, .mov, .webm)."""
    suffix = output.suffix.lower()
    return ".mp4" if suffix == ".m4v" else suffix


def _chunks_per_job(doc: Any) -> int:
    """`CHUNKS_PER_JOB`, or 1 when a video layer would make every chunk seek (and decode up to a
    whole GOP of the source before its first frame)."""
    if any(getattr(layer, "type", None) == "video" for _path, layer in doc.walk_layers()):
        return 1
    return CHUNKS_PER_JOB


def effective_jobs(total: int, jobs: int | None, *, min_chunk_frames: int = MIN_CHUNK_FRAMES) -> int:
    """How many processes `render_parallel` would start for `total` frames (1 = in this process)."""
    jobs = cpu_limit() if jobs is None else jobs
    return min(jobs, len(plan_chunks(total, jobs, min_frames=min_chunk_frames)))
