"""Where media bytes may come from: `SourcePolicy` (what is allowed) and `SourceResolver` (source → file).

Every media `source` of a document (images, videos, audio) goes through `SourceResolver.resolve`,
which returns a local, regular file or raises an `AssetError` naming the source:

* **local paths** resolve against the document's folder and must lie, *after resolving symlinks*,
  inside an allowed root (the document's folder by default, plus `allowed_roots`): ``../../etc/passwd``
  or an absolute path elsewhere is refused before anything is opened. Directories, FIFOs and devices
  are refused too (a FIFO would hang the decoder). ``file://`` URLs follow the same rule.
* **data: URIs** (base64 or percent-encoded) are decoded, within `max_bytes`, into a cache file.
* **s3:// URLs** are read only from buckets named in `allowed_buckets` (never by default), through
  `vfnative.storage` (boto3, the ``s3`` extra) at the endpoint the standard AWS configuration names,
  within `max_bytes` and `timeout_s`. The endpoint is the operator's, not the document's, so the
  address rules below do not apply to it; the bucket allow-list does.
* **http(s) URLs** are fetched only when `allow_network` is set, once per resolver, into the cache,
  within `max_bytes` and `timeout_s` (a deadline for the whole fetch, redirects included). Only the
  http and https schemes exist. The host is resolved first and *every* address it resolves to must be
  public (`ipaddress.is_global`, not multicast): loopback, private, link-local, CGNAT and reserved
  addresses are refused unless `allow_private` is set or the address is inside `allowed_networks`.
  The connection then goes to the address that was checked (no second DNS lookup to rebind), TLS still
  verifies the host name, and redirects are followed here, one at a time, each re-checked the same
  way (at most `max_redirects`). Proxies from the environment are not used.

Why the standard library: `http.client` gives the two hooks this needs, connecting to a pre-checked
address and seeing each redirect before following it. `urllib.request` follows redirects and resolves
names itself; `requests`/`httpx` need transport-level patches for the same pinning. No new dependency.

**Cache.** With `cache_dir`, remote sources (http(s), s3) go through a `ContentCache` there: fetched
once per machine, revalidated by ETag / Last-Modified once per resolver, bounded by
`cache_max_bytes` (LRU), shared safely by concurrent renders. `SourceResolver.stats` counts hits,
misses and bytes fetched (every remote fetch is a miss without a cache folder).

Other engineers call this through a plain ``resolve(source) -> Path`` callable (`SourceResolver` is
one). Imports the standard library, `errors`, `media.content_cache` and (for s3:// only) `storage`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import logging
import os
import re
import shutil
import socket
import stat
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

from vfnative.errors import AssetError, MissingAssetError
from vfnative.media.content_cache import (
    NOT_MODIFIED,
    CacheEntry,
    ContentCache,
    FetchResult,
    MediaCacheStats,
    NotModified,
    Validators,
)

if TYPE_CHECKING:  # the HTTP client loads on the first URL fetch (~20 ms of imports)
    import http.client
    import ssl

__all__ = ["Connect", "GetAddrInfo", "MediaCacheStats", "SourcePolicy", "SourceResolver"]

log = logging.getLogger(__name__)

GetAddrInfo: TypeAlias = Callable[..., Sequence[tuple[Any, ...]]]
"""`socket.getaddrinfo`'s shape; injectable so tests can resolve names without DNS."""
Connect: TypeAlias = Callable[[tuple[str, int], float], socket.socket]
"""`socket.create_connection`'s shape (address, timeout); injectable so tests can watch connections."""

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class SourcePolicy:
    """What a render may read. The defaults allow only files inside the document's folder.

    Usage::

        SourcePolicy()                                          # document folder only, no network
        SourcePolicy(allowed_roots=("/srv/media",))             # ... and /srv/media
        SourcePolicy(allow_network=True, max_bytes=50 * 2**20)  # public http(s) too, 50 MiB each
        SourcePolicy(allow_network=True, allowed_networks=("10.1.2.0/24",))  # one internal subnet
    """

    allowed_roots: tuple[str | os.PathLike[str], ...] = ()
    """Folders local sources may come from, besides the document's folder (see `include_base_dir`)."""
    include_base_dir: bool = True
    """Allow the document's folder (the resolver's `base_dir`)."""
    allow_network: bool = False
    """Fetch http(s) URLs. Off by default: a document should not make the renderer a web client."""
    max_bytes: int = 256 * 2**20
    """Largest download or decoded data: URI, in bytes. Local files are bounded by `Limits` instead."""
    timeout_s: float = 30.0
    """Deadline for one fetch (connect, redirects and body), in seconds."""
    allow_private: bool = False
    """Allow loopback, private, link-local and other non-public addresses (an SSRF guard when False)."""
    allowed_networks: tuple[str, ...] = ()
    """CIDR blocks allowed even when not public, e.g. ``("10.1.2.0/24",)``; narrower than `allow_private`."""
    max_redirects: int = 5
    """Redirects followed per fetch; each target is checked like the original URL."""
    cache_dir: str | os.PathLike[str] | None = None
    """Where fetched and decoded sources are kept, keyed by a hash of the source. None: a private
    temporary folder, removed when the resolver closes. A given folder is kept: a content cache of
    remote sources across renders and processes (`vfnative.media.content_cache`)."""
    cache_max_bytes: int = 2 * 2**30
    """Bound of the `cache_dir` content cache in bytes; least recently used entries go first."""
    allowed_buckets: tuple[str, ...] = ()
    """S3 buckets ``s3://`` sources may be read from (``--allow-bucket NAME``); none by default."""

    def __post_init__(self) -> None:
        if isinstance(self.allowed_roots, str | os.PathLike):
            object.__setattr__(self, "allowed_roots", (self.allowed_roots,))
        object.__setattr__(self, "allowed_roots", tuple(self.allowed_roots))
        if isinstance(self.allowed_networks, str):
            object.__setattr__(self, "allowed_networks", (self.allowed_networks,))
        object.__setattr__(self, "allowed_networks", tuple(self.allowed_networks))
        if isinstance(self.allowed_buckets, str):
            object.__setattr__(self, "allowed_buckets", (self.allowed_buckets,))
        object.__setattr__(self, "allowed_buckets", tuple(self.allowed_buckets))
        for bucket in self.allowed_buckets:
            if not bucket or "/" in bucket or ":" in bucket:
                raise ValueError(f"allowed_buckets: expected bucket names (no s3://, no /); got {bucket!r}")
        if self.cache_max_bytes < 1:
            raise ValueError(f"cache_max_bytes: expected bytes >= 1; got {self.cache_max_bytes!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes: expected bytes >= 1; got {self.max_bytes!r}")
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s: expected seconds > 0; got {self.timeout_s!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects: expected >= 0; got {self.max_redirects!r}")
        for block in self.allowed_networks:
            try:
                ipaddress.ip_network(block, strict=False)
            except ValueError as exc:
                raise ValueError(f"allowed_networks: expected CIDR blocks; got {block!r}") from exc

    def replace(self, **changes: object) -> SourcePolicy:
        """A copy with `changes` applied (policies are frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class _Fetch:
    """State of one http(s) fetch: the deadline and the redirect chain so far."""

    source: str
    deadline: float
    chain: list[str] = field(default_factory=list)

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AssetError(f"{self.source!r}: fetch timed out", source=self.source)
        return left


class SourceResolver:
    """Turns document `source` strings into local files under a `SourcePolicy`; one per render.

    Results and failures are remembered per source (a source is fetched or refused once). Thread-safe.
    Close it (or use it as a context manager) to remove the temporary cache folder.

    Usage::

        with SourceResolver(SourcePolicy(), base_dir=doc.base_dir) as resolve:
            path = resolve("media/clip.mp4")          # Path inside the document's folder
            resolve("../../etc/passwd")               # AssetError: outside the allowed folders
    """

    def __init__(
        self,
        policy: SourcePolicy | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        *,
        getaddrinfo: GetAddrInfo = socket.getaddrinfo,
        connect: Connect | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy if policy is not None else SourcePolicy()
        self.base_dir = Path(base_dir if base_dir is not None else Path.cwd()).resolve()
        roots = [self.base_dir] if self.policy.include_base_dir else []
        roots += [Path(root).expanduser().resolve() for root in self.policy.allowed_roots]
        self.roots: tuple[Path, ...] = tuple(dict.fromkeys(roots))
        self._networks = tuple(ipaddress.ip_network(b, strict=False) for b in self.policy.allowed_networks)
        self._getaddrinfo = getaddrinfo
        self._connect: Connect = connect or (
            lambda address, timeout: socket.create_connection(address, timeout)
        )
        self._ssl_context = ssl_context
        self._results: dict[str, Path | AssetError] = {}
        self._lock = threading.RLock()
        self._temp_dir: Path | None = None
        self._entries: list[CacheEntry] = []
        self._stats = MediaCacheStats()
        self._content: ContentCache | None = None
        if self.policy.cache_dir is not None:
            self._content = ContentCache(self.policy.cache_dir, self.policy.cache_max_bytes)

    @property
    def stats(self) -> MediaCacheStats:
        """Remote sources served from the cache (hits), fetched (misses) and bytes fetched so far."""
        with self._lock:
            return self._stats

    def __repr__(self) -> str:
        network = "network" if self.policy.allow_network else "no network"
        return f"<SourceResolver roots={[str(r) for r in self.roots]} {network} sources={len(self._results)}>"

    def __enter__(self) -> SourceResolver:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary cache folder (a `cache_dir` given in the policy is kept; this
        resolver's entries in it may be evicted again)."""
        with self._lock:
            for entry in self._entries:
                entry.release()
            self._entries.clear()
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)
                self._temp_dir = None
            self._results.clear()

    def __call__(self, source: str) -> Path:
        return self.resolve(source)

    def resolve(self, source: str) -> Path:
        """The local file for `source`, or an `AssetError` (`MissingAssetError` if it does not exist)."""
        with self._lock:
            known = self._results.get(source)
            if isinstance(known, AssetError):
                raise known
            if known is not None:
                return known
            try:
                path = self._resolve(source)
            except AssetError as exc:
                self._results[source] = exc
                raise
            self._results[source] = path
            return path

    # ------------------------------------------------------------------ dispatch

    def _resolve(self, source: object) -> Path:
        if not isinstance(source, str) or not source.strip():
            raise AssetError(f"expected a media source (a path or URL); got {source!r}", source=str(source))
        if "\x00" in source:
            raise AssetError(f"{_show(source)}: refused: the source contains a NUL character", source=source)
        if source[:5].lower() == "data:":
            return self._data_uri(source)
        match = _URL.match(source)
        if match is None:
            return self._local(source, Path(source))
        scheme = match.group(1).lower()
        if scheme == "file":
            return self._file_url(source)
        if scheme in ("http", "https"):
            return self._network(source)
        if scheme == "s3":
            return self._s3(source)
        raise AssetError(
            f"{_show(source)}: refused: unsupported URL scheme {scheme!r} (sources may be paths, "
            "file:, data:, http:, https: or s3: URLs)",
            source=source,
        )

    # ------------------------------------------------------------------ local files

    def _local(self, source: str, path: Path) -> Path:
        path = path.expanduser() if source.startswith("~") else path
        if not path.is_absolute():
            path = self.base_dir / path
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # symlink loop, name too long
            raise AssetError(f"{_show(source)}: cannot resolve the path: {exc}", source=source) from exc
        if not any(real.is_relative_to(root) for root in self.roots):
            roots = ", ".join(str(r) for r in self.roots) or "none"
            raise AssetError(
                f"{_show(source)}: refused: the file is outside the allowed folders ({roots}); "
                "allow its folder with --allow-root DIR (allowed_roots=...)",
                source=source,
            )
        try:
            info = real.stat()
        except FileNotFoundError as exc:
            raise MissingAssetError(f"{_show(source)}: file not found: {real}", source=source) from exc
        except OSError as exc:
            raise AssetError(
                f"{_show(source)}: cannot read {real}: {exc.strerror or exc}", source=source
            ) from exc
        if not stat.S_ISREG(info.st_mode):
            raise AssetError(f"{_show(source)}: refused: {real} is not a regular file", source=source)
        return real

    def _file_url(self, source: str) -> Path:
        parts = urllib.parse.urlsplit(source)
        if parts.netloc not in ("", "localhost"):
            raise AssetError(
                f"{_show(source)}: refused: file URLs must not name a host; got {parts.netloc!r}",
                source=source,
            )
        return self._local(source, Path(urllib.parse.unquote(parts.path)))

    # ------------------------------------------------------------------ data: URIs

    def _data_uri(self, source: str) -> Path:
        header, comma, payload = source[5:].partition(",")
        if not comma:
            raise AssetError(
                f"{_show(source)}: malformed data: URI (no comma before the data)", source=source
            )
        is_base64 = header.lower().rstrip().endswith(";base64")
        limit = self.policy.max_bytes
        estimate = len(payload) * 3 // 4 if is_base64 else len(payload) // 3
        if estimate > limit:
            raise AssetError(
                f"{_show(source)}: refused: the data: URI holds about {estimate} bytes; the limit is "
                f"{limit} (SourcePolicy.max_bytes)",
                source=source,
            )
        raw = urllib.parse.unquote_to_bytes(payload)
        if is_base64:
            cleaned = re.sub(rb"[\t\n\f\r ]", b"", raw)
            cleaned += b"=" * (-len(cleaned) % 4)
            try:
                data = base64.b64decode(cleaned, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise AssetError(
                    f"{_show(source)}: malformed base64 in the data: URI: {exc}", source=source
                ) from exc
        else:
            data = raw
        if not data:
            raise AssetError(f"{_show(source)}: the data: URI is empty", source=source)
        if len(data) > limit:
            raise AssetError(
                f"{_show(source)}: refused: the data: URI holds {len(data)} bytes; the limit is {limit} "
                "(SourcePolicy.max_bytes)",
                source=source,
            )
        mime = header.split(";", 1)[0].strip().lower()
        import mimetypes

        suffix = (mimetypes.guess_extension(mime) or "") if mime else ""
        target = self._cache_path(source, suffix)
        if not target.exists():
            self._write_atomic(target, data)
        return target

    # ------------------------------------------------------------------ network

    def _network(self, source: str) -> Path:
        if not self.policy.allow_network:
            raise AssetError(
                f"{_show(source)}: refused: network sources are off; allow them with --allow-network "
                "(allow_network=True)",
                source=source,
            )
        return self._remote(source, lambda target, known: self._http_fetch(source, target, known))

    def _http_fetch(self, source: str, target: Path, known: Validators | None) -> FetchResult | NotModified:
        """GET `source` into `target` (conditionally, when `known`), following checked redirects."""
        fetch = _Fetch(source, time.monotonic() + self.policy.timeout_s)
        url = source
        for _hop in range(self.policy.max_redirects + 1):
            fetch.chain.append(url)
            outcome = self._get(url, fetch, target, known)
            if not isinstance(outcome, str):
                return outcome
            url = urllib.parse.urljoin(url, outcome)
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise AssetError(
                    f"{_show(source)}: refused: redirected to a {scheme or 'relative'!r} URL ({_show(url)}); "
                    "only http and https are followed",
                    source=source,
                )
        raise AssetError(
            f"{_show(source)}: refused: more than {self.policy.max_redirects} redirects "
            "(SourcePolicy.max_redirects)",
            source=source,
        )

    # ------------------------------------------------------------------ s3

    def _s3(self, source: str) -> Path:
        bucket = source[5:].split("/", 1)[0]
        if bucket not in self.policy.allowed_buckets:
            raise AssetError(
                f"{_show(source)}: refused: bucket {bucket!r} is not allowed; allow it with "
                f"--allow-bucket {bucket} (allowed_buckets=...)",
                source=source,
            )
        return self._remote(source, lambda target, known: self._s3_fetch(source, target, known))

    def _s3_fetch(self, source: str, target: Path, known: Validators | None) -> FetchResult | NotModified:
        """GET the object into `target`; with `known`, a HEAD first and no GET when the ETag is the same."""
        from vfnative import storage

        try:
            if known is not None and known.etag:
                info = storage.stat(source)
                if info is None:
                    raise storage.StorageNotFound(f"{source}: no such object", url=source)
                if info.etag == known.etag:
                    return NOT_MODIFIED
            info = storage.get_file(source, target, max_bytes=self.policy.max_bytes,
                                    timeout_s=self.policy.timeout_s)  # fmt: skip
        except storage.StorageNotFound as exc:
            raise MissingAssetError(f"{_show(source)}: object not found", source=source) from exc
        except storage.StorageError as exc:
            raise AssetError(f"{_show(source)}: fetch failed: {exc}", source=source) from exc
        log.info("fetched %s (%d bytes)", source, info.size)
        return FetchResult(info.size, Validators(etag=info.etag))

    # ------------------------------------------------------------------ remote sources and the cache

    def _remote(
        self, source: str, fetch: Callable[[Path, Validators | None], FetchResult | NotModified]
    ) -> Path:
        """Fetch a remote source through the content cache (or into the temporary folder), counted."""
        suffix = _url_suffix(source)
        if self._content is None:
            target = self._cache_path(source, suffix)
            result = fetch(target, None)
            assert isinstance(result, FetchResult)
            self._stats += MediaCacheStats(misses=1, bytes_fetched=result.size)
            return target
        try:
            entry = self._content.get(source, suffix, fetch,
                                      deadline=time.monotonic() + self.policy.timeout_s)  # fmt: skip
        except AssetError:
            raise
        except TimeoutError as exc:
            raise AssetError(
                f"{_show(source)}: fetch timed out waiting for the media cache entry ({exc})", source=source
            ) from exc
        except OSError as exc:
            raise AssetError(f"{_show(source)}: media cache: {exc}", source=source) from exc
        self._entries.append(entry)
        self._stats += MediaCacheStats(hits=int(entry.hit), misses=int(not entry.hit),
                                       bytes_fetched=entry.bytes_fetched)  # fmt: skip
        return entry.path

    def _get(
        self, url: str, fetch: _Fetch, target: Path, known: Validators | None = None
    ) -> str | FetchResult | NotModified:
        """GET `url` into `target`; returns a redirect's Location instead, `NOT_MODIFIED` for a 304
        to a conditional request (`known`), or raises AssetError."""
        source = fetch.source
        via = f" (redirected to {_show(url)})" if url != source else ""
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise AssetError(f"{_show(source)}: malformed URL{via}: {exc}", source=source) from exc
        if not host:
            raise AssetError(f"{_show(source)}: malformed URL{via}: no host", source=source)
        address = self._checked_address(source, host, port, via, fetch)
        timeout = fetch.remaining()
        import http.client
        import ssl

        from vfnative.media.pinned import PinnedHTTPConnection, PinnedHTTPSConnection

        connection: http.client.HTTPConnection
        if scheme == "https":
            context = self._ssl_context or ssl.create_default_context()
            connection = PinnedHTTPSConnection(host, address, port, timeout, self._connect, context)
        else:
            connection = PinnedHTTPConnection(host, address, port, timeout, self._connect)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        response: http.client.HTTPResponse | None = None
        headers = {"User-Agent": "vfnative", "Accept-Encoding": "identity", "Accept": "*/*"}
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status == 304 and known:
                return NOT_MODIFIED
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise AssetError(
                        f"{_show(source)}: HTTP {response.status} redirect without a Location{via}",
                        source=source,
                    )
                return location
            if response.status != 200:
                raise AssetError(
                    f"{_show(source)}: HTTP {response.status} {response.reason}{via}", source=source
                )
            size = self._download(response, connection, fetch, target, via)
            return FetchResult(
                size, Validators(response.getheader("ETag"), response.getheader("Last-Modified"))
            )
        except AssetError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if isinstance(exc, TimeoutError | socket.timeout):
                raise AssetError(f"{_show(source)}: fetch timed out{via}", source=source) from exc
            raise AssetError(f"{_show(source)}: fetch failed{via}: {exc}", source=source) from exc
        finally:
            if response is not None:
                response.close()  # the response holds the socket's file: close both
            connection.close()

    def _checked_address(self, source: str, host: str, port: int, via: str, fetch: _Fetch) -> str:
        """Resolve `host` and check every address; the first one, to connect to (no second lookup)."""
        fetch.remaining()
        try:
            infos = self._getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise AssetError(
                f"{_show(source)}: cannot resolve host {host!r}{via}: {exc}", source=source
            ) from exc
        addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
        if not addresses:
            raise AssetError(f"{_show(source)}: host {host!r} has no address{via}", source=source)
        for address in addresses:
            reason = self._refusal(address)
            if reason is not None:
                shown = host if host == address else f"{host!r} ({address})"
                raise AssetError(
                    f"{_show(source)}: refused: {shown} is {reason}{via}; "
                    "only public addresses are fetched (SourcePolicy.allow_private / allowed_networks)",
                    source=source,
                )
        return addresses[0]

    def _refusal(self, address: str) -> str | None:
        """Why `address` may not be connected to, or None if it may."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self._networks):
            return None
        if self.policy.allow_private:
            return "unspecified" if ip.is_unspecified else None
        if ip.is_loopback:
            return "a loopback address"
        if ip.is_link_local:
            return "a link-local address"
        if ip.is_multicast:
            return "a multicast address"
        if ip.is_private:
            return "a private address"
        if not ip.is_global:
            return "not a public address"
        return None

    def _download(
        self,
        response: http.client.HTTPResponse,
        connection: http.client.HTTPConnection,
        fetch: _Fetch,
        target: Path,
        via: str,
    ) -> int:
        source = fetch.source
        limit = self.policy.max_bytes
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise AssetError(
                f"{_show(source)}: refused: {declared} bytes to download{via}; the limit is {limit} "
                "(SourcePolicy.max_bytes)",
                source=source,
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".fetch-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            size = 0
            with os.fdopen(fd, "wb") as out:
                while True:
                    if connection.sock is not None:
                        connection.sock.settimeout(fetch.remaining())
                    # read1: one recv at most, so a sender trickling bytes cannot hold a read open
                    # past the deadline (read(n) would wait, recv after recv, for all n bytes)
                    chunk = response.read1(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise AssetError(
                            f"{_show(source)}: refused: the download exceeds {limit} bytes{via} "
                            "(SourcePolicy.max_bytes)",
                            source=source,
                        )
                    out.write(chunk)
                    fetch.remaining()
            if size == 0:
                raise AssetError(f"{_show(source)}: the download is empty{via}", source=source)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("fetched %s (%d bytes)", source, size)
        return size

    # ------------------------------------------------------------------ cache

    def _cache_path(self, source: str, suffix: str) -> Path:
        folder = self._cache_folder()
        return folder / (hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:40] + suffix)

    def _cache_folder(self) -> Path:
        if self.policy.cache_dir is not None:
            folder = Path(self.policy.cache_dir)
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        if self._temp_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="vfnative-sources-"))
        return self._temp_dir

    @staticmethod
    def _write_atomic(target: Path, data: bytes) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".data-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp_name, target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)


def _url_suffix(url: str) -> str:
    match = _SUFFIX.search(urllib.parse.urlsplit(url).path)
    return match.group(0).lower() if match else ""


def _show(source: str, limit: int = 300) -> str:
    """A source for a message: quoted, data: URIs and long URLs shortened."""
    if source[:5].lower() == "data:":
        head = source.split(",", 1)[0]
        return repr(f"{head},...") if len(head) < 80 else repr(head[:80] + "...")
    return repr(source) if len(source) <= limit else repr(source[: limit - 3] + "...")
