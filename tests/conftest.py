"""Project-wide pytest options (`--show-diff` writes golden diff PNGs into the test's tmp_path) and
fixtures shared across test packages."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vfnative golden parity")
    group.addoption(
        "--show-diff",
        action="store_true",
        default=False,
        help="write ours/golden/diff PNGs of every compared golden frame into the test's tmp_path",
    )


@pytest.fixture
def show_diff(request: pytest.FixtureRequest) -> bool:
    """True when `--show-diff` was given."""
    return bool(request.config.getoption("--show-diff"))


@pytest.fixture
def muxer_threads() -> Callable[[], list[str]]:
    """A function naming the live Muxer threads (converter, encoder): [] once every Muxer is closed."""

    def names() -> list[str]:
        prefixes = ("vfnative-convert", "vfnative-encode")
        return [t.name for t in threading.enumerate() if t.name.startswith(prefixes)]

    return names


# ---------------------------------------------------------------------------------------------- S3


_REQUEST_LINE = re.compile(r'"(GET|HEAD|PUT|POST|DELETE) (\S+) HTTP/[\d.]+\S*" (\d{3})')


class S3Server:
    """A `moto_server` process: a real S3 HTTP API on a loopback port, its request log, its AWS env."""

    def __init__(self, proc: subprocess.Popen[bytes], endpoint: str, log: Path, env: dict[str, str]) -> None:
        self.proc, self.endpoint, self.log, self.env = proc, endpoint, log, env

    def __repr__(self) -> str:
        return f"<S3Server {self.endpoint}>"

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def bucket(self, name: str) -> str:
        """Create bucket `name` (if needed); returns it."""
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def requests(self, method: str | None = None, path: str | None = None) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request the server has logged, optionally filtered."""
        found = []
        for match in _REQUEST_LINE.finditer(self.log.read_text(errors="replace")):
            m, p, status = match.group(1), match.group(2), int(match.group(3))
            if (method is None or m == method) and (path is None or p.split("?", 1)[0] == path):
                found.append((m, p, status))
        return found


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """`moto_server` (moto[server], in the test extra) on a free 127.0.0.1 port for the session.

    Sets the standard AWS variables in this process (endpoint, dummy keys, region; no shared config
    files) so `vfnative.storage` finds it exactly as it would find S3 or MinIO; `S3Server.env` holds
    the same for subprocesses. Restored at the end.
    """
    pytest.importorskip("boto3", reason="s3:// needs the s3 extra: pip install '.[s3]'")
    import importlib.util

    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        if os.environ.get("CI"):
            pytest.fail("moto[server] is not installed (it is in the test extra)")
        pytest.skip("moto[server] is not installed: pip install 'moto[server]'")
    folder = tmp_path_factory.mktemp("s3")
    log = folder / "moto.log"
    for _ in range(5):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 30
        up = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    up = True
                    break
            except OSError:
                time.sleep(0.1)
        if up:
            break
        proc.kill()
        proc.wait(timeout=10)
    else:
        pytest.fail(f"moto_server did not start; see {log}")
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(folder / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    from vfnative.storage import s3 as s3_backend

    s3_backend.reset()
    try:
        yield S3Server(proc, endpoint, log, env)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        s3_backend.reset()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
