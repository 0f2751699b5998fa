"""`vfnative.storage` over local paths and a real S3 API (moto_server on loopback, `s3_server`)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from vfnative import storage


def _write_then_fail(url: str | Path) -> None:
    def body() -> None:
        with storage.open_write(url) as f:
            f.write(b"half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        body()


def test_local_open_write_is_atomic_and_a_failed_block_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with storage.open_write(target) as f:
        f.write(b"abc")
        assert not target.exists()  # nothing at the location until the block ends
    assert target.read_bytes() == b"abc"
    _write_then_fail(target)
    assert target.read_bytes() == b"abc"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_local_put_get_stat_presign_delete_prefix(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 100)
    job = tmp_path / "job"
    job.mkdir()
    storage.put_file(src, storage.join(job, "chunk_0000.mp4"))
    info = storage.stat(job / "chunk_0000.mp4")
    assert info is not None
    assert info.size == 100
    assert storage.stat(job / "missing") is None
    with storage.open_read(job / "chunk_0000.mp4") as f:
        assert f.read() == b"x" * 100
    with pytest.raises(storage.StorageNotFound):
        storage.open_read(job / "missing")
    assert storage.presign(job / "chunk_0000.mp4").startswith("file:///")
    assert storage.delete_prefix(job) == 1
    assert not job.exists()
    assert storage.delete_prefix(job) == 0  # cleanup may run twice


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(storage.StorageError, match="unsupported location scheme 'gs'"):
        storage.stat("gs://bucket/key")


def test_s3_round_trip(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-roundtrip")
    with storage.open_write(f"s3://{bucket}/a/b.txt") as f:
        f.write(b"hello")
    with storage.open_read(f"s3://{bucket}/a/b.txt") as body:
        assert body.read() == b"hello"
    info = storage.stat(f"s3://{bucket}/a/b.txt")
    assert info is not None
    assert info.size == 5
    assert info.etag
    assert info.last_modified
    assert storage.stat(f"s3://{bucket}/a/missing") is None
    storage.get_file(f"s3://{bucket}/a/b.txt", tmp_path / "b.txt")
    assert (tmp_path / "b.txt").read_bytes() == b"hello"
    with pytest.raises(storage.StorageError, match="limit is 3"):
        storage.get_file(f"s3://{bucket}/a/b.txt", tmp_path / "c.txt", max_bytes=3)
    assert not (tmp_path / "c.txt").exists()
    # a failed block uploads nothing
    _write_then_fail(f"s3://{bucket}/a/never.txt")
    assert storage.stat(f"s3://{bucket}/a/never.txt") is None


def test_s3_presigned_url_gets_the_object_without_credentials(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-presign")
    src = tmp_path / "x.bin"
    src.write_bytes(b"presigned")
    storage.put_file(src, f"s3://{bucket}/x.bin")
    url = storage.presign(f"s3://{bucket}/x.bin", expires_s=120)
    assert url.startswith(s3_server.endpoint) and "Expires=" in url or "X-Amz-Expires=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        assert response.read() == b"presigned"
    with pytest.raises(ValueError, match="expires_s"):
        storage.presign(f"s3://{bucket}/x.bin", expires_s=0)


def test_s3_large_files_go_as_a_multipart_upload(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-multipart")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 * 2**20))
    storage.put_file(big, f"s3://{bucket}/big.bin", multipart_threshold=5 * 2**20)
    uploads = [r for r in s3_server.requests("POST", f"/{bucket}/big.bin") if "uploads" in r[1]]
    parts = [r for r in s3_server.requests("PUT", f"/{bucket}/big.bin") if "partNumber=" in r[1]]
    assert len(uploads) == 1
    assert len(parts) == 3
    storage.get_file(f"s3://{bucket}/big.bin", tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()
    small = tmp_path / "small.bin"
    small.write_bytes(b"s" * 1000)
    storage.put_file(small, f"s3://{bucket}/small.bin")  # one PUT
    assert [r[2] for r in s3_server.requests("PUT", f"/{bucket}/small.bin")] == [200]


def test_s3_delete_prefix_removes_the_folder_only(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-delete")
    src = tmp_path / "c.bin"
    src.write_bytes(b"c")
    for key in (
        ".vfnative/job/chunk_0000.mp4",
        ".vfnative/job/chunk_0001.mp4",
        ".vfnative/job2/chunk_0000.mp4",
    ):
        storage.put_file(src, f"s3://{bucket}/{key}")
    assert storage.delete_prefix(f"s3://{bucket}/.vfnative/job") == 2
    assert s3_server.keys(bucket) == [".vfnative/job2/chunk_0000.mp4"]
    assert storage.delete_prefix(f"s3://{bucket}/.vfnative/job/") == 0
    with pytest.raises(storage.StorageError, match="whole bucket"):
        storage.delete_prefix(f"s3://{bucket}")


def test_s3_errors_name_the_location(s3_server: Any, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"x")
    with pytest.raises(storage.StorageNotFound, match=r"s3://vf-no-such-bucket/k.*NoSuchBucket"):
        storage.put_file(src, "s3://vf-no-such-bucket/k")
    with pytest.raises(storage.StorageError, match="no bucket name"):
        storage.stat("s3:///key")
