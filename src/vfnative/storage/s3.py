"""The S3 backend of `vfnative.storage`, over boto3 (the ``s3`` extra); loaded on the first s3:// location.

One client per process (rebuilt after a fork: boto3 clients hold sockets), created from a default
boto3 session, so the endpoint, region and credentials come from the standard AWS chain:
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` (MinIO, R2, Ceph, GCS interoperability), ``AWS_REGION``,
``AWS_PROFILE`` and the shared config files (``addressing_style = path`` for servers without virtual
hosts), web identity and instance roles. Nothing is hard-coded here but timeouts and retries.

Imports the standard library, `vfnative.storage` and boto3/botocore.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, cast

from vfnative.storage import INSTALL_HINT, ObjectInfo, StorageError, StorageNotFound

__all__ = ["S3Store", "reset", "split_url", "store"]

_PART_MIN = 5 * 2**20
"""S3's smallest multipart part (the last part excepted)."""
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})

_lock = threading.Lock()
_stores: dict[int, S3Store] = {}


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` → ``("bucket", "some/key")``; StorageError without a bucket."""
    if url[:5].lower() != "s3://":
        raise StorageError(f"{url!r}: not an s3:// URL", url=url)
    bucket, _, key = url[5:].partition("/")
    if not bucket:
        raise StorageError(f"{url!r}: no bucket name (expected s3://BUCKET/KEY)", url=url)
    return bucket, key


def store() -> S3Store:
    """This process's `S3Store` (built on first use)."""
    pid = os.getpid()
    with _lock:
        found = _stores.get(pid)
        if found is None:
            _stores.clear()  # a forked child must not reuse its parent's client
            found = _stores[pid] = S3Store()
        return found


def reset() -> None:
    """Forget the process's client, so the next use reads the AWS environment again (tests)."""
    with _lock:
        _stores.clear()


class S3Store:
    """Files as S3 objects through one boto3 client. Thread-safe (boto3 clients are)."""

    def __init__(self, client: Any | None = None) -> None:
        try:
            import boto3
            import botocore.config
        except ImportError as exc:
            raise StorageError(INSTALL_HINT) from exc
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        self._errors: tuple[type[BaseException], ...] = (BotoCoreError, ClientError)
        self._client_error = ClientError
        self._transfer_config = TransferConfig
        if client is None:
            config = botocore.config.Config(
                connect_timeout=10, read_timeout=60, retries={"max_attempts": 4, "mode": "standard"}
            )
            client = boto3.session.Session().client("s3", config=config)
        self.client = client

    def __repr__(self) -> str:
        return f"<S3Store {self.client.meta.endpoint_url} region={self.client.meta.region_name}>"

    # ------------------------------------------------------------------ errors

    def _fail(self, url: str, what: str, exc: BaseException) -> StorageError:
        code = ""
        if isinstance(exc, self._client_error):
            error = getattr(exc, "response", {}).get("Error", {})
            code = str(error.get("Code", ""))
            detail = f"{code}: {error.get('Message') or code}"
        else:
            detail = str(exc)
        kind = StorageNotFound if code in _NOT_FOUND else StorageError
        return kind(f"{url}: cannot {what}: {detail}", url=url)

    # ------------------------------------------------------------------ operations

    def open_read(self, url: str) -> IO[bytes]:
        bucket, key = split_url(url)
        try:
            body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        except self._errors as exc:
            raise self._fail(url, "read", exc) from exc
        return cast(IO[bytes], body)

    def stat(self, url: str) -> ObjectInfo | None:
        bucket, key = split_url(url)
        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
        except self._errors as exc:
            error = self._fail(url, "stat", exc)
            if isinstance(error, StorageNotFound):
                return None
            raise error from exc
        modified = head.get("LastModified")
        return ObjectInfo(
            size=int(head.get("ContentLength", 0)),
            etag=head.get("ETag"),
            last_modified=modified.timestamp() if modified is not None else None,
        )

    def put_file(self, source: Path, url: str, *, multipart_threshold: int) -> None:
        bucket, key = split_url(url)
        if not key or key.endswith("/"):
            raise StorageError(f"{url}: expected an object key after the bucket", url=url)
        size = source.stat().st_size
        try:
            if size < max(multipart_threshold, 1):
                with source.open("rb") as body:
                    self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentLength=size)
                return
            part = max(_PART_MIN, min(16 * 2**20, multipart_threshold))
            config = self._transfer_config(multipart_threshold=max(multipart_threshold, _PART_MIN),
                                           multipart_chunksize=part, max_concurrency=4)  # fmt: skip
            self.client.upload_file(str(source), bucket, key, Config=config)  # aborts the upload on failure
        except self._errors as exc:
            raise self._fail(url, "upload", exc) from exc
        except OSError as exc:
            raise StorageError(f"{url}: cannot upload {source}: {exc}", url=url) from exc

    def get_file(
        self, url: str, target: Path, *, max_bytes: int | None, deadline: float | None = None
    ) -> ObjectInfo:
        bucket, key = split_url(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".s3-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            try:
                response = self.client.get_object(Bucket=bucket, Key=key)
            except self._errors as exc:
                raise self._fail(url, "read", exc) from exc
            declared = int(response.get("ContentLength", 0))
            if max_bytes is not None and declared > max_bytes:
                response["Body"].close()
                raise StorageError(f"{url}: {declared} bytes to download; the limit is {max_bytes}", url=url)
            size = 0
            body = response["Body"]
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in body.iter_chunks(1 << 16):
                        size += len(chunk)
                        if max_bytes is not None and size > max_bytes:
                            raise StorageError(f"{url}: the download exceeds {max_bytes} bytes", url=url)
                        if deadline is not None and time.monotonic() > deadline:
                            raise StorageError(f"{url}: fetch timed out", url=url)
                        out.write(chunk)
            except self._errors as exc:
                raise self._fail(url, "read", exc) from exc
            finally:
                body.close()
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        modified = response.get("LastModified")
        return ObjectInfo(
            size=size,
            etag=response.get("ETag"),
            last_modified=modified.timestamp() if modified is not None else None,
        )

    def check_bucket(self, bucket: str, url: str) -> None:
        """StorageNotFound when `bucket` does not exist (403: exists, or cannot tell; let it pass)."""
        try:
            self.client.head_bucket(Bucket=bucket)
        except self._errors as exc:
            error = self._fail(url, "write", exc)
            if isinstance(error, StorageNotFound):
                raise StorageNotFound(f"{url}: the bucket {bucket!r} does not exist", url=url) from exc
            if "403" in str(error) or "Forbidden" in str(error) or "AccessDenied" in str(error):
                return
            raise error from exc

    def presign(self, url: str, expires_s: int) -> str:
        bucket, key = split_url(url)
        try:
            return str(
                self.client.generate_presigned_url(
                    "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_s
                )
            )
        except self._errors as exc:
            raise self._fail(url, "presign", exc) from exc

    def delete_prefix(self, url: str) -> int:
        bucket, key = split_url(url)
        prefix = key.rstrip("/") + "/" if key.strip("/") else ""
        if not prefix:
            raise StorageError(f"{url}: refusing to delete a whole bucket", url=url)
        deleted = 0
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                for start in range(0, len(keys), 1000):
                    batch = keys[start : start + 1000]
                    self.client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
                    deleted += len(batch)
            uploads = self.client.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
            for upload in uploads:  # a worker killed mid-upload leaves parts that are billed
                self.client.abort_multipart_upload(
                    Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
        except self._errors as exc:
            error = self._fail(url, "delete", exc)
            if isinstance(error, StorageNotFound):
                return deleted
            raise error from exc
        return deleted
