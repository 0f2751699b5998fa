"""Farm throughput on many short personalised clips: jobs/min, latency, per-job overhead, efficiency.

Hot path: the render farm as a batch service. N clips are made from one template (6 s, 1280×720@30:
a photo with a slow push-in, a logo, "Welcome, <name>!", a number counting up to a per-clip value,
music), submitted at once with `vfnative.worker.submit_many` to K local single-process workers
(`vfnative worker --concurrency 1`) on a real redis-server with AOF (``appendonly yes``,
``appendfsync everysec``), and followed to the last ``done``.

Baseline, in the same command: the same N documents rendered in-process (`vfnative.render` in a
loop), one process per CPU, run before and after the farm (the mean of the two, so load from
elsewhere on the machine hits both alike). Both sides are warmed first (one clip per process):
warm-up is excluded, as in a farm that is already running.

* ``efficiency`` = in-process wall / farm batch wall (1.0: the farm costs nothing);
* ``per-job overhead`` = (K · farm wall − Σ in-process seconds per clip) / N: worker-seconds each
  job costs beyond its render (dispatch, lease, document load, checks, idle gaps, lost work);
* ``task overhead`` = mean of (task seconds − render seconds) inside the worker (the fast path's own
  cost around `Renderer.render_video`);
* ``p50/p95`` = submit-to-done latency per job (the job's ``created`` → ``finished`` in Redis).

``--faults`` also, during the batch: SIGKILLs the process group of a worker that is rendering (then
starts it again, as a supervisor would), restarts Redis (SIGTERM, start on the same port and AOF
folder), and SIGTERMs a worker, which must drain (finish its clip) within ``--grace`` seconds (then
it is started again). Afterwards every job must be ``done`` exactly once, every output must have
exactly round(6 · 30) = 180 frames and an audio stream, and the output folder must hold the N
outputs and nothing else (no chunk, part or temp file).

``--rss`` instead measures warm-worker memory: one worker renders ``--rss-tasks`` small clips of the
same template (default 500 at 640×360, 1 s) and the resident size of its render process is read
after task 10 and after the last (each job's result records its process's pid, task count and RSS).

    python bench/farm_throughput.py --clips 200 --workers 2 [--faults]
    python bench/farm_throughput.py --rss [--rss-tasks 500]

Needs the worker extra and Debian's redis-server. The first line printed is the machine (CPUs, load).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SRC = HERE.parent / "src"

NAMES = ["Ada", "Grace", "Linus", "Barbara", "Alan", "Margaret", "Dennis", "Frances", "Ken", "Radia", "Guido",
         "Hedy", "Tim", "Katherine", "Edsger", "Sophie", "Donald", "Anita", "John", "Shafi"]  # fmt: skip


# ---------------------------------------------------------------------------------------------- documents


def clip(i: int, *, duration: float = 6.0, width: int = 1280, height: int = 720) -> dict[str, Any]:
    """Clip `i` of the template: a different name and number, the same photo, logo and music."""
    name = f"{NAMES[i % len(NAMES)]} #{i + 1}"
    number = 1000 + 137 * i
    return {
        "name": f"welcome clip {i + 1}", "width": width, "height": height, "fps": 30, "duration": duration,
        "backgroundColor": "#0b1020",
        "layers": [
            {"id": "photo", "type": "image",
             "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "source": "media/photo.jpg"},
             "properties": {"fit": "cover", "opacity": 0.7},
             "animations": [{"property": "scale", "keyframes": [{"time": 0, "value": 1.0, "easing": "linear"},
                                                                {"time": duration, "value": 1.06}]}]},
            {"id": "logo", "type": "image",
             "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "source": "media/logo.png"},
             "properties": {"fit": "contain", "scale": 0.13, "position": [0.11, 0.09]},
             "transitionIn": {"transition": "fade", "duration": 0.6}},
            {"id": "name", "type": "text",
             "settings": {"enabled": True, "startTime": 0.3, "sourceDuration": duration - 0.3},
             "properties": {"text": f"Welcome, {name}!", "fontSize": 5, "fontWeight": 800, "fontFamily": "Inter",
                            "color": "#ffffff", "position": [0.5, 0.4]},
             "transitionIn": {"transition": "slideUp", "duration": 0.6}},
            {"id": "number", "type": "text",
             "settings": {"enabled": True, "startTime": min(1.0, duration / 2), "sourceDuration": duration / 2},
             "properties": {"text": f"{number:,}", "fontSize": 8, "fontWeight": 700, "fontFamily": "Inter",
                            "color": "#f59e0b", "position": [0.5, 0.62]},
             "transitionIn": {"transition": "numberCountUp", "duration": min(2.0, duration / 2)}},
            {"id": "music", "type": "audio",
             "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "source": "media/music.m4a"},
             "properties": {"volume": 0.5}},
        ],
    }  # fmt: skip


def write_documents(folder: Path, n: int, **size: Any) -> list[Path]:
    from make_media import make_logo, make_music, make_photo

    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    if not (media / "photo.jpg").exists():
        make_photo(media / "photo.jpg", 1600, 1067)
        make_logo(media / "logo.png")
        make_music(media / "music.m4a", 10)
    paths = []
    for i in range(n):
        path = folder / f"clip{i:05d}.json"
        path.write_text(json.dumps(clip(i, **size)))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------- services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """redis-server on 127.0.0.1 with AOF (appendonly yes, appendfsync everysec) in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        exe = shutil.which("redis-server") or "redis-server"
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "everysec", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(
                        f"redis-server did not start; see {self.folder / 'redis.log'}"
                    ) from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


class Worker:
    """`vfnative worker --concurrency 1` in its own session (so its whole process group can be killed)."""

    def __init__(self, name: str, broker: str, folder: Path, env: dict[str, str]) -> None:
        self.name, self.broker, self.folder, self.env = name, broker, folder, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.log = self.folder / f"{self.name}.{self.starts}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vfnative.cli.main", "worker", "--concurrency=1", f"--hostname={self.name}@%h",
                 f"--broker={self.broker}", "--loglevel=warning"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 180) -> None:
        """Until the worker answers a remote-control ping (its pool is up, its warm-up done)."""
        from celery import Celery

        app = Celery(broker=self.broker)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.log}")
                replies = app.control.ping(destination=[f"{self.name}@{socket.gethostname()}"], timeout=0.5)
                if replies:
                    return
        finally:
            app.close()
        raise RuntimeError(f"{self.name} did not become ready; see {self.log}")

    def kill_group(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self) -> float:
        """SIGTERM to the worker's main process, as `docker stop` or Kubernetes send it (Celery's warm
        shutdown: drain); returns the seconds until it exited."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=600)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)


def _worker_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("NUMBA_CACHE_DIR", str(HERE.parent / ".numba_cache"))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def farm(folder: Path, workers: int, **env: str) -> Iterator[tuple[Redis, list[Worker]]]:
    folder.mkdir(parents=True, exist_ok=True)
    redis_server = Redis(folder)
    redis_server.start()
    pool = [Worker(f"w{i}", redis_server.url, folder, _worker_env(env)) for i in range(workers)]
    try:
        for w in pool:
            w.start()
        for w in pool:
            w.wait_ready()
        yield redis_server, pool
    finally:
        for w in pool:
            w.stop()
        redis_server.stop()


# ---------------------------------------------------------------------------------------------- baseline


def _render_one(job: tuple[str, str]) -> tuple[str, float]:
    import vfnative

    started = time.perf_counter()
    vfnative.render(job[0], job[1])
    return job[0], time.perf_counter() - started


def _warm(doc: str, barrier: Any) -> None:
    """Pool initializer: render one clip, then wait until every process of the pool has."""
    import vfnative
    from vfnative.api.environment import limit_heap_growth

    limit_heap_growth()  # as the CLI and the farm's render processes do
    warm = f"{doc}.{os.getpid()}.warm.mp4"
    vfnative.render(doc, warm)
    os.unlink(warm)
    barrier.wait()


def in_process(docs: Sequence[Path], out: Path, processes: int) -> tuple[float, dict[str, float]]:
    """Wall time of rendering `docs` with `processes` warmed processes, and each document's seconds."""
    out.mkdir(exist_ok=True)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    with context.Pool(processes, initializer=_warm, initargs=(str(docs[0]), barrier)) as pool:
        barrier.wait()  # every process has rendered its warm-up clip
        started = time.perf_counter()
        jobs = [(str(d), str(out / (d.stem + ".mp4"))) for d in docs]
        times = dict(pool.imap_unordered(_render_one, jobs, chunksize=1))
        wall = time.perf_counter() - started
    shutil.rmtree(out)
    return wall, times


# ---------------------------------------------------------------------------------------------- farm run


def run_farm(docs: Sequence[Path], out: Path, broker: str, pool: list[Worker], redis_server: Redis, *,
             faults: bool, grace: float) -> dict[str, Any]:  # fmt: skip
    import vfnative.worker

    out.mkdir(exist_ok=True)
    n = len(docs)
    outputs = [out / f"{d.stem}.mp4" for d in docs]
    notes: list[str] = []
    result_problems: list[str] = []
    started = time.time()
    batch = vfnative.worker.submit_many([str(d) for d in docs], outputs, broker=broker)
    submitted = time.time() - started
    planned = {"kill": n // 4, "redis": n // 2, "term": (3 * n) // 4} if faults else {}
    while True:
        state = vfnative.worker.batch_status(batch.id, broker=broker)
        assert state is not None
        done = state["counts"].get("done", 0) + state["counts"].get("failed", 0)
        if "kill" in planned and done >= planned["kill"]:
            del planned["kill"]
            victim = _busy_worker(batch, pool, broker)
            victim.kill_group()
            victim.start()  # the supervisor starts it again
            notes.append(f"SIGKILL {victim.name}'s process group after {done} jobs (restarted)")
        if "redis" in planned and done >= planned["redis"]:
            del planned["redis"]
            t0 = time.monotonic()
            redis_server.stop()
            redis_server.start()
            notes.append(f"Redis restarted after {done} jobs (down {time.monotonic() - t0:.1f} s)")
        if "term" in planned and done >= planned["term"]:
            del planned["term"]
            victim = _busy_worker(batch, pool, broker)
            took = victim.terminate()
            verdict = "drained" if took <= grace else "did NOT drain"
            notes.append(
                f"SIGTERM {victim.name} after {done} jobs: {verdict} in {took:.1f} s (grace {grace:g} s)"
            )
            if took > grace:
                result_problems.append(
                    f"{victim.name} took {took:.1f} s to drain; the grace period is {grace:g} s"
                )
            victim.start()
        if state["status"] != "running":
            break
        time.sleep(0.1)
    wall = float(state["finished"]) - started
    jobs = [vfnative.worker.status(job, broker=broker) for job in batch]
    return {"batch": batch, "state": state, "jobs": jobs, "wall": wall, "submit_s": submitted, "notes": notes,
            "outputs": outputs, "started": started, "problems": result_problems}  # fmt: skip


def _busy_worker(batch: Sequence[str], pool: list[Worker], broker: str) -> Worker:
    """A worker that is rendering a job of the batch right now (waits for one)."""
    import vfnative.worker

    by_name = {w.name: w for w in pool}
    while True:
        for job in batch:
            state = vfnative.worker.status(job, broker=broker)
            piece = (state or {}).get("pieces", {}).get("render", {})
            owner = (piece.get("owner") or "").split("@")[0]
            running = bool(state) and piece.get("state") == "running" and owner in by_name
            if running and piece.get("frames_done", 0) >= 10:
                return by_name[owner]
        time.sleep(0.05)


def check(result: dict[str, Any], frames: int, broker: str) -> list[str]:
    """Every job done exactly once, every output complete with audio, nothing else in the folder."""
    import av

    from vfnative.worker.client import _farm
    from vfnative.worker.primitives import count_video_frames

    problems = list(result.get("problems", []))
    store = _farm(broker, None).store
    for job, state in zip(result["batch"], result["jobs"], strict=True):
        if state is None or state["status"] != "done":
            problems.append(f"{job}: {state and state['status']} {state and state['error']}")
            continue
        ends = [
            e["event"] for e in store.events(job) if e["piece"] == "" and e["event"] in ("done", "failed")
        ]
        if ends != ["done"]:
            problems.append(f"{job}: ended {ends}")
    for path in result["outputs"]:
        if not path.is_file():
            problems.append(f"{path.name}: missing")
            continue
        with av.open(str(path)) as container:
            has_audio = bool(container.streams.audio)
        count = count_video_frames(path)
        if count != frames or not has_audio:
            problems.append(f"{path.name}: {count} frames, audio {has_audio}")
    expected = {p.name for p in result["outputs"]}
    extra = sorted(p.name for p in result["outputs"][0].parent.iterdir() if p.name not in expected)
    if extra:
        problems.append(f"left in the output folder: {extra[:10]}")
    if store.active_jobs():
        problems.append(f"jobs still active: {store.active_jobs()[:5]}")
    return problems


def recoveries(batch: Sequence[str], broker: str) -> dict[str, int]:
    """How often the farm recovered work: leases that expired, pieces handed back, messages lost."""
    from vfnative.worker.client import _farm

    store = _farm(broker, None).store
    counts: dict[str, int] = {}
    for job in batch:
        for e in store.events(job):
            if e["event"] in ("lease-expired", "handed-back", "message-lost", "error"):
                counts[e["event"]] = counts.get(e["event"], 0) + 1
    return counts


def idle_gaps(batch: Sequence[str], broker: str) -> list[float]:
    """Seconds each worker waited between finishing one job and starting its next (from the events)."""
    from vfnative.worker.client import _farm

    store = _farm(broker, None).store
    runs: dict[str, list[tuple[float, float]]] = {}
    for job in batch:
        events = store.events(job)
        starts = [e for e in events if e["piece"] == "render" and e["event"] == "started"]
        ends = [e["t"] for e in events if e["piece"] == "" and e["event"] == "done"]
        if starts and ends:
            worker = str(starts[-1]["holder"])
            runs.setdefault(worker, []).append((float(starts[-1]["t"]), float(ends[0])))
    gaps = []
    for spans in runs.values():
        spans.sort()
        gaps += [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False) if b[0] >= a[1]]
    return gaps


def _header() -> str:
    import av
    import numba

    from vfnative.settings import cpu_limit

    load = os.getloadavg()
    return (f"cpus {cpu_limit()} (host {os.cpu_count()})  load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  "
            f"PyAV {av.__version__}  numba {numba.__version__}  python {sys.version.split()[0]}")  # fmt: skip


def throughput(args: argparse.Namespace, folder: Path) -> int:
    from vfnative.settings import cpu_limit

    docs = write_documents(folder / "docs", args.clips, duration=args.duration)
    frames = round(args.duration * 30)
    processes = args.processes or cpu_limit()
    print(_header(), flush=True)
    print(f"{args.clips} clips of {args.duration:g} s 1280x720@30 ({frames} frames, photo, logo, name, "
          f"counting number, music); {args.workers} workers; baseline {processes} processes", flush=True)  # fmt: skip
    before, times_a = in_process(docs, folder / "inproc", processes)
    print(f"in-process (before): {before:.1f} s", flush=True)
    with farm(folder / "farm", args.workers, VFNATIVE_LEASE_S=str(args.lease_s)) as (redis_server, pool):
        # warm each worker with one clip (as a farm that is already running)
        import vfnative.worker

        warm = [vfnative.worker.submit(str(docs[0]), folder / f"warm{i}.mp4", broker=redis_server.url)
                for i in range(args.workers)]  # fmt: skip
        for job in warm:
            vfnative.worker.wait(job, timeout=600, broker=redis_server.url)
        result = run_farm(docs, folder / "out", redis_server.url, pool, redis_server, faults=args.faults,
                          grace=args.grace)  # fmt: skip
        problems = check(result, frames, redis_server.url)
        gaps = idle_gaps(result["batch"], redis_server.url)
        recovered = recoveries(result["batch"], redis_server.url)
    after, times_b = in_process(docs, folder / "inproc", processes)
    print(f"in-process (after):  {after:.1f} s", flush=True)
    baseline = (before + after) / 2
    per_doc = {d: (times_a[d] + times_b[d]) / 2 for d in times_a}
    wall = result["wall"]
    latencies = sorted(float(j["updated"]) - float(j["created"]) for j in result["jobs"] if j)
    task_over = [j["result"]["task_seconds"] - j["result"]["render_seconds"] for j in result["jobs"]
                 if j and j["result"] and "task_seconds" in j["result"]]  # fmt: skip
    overhead = (args.workers * wall - sum(per_doc.values())) / args.clips
    efficiency = baseline / wall
    for note in result["notes"]:
        print(f"fault: {note}")
    if recovered:
        print(f"recovered: {recovered}")
    print(f"farm batch wall {wall:.1f} s (submit_many {result['submit_s'] * 1000:.0f} ms), "
          f"{args.clips / wall * 60:.1f} jobs/min; in-process {baseline:.1f} s ({args.clips / baseline * 60:.1f} jobs/min)")  # fmt: skip
    print(
        f"submit-to-done p50 {statistics.median(latencies):.1f} s  p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} s"
    )
    print(f"per-job overhead {overhead * 1000:.0f} ms (in-process clip {statistics.mean(per_doc.values()):.2f} s); "
          f"task overhead {statistics.mean(task_over) * 1000:.0f} ms")  # fmt: skip
    if gaps:
        print(f"idle gap between a worker's jobs: median {statistics.median(gaps) * 1000:.0f} ms, "
              f"max {max(gaps) * 1000:.0f} ms")  # fmt: skip
        print(f"the farm's own cost per job, measured inside it: task overhead + median idle gap = "
              f"{(statistics.mean(task_over) + statistics.median(gaps)) * 1000:.0f} ms")  # fmt: skip
    farm_render = [j["result"]["render_seconds"] for j in result["jobs"] if j and j["result"]]
    if farm_render:
        print(f"render seconds per clip: farm {statistics.mean(farm_render):.2f} s (inside the task), "
              f"in-process {statistics.mean(per_doc.values()):.2f} s")  # fmt: skip
    print(f"efficiency {efficiency:.3f}   (target: >= {0.90 if args.faults else 0.95})")
    print(
        f"checks: {problems or f'all {args.clips} done exactly once, {frames} frames + audio each, no orphan file'}"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 1 if problems else 0


def rss(args: argparse.Namespace, folder: Path) -> int:
    import vfnative.worker

    docs = write_documents(folder / "docs", min(args.rss_tasks, 50), duration=args.rss_duration, width=640,
                           height=360)  # fmt: skip
    print(_header(), flush=True)
    out = folder / "out"
    out.mkdir()
    with farm(folder / "farm", 1, VFNATIVE_MAX_TASKS_PER_CHILD="0") as (redis_server, _pool):
        started = time.time()
        batch = vfnative.worker.submit_many([str(docs[i % len(docs)]) for i in range(args.rss_tasks)],
                                            [out / f"{i:05d}.mp4" for i in range(args.rss_tasks)],
                                            broker=redis_server.url)  # fmt: skip
        while (state := vfnative.worker.batch_status(batch.id, broker=redis_server.url))[
            "status"
        ] == "running":  # type: ignore[index]
            time.sleep(0.5)
        procs = [vfnative.worker.status(job, broker=redis_server.url)["result"]["process"] for job in batch]  # type: ignore[index]
        gaps = idle_gaps(batch, redis_server.url)
    wall = time.time() - started
    pids = {p["pid"] for p in procs}
    by_task = {p["tasks"]: p["rss_mb"] for p in procs}
    last = max(by_task)
    print(f"{args.rss_tasks} tasks of the template at 640x360, {args.rss_duration:g} s, on one worker process "
          f"in {wall:.0f} s; counts {state['counts']}; processes {len(pids)}")  # fmt: skip
    for k in (1, 10, 50, 100, 200, 300, 400, last):
        if k in by_task:
            print(f"  RSS after task {k:4d}: {by_task[k]:7.1f} MB")
    if gaps:
        print(f"idle gap between jobs: median {statistics.median(gaps) * 1000:.0f} ms")
    ratio = by_task[last] / by_task[10]
    print(f"RSS after {last} / after 10: {ratio:.3f}  (target: within 1.20)")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0 if abs(ratio - 1) <= 0.2 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=200, help="clips in the batch (default 200)")
    parser.add_argument(
        "--workers", type=int, default=2, help="local workers, one render process each (default 2)"
    )
    parser.add_argument(
        "--processes", type=int, help="in-process baseline processes (default: the CPU limit)"
    )
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per clip (default 6)")
    parser.add_argument(
        "--faults", action="store_true", help="SIGKILL a worker, restart Redis, SIGTERM a worker"
    )
    parser.add_argument("--grace", type=float, default=30.0, help="seconds a SIGTERMed worker has to drain")
    parser.add_argument(
        "--lease-s", type=float, default=10.0, help="VFNATIVE_LEASE_S of the workers (default 10)"
    )
    parser.add_argument(
        "--rss", action="store_true", help="measure a worker process's RSS over many tasks instead"
    )
    parser.add_argument("--rss-tasks", type=int, default=500)
    parser.add_argument("--rss-duration", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return rss(args, args.keep) if args.rss else throughput(args, args.keep)
    with tempfile.TemporaryDirectory(prefix="farm-bench-") as tmp:
        return rss(args, Path(tmp)) if args.rss else throughput(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
