"""SourceResolver: path traversal, data: URIs, and SSRF against a bounded in-test HTTP server on 127.0.0.1.

No test connects anywhere but 127.0.0.1: names resolve through an injected `getaddrinfo`, and every
connection goes through a spy that fails the test for any other address. Private targets (10.x,
169.254.169.254, ...) must be refused after resolution, before a connection is attempted.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from vfnative.errors import AssetError, MissingAssetError
from vfnative.media.sources import SourcePolicy, SourceResolver

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

# --------------------------------------------------------------------------- local files


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """doc/ (the document folder) with media, and a secret beside it."""
    doc = tmp_path / "doc"
    (doc / "media").mkdir(parents=True)
    (doc / "media" / "a.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "b.png").write_bytes(PNG)
    return doc


def test_relative_and_absolute_paths_inside_the_root(tree: Path) -> None:
    resolver = SourceResolver(SourcePolicy(), tree)
    assert resolver.resolve("media/a.png") == tree / "media" / "a.png"
    assert resolver.resolve("./media/../media/a.png") == tree / "media" / "a.png"
    assert resolver.resolve(str(tree / "media" / "a.png")) == tree / "media" / "a.png"
    assert resolver("media/a.png") == tree / "media" / "a.png"  # a plain resolve(source) callable


@pytest.mark.parametrize(
    "source",
    [
        "../secret.png",
        "media/../../secret.png",
        "../../../../../../../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "file:///{tmp}/secret.png",
        "file://localhost/{tmp}/secret.png",
        "file:///{tmp}/doc/%2e%2e/secret.png",
        "~/secret.png",
    ],
)
def test_traversal_is_refused_naming_the_source(tree: Path, source: str) -> None:
    source = source.replace("/{tmp}", str(tree.parent))
    with pytest.raises(AssetError) as info:
        SourceResolver(SourcePolicy(), tree).resolve(source)
    assert not isinstance(info.value, MissingAssetError)
    assert repr(source) in str(info.value)
    assert "outside the allowed folders" in str(info.value)
    assert "--allow-root" in str(info.value)
    assert info.value.source == source


def test_symlinks_are_resolved_before_the_check(tree: Path) -> None:
    (tree / "out.png").symlink_to(tree.parent / "secret.png")
    (tree / "outdir").symlink_to(tree.parent / "other", target_is_directory=True)
    (tree / "in.png").symlink_to(tree / "media" / "a.png")
    resolver = SourceResolver(SourcePolicy(), tree)
    for source in ("out.png", "outdir/b.png"):
        with pytest.raises(AssetError, match="outside the allowed folders"):
            resolver.resolve(source)
    assert resolver.resolve("in.png") == tree / "media" / "a.png"


def test_symlink_loop(tree: Path) -> None:
    (tree / "loop").symlink_to(tree / "loop")
    with pytest.raises(AssetError):
        SourceResolver(SourcePolicy(), tree).resolve("loop")


def test_allowed_roots_extend_or_replace_the_document_folder(tree: Path) -> None:
    other = tree.parent / "other"
    resolver = SourceResolver(SourcePolicy(allowed_roots=(str(other),)), tree)
    assert resolver.resolve("../other/b.png") == other / "b.png"
    assert resolver.resolve("media/a.png") == tree / "media" / "a.png"
    only_other = SourceResolver(SourcePolicy(allowed_roots=(other,), include_base_dir=False), tree)
    with pytest.raises(AssetError, match="outside the allowed folders"):
        only_other.resolve("media/a.png")


def test_missing_file_is_a_missing_asset(tree: Path) -> None:
    with pytest.raises(MissingAssetError) as info:
        SourceResolver(SourcePolicy(), tree).resolve("media/nope.png")
    assert isinstance(info.value, FileNotFoundError)
    assert "'media/nope.png'" in str(info.value)


@pytest.mark.timeout(30)  # opening a FIFO nobody writes blocks forever: a hang fails the test
def test_fifos_directories_and_devices_are_refused_without_blocking(tree: Path) -> None:
    os.mkfifo(tree / "pipe.png")
    resolver = SourceResolver(SourcePolicy(allowed_roots=("/dev",)), tree)
    for source in ("pipe.png", "media", "/dev/zero"):
        with pytest.raises(AssetError, match="is not a regular file"):
            resolver.resolve(source)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("", "expected a media source"),
        ("media/a.png\x00.txt", "NUL character"),
        ("ftp://example.com/a.png", "unsupported URL scheme 'ftp'"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "unsupported URL scheme 'gopher'"),
        ("file://example.com/etc/passwd", "file URLs must not name a host"),
    ],
)
def test_odd_sources(tree: Path, source: str, fragment: str) -> None:
    with pytest.raises(AssetError, match=fragment):
        SourceResolver(SourcePolicy(), tree).resolve(source)


def test_failures_are_remembered(tree: Path) -> None:
    resolver = SourceResolver(SourcePolicy(), tree)
    with pytest.raises(MissingAssetError) as first:
        resolver.resolve("late.png")
    (tree / "late.png").write_bytes(PNG)
    with pytest.raises(MissingAssetError) as second:
        resolver.resolve("late.png")
    assert first.value is second.value


# --------------------------------------------------------------------------- data: URIs


def test_data_uris(tree: Path) -> None:
    with SourceResolver(SourcePolicy(), tree) as resolver:
        b64 = resolver.resolve("data:image/png;base64," + base64.b64encode(PNG).decode())
        assert b64.read_bytes() == PNG
        assert b64.suffix == ".png"
        assert not b64.is_relative_to(tree)
        spaced = resolver.resolve(
            "data:image/png;base64, " + base64.b64encode(PNG).decode().rstrip("=") + "\n"
        )
        assert spaced.read_bytes() == PNG
        text = resolver.resolve("data:text/plain;charset=utf-8,hello%20world%21")
        assert text.read_bytes() == b"hello world!"
        bare = resolver.resolve("data:,%00%01%02")
        assert bare.read_bytes() == b"\x00\x01\x02"
        folder = b64.parent
    assert not folder.exists()  # the temporary cache goes with the resolver


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("data:image/png;base64", "no comma"),
        ("data:image/png;base64,!!!!", "malformed base64"),
        ("data:image/png;base64,", "is empty"),
        ("data:image/png;base64," + "A" * 2000, "(SourcePolicy.max_bytes)"),
        ("data:," + "x" * 1200, "(SourcePolicy.max_bytes)"),
    ],
)
def test_bad_data_uris(tree: Path, source: str, fragment: str) -> None:
    with pytest.raises(AssetError, match=fragment.replace("(", r"\(").replace(")", r"\)")) as info:
        SourceResolver(SourcePolicy(max_bytes=1000), tree).resolve(source)
    assert len(str(info.value)) < 300  # the message names the source without dumping its data


def test_persistent_cache_dir(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    with SourceResolver(SourcePolicy(cache_dir=cache), tree) as resolver:
        path = resolver.resolve(uri)
    assert path.parent == cache
    assert path.exists()


def test_policy_validation() -> None:
    assert SourcePolicy(allowed_roots="/srv").allowed_roots == ("/srv",)  # type: ignore[arg-type]
    for bad in ({"max_bytes": 0}, {"timeout_s": 0}, {"max_redirects": -1}, {"allowed_networks": ("nope",)}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SourcePolicy(**bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- network (127.0.0.1 only)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        srv = self.server
        srv.hits.append(self.path)
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        redirects = {
            "/to-local": f"{base}/img.png",
            "/to-relative": "/img.png",
            "/to-private": "http://10.0.0.1/img.png",
            "/to-private-name": "http://internal.example/img.png",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-ipv6-loopback": "http://[::1]/img.png",
            "/to-mapped": "http://[::ffff:10.0.0.1]/img.png",
            "/to-decimal": "http://167772161/img.png",  # 10.0.0.1 written as one number
            "/to-ftp": "ftp://127.0.0.1/img.png",
            "/loop": "/loop",
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/img.png":
            self._body(PNG)
        elif self.path == "/declared-big":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 2**20))
            self.end_headers()
        elif self.path == "/streamed-big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: read until close
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 1024)
            except OSError:
                pass
        elif self.path == "/slow":  # slowloris: a byte every 0.15 s, 100 bytes in 15 s
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    srv.trickled += 1
                    if srv.release.wait(0.15):  # the fixture releases it at teardown
                        break
            except OSError:  # the client hung up
                pass
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _body(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    release: threading.Event
    trickled: int


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.hits = []
    srv.release = threading.Event()
    srv.trickled = 0
    srv.timeout = 1
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


_NAMES = {
    "media.test": ["127.0.0.1"],
    "internal.example": ["10.1.2.3"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "public.example": ["93.184.216.34"],
}


def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
    """Names from `_NAMES`; IP literals (and 167772161) through the real call with no DNS lookup."""
    if host in _NAMES:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in _NAMES[host]]
    return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)


class ConnectSpy:
    """Connections the resolver makes; anything but 127.0.0.1 fails the test before a packet is sent."""

    def __init__(self) -> None:
        self.addresses: list[tuple[str, int]] = []

    def __call__(self, address: tuple[str, int], timeout: float) -> socket.socket:
        self.addresses.append(address)
        if address[0] != "127.0.0.1":
            raise AssertionError(f"the resolver tried to connect to {address}")
        return socket.create_connection(address, timeout)


LOOPBACK_OK = SourcePolicy(allow_network=True, allowed_networks=("127.0.0.1/32",), timeout_s=5)


def _resolver(tmp_path: Path, policy: SourcePolicy = LOOPBACK_OK) -> tuple[SourceResolver, ConnectSpy]:
    spy = ConnectSpy()
    return SourceResolver(policy, tmp_path, getaddrinfo=fake_getaddrinfo, connect=spy), spy


def test_fetch_once_into_the_cache(server: _Server, tmp_path: Path) -> None:
    port = server.server_address[1]
    resolver, spy = _resolver(tmp_path)
    with resolver:
        url = f"http://127.0.0.1:{port}/img.png"
        path = resolver.resolve(url)
        assert path.read_bytes() == PNG
        assert path.suffix == ".png"
        assert resolver.resolve(url) == path
        assert resolver.resolve(f"http://media.test:{port}/img.png").read_bytes() == PNG
    assert server.hits == ["/img.png", "/img.png"]
    assert spy.addresses == [("127.0.0.1", port)] * 2
    assert not path.exists()


def test_network_is_off_by_default(server: _Server, tmp_path: Path) -> None:
    resolver, spy = _resolver(tmp_path, SourcePolicy())
    url = f"http://127.0.0.1:{server.server_address[1]}/img.png"
    with pytest.raises(AssetError) as info:
        resolver.resolve(url)
    assert (
        str(info.value)
        == f"{url!r}: refused: network sources are off; allow them with --allow-network (allow_network=True)"
    )
    assert spy.addresses == []
    assert server.hits == []


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://127.0.0.1:{port}/img.png", "127.0.0.1 is a loopback address"),
        ("http://localhost6.invalid/", "cannot resolve host"),
        ("http://10.0.0.1/img.png", "10.0.0.1 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://172.16.0.1/", "is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://100.64.0.1/", "100.64.0.1 is not a public address"),
        ("http://0.0.0.0/", "0.0.0.0 is"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd00::1]/", "fd00::1 is a private address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
        ("http://2130706433/", "'2130706433' (127.0.0.1) is a loopback address"),
        ("http://internal.example/", "'internal.example' (10.1.2.3) is a private address"),
        ("http://mixed.example/", "'mixed.example' (127.0.0.1) is a loopback address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ],
)
def test_non_public_addresses_are_refused_before_connecting(tmp_path: Path, url: str, fragment: str) -> None:
    resolver, spy = _resolver(tmp_path, SourcePolicy(allow_network=True))
    with pytest.raises(AssetError) as info:
        resolver.resolve(url.replace("{port}", "8"))
    assert fragment in str(info.value)
    assert spy.addresses == []


@pytest.mark.parametrize(
    ("path", "fragment", "connections"),
    [
        (
            "/to-private",
            "refused: 10.0.0.1 is a private address (redirected to 'http://10.0.0.1/img.png')",
            1,
        ),
        ("/to-private-name", "'internal.example' (10.1.2.3) is a private address (redirected to", 1),
        ("/to-metadata", "169.254.169.254 is a link-local address (redirected to", 1),
        ("/to-ipv6-loopback", "::1 is a loopback address (redirected to", 1),
        ("/to-mapped", "::ffff:10.0.0.1 is a private address", 1),
        ("/to-decimal", "'167772161' (10.0.0.1) is a private address", 1),
        ("/to-ftp", "redirected to a 'ftp' URL", 1),
        ("/loop", "more than 5 redirects", 6),
        ("/missing", "HTTP 404 Not Found", 1),
    ],
)
def test_redirects_are_checked_one_by_one(
    server: _Server, tmp_path: Path, path: str, fragment: str, connections: int
) -> None:
    resolver, spy = _resolver(tmp_path)
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}{path}"
    with pytest.raises(AssetError) as info:
        resolver.resolve(url)
    assert str(info.value).startswith(f"{url!r}: ")
    assert fragment in str(info.value)
    assert spy.addresses == [("127.0.0.1", port)] * connections
    assert "/img.png" not in server.hits


@pytest.mark.parametrize("path", ["/to-local", "/to-relative"])
def test_redirect_to_an_allowed_address_is_followed(server: _Server, tmp_path: Path, path: str) -> None:
    resolver, spy = _resolver(tmp_path)
    port = server.server_address[1]
    assert resolver.resolve(f"http://127.0.0.1:{port}{path}").read_bytes() == PNG
    assert server.hits == [path, "/img.png"]
    assert len(spy.addresses) == 2


def test_redirect_to_loopback_refused_when_only_the_first_host_is_allowed(
    server: _Server, tmp_path: Path
) -> None:
    # media.test -> 127.0.0.1 is allowed through allowed_networks, a redirect to [::1] is not
    resolver, spy = _resolver(tmp_path)
    with pytest.raises(AssetError, match="::1 is a loopback address"):
        resolver.resolve(f"http://media.test:{server.server_address[1]}/to-ipv6-loopback")
    assert len(spy.addresses) == 1


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/declared-big", "refused: 10485760 bytes to download"),
        ("/streamed-big", "the download exceeds 4096 bytes"),
    ],
)
def test_size_cap(server: _Server, tmp_path: Path, path: str, fragment: str) -> None:
    cache = tmp_path / "cache"
    resolver, _ = _resolver(tmp_path, LOOPBACK_OK.replace(max_bytes=4096, cache_dir=cache))
    with pytest.raises(AssetError, match=fragment):
        resolver.resolve(f"http://127.0.0.1:{server.server_address[1]}{path}")
    assert list(cache.iterdir()) == []  # no partial download left behind


def test_timeout_is_a_deadline(server: _Server, tmp_path: Path) -> None:
    """A server that trickles a byte every 0.15 s never trips a per-read socket timeout: only a
    deadline for the whole fetch stops it, at about `timeout_s` (0.5 s), long before its 15 s."""
    cache = tmp_path / "cache"
    resolver, _ = _resolver(tmp_path, LOOPBACK_OK.replace(timeout_s=0.5, cache_dir=cache))
    start = time.monotonic()
    with pytest.raises(AssetError, match="timed out"):
        resolver.resolve(f"http://127.0.0.1:{server.server_address[1]}/slow")
    took = time.monotonic() - start
    trickled = server.trickled
    assert 0 < trickled < 30, f"{trickled} bytes trickled before the fetch gave up"  # 30 bytes = 4.5 s
    assert 0.5 <= took < 4.5, f"the fetch gave up after {took:.2f} s, its deadline is 0.5 s"
    assert list(cache.iterdir()) == []


def test_allow_private(server: _Server, tmp_path: Path) -> None:
    resolver, _ = _resolver(tmp_path, SourcePolicy(allow_network=True, allow_private=True))
    assert resolver.resolve(f"http://127.0.0.1:{server.server_address[1]}/img.png").read_bytes() == PNG


def test_persistent_cache_skips_the_network(server: _Server, tmp_path: Path) -> None:
    policy = LOOPBACK_OK.replace(cache_dir=tmp_path / "cache")
    url = f"http://127.0.0.1:{server.server_address[1]}/img.png"
    for _ in range(2):
        with _resolver(tmp_path, policy)[0] as resolver:
            assert resolver.resolve(url).read_bytes() == PNG
    assert server.hits == ["/img.png"]


def test_unreachable_port_is_an_asset_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    resolver, _ = _resolver(tmp_path)
    with pytest.raises(AssetError, match="fetch failed"):
        resolver.resolve(f"http://127.0.0.1:{port}/img.png")
