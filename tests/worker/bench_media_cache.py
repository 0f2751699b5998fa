"""Wall time and bytes fetched of a 20-job batch that shares one remote photo, with and without the media cache.

Hot path: `submit_many` of 20 short jobs (the fast path: one task each) whose only media is one photo on
S3, on 2 workers that each act as their own machine (own temp folder, own media cache, own machine id),
measured from the submit to the last job's ``done``. S3 is moto_server on loopback; `--mbit N` puts a
proxy in front of it that limits each connection's downloads to N Mbit/s, as a link to a remote store
would (0: loopback speed, where only the transfer's handling shows). Each
round starts both configurations from cold caches and fresh workers (warmed by a job without media
first); the configurations alternate so load from elsewhere hits them alike. Run:

    PYTHONPATH=src python tests/worker/bench_media_cache.py [--rounds 3] [--photo-px 1600] [--mbit 100]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.worker.bench_farm import _redis  # noqa: E402
from tests.worker.conftest import Workers, farm_document  # noqa: E402

import vfnative  # noqa: E402
import vfnative.worker  # noqa: E402
from vfnative import storage  # noqa: E402
from vfnative.settings import cpu_limit  # noqa: E402

JOBS = 20
BUCKET = "vf-bench"


def _moto(folder: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = folder / "moto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}", log


class _Throttle(threading.Thread):
    """A loopback TCP proxy to `port` whose server-to-client direction runs at `mbit` Mbit/s per connection."""

    def __init__(self, port: int, mbit: float) -> None:
        super().__init__(daemon=True)
        self.target, self.rate = port, mbit * 1e6 / 8
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def run(self) -> None:
        while True:
            client, _ = self.sock.accept()
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.rate), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, rate: float | None) -> None:
        try:
            while data := src.recv(16384):
                dst.sendall(data)
                if rate:
                    time.sleep(len(data) / rate)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def _photo(px: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (px, px, 3), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _document(source: str | None) -> dict[str, object]:
    doc = farm_document(duration=0.5, width=640, height=360)
    if source is None:
        return doc
    photo = {"id": "photo", "type": "image", "properties": {"opacity": 0.8},
             "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.5, "source": source}}  # fmt: skip
    return {**doc, "layers": [photo, *doc["layers"]]}  # type: ignore[list-item]


def _gets(log: Path, path: str) -> int:
    return len(re.findall(rf'"GET {re.escape(path)} HTTP', log.read_text(errors="replace")))


def _run(
    mode: str, url: str, log: Path, photo: str, folder: Path, sources: vfnative.SourcePolicy
) -> dict[str, float]:
    pool = Workers(url, folder)
    try:
        for name in ("east", "west"):
            home = folder / name
            (home / "tmp").mkdir(parents=True)
            cache = str(home / "cache") if mode == "cache" else "off"
            pool.start(name, TMPDIR=str(home / "tmp"), VFNATIVE_CACHE_DIR=cache, VFNATIVE_MACHINE_ID=f"m-{name}",
                       VFNATIVE_LEASE_S="10", VFNATIVE_SWEEP_S="2")  # fmt: skip
        for w in pool.started:
            w.wait_ready()
        warm = vfnative.worker.submit_many([_document(None)] * 4,
                                           [f"s3://{BUCKET}/warm/{mode}-{i}.mp4" for i in range(4)], broker=url)  # fmt: skip
        for job in warm:
            vfnative.worker.wait(job, timeout=300, poll_s=0.1, broker=url)
        key = "/" + photo[len("s3://") :]
        before = _gets(log, key)
        started = time.perf_counter()
        batch = vfnative.worker.submit_many([_document(photo)] * JOBS,
                                            [f"s3://{BUCKET}/out/{mode}-{i:02d}.mp4" for i in range(JOBS)],
                                            sources=sources, broker=url)  # fmt: skip
        finals = [vfnative.worker.wait(job, timeout=600, poll_s=0.05, broker=url) for job in batch]
        wall = time.perf_counter() - started
        counts = [f["result"]["media_cache"] for f in finals]
        return {
            "wall": wall,
            "gets": _gets(log, key) - before,
            "bytes": sum(c["bytes_fetched"] for c in counts),
            "hits": sum(c["hits"] for c in counts),
        }
    finally:
        pool.stop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--photo-px", type=int, default=1600, help="the photo is PX×PX of noise (PNG)")
    parser.add_argument(
        "--mbit", type=float, default=0, help="per-connection download speed from S3 (0: loopback)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vfnative-bench-cache-") as tmp:
        folder = Path(tmp)
        proc, endpoint, log = _moto(folder)
        if args.mbit:
            throttle = _Throttle(int(endpoint.rsplit(":", 1)[1]), args.mbit)
            throttle.start()
            endpoint = f"http://127.0.0.1:{throttle.port}"
        os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(folder / "none"),
                           "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none")})  # fmt: skip
        try:
            from vfnative.storage.s3 import store

            store().client.create_bucket(Bucket=BUCKET)
            data = _photo(args.photo_px)
            (folder / "photo.png").write_bytes(data)
            photo = f"s3://{BUCKET}/template/photo.png"
            storage.put_file(folder / "photo.png", photo)
            sources = vfnative.SourcePolicy(allowed_buckets=(BUCKET,))
            results: dict[str, list[dict[str, float]]] = {"nocache": [], "cache": []}
            with _redis(folder) as url:
                for r in range(args.rounds):
                    for mode in ("nocache", "cache") if r % 2 == 0 else ("cache", "nocache"):
                        run_dir = folder / f"{mode}-{r}"
                        run_dir.mkdir()
                        results[mode].append(_run(mode, url, log, photo, run_dir, sources))
                        print(f"round {r} {mode:8s} {results[mode][-1]}", file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    load = os.getloadavg()[0]
    link = f"{args.mbit:g} Mbit/s per connection" if args.mbit else "loopback"
    print(f"# {JOBS} jobs (640x360, 0.5 s, fast path), one {len(data) / 2**20:.1f} MiB photo on S3 (moto, {link}), "
          f"2 workers x 1 process, {cpu_limit()} CPUs, load {load:.1f}, median of {args.rounds}")  # fmt: skip
    base = statistics.median(r["wall"] for r in results["nocache"])
    for mode in ("nocache", "cache"):
        rows = results[mode]
        wall = statistics.median(r["wall"] for r in rows)
        print(f"{'without cache' if mode == 'nocache' else 'with cache':14s} {wall:6.2f} s "
              f"({min(r['wall'] for r in rows):.2f}-{max(r['wall'] for r in rows):.2f})  "
              f"GETs {statistics.median(r['gets'] for r in rows):4.0f}  "
              f"fetched {statistics.median(r['bytes'] for r in rows) / 2**20:7.1f} MiB  "
              f"cache hits {statistics.median(r['hits'] for r in rows):3.0f}  "
              f"without/this {base / wall:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
