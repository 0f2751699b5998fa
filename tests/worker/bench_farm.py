"""Wall time of the 20 s 1280×720 farm document: one process vs the farm with 1 and 2 workers.

Hot path: a whole farm job (plan → 4 chunk renders → audio → stitch) through a real redis-server and
real Celery worker processes, measured from `submit` to the job's ``done``. Workers are started and
warmed by small jobs first, so process start-up is excluded (as in a running farm); the configurations
run in interleaved rounds so load from elsewhere on the machine hits them alike. Run:

    PYTHONPATH=src python tests/worker/bench_farm.py [--runs 3] [--chunks 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.worker.conftest import Workers, farm_document, write_tone  # noqa: E402

import vfnative  # noqa: E402
import vfnative.worker  # noqa: E402
from vfnative.settings import cpu_limit  # noqa: E402


@contextmanager
def _redis(folder: Path) -> Iterator[str]:
    import shutil
    import socket
    import subprocess

    import redis

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _cpu_seconds(pgids: list[int]) -> float:
    """User + system CPU seconds of every live process in the process groups `pgids` (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in pgids:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _job(doc: Path, out: Path, url: str, chunks: int, pool: Workers | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds the pool's processes spent) for one job."""
    pgids = [w.proc.pid for w in pool.started] if pool else []
    cpu0 = _cpu_seconds(pgids)
    started = time.perf_counter()
    job = vfnative.worker.submit(doc, out, chunks=chunks, broker=url)
    vfnative.worker.wait(job, timeout=600, poll_s=0.05, broker=url)
    return time.perf_counter() - started, _cpu_seconds(pgids) - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="vfnative-bench-farm-"))
    audio = None
    if hasattr(vfnative, "render_audio"):
        write_tone(folder / "tone.wav", 20.0)
        audio = "tone.wav"
    doc = folder / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=20.0, audio=audio)))
    warm = folder / "warm.json"
    warm.write_text(json.dumps(farm_document(duration=1.0, width=320, height=180)))
    print(f"cpus {cpu_limit()} (load {os.getloadavg()[0]:.1f})  skia/PyAV/numba as installed  "
          f"document 20 s 1280x720@30 ({'with' if audio else 'no'} audio), {args.chunks} chunks, median of {args.runs}")  # fmt: skip

    vfnative.render(warm, folder / "warm.mp4")
    configs = (  # each its own farm (its own Redis database), all started before the first run
        ("farm 1 worker  x 1 proc ", ["a1"], 1, 1),
        ("farm 2 workers x 1 proc ", ["b1", "b2"], 1, 2),
        ("farm 1 worker  x 2 procs", ["c1"], 2, 3),
    )
    times: dict[str, list[float]] = {"single process           ": []}
    cpu: dict[str, list[float]] = {"single process           ": []}
    with _redis(folder) as url:
        pools: list[tuple[str, str, Workers]] = []
        try:
            for label, names, concurrency, db in configs:
                db_url = url.rsplit("/", 1)[0] + f"/{db}"
                pool = Workers(db_url, folder)
                pools.append((label, db_url, pool))
                pool.start_all(*[f"{n}" for n in names], concurrency=concurrency)
                for _ in range(2 * len(names) * concurrency):
                    _job(warm, folder / "warm.mp4", db_url, 1, pool)
                times[label], cpu[label] = [], []
            # interleaved rounds, so a busy neighbour on the machine slows every configuration alike
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                vfnative.render(doc, folder / "single.mp4")
                times["single process           "].append(time.perf_counter() - t0)
                cpu["single process           "].append(time.process_time() - c0)
                for label, db_url, pool in pools:
                    wall, used = _job(doc, folder / "farm.mp4", db_url, args.chunks, pool)
                    times[label].append(wall)
                    cpu[label].append(used)
        finally:
            for _label, _url, pool in pools:
                pool.stop_all()
    base = statistics.median(times["single process           "])
    for label, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(
            f"{label}  {median:6.2f} s  ({spread})  {20 / median:5.2f}x realtime   single/this {base / median:4.2f}x"
            f"   CPU {statistics.median(cpu[label]):5.1f} s"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
