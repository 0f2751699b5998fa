"""Media `source`s on S3: allowed per bucket only, fetched through the content cache, counted."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from vfnative import storage
from vfnative.cli.main import run
from vfnative.errors import AssetError, MissingAssetError
from vfnative.media.sources import MediaCacheStats, SourcePolicy, SourceResolver


def png_bytes(color: tuple[int, int, int, int] = (255, 0, 0, 255), size: int = 8) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_document(source: str) -> dict[str, Any]:
    return {
        "name": "s3 photo", "width": 32, "height": 18, "fps": 10, "duration": 0.2,
        "layers": [{"id": "p", "type": "image", "properties": {},
                    "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.2, "source": source}}],
    }  # fmt: skip


def _upload(bucket: str, key: str, data: bytes, tmp_path: Path) -> str:
    local = tmp_path / "upload.bin"
    local.write_bytes(data)
    storage.put_file(local, f"s3://{bucket}/{key}")
    return f"s3://{bucket}/{key}"


def test_s3_sources_need_their_bucket_allowed(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-media")
    url = _upload(bucket, "photo.png", png_bytes(), tmp_path)
    with pytest.raises(
        AssetError, match=r"bucket 'vf-media' is not allowed; allow it with --allow-bucket vf-media"
    ):
        SourceResolver(SourcePolicy(allow_network=True), tmp_path).resolve(url)
    with pytest.raises(AssetError, match="not allowed"):
        SourceResolver(SourcePolicy(allowed_buckets=("vf-other",)), tmp_path).resolve(url)
    before = len(s3_server.requests(path=f"/{bucket}/photo.png"))
    assert len(s3_server.requests(path=f"/{bucket}/photo.png")) == before  # refused before any request
    with SourceResolver(SourcePolicy(allowed_buckets=(bucket,)), tmp_path) as resolver:
        assert resolver.resolve(url).read_bytes() == png_bytes()
        assert resolver.stats == MediaCacheStats(misses=1, bytes_fetched=len(png_bytes()))


def test_missing_object_and_size_limit(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-media-limits")
    url = _upload(bucket, "big.bin", b"x" * 5000, tmp_path)
    policy = SourcePolicy(allowed_buckets=(bucket,), max_bytes=1000, cache_dir=tmp_path / "cache")
    with pytest.raises(MissingAssetError, match="not found"):
        SourceResolver(policy, tmp_path).resolve(f"s3://{bucket}/nope.png")
    with pytest.raises(AssetError, match="the limit is 1000"):
        SourceResolver(policy, tmp_path).resolve(url)
    assert list((tmp_path / "cache").iterdir()) == []  # nothing half-fetched left


def test_cli_render_with_an_s3_photo_fetches_it_once(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-media-cli")
    url = _upload(bucket, "template/photo.png", png_bytes((0, 255, 0, 255)), tmp_path)
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(photo_document(url)))
    environ = {"VFNATIVE_CACHE_DIR": str(tmp_path / "cache")}
    for n in range(2):
        err = io.StringIO()
        code = run(["render", str(doc), "-o", str(tmp_path / f"out{n}.mp4"), "--jobs", "1", "--strict",
                    "--allow-bucket", bucket], environ=environ, stdout=io.StringIO(), stderr=err)  # fmt: skip
        assert code == 0, err.getvalue()
        expected = "0 cached, 1 fetched" if n == 0 else "1 cached, 0 fetched (0 bytes)"
        assert expected in " ".join(err.getvalue().split())  # rich wraps lines
    path = f"/{bucket}/template/photo.png"
    assert len(s3_server.requests("GET", path)) == 1  # fetched once
    assert len(s3_server.requests("HEAD", path)) == 1  # then revalidated by its ETag
    err = io.StringIO()
    code = run(["render", str(doc), "-o", str(tmp_path / "x.mp4"), "--strict"], environ=environ,
               stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert code == 4
    assert "--allow-bucket vf-media-cli" in err.getvalue()
