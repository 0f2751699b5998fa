"""The render service as it runs in production: `vfnative serve` in its own process on a loopback port.

`ServiceProcess` starts ``python -m vfnative.cli.main serve ...`` (real uvicorn, real render processes
or a real Celery farm), waits for ``/readyz``, and stops it with SIGTERM (SIGKILL for the restart test).
`hook_receiver` is a real HTTP server on 127.0.0.2 (a loopback address that ``--allow-private-network
127.0.0.2/32`` admits, while 127.0.0.1 stays refused) that fails a chosen number of times first.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the render service needs the server extra: pip install '.[server]'")
pytest.importorskip("uvicorn", reason="the render service needs the server extra")
pytest.importorskip("httpx", reason="the render service tests use httpx")

import contextlib

import httpx  # noqa: E402

import vfnative  # noqa: E402

SRC = Path(vfnative.__file__).resolve().parents[1]
MAIN_KEY = "test-main-key-0123456789"
SMALL_KEY = "test-small-key-0123456789"
WEBHOOK_SECRET = "whsec_" + "c2VydmljZS10ZXN0LXdlYmhvb2stc2VjcmV0"  # base64 of "service-test-webhook-secret"
HOOK_HOST = "127.0.0.2"
START_TIMEOUT_S = 90.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def tiny_document(
    frames: int = 5, *, fps: float = 10, width: int = 64, height: int = 48, color: str = "#ff0000"
):
    """A cheap document of exactly `frames` frames: one moving square."""
    duration = frames / fps
    return {
        "name": f"tiny-{frames}",
        "width": width,
        "height": height,
        "fps": fps,
        "duration": duration,
        "backgroundColor": "#203040",
        "layers": [
            {
                "id": "square",
                "type": "shape",
                "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "shapeType": "rectangle"},
                "properties": {"width": 30, "height": 30, "fill": color, "position": [0.3, 0.5]},
                "animations": [{"property": "position", "keyframes": [
                    {"time": 0, "value": [0.3, 0.5], "easing": "linear"},
                    {"time": duration, "value": [0.7, 0.5], "easing": "linear"}]}],
            }
        ],
    }  # fmt: skip


def long_document(seconds: float = 60.0) -> dict[str, Any]:
    """A document that renders for many seconds (so it can be seen running and cancelled)."""
    return tiny_document(int(seconds * 30), fps=30, width=1280, height=720)


def service_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VFNATIVE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("NUMBA_CACHE_DIR", str(Path.cwd() / ".numba_cache"))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class ServiceProcess:
    """One `vfnative serve` process; `url` once ready."""

    def __init__(self, data_dir: Path, args: list[str], env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.args = args
        self.env = service_env(env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"{data_dir.name}-serve.log"
        self.output = ""

    def start(self) -> ServiceProcess:
        cmd = [sys.executable, "-m", "vfnative.cli.main", "serve", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--log-level", "warning", *self.args]  # fmt: skip
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vfnative serve exited {self.proc.returncode}:\n{self.read_log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"vfnative serve did not become ready:\n{self.read_log()}")

    def read_log(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def children(self) -> list[int]:
        """Pids of the service's direct children (render processes, resource tracker), from /proc."""
        assert self.proc is not None
        pids: list[int] = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def kill(self) -> None:
        """SIGKILL the service process alone (as a crash would); its render processes must die with it."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def wait_status(client: httpx.Client, job: str, statuses: tuple[str, ...], timeout: float = 60.0,
                predicate: Any = None) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = client.get(f"/v1/renders/{job}").json()
        if state.get("status") in statuses and (predicate is None or predicate(state)):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not reach {statuses} in {timeout} s: {state}")


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def write_keys(path: Path) -> Path:
    from vfnative.service.keys import hash_key

    path.write_text(json.dumps({"keys": [
        {"name": "main", "sha256": hash_key(MAIN_KEY), "concurrency": 200, "webhook_secret": WEBHOOK_SECRET},
        {"name": "small", "key": SMALL_KEY, "concurrency": 1, "limits": {"max_document_bytes": 4000,
                                                                          "max_duration_s": 100}},
    ]}))  # fmt: skip
    return path


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one small PNG, served as --media-root."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("media")
    Image.new("RGBA", (16, 16), (0, 200, 80, 255)).save(folder / "dot.png")
    return folder


class HookReceiver:
    """A webhook receiver on 127.0.0.2 that answers 500 to the first `fail_first` deliveries."""

    def __init__(self, fail_first: int = 2) -> None:
        self.fail_first = fail_first
        self.received: list[tuple[int, dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                failing = len(receiver.received) < receiver.fail_first
                code = 500 if failing else 204
                receiver.received.append((code, dict(self.headers.items()), body))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((HOOK_HOST, 0), Handler)
        self.url = f"http://{HOOK_HOST}:{self.server.server_address[1]}/hooks/vfnative"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_receiver() -> Iterator[HookReceiver]:
    try:
        receiver = HookReceiver()
    except OSError as exc:  # pragma: no cover - a sandbox without 127.0.0.2
        pytest.skip(f"cannot bind {HOOK_HOST}: {exc}")
    try:
        yield receiver
    finally:
        receiver.close()


SERVICE_ARGS = ["--allow-private-network", f"{HOOK_HOST}/32", "--webhook-retry-delays", "0.2,0.4,0.8,1.6,3.2"]


@pytest.fixture(scope="module")
def embedded_service(tmp_path_factory: pytest.TempPathFactory, media_root: Path) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("embedded")
    keys = write_keys(folder / "keys.json")
    service = ServiceProcess(folder / "data", ["--workers", "2", "--keys", str(keys), "--media-root",
                                               str(media_root), *SERVICE_ARGS])  # fmt: skip
    service.start()
    try:
        yield service
    finally:
        service.stop()


# ---------------------------------------------------------------------------------------------- the farm


@pytest.fixture(scope="module")
def farm_service(tmp_path_factory: pytest.TempPathFactory, media_root: Path) -> Iterator[ServiceProcess]:
    """`vfnative serve --broker` over a private redis-server and two `vfnative worker` processes."""
    pytest.importorskip("celery", reason="the farm backend needs the worker extra")
    import shutil

    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (.ci/run installs Debian's redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("farm")
    port = free_port()
    redis_proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    broker = f"redis://127.0.0.1:{port}/0"
    workers: list[subprocess.Popen[bytes]] = []
    service: ServiceProcess | None = None
    try:
        env = service_env({"VFNATIVE_BROKER": broker, "VFNATIVE_LEASE_S": "3", "VFNATIVE_SWEEP_S": "0.5"})
        logs = []
        for name in ("farm-a", "farm-b"):
            log = folder / f"{name}.log"
            logs.append(log)
            with log.open("wb") as out:
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "vfnative.cli.main", "worker", "--broker", broker, "--concurrency", "1",
                     "--hostname", f"{name}@%h"],
                    env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                ))  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(" ready." in log.read_text(errors="replace") for log in logs):
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise RuntimeError(
                    "farm workers did not start:\n" + "\n".join(log.read_text()[-2000:] for log in logs)
                )
            time.sleep(0.1)
        keys = write_keys(folder / "keys.json")
        service = ServiceProcess(folder / "data", ["--broker", broker, "--keys", str(keys), "--chunks", "1",
                                                   "--media-root", str(media_root), *SERVICE_ARGS])  # fmt: skip
        service.start()
        yield service
    finally:
        if service is not None:
            service.stop()
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait(timeout=10)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


@pytest.fixture(scope="module", params=["embedded", "farm"])
def service(request: pytest.FixtureRequest) -> ServiceProcess:
    """The service under test, once per backend."""
    return request.getfixturevalue(f"{request.param}_service")


@pytest.fixture
def client(service: ServiceProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {MAIN_KEY}"}, timeout=30) as c:
        yield c


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def media_server(media_root: Path) -> Iterator[str]:
    """The media folder over HTTP on 127.0.0.2 (admitted by the service's --allow-private-network)."""
    try:
        server = http.server.ThreadingHTTPServer(
            (HOOK_HOST, 0), functools.partial(_Files, directory=str(media_root))
        )
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"cannot bind {HOOK_HOST}: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOOK_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
