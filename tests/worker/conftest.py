"""The real thing: a redis-server on a free loopback port and real Celery worker processes.

`redis_url` (session) starts ``redis-server --port N --save '' --appendonly no`` and stops it at the
end; `RedisServer` starts one (with AOF if asked) that a test may restart. `Workers` starts ``celery -A vfnative.worker.app worker`` (or ``vfnative worker``) processes, each
in its own session, so a test can SIGKILL a whole process group (the worker and its pool children)
exactly as a machine dying would. Nothing here mocks Celery or Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("celery", reason="the render farm needs the worker extra: pip install '.[worker]'")
pytest.importorskip("redis", reason="the render farm needs the worker extra: pip install '.[worker]'")

import redis  # noqa: E402

import vfnative  # noqa: E402

SRC = Path(vfnative.__file__).resolve().parents[1]
LEASE_S = 3.0
"""Short leases so a killed worker's chunk is found within seconds (production default: 10 s)."""
SWEEP_S = 0.5
START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A private redis-server on 127.0.0.1 in `folder`; `stop` and `start` again keep its port (a restart).

    ``appendonly=True`` runs it as every example configuration does: AOF with ``appendfsync everysec``.
    """

    def __init__(self, folder: Path, *, appendonly: bool = False) -> None:
        self.folder, self.appendonly = folder, appendonly
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self, exe: str, port: int) -> list[str]:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec"]
            if self.appendonly
            else ["--appendonly", "no"]
        )
        return [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", *persistence, "--dir", str(self.folder),
                "--logfile", str(self.folder / "redis.log")]  # fmt: skip

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            if os.environ.get("CI"):
                pytest.fail("redis-server is not installed (.ci/run installs Debian's redis-server)")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        for _ in range(5 if self.port is None else 1):
            port = self.port or _free_port()
            proc = subprocess.Popen(self._command(exe, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)  # fmt: skip
            client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
            deadline = time.monotonic() + 10
            up = False
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    up = bool(client.ping())
                    break
                except (redis.ConnectionError, redis.BusyLoadingError):
                    time.sleep(0.05)
            client.close()
            if up:
                self.port, self.proc = port, proc
                return
            proc.kill()
            proc.wait(timeout=5)
        pytest.fail(f"redis-server did not start; see {self.folder / 'redis.log'}")

    def stop(self) -> None:
        """SIGTERM: Redis writes its AOF and exits (a clean restart, as a supervisor does it)."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 (no persistence), torn down after the session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def worker_env(redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env["VFNATIVE_BROKER"] = redis_url
    env["VFNATIVE_LEASE_S"] = str(LEASE_S)
    env["VFNATIVE_SWEEP_S"] = str(SWEEP_S)
    env.setdefault("NUMBA_CACHE_DIR", str(Path.cwd() / ".numba_cache"))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Worker:
    """One worker process (its own session and process group) and its log file."""

    def __init__(self, name: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.proc, self.log = name, proc, log

    def __repr__(self) -> str:
        return f"<Worker {self.name} pid={self.proc.pid}>"

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill_group(self) -> None:
        """SIGKILL the worker and every process it started (its whole process group)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            if not self.alive:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{self} did not become ready:\n{self.log.read_text(errors='replace')[-4000:]}")


class Workers:
    """Starts worker processes against `redis_url`; stops whatever is still running at teardown."""

    def __init__(self, redis_url: str, folder: Path) -> None:
        self.redis_url, self.folder = redis_url, folder
        self.started: list[Worker] = []

    def start(
        self, name: str, *, concurrency: int = 1, via_cli: bool = False, queue: str = "render", **env: str
    ) -> Worker:
        log = self.folder / f"{name}.log"
        if via_cli:
            cmd = [sys.executable, "-m", "vfnative.cli.main", "worker", f"--hostname={name}@%h",
                   f"--concurrency={concurrency}", f"--queue={queue}"]  # fmt: skip
        else:
            cmd = [sys.executable, "-m", "celery", "-A", "vfnative.worker.app", "worker", f"--hostname={name}@%h",
                   f"--concurrency={concurrency}", "--prefetch-multiplier=1", f"--queues={queue}",
                   "--loglevel=INFO", "--without-gossip", "--without-mingle"]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, env={**worker_env(self.redis_url), **env}, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        worker = Worker(name, proc, log)
        self.started.append(worker)
        return worker

    def start_all(self, *names: str, **kwargs: Any) -> list[Worker]:
        workers = [self.start(n, **kwargs) for n in names]
        for w in workers:
            w.wait_ready()
        return workers

    def stop_all(self) -> None:
        for w in self.started:
            w.stop()


@pytest.fixture(scope="module")
def farm_workers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    """Two single-process workers shared by a module's tests (one started through `vfnative worker`)."""
    workers = Workers(redis_url, tmp_path_factory.mktemp("workers"))
    try:
        yield [*workers.start_all("alpha"), *workers.start_all("beta", via_cli=True)]
    finally:
        workers.stop_all()


@pytest.fixture
def workers(redis_url: str, tmp_path: Path) -> Iterator[Workers]:
    """Workers for one test (for tests that kill them)."""
    pool = Workers(redis_url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


# ---------------------------------------------------------------------------------------------- documents


def write_tone(path: Path, seconds: float, *, rate: int = 48_000, freq: float = 440.0) -> Path:
    """A 16-bit stereo sine WAV: left at `freq`, right an octave up."""
    t = np.arange(int(seconds * rate)) / rate
    pcm = (12000 * np.stack([np.sin(2 * np.pi * freq * t), np.sin(4 * np.pi * freq * t)], axis=1)).astype(
        "<i2"
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def farm_document(
    *, duration: float = 20.0, width: int = 1280, height: int = 720, fps: float = 30, audio: str | None = None
) -> dict[str, Any]:
    """Shapes that jump across the frame every half second (tens of px per frame, so a one-frame shift
    between two videos is obvious), cheap to draw; optionally an audio layer playing `audio`."""
    positions = [[0.15, 0.2], [0.85, 0.8], [0.8, 0.15], [0.2, 0.85]]

    def track(offset: int) -> list[dict[str, Any]]:
        steps = int(duration / 0.5) + 1
        return [
            {
                "time": round(min(k * 0.5, duration), 3),
                "value": positions[(k + offset) % 4],
                "easing": "linear",
            }
            for k in range(steps)
        ]

    layers: list[dict[str, Any]] = []
    for i, (kind, color) in enumerate(
        [("rectangle", "#ff3b30"), ("ellipse", "#34c759"), ("rectangle", "#ffcc00")]
    ):
        layers.append(
            {
                "id": f"shape{i}",
                "type": "shape",
                "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "shapeType": kind},
                "properties": {"width": 24 + 6 * i, "height": 24, "fill": color, "position": positions[i]},
                "animations": [{"property": "position", "keyframes": track(i)}],
            }
        )
    if audio is not None:
        layers.append(
            {
                "id": "tone",
                "type": "audio",
                "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "source": audio},
                "properties": {},
            }
        )
    return {
        "name": "farm",
        "width": width,
        "height": height,
        "fps": fps,
        "duration": duration,
        "backgroundColor": "#101820",
        "layers": layers,
    }
