"""Redis restarted in the middle of a batch (AOF on, as every example configuration sets it): no job is lost.

A private redis-server with ``appendonly yes`` and ``appendfsync everysec`` in its own folder, two
real workers, a batch of short jobs; Redis is stopped (SIGTERM: it writes the AOF and exits) and
started again on the same port while jobs are queued and running. Every accepted job must end
``done`` exactly once, with its output complete and nothing else left beside it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import vfnative.worker
from vfnative.worker.client import _farm
from vfnative.worker.primitives import count_video_frames

from .conftest import RedisServer, Workers, farm_document

pytestmark = pytest.mark.slow


@pytest.fixture
def aof_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_redis_restart_mid_batch_loses_no_job(aof_redis: RedisServer, tmp_path: Path) -> None:
    url = aof_redis.url
    workers = Workers(url, tmp_path)
    try:
        workers.start_all("alpha", "beta")
        out = tmp_path / "out"
        out.mkdir()
        docs = [farm_document(duration=1.5, width=320, height=180) for _ in range(8)]
        outputs = [out / f"clip{i}.mp4" for i in range(8)]
        batch = vfnative.worker.submit_many(docs, outputs, broker=url)

        deadline = time.monotonic() + 120
        while True:  # restart once some jobs are done and others still queued or running
            state = vfnative.worker.batch_status(batch.id, broker=url)
            assert state is not None
            if state["counts"].get("done", 0) >= 1:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        assert state["counts"].get("done", 0) < 8, "the batch ended before Redis could be restarted"
        aof_redis.stop()
        time.sleep(1.0)  # workers and client see the broker gone
        aof_redis.start()

        for job in batch:
            final = vfnative.worker.wait(job, timeout=180, poll_s=0.2, broker=url)
            assert final["status"] == "done"
        totals = vfnative.worker.batch_status(batch.id, broker=url)
        assert totals is not None
        assert totals["counts"] == {"done": 8}
        store = _farm(url, None).store
        for job in batch:
            ends = [e for e in store.events(job) if e["piece"] == "" and e["event"] in ("done", "failed")]
            assert [e["event"] for e in ends] == ["done"], job  # ended once, done
        assert store.active_jobs() == []
        for path in outputs:
            assert count_video_frames(path) == 45
        assert sorted(p.name for p in out.iterdir()) == sorted(
            p.name for p in outputs
        )  # no parts, no temp file
        assert all(w.alive for w in workers.started)
        recovered = [e["event"] for job in batch for e in store.events(job)
                     if e["event"] in ("lease-expired", "message-lost")]  # fmt: skip
        print(f"\nrestarted Redis after {json.dumps(state['counts'])}; all 8 done; recovered: {recovered}")
    finally:
        workers.stop_all()
