"""Where outputs and intermediate files live: one small interface over local paths and object stores.

A *location* is a local path (``/srv/out.mp4``, ``out.mp4``, ``file:///srv/out.mp4``) or an object URL
(``s3://bucket/key``). Callers hand a location to these functions and never branch on its scheme:

* `open_read(url)`           a readable binary file;
* `open_write(url)`          a writable binary file that appears at `url` only when the ``with`` block
                             ends without an error (a temp file + rename locally; one upload to S3);
* `staged_write(url)`        a local `Path` to write (for writers that need a seekable file, such as the
                             MP4 muxer): the path itself when local, a private temp file uploaded on
                             success when remote;
* `put_file` / `get_file`    copy a local file to a location (a single PUT, or a multipart upload for
                             large files) or a location to a local file (within a byte limit);
* `stat`                     size, ETag and Last-Modified, or None when nothing is there;
* `presign(url, expires_s)`  a URL anyone can GET until it expires (a ``file://`` URI for local paths);
* `delete_prefix(url)`       remove everything under a folder or key prefix (a job's chunks);
* `join(url, *names)`        a child location, ``s3://b/.vfnative/job/`` + ``chunk_0000.mp4``;
* `staged_read(url)`         a local file with the content (the file itself, or a temp download);
* `check_writable(url)`      the output's folder or bucket exists (before any work);
* `work_location(output, job)`  where a farm job keeps its chunks (``s3://b/.vfnative/<job>``).

S3 goes through boto3 (the ``s3`` extra), imported on the first ``s3://`` location only: endpoint,
region and credentials come from the standard AWS chain (``AWS_ENDPOINT_URL``, ``AWS_PROFILE``, shared
config and credentials files, web identity, instance roles); nothing is configured here.

Failures raise `StorageError` (an `OSError`; `StorageNotFound` is also a `FileNotFoundError`) with
the location in the message; callers map them to their own error classes (an output that cannot be
written is an `EncodeError`, a source that cannot be read an `AssetError`).

This room imports the standard library only (and boto3 lazily, in `vfnative.storage.s3`); every other
room may import it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

__all__ = [
    "MULTIPART_THRESHOLD",
    "check_writable",
    "local_dir",
    "make_folder",
    "staged_read",
    "work_location",
    "ObjectInfo",
    "StorageError",
    "StorageNotFound",
    "delete_prefix",
    "display",
    "get_file",
    "is_object_url",
    "join",
    "open_read",
    "open_write",
    "presign",
    "put_file",
    "staged_write",
    "stat",
]

MULTIPART_THRESHOLD = 64 * 2**20
"""Uploads at least this large go as a multipart upload (16 MiB parts), smaller ones as one PUT."""

INSTALL_HINT = "s3:// locations need the s3 extra (boto3): pip install 'vfnative[s3]'"

_OBJECT_SCHEMES = ("s3://",)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class StorageError(OSError):
    """Reading, writing, listing or deleting a location failed; the message names the location."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class StorageNotFound(StorageError, FileNotFoundError):
    """Nothing exists at the location (no such file, bucket or key)."""


@dataclass(frozen=True)
class ObjectInfo:
    """What `stat` knows about a stored file or object."""

    size: int
    """Bytes."""
    etag: str | None = None
    """The store's entity tag (quoted, as S3 returns it); None for local files."""
    last_modified: float | None = None
    """Seconds since the epoch."""


class _Store(Protocol):
    """What a backend provides; `url` is always a location of that backend."""

    def open_read(self, url: str) -> IO[bytes]: ...
    def stat(self, url: str) -> ObjectInfo | None: ...
    def put_file(self, source: Path, url: str, *, multipart_threshold: int) -> None: ...
    def get_file(
        self, url: str, target: Path, *, max_bytes: int | None, deadline: float | None
    ) -> ObjectInfo: ...
    def presign(self, url: str, expires_s: int) -> str: ...
    def delete_prefix(self, url: str) -> int: ...


def is_object_url(url: str | os.PathLike[str]) -> bool:
    """True for object-store URLs (``s3://``), False for local paths and ``file://`` URLs."""
    return isinstance(url, str) and url[:5].lower() in _OBJECT_SCHEMES


def display(url: str | os.PathLike[str]) -> Path | str:
    """The location as callers report it: a `Path` for a local file, the URL string for an object."""
    return url if is_object_url(url) else _local_path(url)  # type: ignore[return-value]


def join(url: str | os.PathLike[str], *names: str) -> str:
    """A location below `url`: ``join("s3://b/.vfnative/j", "chunk_0000.mp4")`` → ``s3://b/.vfnative/j/chunk_0000.mp4``."""
    if is_object_url(url):
        base = str(url).rstrip("/")
        return "/".join([base, *(n.strip("/") for n in names)])
    return str(_local_path(url).joinpath(*names))


def _local_path(url: str | os.PathLike[str]) -> Path:
    text = os.fspath(url)
    if text[:7].lower() == "file://":
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"{text!r}: file URLs must not name a host", url=text)
        return Path(unquote(parts.path))
    return Path(text)


def _store(url: str | os.PathLike[str]) -> _Store:
    if is_object_url(url):
        from vfnative.storage.s3 import store

        return store()
    match = _SCHEME.match(url) if isinstance(url, str) else None
    if match is not None and match.group(1).lower() != "file":
        scheme = match.group(1)
        raise StorageError(
            f"{url!r}: unsupported location scheme {scheme!r} (paths, file:// and s3:// URLs)", url=str(url)
        )
    return _LOCAL


def open_read(url: str | os.PathLike[str]) -> IO[bytes]:
    """A readable binary file for the location (close it, or use ``with``)."""
    store = _store(url)
    return store.open_read(_key(url))


def stat(url: str | os.PathLike[str]) -> ObjectInfo | None:
    """Size, ETag and Last-Modified of the location, or None when nothing is there."""
    return _store(url).stat(_key(url))


def put_file(
    source: str | os.PathLike[str],
    url: str | os.PathLike[str],
    *,
    multipart_threshold: int = MULTIPART_THRESHOLD,
) -> None:
    """Copy the local file `source` to `url`, atomically: readers see the old object or the whole new one.

    Local targets are written through a temp file and a rename; S3 gets one PUT, or a multipart upload
    (aborted on failure) when the file has at least `multipart_threshold` bytes.
    """
    _store(url).put_file(Path(source), _key(url), multipart_threshold=multipart_threshold)


def get_file(
    url: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    timeout_s: float | None = None,
) -> ObjectInfo:
    """Copy `url` into the local file `target` (atomically); StorageError past `max_bytes` or `timeout_s`
    (a deadline for the whole download, in seconds)."""
    import time

    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    return _store(url).get_file(_key(url), Path(target), max_bytes=max_bytes, deadline=deadline)


def presign(url: str | os.PathLike[str], expires_s: int = 3600) -> str:
    """A URL that GETs the object without credentials until `expires_s` seconds from now.

    Local paths have no such thing; they get their ``file://`` URI.
    """
    if not 1 <= int(expires_s) <= 7 * 86400:
        raise ValueError(f"expires_s: expected 1..604800 seconds (S3's limit); got {expires_s!r}")
    return _store(url).presign(_key(url), int(expires_s))


def delete_prefix(url: str | os.PathLike[str]) -> int:
    """Remove every file or object under `url` (a folder, or a key prefix); returns how many went.

    A missing prefix is not an error (cleanup runs more than once). The prefix is taken as a folder:
    ``s3://b/.vfnative/job`` removes ``.vfnative/job/...``, never ``.vfnative/job2/...``.
    """
    return _store(url).delete_prefix(_key(url))


@contextlib.contextmanager
def open_write(url: str | os.PathLike[str], *, suffix: str = "") -> Iterator[IO[bytes]]:
    """A writable binary file whose bytes appear at `url` only if the ``with`` block ends cleanly.

    Usage::

        with storage.open_write("s3://renders/out.json") as f:
            f.write(data)          # nothing at the URL yet; an exception here leaves nothing
    """
    with staged_write(url, suffix=suffix, stage_local=True) as path, path.open("wb") as out:
        yield out


@contextlib.contextmanager
def staged_write(
    url: str | os.PathLike[str],
    *,
    suffix: str = "",
    stage_local: bool = False,
    stage_dir: str | os.PathLike[str] | None = None,
) -> Iterator[Path]:
    """A local path to write the location's content to; published when the block ends without error.

    For a local location it is the target path itself, untouched (the writer renames its own temp
    file into place, as the muxer does), unless `stage_local`: then the content is staged in
    `stage_dir` (a folder on the same filesystem, kept; a killed writer's file stays there) or in a
    temp folder beside the target, and renamed into place. For an object URL it is a file in a
    private temp folder, uploaded with `put_file` on success; the folder is removed either way. The
    S3 client is loaded before the block runs, so a missing extra fails before any work.
    """
    store = _store(url)
    if store is _LOCAL:
        target = _local_path(url)
        if not stage_local:
            yield target
            return
        if stage_dir is not None:
            Path(stage_dir).mkdir(parents=True, exist_ok=True)
            staged = Path(stage_dir) / f"staged-{target.name}"
            try:
                yield staged
                os.replace(staged, target)
            finally:
                staged.unlink(missing_ok=True)
            return
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
        try:
            staged = folder / target.name
            yield staged
            os.replace(staged, target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    key = _key(url)
    folder = Path(tempfile.mkdtemp(prefix="vfnative-upload-"))
    try:
        name = key.rstrip("/").rsplit("/", 1)[-1] or "object"
        staged = folder / (name if name.endswith(suffix) else name + suffix)
        yield staged
        if not staged.is_file():
            raise StorageError(f"{url}: nothing was written to upload", url=key)
        store.put_file(staged, key, multipart_threshold=MULTIPART_THRESHOLD)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staged_read(url: str | os.PathLike[str], *, max_bytes: int | None = None) -> Iterator[Path]:
    """A local file with the location's content for the duration of the block.

    The file itself for a local location; a download into a private temp folder (removed after the
    block) for an object URL. StorageNotFound when there is nothing at `url`.
    """
    store = _store(url)
    if store is _LOCAL:
        path = _local_path(url)
        if not path.is_file():
            raise StorageNotFound(f"{url}: file not found", url=str(url))
        yield path
        return
    key = _key(url)
    folder = Path(tempfile.mkdtemp(prefix="vfnative-download-"))
    try:
        target = folder / (key.rstrip("/").rsplit("/", 1)[-1] or "object")
        store.get_file(key, target, max_bytes=max_bytes, deadline=None)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def local_dir(url: str | os.PathLike[str]) -> Path | None:
    """The local folder a location names, or None for an object-store prefix (nothing to mkdir)."""
    return None if is_object_url(url) else _local_path(url)


def make_folder(url: str | os.PathLike[str]) -> None:
    """Create the folder `url` names, if it is local (object stores have no folders to create)."""
    folder = local_dir(url)
    if folder is not None:
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{url}: cannot create the folder: {exc.strerror or exc}", url=str(url)
            ) from exc


def check_writable(url: str | os.PathLike[str]) -> None:
    """StorageError naming what is missing when `url` cannot be written: its local folder, or its bucket.

    A cheap check before any work (an S3 HEAD on the bucket; a bucket this identity may write but not
    list passes, and a later upload reports the real problem).
    """
    if is_object_url(url):
        from vfnative.storage.s3 import split_url, store

        bucket, key = split_url(str(url))
        if not key or key.endswith("/"):
            raise StorageError(f"{url}: expected an object key after the bucket", url=str(url))
        store().check_bucket(bucket, str(url))
        return
    folder = _local_path(url).parent
    if not folder.is_dir():
        raise StorageNotFound(f"{url}: the output folder does not exist", url=str(url))


def work_location(output: str | os.PathLike[str], job: str) -> str:
    """Where a farm job keeps its chunks: ``s3://BUCKET/.vfnative/<job>`` for an object output (one
    prefix per job, at the bucket's root), or a hidden folder beside a local output."""
    if is_object_url(output):
        from vfnative.storage.s3 import split_url

        bucket, _ = split_url(str(output))
        return f"s3://{bucket}/.vfnative/{job}"
    out = Path(os.path.abspath(_local_path(output)))
    return str(out.parent / f".{out.name}.{job}.parts")


def _key(url: str | os.PathLike[str]) -> str:
    return str(url) if is_object_url(url) else str(_local_path(url))


class _LocalStore:
    """Plain files; atomic by temp file + `os.replace` in the target's folder."""

    def open_read(self, url: str) -> IO[bytes]:
        try:
            return open(url, "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError as exc:
            raise StorageNotFound(f"{url}: file not found", url=url) from exc
        except OSError as exc:
            raise StorageError(f"{url}: cannot read: {exc.strerror or exc}", url=url) from exc

    def stat(self, url: str) -> ObjectInfo | None:
        try:
            info = os.stat(url)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"{url}: cannot stat: {exc.strerror or exc}", url=url) from exc
        return ObjectInfo(size=info.st_size, last_modified=info.st_mtime)

    def put_file(self, source: Path, url: str, *, multipart_threshold: int) -> None:
        target = Path(url)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        except FileNotFoundError as exc:
            raise StorageNotFound(f"{url}: the folder does not exist", url=url) from exc
        except OSError as exc:
            raise StorageError(f"{url}: cannot write: {exc.strerror or exc}", url=url) from exc
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            os.replace(tmp, target)
        except OSError as exc:
            raise StorageError(f"{url}: cannot write: {exc.strerror or exc}", url=url) from exc
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get_file(
        self, url: str, target: Path, *, max_bytes: int | None, deadline: float | None
    ) -> ObjectInfo:
        info = self.stat(url)
        if info is None:
            raise StorageNotFound(f"{url}: file not found", url=url)
        if max_bytes is not None and info.size > max_bytes:
            raise StorageError(f"{url}: {info.size} bytes; the limit is {max_bytes}", url=url)
        self.put_file(Path(url), str(target), multipart_threshold=0)
        return info

    def presign(self, url: str, expires_s: int) -> str:
        return Path(url).absolute().as_uri()

    def delete_prefix(self, url: str) -> int:
        path = Path(url)
        if path.is_dir():
            count = sum(1 for p in path.rglob("*") if not p.is_dir())
            shutil.rmtree(path, ignore_errors=True)
            return count
        return 0


_LOCAL = _LocalStore()
