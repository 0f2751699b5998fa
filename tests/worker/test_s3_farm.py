"""The farm on object storage: a real S3 API (moto_server on loopback), redis-server and Celery workers,
each worker with its own temp folder and media cache and no folder shared with the others.

Every worker says it runs on its own machine (``VFNATIVE_MACHINE_ID``), so a local output is refused
unless a shared folder is declared; chunks go to ``s3://BUCKET/.vfnative/<job>/`` and the stitch
uploads the output and removes the prefix.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import redis

import vfnative
import vfnative.worker
from vfnative import storage
from vfnative.encode.mux import video_metadata
from vfnative.worker.client import _farm
from vfnative.worker.jobs import MACHINES_KEY

from .conftest import Worker, Workers, farm_document

pytestmark = pytest.mark.slow

BUCKET = "vf-farm"


def _png(size: int = 48) -> bytes:
    from PIL import Image

    image = Image.new("RGBA", (size, size), (30, 144, 255, 255))
    for x in range(size):
        image.putpixel((x, x), (255, 255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _with_photo(doc: dict[str, Any], source: str) -> dict[str, Any]:
    duration = doc["duration"]
    photo = {"id": "photo", "type": "image",
             "settings": {"enabled": True, "startTime": 0, "sourceDuration": duration, "source": source},
             "properties": {"opacity": 0.5}}  # fmt: skip
    return {**doc, "layers": [photo, *doc["layers"]]}


def _frames(path: Path) -> list[np.ndarray[Any, Any]]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray() for frame in container.decode(video=0)]


def _start_machines(pool: Workers, folder: Path, *names: str) -> list[Worker]:
    """Workers that each run on their 'own machine': own temp folder, own media cache, own machine id."""
    workers = []
    for name in names:
        home = folder / name
        (home / "tmp").mkdir(parents=True)
        workers.append(pool.start(name, TMPDIR=str(home / "tmp"), VFNATIVE_CACHE_DIR=str(home / "cache"),
                                  VFNATIVE_MACHINE_ID=f"machine-{name}"))  # fmt: skip
    for w in workers:
        w.wait_ready()
    return workers


@pytest.fixture(scope="module")
def bucket(s3_server: Any) -> str:
    return str(s3_server.bucket(BUCKET))


@pytest.fixture(scope="module")
def photo(s3_server: Any, bucket: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    local = tmp_path_factory.mktemp("photo") / "photo.png"
    local.write_bytes(_png())
    storage.put_file(local, f"s3://{bucket}/template/photo.png")
    return f"s3://{bucket}/template/photo.png"


@pytest.fixture(scope="module")
def machines(
    s3_server: Any, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Worker], Path]]:
    """Two workers on two 'machines' for the module (started after moto_server: they inherit its AWS env)."""
    folder = tmp_path_factory.mktemp("machines")
    pool = Workers(redis_url, folder)
    try:
        yield _start_machines(pool, folder, "east", "west"), folder
    finally:
        pool.stop_all()
        redis.Redis.from_url(redis_url).delete(MACHINES_KEY)  # no stale 'machines' for the next module


def test_four_chunks_on_two_machines_decode_to_the_local_render(
    machines: tuple[list[Worker], Path],
    s3_server: Any,
    bucket: str,
    photo: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(lossless=True))
    doc = _with_photo(farm_document(duration=4.0, width=640, height=360), photo)
    sources = vfnative.SourcePolicy(allowed_buckets=(bucket,))
    reference = tmp_path / "local.mp4"
    vfnative.render(doc, reference, settings=settings, base_dir=tmp_path, sources=sources, strict=True)

    output = f"s3://{bucket}/renders/farm.mp4"
    job = vfnative.worker.submit(doc, output, chunks=4, settings=settings, base_dir=tmp_path, sources=sources,
                                 presign_s=600, broker=redis_url)  # fmt: skip
    final = vfnative.worker.wait(job, timeout=240, poll_s=0.2, broker=redis_url)
    result = final["result"]
    assert result["output"] == output
    assert result["chunks"] == 4
    owners = {p["owner"].split("@")[0] for p in final["pieces"].values()}
    assert owners == {"east", "west"}  # both machines worked on it, and neither saw the other's files

    # the chunks went to the job's prefix, once each per attempt, and the prefix is gone
    puts = {p.split("?")[0] for _, p, _ in s3_server.requests("PUT") if f"/.vfnative/{job}/" in p}
    assert puts == {f"/{bucket}/.vfnative/{job}/chunk_{i:04d}.mp4" for i in range(4)}
    assert s3_server.keys(bucket, ".vfnative/") == []

    local = tmp_path / "farm.mp4"
    storage.get_file(output, local)
    farm_frames, local_frames = _frames(local), _frames(reference)
    assert len(farm_frames) == len(local_frames) == 120
    for i, (a, b) in enumerate(zip(farm_frames, local_frames, strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"
    assert video_metadata(local)["nb_frames"] == 120

    # the presigned URL gets the same bytes without credentials, until it expires
    assert result["presigned_expires"] > time.time() + 500
    with urllib.request.urlopen(result["presigned_url"], timeout=10) as response:  # noqa: S310 - loopback
        assert response.read() == local.read_bytes()
    # the photo: fetched once per machine at most (plan, chunks and audio share each machine's cache)
    assert result["media_cache"]["misses"] <= 2
    assert result["media_cache"]["hits"] >= 4


def test_a_local_output_is_refused_unless_its_folder_is_shared(
    machines: tuple[list[Worker], Path], redis_url: str, tmp_path: Path
) -> None:
    doc = farm_document(duration=0.2, width=64, height=36)
    with pytest.raises(
        ValueError, match=r"local path, but the farm's workers run on 2 machines .*--shared-dir"
    ):
        vfnative.worker.submit(doc, tmp_path / "out.mp4", broker=redis_url)
    with pytest.raises(ValueError, match="not inside the shared folder"):
        vfnative.worker.submit(doc, tmp_path / "out.mp4", shared_dir=tmp_path / "elsewhere", broker=redis_url)
    from vfnative.cli.main import run

    err = io.StringIO()
    code = run(["submit", "-", "-o", str(tmp_path / "out.mp4"), "--broker", redis_url], environ={},
               stdin=io.StringIO(json.dumps(doc)), stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert code == 2
    assert "--shared-dir" in err.getvalue()
    assert not (tmp_path / "out.mp4").exists()
    # declared shared (it is: both 'machines' are this one), it runs
    job = vfnative.worker.submit(doc, tmp_path / "out.mp4", shared_dir=tmp_path, broker=redis_url)
    vfnative.worker.wait(job, timeout=120, poll_s=0.2, broker=redis_url)
    assert (tmp_path / "out.mp4").is_file()


def test_twenty_jobs_sharing_a_photo_fetch_it_once_per_machine(
    machines: tuple[list[Worker], Path],
    s3_server: Any,
    bucket: str,
    photo: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    workers, folder = machines
    key_path = f"/{bucket}/template/photo.png"
    gets_before = len(s3_server.requests("GET", key_path))
    for w in workers:  # start from cold caches: the first test's render fetched the photo already
        for entry in (folder / w.name / "cache").glob("*"):
            entry.unlink()
    docs = [_with_photo(farm_document(duration=0.5, width=64, height=36), photo) for _ in range(20)]
    outputs = [f"s3://{bucket}/batch/{i:02d}.mp4" for i in range(20)]
    batch = vfnative.worker.submit_many(docs, outputs, base_dir=tmp_path,
                                        sources=vfnative.SourcePolicy(allowed_buckets=(bucket,)),
                                        broker=redis_url)  # fmt: skip
    finals = [vfnative.worker.wait(job, timeout=240, poll_s=0.2, broker=redis_url) for job in batch]
    owners = {p["owner"].split("@")[0] for f in finals for p in f["pieces"].values()}
    gets = len(s3_server.requests("GET", key_path)) - gets_before
    assert owners == {"east", "west"}
    assert gets == len(owners)  # exactly one fetch per machine, 20 jobs
    counts = [f["result"]["media_cache"] for f in finals]
    assert sum(c["misses"] for c in counts) == gets
    assert sum(c["hits"] for c in counts) == 20 - gets
    assert sum(c["bytes_fetched"] for c in counts) == gets * len(_png())
    assert sorted(s3_server.keys(bucket, "batch/")) == [o.split("/", 3)[3] for o in outputs]


def test_sigkill_with_an_s3_output_leaves_no_chunk_objects(
    s3_server: Any, bucket: str, redis_url: str, tmp_path: Path
) -> None:
    pool = Workers(redis_url, tmp_path)
    try:
        machines = dict(zip(("alpha", "beta"), _start_machines(pool, tmp_path, "alpha", "beta"), strict=True))
        # 1280x720, 4 chunks of 120 frames: each takes long enough to be caught running, even on an
        # idle machine (with 60-frame chunks the job could end before any progress was seen).
        doc = farm_document(duration=16.0)
        output = f"s3://{bucket}/renders/killed.mp4"
        job = vfnative.worker.submit(doc, output, chunks=4, base_dir=tmp_path, broker=redis_url)
        victim = owner = None
        deadline = time.monotonic() + 180
        while victim is None and time.monotonic() < deadline:
            state = vfnative.worker.status(job, broker=redis_url)
            assert state is not None
            assert state["status"] not in ("failed", "done"), state
            for name, piece in state["pieces"].items():
                holder = (piece["owner"] or "").split("@")[0]
                if (name.startswith("chunk-") and piece["state"] == "running" and holder in machines
                        and 1 <= piece["frames_done"] <= 90):  # fmt: skip
                    victim, owner = name, holder
            time.sleep(0.03)
        assert victim is not None, "no chunk was seen running"
        assert owner is not None
        machines[owner].kill_group()
        final = vfnative.worker.wait(job, timeout=240, poll_s=0.2, broker=redis_url)
        events = _farm(redis_url, None).store.events(job)
        assert any(e["piece"] == victim and e["event"] == "lease-expired" for e in events)
        assert final["pieces"][victim]["attempts"] == 2
        assert not final["pieces"][victim]["owner"].startswith(f"{owner}@")  # rendered again elsewhere
        assert final["result"]["frames"] == 480
        # no orphans: no chunk object, no unfinished multipart upload under the job's prefix
        assert s3_server.keys(bucket, f".vfnative/{job}") == []
        uploads = s3_server.client().list_multipart_uploads(Bucket=bucket, Prefix=".vfnative/")
        assert uploads.get("Uploads", []) == []
        local = tmp_path / "killed.mp4"
        storage.get_file(output, local)
        meta = video_metadata(local)
        assert meta["nb_frames"] == 480
        assert meta["keyframes"] == [0.0, 4.0, 5.0, 8.0, 10.0, 12.0, 15.0]  # chunk IDRs, and every 5 s
    finally:
        pool.stop_all()
        redis.Redis.from_url(redis_url).delete(MACHINES_KEY)
