"""Remote media on local disk: each URL fetched once per machine, revalidated, bounded in bytes, LRU.

`ContentCache(folder, max_bytes)` keeps one file per source URL (``<sha256(url)[:40]><suffix>``) and
a small JSON record beside it (``<key>.json``: the URL, size, ETag, Last-Modified, when fetched).
`SourceResolver` (`media/sources.py`) calls `ContentCache.get(url, suffix, fetch)` with a function that
does the actual fetch under the source policy, so limits, deadlines and the SSRF rules are the
resolver's, unchanged:

* **Validation.** A cached file with an ETag or Last-Modified is revalidated once per render (per
  resolver): ``fetch(path, known)`` answers `NOT_MODIFIED` (an HTTP 304, or an S3 HEAD with the
  same ETag) or writes the new content. A file the server gave neither validator for is kept as
  immutable until evicted (as the cache behaved before it was bounded).
* **Concurrency.** Renders on one machine share the folder. Per key, ``<key>.lock`` (an exclusive
  `fcntl.flock`) serialises fetching and validating, so a URL is fetched once however many
  processes want it at the same moment; ``<key>.pin`` is held *shared* by every render using the
  file until its resolver closes, and eviction only removes entries whose pin it can take
  exclusively. Content is written to a temp file and renamed into place; a lock file deleted by an
  evictor is detected by comparing inodes after locking, and the lock is taken again.
* **Bounds.** After each fetch, entries are evicted least recently used first (the record's mtime is
  touched on every use) until the folder holds at most `max_bytes` of media. The entry just fetched
  and pinned entries are never evicted, so the folder may briefly exceed the bound.
* **Restarts.** Everything is in the folder; a worker that restarts finds its cache as it left it.
  Temp files of a process killed mid-fetch (``.fetch-*.part``) are removed by the next eviction
  pass once they are an hour old.

Imports the standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "NOT_MODIFIED",
    "CacheEntry",
    "ContentCache",
    "FetchResult",
    "MediaCacheStats",
    "NotModified",
    "Validators",
]

log = logging.getLogger(__name__)

_STALE_PART_S = 3600.0
_POLL_S = 0.02


@dataclass(frozen=True)
class MediaCacheStats:
    """Remote media of one render: sources served from the local cache, sources fetched, bytes fetched.

    Without a cache folder every remote source is a miss. A revalidated source that had not
    changed (HTTP 304, same S3 ETag) is a hit: only its headers crossed the network.
    """

    hits: int = 0
    misses: int = 0
    bytes_fetched: int = 0

    def __add__(self, other: MediaCacheStats) -> MediaCacheStats:
        return MediaCacheStats(
            self.hits + other.hits, self.misses + other.misses, self.bytes_fetched + other.bytes_fetched
        )

    def __sub__(self, other: MediaCacheStats) -> MediaCacheStats:
        return MediaCacheStats(
            self.hits - other.hits, self.misses - other.misses, self.bytes_fetched - other.bytes_fetched
        )

    def to_json(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "bytes_fetched": self.bytes_fetched}


@dataclass(frozen=True)
class Validators:
    """What the server said identifies this version: its ETag and/or Last-Modified (header text)."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class FetchResult:
    """A fetch that wrote new content: its size and validators."""

    size: int
    validators: Validators


class NotModified:
    """The remote content is the version the cache holds (HTTP 304, or an equal S3 ETag)."""

    def __repr__(self) -> str:
        return "NOT_MODIFIED"


NOT_MODIFIED: Final = NotModified()

Fetch = Callable[[Path, Validators | None], FetchResult | NotModified]
"""``fetch(path, known)``: write the content to `path` atomically and return its `FetchResult`, or,
when `known` is given and still current, return `NOT_MODIFIED` without writing."""


@dataclass
class CacheEntry:
    """A cached file in use by one render: `path` stays until `release` (its pin is held shared)."""

    path: Path
    hit: bool
    bytes_fetched: int
    _pin: int | None

    def release(self) -> None:
        """Let the entry be evicted again (closing the pin's descriptor drops its shared lock)."""
        if self._pin is not None:
            os.close(self._pin)
            self._pin = None


class ContentCache:
    """A folder of fetched media shared by every render on the machine (see the module docstring).

    Usage::

        cache = ContentCache("~/.cache/vfnative/media", max_bytes=2 * 2**30)
        entry = cache.get(url, ".png", fetch, deadline=time.monotonic() + 30)
        ...  # decode entry.path
        entry.release()
    """

    def __init__(self, folder: str | os.PathLike[str], max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes: expected bytes >= 1; got {max_bytes!r}")
        self.folder = Path(folder).expanduser()
        self.max_bytes = int(max_bytes)

    def __repr__(self) -> str:
        return f"<ContentCache {self.folder} max_bytes={self.max_bytes}>"

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def get(self, url: str, suffix: str, fetch: Fetch, *, deadline: float) -> CacheEntry:
        """The local file for `url`: cached and still valid (a hit), or fetched now (a miss).

        Raises whatever `fetch` raises, or TimeoutError when another process holds the entry past
        `deadline` (a monotonic time).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        key = self.key(url)
        data = self.folder / f"{key}{suffix}"
        record = self.folder / f"{key}.json"
        lock = _lock(self.folder / f"{key}.lock", fcntl.LOCK_EX, deadline)
        pin: int | None = None
        fetched = 0
        try:
            known = self._valid_record(record, url, data)
            if known is not None and not known:  # no validators: kept as immutable
                outcome: FetchResult | NotModified = NOT_MODIFIED
            else:
                outcome = fetch(data, known)
            if isinstance(outcome, FetchResult):
                fetched = outcome.size
                _write_json(record, {
                    "url": url, "file": data.name, "size": outcome.size, "etag": outcome.validators.etag,
                    "last_modified": outcome.validators.last_modified, "fetched": time.time(),
                })  # fmt: skip
            else:
                os.utime(record)  # last used: the LRU order
            pin = _lock(self.folder / f"{key}.pin", fcntl.LOCK_SH, deadline)
        finally:
            if pin is None and not record.exists():  # failed before anything was cached: leave no trace
                for name in (f"{key}.pin", f"{key}.lock"):
                    (self.folder / name).unlink(missing_ok=True)
            os.close(lock)
        if fetched:
            self.evict(keep=key)
        return CacheEntry(data, hit=not fetched, bytes_fetched=fetched, _pin=pin)

    def _valid_record(self, record: Path, url: str, data: Path) -> Validators | None:
        """The cached version's validators, or None when there is no usable entry."""
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            if meta.get("url") != url or data.stat().st_size != int(meta["size"]):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Validators(meta.get("etag"), meta.get("last_modified"))

    def evict(self, *, keep: str | None = None) -> int:
        """Remove least recently used entries until the folder holds at most `max_bytes`; returns bytes freed."""
        entries: list[tuple[float, str, Path, int]] = []
        now = time.time()
        try:
            names = list(self.folder.iterdir())
        except OSError:
            return 0
        for path in names:
            if path.name.startswith(".fetch-") and path.name.endswith(".part"):
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > _STALE_PART_S:
                        path.unlink()
                continue
            if path.suffix != ".json":
                continue
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
                entries.append(
                    (path.stat().st_mtime, path.stem, self.folder / str(meta["file"]), int(meta["size"]))
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
        total = sum(size for *_, size in entries)
        freed = 0
        for mtime, key, data, size in sorted(entries):
            if total <= self.max_bytes:
                break
            if key == keep:
                continue
            if self._remove(key, data, mtime):
                total -= size
                freed += size
        return freed

    def _remove(self, key: str, data: Path, mtime: float) -> bool:
        """Delete one entry if nobody fetches or uses it (both of its locks taken without waiting)."""
        try:
            lock = _lock(self.folder / f"{key}.lock", fcntl.LOCK_EX, 0.0)
        except TimeoutError:
            return False
        try:
            try:
                pin = _lock(self.folder / f"{key}.pin", fcntl.LOCK_EX, 0.0)
            except TimeoutError:
                return False
            try:
                record = self.folder / f"{key}.json"
                try:
                    if record.stat().st_mtime != mtime:  # used since the scan
                        return False
                except FileNotFoundError:
                    return False
                record.unlink(missing_ok=True)
                data.unlink(missing_ok=True)
                (self.folder / f"{key}.pin").unlink(missing_ok=True)
            finally:
                os.close(pin)
            (self.folder / f"{key}.lock").unlink(missing_ok=True)
            log.debug("evicted %s from the media cache", data.name)
            return True
        finally:
            os.close(lock)


def _lock(path: Path, mode: int, deadline: float) -> int:
    """Open `path` and flock it (`mode`), polling until `deadline` (monotonic; 0: try once).

    Returns the descriptor. A lock file unlinked (by an evictor) while we waited is detected by
    comparing inodes, and the lock is taken on the new file instead.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    if time.monotonic() >= deadline:
                        raise TimeoutError(f"{path.name}: held by another process") from None
                    time.sleep(_POLL_S)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(f".fetch-{os.getpid()}-{path.name}.part")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
