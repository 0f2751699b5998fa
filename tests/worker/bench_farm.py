"""Wall time of the 20 s 1280×720 farm document: one process vs the farm with 1 and 2 workers.

Hot path: a whole farm job (plan → 4 chunk renders → audio → stitch) through a real redis-server and
real Celery worker processes, measured from `submit` to the job's ``done``. Workers are started and
warmed by a small job first, so process start-up is excluded (as in a running farm). Run:

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

import vfnative  # noqa: E402
import vfnative.worker  # noqa: E402
from tests.worker.conftest import Workers, farm_document, write_tone  # noqa: E402
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
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(folder)],  # fmt: skip
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


def _job(doc: Path, out: Path, url: str, chunks: int) -> float:
    started = time.perf_counter()
    job = vfnative.worker.submit(doc, out, chunks=chunks, broker=url)
    vfnative.worker.wait(job, timeout=600, poll_s=0.05, broker=url)
    return time.perf_counter() - started


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
    single = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        vfnative.render(doc, folder / "single.mp4")
        single.append(time.perf_counter() - t0)
    base = statistics.median(single)
    print(f"single process            {base:6.2f} s   {20 / base:5.2f}x realtime")

    with _redis(folder) as url:
        for label, names, concurrency in (
            ("farm 1 worker  x 1 proc", ["w1"], 1),
            ("farm 2 workers x 1 proc", ["w1", "w2"], 1),
            ("farm 1 worker  x 2 procs", ["w1"], 2),
        ):
            pool = Workers(url, folder)
            try:
                pool.start_all(*names, concurrency=concurrency)
                for _ in range(2 * len(names) * concurrency):
                    _job(warm, folder / "warm.mp4", url, 1)
                times = [_job(doc, folder / "farm.mp4", url, args.chunks) for _ in range(args.runs)]
            finally:
                pool.stop_all()
            median = statistics.median(times)
            print(f"{label}  {median:6.2f} s   {20 / median:5.2f}x realtime   single/farm {base / median:4.2f}x")


if __name__ == "__main__":
    main()
