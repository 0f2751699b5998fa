"""Container benchmark: image size by layer, a fresh container's first effects frame, and a worker's start.

Hot path: `docker run` (container creation) → the CLI seeds numba's cache from the image's prebuilt one
→ imports → the first frame of bench/documents/effects-showcase.json (1920×1080, three photos with
seventeen effects) written as PNG; and `vfnative worker` in a fresh container until Celery is consuming.

Each figure is the median of ``--runs`` fresh containers, wall clock around `docker run`, with the same
render on the host (this interpreter, its own warm numba cache) in the same command as the baseline.
The worker figure is the time from `docker run -d` until the worker's log says it is ready and then
until it has received a job queued before it started (Redis from compose.yaml's image, on a private
Docker network). Needs the images from scripts/build-image.sh and bench/make_media.py's media.

    python bench/container_start.py [--image vfnative:local] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT / "bench" / "documents"


def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, input=stdin)


def layers(image: str) -> None:
    size = int(run("docker", "image", "inspect", "-f", "{{.Size}}", image).stdout)
    print(f"image  {image}: {size / 1e6:.0f} MB uncompressed")
    history = run("docker", "history", "--no-trunc", "--format", "{{.Size}}\t{{.CreatedBy}}", image).stdout
    for line in history.splitlines():
        size_text, created = line.split("\t", 1)
        if size_text not in ("0B", "0"):
            print(f"layer  {size_text:>8}  {created[:110]}")


def first_frame(image: str, runs: int) -> None:
    doc = DOCUMENTS / "effects-showcase.json"
    if not (DOCUMENTS / "media").is_dir():
        sys.exit("bench/documents/media is missing: run python bench/make_media.py first")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)
        inside, outside = [], []
        for _ in range(runs):
            start = time.perf_counter()
            run("docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp", "-v", f"{DOCUMENTS}:/in:ro",
                "-v", f"{tmp}:/work", image, "frames", "/in/effects-showcase.json", "--frames", "0", "-o", "out", "-q")  # fmt: skip
            inside.append(time.perf_counter() - start)
            start = time.perf_counter()
            run(
                sys.executable,
                "-m",
                "vfnative.cli.main",
                "frames",
                str(doc),
                "--frames",
                "0",
                "-o",
                f"{tmp}/host",
                "-q",
            )
            outside.append(time.perf_counter() - start)
    a, b = statistics.median(inside), statistics.median(outside)
    print(f"frame  effects-showcase frame 0, fresh read-only container: {a:.2f} s; host process: {b:.2f} s "
          f"({a / b:.2f}x)")  # fmt: skip


def worker_start(image: str, redis_image: str, runs: int) -> None:
    net = f"vfnative-bench-{uuid.uuid4().hex[:6]}"
    run("docker", "network", "create", net)
    redis = run(
        "docker", "run", "-d", "--rm", "--network", net, "--network-alias", "redis", redis_image
    ).stdout.strip()
    broker = "redis://redis:6379/0"
    ready, received = [], []
    try:
        time.sleep(1.0)
        doc = json.dumps({"width": 320, "height": 180, "fps": 30, "duration": 0.2, "layers": []})
        for _ in range(runs):
            # queued before the worker exists
            submit = ["docker", "run", "--rm", "-i", "--network", net, "-e", f"VFNATIVE_BROKER={broker}", image,
                      "submit", "-", "-o", "/tmp/out.mp4", "--shared-dir", "/tmp"]  # fmt: skip
            run(*submit, stdin=doc)
            start = time.perf_counter()
            name = run("docker", "run", "-d", "--read-only", "--tmpfs", "/tmp", "--network", net,
                       "-e", f"VFNATIVE_BROKER={broker}", image, "worker", "--concurrency", "1").stdout.strip()  # fmt: skip
            t_ready = t_received = None
            try:
                while time.perf_counter() - start < 60 and t_received is None:
                    logs = run("docker", "logs", name, check=False)
                    text = logs.stdout + logs.stderr
                    now = time.perf_counter() - start
                    if t_ready is None and " ready." in text:
                        t_ready = now
                    if "received" in text:
                        t_received = now
                    time.sleep(0.05)
            finally:
                run("docker", "rm", "-f", name, check=False)
            ready.append(t_ready or float("nan"))
            received.append(t_received or float("nan"))
    finally:
        run("docker", "rm", "-f", redis, check=False)
        run("docker", "network", "rm", net, check=False)
    print(
        f"worker fresh container: ready {statistics.median(ready):.2f} s, queued job received "
        f"{statistics.median(received):.2f} s after docker run (runs: {[round(x, 2) for x in received]})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="vfnative:local")
    parser.add_argument("--redis-image", default="vfnative-redis:local")
    parser.add_argument("--runs", type=int, default=3)
    a = parser.parse_args()
    print(f"load   {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    layers(a.image)
    first_frame(a.image, a.runs)
    worker_start(a.image, a.redis_image, a.runs)


if __name__ == "__main__":
    main()
