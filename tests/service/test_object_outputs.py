"""Outputs in an object store (`--output-prefix s3://...`): uploaded whole when done, GET .../output
redirects to a presigned URL, a request may name its output under the prefix and nowhere else.
The store is `moto_server` on loopback (the `s3_server` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ServiceProcess, frame_count, tiny_document, wait_status


@pytest.fixture(scope="module")
def s3_service(s3_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServiceProcess, str]]:
    bucket = s3_server.bucket("vf-service")
    folder = tmp_path_factory.mktemp("s3-service")
    service = ServiceProcess(folder / "data", ["--workers", "1", "--output-prefix", f"s3://{bucket}/renders"],
                             env=s3_server.env)  # fmt: skip
    service.start()
    try:
        yield service, bucket
    finally:
        service.stop()


@pytest.mark.timeout(180)
def test_output_in_object_store(s3_service, s3_server, tmp_path: Path) -> None:
    service, bucket = s3_service
    with httpx.Client(base_url=service.url, timeout=30) as client:
        job = client.post("/v1/renders", json=tiny_document(4)).json()["id"]
        named = client.post("/v1/renders", json={"document": tiny_document(3),
                                                 "output": f"s3://{bucket}/renders/campaign/a.mp4"})  # fmt: skip
        assert named.status_code == 202, named.text
        for bad in (f"s3://{bucket}/elsewhere/a.mp4", f"s3://{bucket}/renders/../x.mp4", "/etc/x.mp4",
                    f"s3://{bucket}/renders/a.mov"):  # fmt: skip
            r = client.post("/v1/renders", json={"document": tiny_document(2), "output": bad})
            assert r.status_code == 422, bad
            assert r.json()["error"]["issues"][0]["path"] == "output"
        state = wait_status(client, job, ("done", "failed"))
        assert state["status"] == "done", state
        assert wait_status(client, named.json()["id"], ("done", "failed"))["status"] == "done"
        assert s3_server.keys(bucket) == sorted(["renders/campaign/a.mp4", f"renders/{job}.mp4"])
        assert not list((service.data_dir / "outputs").iterdir())  # nothing kept locally
        r = client.get(f"/v1/renders/{job}/output")
        assert r.status_code == 307
        location = r.headers["location"]
        assert location.startswith(s3_server.endpoint)
        assert "Signature" in location or "X-Amz-Signature" in location
        video = httpx.get(location)  # no credentials: the presigned URL is enough
        assert video.status_code == 200
        assert len(video.content) == state["output"]["size"]
        path = tmp_path / "out.mp4"
        path.write_bytes(video.content)
        assert frame_count(path) == 4
