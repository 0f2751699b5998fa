"""A worker machine dying mid-chunk: SIGKILL to a worker's whole process group, the job still completes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import vfnative.worker
from vfnative.encode.mux import video_metadata
from vfnative.worker.client import _farm
from vfnative.worker.primitives import count_video_frames

from .conftest import LEASE_S, SWEEP_S, Workers, farm_document

pytestmark = pytest.mark.slow


def _live_members(pgid: int, wait_s: float = 5.0) -> list[int]:
    """Processes of group `pgid` that are not zombies (a dead pool child may wait to be reaped)."""
    deadline = time.monotonic() + wait_s
    while True:
        live = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                live.append(int(stat.parent.name))
        if not live or time.monotonic() > deadline:
            return live
        time.sleep(0.05)


def test_sigkill_mid_chunk_is_rendered_again_elsewhere(
    workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    alpha, beta = workers.start_all("alpha", "beta")
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=20.0)))
    out = tmp_path / "out.mp4"
    job = vfnative.worker.submit(doc, out, chunks=4, broker=redis_url)

    victim = None
    deadline = time.monotonic() + 180
    while victim is None and time.monotonic() < deadline:
        state = vfnative.worker.status(job, broker=redis_url)
        assert state is not None
        assert state["status"] not in ("failed", "done"), state
        for name, piece in state["pieces"].items():
            if (name.startswith("chunk-") and piece["state"] == "running" and (piece["owner"] or "").startswith("beta@")
                    and 10 <= piece["frames_done"] < 140):  # fmt: skip
                victim = name
        time.sleep(0.05)
    assert victim is not None, "beta never got a chunk"
    killed = time.time()
    beta.kill_group()  # the worker and its pool children: nothing of it runs any more
    assert _live_members(beta.proc.pid) == []

    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)
    took = time.time() - killed
    events = _farm(redis_url, None).store.events(job)
    expired = [e for e in events if e["piece"] == victim and e["event"] == "lease-expired"]
    assert len(expired) == 1
    redispatched = next(
        e for e in events if e["piece"] == victim and e["event"] == "dispatched" and e["attempt"] == 2
    )
    found_after = redispatched["t"] - killed
    print(
        f"\nkilled beta mid-{victim}: re-dispatched after {found_after:.1f} s, job done {took:.1f} s after the kill"
    )
    assert found_after < LEASE_S + 2 * SWEEP_S + 5  # the lease, not Celery's visibility timeout (48 h)
    # in this order: the lease expired, the chunk went out again, it was rendered, then the job finished
    assert final["status"] == "done"
    redone = next(e for e in events if e["piece"] == victim and e["event"] == "done")
    finished = next(e for e in events if e["piece"] == "" and e["event"] == "done")
    assert killed < expired[0]["t"] <= redispatched["t"] <= redone["t"] <= finished["t"]

    piece = final["pieces"][victim]
    assert piece["attempts"] == 2
    assert piece["owner"].startswith("alpha@")
    assert alpha.alive
    result = final["result"]
    assert result["frames"] == 600
    meta = video_metadata(out)
    assert meta["nb_frames"] == meta["packets"] == count_video_frames(out) == 600
    assert meta["keyframes"] == [0.0, 5.0, 10.0, 15.0]
    # the dead worker's half-written chunk went with the work folder: only the document and the output remain
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".log")) == [
        "doc.json",
        "out.mp4",
    ]
