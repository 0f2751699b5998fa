"""Render service benchmark: what `vfnative serve` adds per job, on top of the render itself (issue 18).

Hot path: ``POST /v1/renders`` (validate, check limits, one SQLite transaction) → a local render
process claims the job (one IMMEDIATE transaction, woken by a semaphore) → ``Renderer.render_video``
into ``work/<id>/`` → move to ``outputs/`` and record the result → ``GET /v1/renders/{id}``.

Fixed workload: tiny documents (64×48, one moving square, 1–9 frames at 10 fps) so that the render is
a few milliseconds and what remains is the service. The service is started by this script
(``python -m vfnative.cli.main serve``, embedded backend, ``--workers 2``) in a temporary folder.

Cases:

* ``burst``: N documents POSTed at once from N threads. POST latency p50/p95 (client side),
  submit-to-running p50/p95 (the service's ``created_at`` → ``started_at``; queueing behind the two
  render processes included), and the wall time until all are done, against the baseline: the same
  documents rendered one after another in this process with ``vfnative.render`` (same command).
* ``sequential``: one job at a time on idle render processes. Per-job service overhead = POST latency
  + dispatch (``created_at`` → ``started_at``) + the render process's time around the engine
  (``finished_at − started_at − engine_seconds``, the engine's time being what ``vfnative render``
  also spends: ``Renderer(...)`` through ``render_video``). The issue's target: p95 ≤ 50 ms.
  Wall times move with the machine's load, so the same case also reports CPU seconds, which do not:
  the service process's and its render processes' CPU over the case (``/proc``), minus the engine's
  own CPU (``engine_cpu_seconds``, measured around the engine in the render process), per job.

    PYTHONPATH=src python bench/bench_service.py [--jobs 50] [--sequential 30]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))


def tiny_document(frames: int, color: str = "#ff0000") -> dict[str, Any]:
    duration = frames / 10
    return {
        "width": 64, "height": 48, "fps": 10, "duration": duration, "backgroundColor": "#203040",
        "layers": [{
            "id": "square", "type": "shape",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "shapeType": "rectangle"},
            "properties": {"width": 30, "height": 30, "fill": color, "position": [0.3, 0.5]},
            "animations": [{"property": "position", "keyframes": [
                {"time": 0, "value": [0.3, 0.5], "easing": "linear"},
                {"time": duration, "value": [0.7, 0.5], "easing": "linear"}]}],
        }],
    }  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def start_service(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vfnative.cli.main", "serve", "--port", str(port), "--workers", "2",
         "--data-dir", str(folder / "data"), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                time.sleep(2.0)  # the render processes warm up (one tiny frame each)
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"vfnative serve did not start; see {folder / 'serve.log'}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` and of its live children (the render processes)."""
    tick = os.sysconf("SC_CLK_TCK")

    def one(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    total = one(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(OSError):
                total += one(int(child))
    return total


def wait_done(client: Any, job: str) -> dict[str, Any]:
    while True:
        state: dict[str, Any] = client.get(f"/v1/renders/{job}").json()
        if state["status"] in ("done", "failed", "cancelled"):
            if state["status"] != "done":
                raise SystemExit(f"job {job} ended {state['status']}: {state['error']}")
            return state
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=50, help="documents in the burst (default 50)")
    parser.add_argument("--sequential", type=int, default=30, help="jobs in the sequential case (default 30)")
    args = parser.parse_args()

    import httpx

    import vfnative

    docs = [tiny_document(1 + i % 9, f"#{(i * 5) % 256:02x}80ff") for i in range(args.jobs)]
    print(f"vfnative {vfnative.__version__}  cpus {os.cpu_count()}  load {os.getloadavg()[0]:.2f}  "
          f"jobs {args.jobs}  sequential {args.sequential}")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()  # baseline: the same documents, in-process, one after another
        for i, doc in enumerate(docs):
            vfnative.render(doc, folder / f"base{i}.mp4")
        baseline = time.perf_counter() - t0

        proc, url = start_service(folder)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                # sequential: idle render processes, one job at a time
                overheads, posts, dispatch, around = [], [], [], []
                engine_cpu = 0.0
                cpu_before = cpu_seconds(proc.pid)
                for i in range(args.sequential):
                    t = time.perf_counter()
                    job = client.post("/v1/renders", json=docs[i % len(docs)]).json()["id"]
                    post = time.perf_counter() - t
                    state = wait_done(client, job)
                    created, started, finished = (
                        ts(state[k]) for k in ("created_at", "started_at", "finished_at")
                    )
                    rendered = float(state["output"]["engine_seconds"] or state["output"]["render_seconds"])
                    posts.append(post)
                    dispatch.append(started - created)
                    around.append(finished - started - rendered)
                    overheads.append(post + (started - created) + (finished - started - rendered))
                    engine_cpu += float(state["output"]["engine_cpu_seconds"] or 0.0)
                service_cpu = (cpu_seconds(proc.pid) - cpu_before - engine_cpu) / args.sequential

                # burst: every document at once
                pool_limits = httpx.Limits(max_connections=len(docs), max_keepalive_connections=len(docs))
                with httpx.Client(base_url=url, timeout=60, limits=pool_limits) as shared:
                    for _ in range(
                        len(docs)
                    ):  # open the connections first (one client, as an app server has)
                        shared.get("/healthz")

                    def submit(doc: dict[str, Any]) -> tuple[str, float]:
                        t = time.perf_counter()
                        job = shared.post("/v1/renders", json=doc).json()["id"]
                        return str(job), time.perf_counter() - t

                    t0 = time.perf_counter()
                    with ThreadPoolExecutor(len(docs)) as pool:
                        submitted = list(pool.map(submit, docs))
                finals = [wait_done(client, job) for job, _ in submitted]
                burst_wall = time.perf_counter() - t0
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)

    to_running = [ts(s["started_at"]) - ts(s["created_at"]) for s in finals]
    span = max(ts(s["finished_at"]) for s in finals) - min(ts(s["created_at"]) for s in finals)
    burst_posts = [p for _, p in submitted]
    ms = 1000.0
    print(f"burst       {args.jobs} jobs  POST p50 {pct(burst_posts, .5) * ms:6.1f} ms  p95 {pct(burst_posts, .95) * ms:6.1f} ms"
          f"   submit-to-running p50 {pct(to_running, .5) * ms:7.1f} ms  p95 {pct(to_running, .95) * ms:7.1f} ms"
          f"   all done {burst_wall:.2f} s (first accepted to last finished {span:.2f} s)   in-process one by one {baseline:.2f} s"
          f"   service/in-process {span / baseline:.2f}x")  # fmt: skip
    print(f"sequential  {args.sequential} jobs  overhead p50 {pct(overheads, .5) * ms:6.1f} ms  p95 {pct(overheads, .95) * ms:6.1f} ms"
          f"   (POST p95 {pct(posts, .95) * ms:.1f} ms, dispatch p95 {pct(dispatch, .95) * ms:.1f} ms,"
          f" around the render p95 {pct(around, .95) * ms:.1f} ms; target p95 <= 50 ms)")  # fmt: skip
    print(f"sequential  service CPU per job {service_cpu * ms:.1f} ms (service and render processes' CPU "
          f"minus the engine's {engine_cpu / args.sequential * ms:.1f} ms; polling GETs included)")  # fmt: skip
    print(f"median render seconds per job (renderer's own): "
          f"{statistics.median(float(s['output']['render_seconds']) for s in finals) * ms:.1f} ms   "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
