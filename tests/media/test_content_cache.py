"""The media content cache: fetched once, revalidated by ETag / Last-Modified, LRU-bounded, shared by processes.

The origin is an in-test HTTP server on 127.0.0.1 that honours conditional requests and counts what it
answered (200 with a body, or 304), so the tests count real fetches.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import vfnative
from vfnative.media.content_cache import ContentCache, MediaCacheStats
from vfnative.media.sources import SourcePolicy, SourceResolver

SRC = Path(vfnative.__file__).resolve().parents[1]


class _Origin(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: dict[str, bytes] = {}
        self.validators: dict[str, str] = {}  # path -> "etag" | "last-modified" | "none"
        self.versions: dict[str, int] = {}
        self.answers: list[tuple[str, int]] = []
        self.delay_s = 0.0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def put(self, path: str, body: bytes, validators: str = "etag") -> None:
        with self.lock:
            self.bodies[path] = body
            self.validators[path] = validators
            self.versions[path] = self.versions.get(path, 0) + 1

    def count(self, status: int, path: str | None = None) -> int:
        return sum(1 for p, s in self.answers if s == status and (path is None or p == path))


class _Handler(BaseHTTPRequestHandler):
    server: _Origin

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        srv = self.server
        with srv.lock:
            body = srv.bodies.get(self.path)
            kind = srv.validators.get(self.path, "none")
            version = srv.versions.get(self.path, 0)
        if body is None:
            self._answer(404, b"")
            return
        headers: dict[str, str] = {}
        if kind == "etag":
            headers["ETag"] = f'"v{version}"'
            if self.headers.get("If-None-Match") == headers["ETag"]:
                self._answer(304, b"", headers)
                return
        if kind == "last-modified":
            headers["Last-Modified"] = formatdate(1_700_000_000 + version, usegmt=True)
            if self.headers.get("If-Modified-Since") == headers["Last-Modified"]:
                self._answer(304, b"", headers)
                return
        time.sleep(srv.delay_s)
        self._answer(200, body, headers)

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        with self.server.lock:
            self.server.answers.append((self.path, status))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status == 200:
            self.wfile.write(body)


@pytest.fixture
def origin() -> Iterator[_Origin]:
    srv = _Origin()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def _policy(cache: Path | None, **changes: Any) -> SourcePolicy:
    return SourcePolicy(allow_network=True, allowed_networks=("127.0.0.0/8",), cache_dir=cache, **changes)


def _resolve(policy: SourcePolicy, url: str, base: Path) -> tuple[bytes, MediaCacheStats]:
    with SourceResolver(policy, base) as resolver:
        data = resolver.resolve(url).read_bytes()
        return data, resolver.stats


@pytest.mark.parametrize("validators", ["etag", "last-modified"])
def test_fetched_once_then_revalidated(origin: _Origin, tmp_path: Path, validators: str) -> None:
    policy = _policy(tmp_path / "cache")
    origin.put("/photo.png", b"one" * 100, validators)
    url = origin.url("/photo.png")
    assert _resolve(policy, url, tmp_path) == (b"one" * 100, MediaCacheStats(misses=1, bytes_fetched=300))
    assert _resolve(policy, url, tmp_path) == (b"one" * 100, MediaCacheStats(hits=1))
    assert (origin.count(200), origin.count(304)) == (1, 1)
    origin.put("/photo.png", b"two" * 50, validators)  # changed at the origin: fetched again
    assert _resolve(policy, url, tmp_path) == (b"two" * 50, MediaCacheStats(misses=1, bytes_fetched=150))
    assert (origin.count(200), origin.count(304)) == (2, 1)


def test_without_validators_an_entry_is_kept_as_is(origin: _Origin, tmp_path: Path) -> None:
    policy = _policy(tmp_path / "cache")
    origin.put("/plain.png", b"plain", "none")
    for _ in range(3):
        _resolve(policy, origin.url("/plain.png"), tmp_path)
    assert origin.answers == [("/plain.png", 200)]


def test_without_a_cache_every_render_fetches(origin: _Origin, tmp_path: Path) -> None:
    origin.put("/photo.png", b"x" * 10)
    for _ in range(2):
        assert _resolve(_policy(None), origin.url("/photo.png"), tmp_path)[1] == MediaCacheStats(0, 1, 10)
    assert origin.count(200) == 2


def test_least_recently_used_entries_are_evicted(origin: _Origin, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    policy = _policy(cache, cache_max_bytes=2500)
    for name in ("a", "b"):
        origin.put(f"/{name}.bin", name.encode() * 1000)
        _resolve(policy, origin.url(f"/{name}.bin"), tmp_path)
        time.sleep(0.02)
    _resolve(policy, origin.url("/a.bin"), tmp_path)  # a is used again: b is now the oldest
    time.sleep(0.02)
    origin.put("/c.bin", b"c" * 1000)
    _resolve(policy, origin.url("/c.bin"), tmp_path)
    kept = sorted(json.loads(p.read_text())["url"].rsplit("/", 1)[1] for p in cache.glob("*.json"))
    assert kept == ["a.bin", "c.bin"]
    assert sum(p.stat().st_size for p in cache.glob("*.bin")) <= 2500
    _resolve(policy, origin.url("/b.bin"), tmp_path)  # gone: fetched again
    assert origin.count(200, "/b.bin") == 2


def test_an_entry_in_use_is_not_evicted(origin: _Origin, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    policy = _policy(cache, cache_max_bytes=1500)
    origin.put("/a.bin", b"a" * 1000)
    origin.put("/b.bin", b"b" * 1000)
    with SourceResolver(policy, tmp_path) as rendering:
        held = rendering.resolve(origin.url("/a.bin"))
        time.sleep(0.02)
        _resolve(policy, origin.url("/b.bin"), tmp_path)  # over the bound, but a is pinned by a render
        assert held.read_bytes() == b"a" * 1000
    origin.put("/c.bin", b"c" * 1000)
    _resolve(policy, origin.url("/c.bin"), tmp_path)  # now a (released, oldest) can go
    assert not held.exists()


_CHILD = """
import sys
from vfnative.media.sources import SourcePolicy, SourceResolver
policy = SourcePolicy(allow_network=True, allowed_networks=("127.0.0.0/8",), cache_dir=sys.argv[1])
with SourceResolver(policy, sys.argv[1]) as resolver:
    data = resolver.resolve(sys.argv[2]).read_bytes()
    print(len(data), resolver.stats.hits, resolver.stats.misses)
"""


def test_concurrent_processes_fetch_a_url_once(origin: _Origin, tmp_path: Path) -> None:
    origin.put("/shared.png", b"s" * 5000)
    origin.delay_s = 0.5  # the first fetch is still running when the others ask
    cache = tmp_path / "cache"
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(cache), origin.url("/shared.png")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for _ in range(4)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outputs.append(out.split())
    assert sorted(outputs) == [["5000", "0", "1"]] + [["5000", "1", "0"]] * 3
    assert origin.count(200) == 1
    assert [p.name for p in cache.iterdir() if p.name.startswith(".fetch-")] == []


def test_render_report_counts_hits_misses_and_bytes(origin: _Origin, tmp_path: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 255)).save(buffer, format="PNG")
    origin.put("/photo.png", buffer.getvalue())
    doc = {
        "name": "remote photo", "width": 32, "height": 18, "fps": 10, "duration": 0.2,
        "layers": [{"id": "p", "type": "image", "properties": {},
                    "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.2,
                                 "source": origin.url("/photo.png")}}],
    }  # fmt: skip
    policy = _policy(tmp_path / "cache")
    first = vfnative.render(doc, tmp_path / "a.mp4", base_dir=tmp_path, sources=policy, strict=True)
    second = vfnative.render(doc, tmp_path / "b.mp4", base_dir=tmp_path, sources=policy, strict=True)
    assert first.media_cache == MediaCacheStats(misses=1, bytes_fetched=len(buffer.getvalue()))
    assert second.media_cache == MediaCacheStats(hits=1)
    assert origin.count(200) == 1


def test_cache_rejects_a_zero_bound(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        ContentCache(tmp_path, 0)
    with pytest.raises(ValueError, match="cache_max_bytes"):
        SourcePolicy(cache_max_bytes=0)
