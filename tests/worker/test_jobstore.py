"""JobStore transitions and leases against a real Redis (database 1, so no worker ever sees these jobs).

Sending a task is recorded in a list here; the end-to-end tests send real Celery messages.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from vfnative.worker.jobs import JobStore, task_id


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/1", decode_responses=True)
    c.flushdb()
    yield c
    c.flushdb()
    c.close()


class Sent(list[tuple[str, dict[str, Any], str]]):
    def __init__(self) -> None:
        super().__init__()
        self.queues: list[str | None] = []

    def __call__(self, name: str, message: dict[str, Any], tid: str, queue: str | None = None) -> None:
        self.append((name, message, tid))
        self.queues.append(queue)


def make_store(client: redis.Redis, **kwargs: Any) -> tuple[JobStore, Sent]:
    sent = Sent()
    return JobStore(client, send=sent, **{"lease_s": 1.0, **kwargs}), sent


def new_job(store: JobStore, *, chunks: int = 2, frames: int = 20) -> str:
    job = uuid.uuid4().hex
    store.create(job, doc_text="{}", base_dir=None, output="/x/out.mp4", work_dir="/x/.out.parts", settings={},
                 chunks=chunks)  # fmt: skip
    size = frames // chunks
    specs = {
        f"chunk-{i:04d}": {"kind": "chunk", "index": i, "start": i * size, "stop": (i + 1) * size, "path": ""}
        for i in range(chunks)
    }
    store.add_pieces(job, {**specs, "stitch": {"kind": "stitch"}}, frames=frames, fps=30, pieces=chunks)
    return job


def test_dispatch_new_sends_once(client: redis.Redis) -> None:
    store, sent = make_store(client)
    job = new_job(store)
    assert store.dispatch(job, "plan") == 1
    assert store.dispatch(job, "plan") is None
    assert sent == [("vfnative.plan", {"job": job, "piece": "plan", "attempt": 1}, task_id(job, "plan", 1))]
    assert store.status(job)["pieces"]["plan"]["state"] == "queued"  # type: ignore[index]


def test_claim_is_exclusive_per_attempt_and_worker(client: redis.Redis) -> None:
    store, _ = make_store(client)
    job = new_job(store)
    attempt = store.dispatch(job, "chunk-0000")
    assert attempt == 1
    assert store.claim(job, "chunk-0000", 1, "w1@h", state="taken") == "ok"
    assert store.claim(job, "chunk-0000", 1, "w1@h") == "ok"  # the child of the same worker
    assert store.claim(job, "chunk-0000", 1, "w2@h") == "busy"  # a second delivery elsewhere
    assert store.refresh(job, "chunk-0000", 1, "w1@h") == "ok"
    assert store.refresh(job, "chunk-0000", 1, "w2@h") == "lost"
    assert store.status(job)["pieces"]["chunk-0000"]["owner"] == "w1@h"  # type: ignore[index]


def test_expired_lease_is_dispatched_again_by_the_sweep(client: redis.Redis) -> None:
    store, sent = make_store(client)
    job = new_job(store)
    store.dispatch(job, "chunk-0000")
    assert store.claim(job, "chunk-0000", 1, "w1@h") == "ok"
    assert store.sweep() == []  # the lease is live
    time.sleep(1.2)  # nobody renews it: the worker is gone
    assert store.sweep() == [(job, "chunk-0000", 2)]
    assert sent[-1][1] == {"job": job, "piece": "chunk-0000", "attempt": 2}
    assert store.sweep() == []  # queued again: the broker holds the message, no lease needed
    # the dead worker's attempt cannot come back to life
    assert store.refresh(job, "chunk-0000", 1, "w1@h") == "lost"
    assert store.claim(job, "chunk-0000", 2, "w2@h") == "ok"
    assert store.claim(job, "chunk-0000", 1, "w1@h") == "busy"
    events = [e["event"] for e in store.events(job) if e["piece"] == "chunk-0000"]
    assert events.count("lease-expired") == 1
    assert events.count("dispatched") == 2


def test_a_piece_lost_too_often_fails_the_job(client: redis.Redis) -> None:
    store, _ = make_store(client, max_attempts=2)
    job = new_job(store)
    store.dispatch(job, "chunk-0001")
    for attempt in (1, 2):
        assert store.claim(job, "chunk-0001", attempt, "w@h") == "ok"
        client.delete(store.key(job, ":lease:chunk-0001"))  # as if the TTL ran out
        store.sweep()
    state = store.status(job)
    assert state is not None
    assert state["status"] == "failed"
    assert state["error"]["type"] == "RenderError"
    assert state["error"]["frame"] == 10
    assert "chunk-0001 (frames 10-19) failed or was lost 2 times" in state["error"]["message"]
    assert store.active_jobs() == []


def test_last_part_done_triggers_stitch_once(client: redis.Redis) -> None:
    store, sent = make_store(client)
    job = new_job(store, chunks=2)
    for name in ("chunk-0000", "chunk-0001"):
        store.dispatch(job, name)
        store.claim(job, name, 1, "w@h")
    store.set_progress(job, "chunk-0001", 4)
    state = store.status(job)
    assert state is not None
    assert (state["frames_done"], state["frames_total"]) == (4, 20)
    assert store.complete(job, "chunk-0000", frames=10) == "ok"
    assert store.complete(job, "chunk-0001", frames=10) == "all"
    assert store.complete(job, "chunk-0001", frames=10) == "dup"
    assert store.status(job)["frames_done"] == 20  # type: ignore[index]
    # the completing worker died before dispatching the stitch: the sweep's safety net does it, once
    assert store.sweep() == [(job, "stitch", 1)]
    assert store.sweep() == []
    assert [s[0] for s in sent].count("vfnative.stitch") == 1


def test_first_failure_wins_and_ends_the_job(client: redis.Redis) -> None:
    ended: list[str] = []
    store, _ = make_store(client, on_end=lambda job, meta: ended.append(meta["work_dir"]))
    job = new_job(store)
    store.dispatch(job, "chunk-0000")
    error = {"type": "DocumentError", "path": "height", "frame": None, "message": "height: expected > 0"}
    assert store.fail(job, error) is True
    assert store.fail(job, {"type": "AssetError", "path": None, "frame": None, "message": "later"}) is False
    assert store.finish(job, {"output": "/x/out.mp4"}) is False
    state = store.status(job)
    assert state is not None
    assert state["status"] == "failed"
    assert state["error"] == error
    assert store.claim(job, "chunk-0000", 1, "w@h") == "job:failed"
    assert store.refresh(job, "chunk-0000", 1, "w@h") == "job:failed"
    assert store.dispatch(job, "chunk-0001") is None
    assert store.document(job) is None  # dropped with the job
    assert ended == ["/x/.out.parts"]
    assert client.ttl(store.key(job)) > 0  # finished jobs expire
    assert json.loads(client.hget(store.key(job), "error")) == error  # type: ignore[arg-type]


def test_a_dispatcher_that_dies_before_sending_is_covered_by_its_lease(client: redis.Redis) -> None:
    store, sent = make_store(client)
    job = new_job(store)
    # the first half of dispatch (state and lease) happened, then the process died before sending
    outcome = store._run("dispatch", store.key(job), "chunk-0000", store.lease_ms, "new", store.max_attempts)
    assert outcome == ["ok", "1", ""]  # attempt 1, the job has no queue of its own
    assert sent == []
    assert store.sweep() == []  # the dispatch lease is still live
    time.sleep(1.2)
    assert store.sweep() == [(job, "chunk-0000", 2)]
    assert sent[-1][1]["attempt"] == 2


def test_a_queued_piece_whose_message_the_broker_lost_is_sent_again(client: redis.Redis) -> None:
    store, sent = make_store(client)
    job = new_job(store)
    for piece in ("chunk-0000", "chunk-0001"):
        store.dispatch(job, piece)
    # chunk-0000's message waits in the queue's list, as kombu keeps it; chunk-0001's is delivered and
    # not yet acknowledged (kombu's unacked hash): both are safe
    message = {"headers": {"id": task_id(job, "chunk-0000", 1), "task": "vfnative.chunk"}, "body": "e30="}
    client.lpush("render", json.dumps(message))
    unacked = [{"headers": {"id": task_id(job, "chunk-0001", 1)}}, "", "render"]
    client.hset("unacked", "tag-1", json.dumps(unacked))
    assert store.find_lost(recheck_s=0) == []
    # a Redis restart lost the queued message of chunk-0000: found, sent again once
    client.delete("render")
    assert store.find_lost(recheck_s=0) == [(job, "chunk-0000", 2)]
    assert sent[-1] == ("vfnative.chunk", {"job": job, "piece": "chunk-0000", "attempt": 2},
                        task_id(job, "chunk-0000", 2))  # fmt: skip
    assert store.status(job)["pieces"]["chunk-0000"]["attempts"] == 2  # type: ignore[index]
    # a second sweeper that saw attempt 1 missing cannot send it again
    assert store.dispatch(job, "chunk-0000", mode="lost", attempt=1) is None
    assert [e["event"] for e in store.events(job) if e["piece"] == "chunk-0000"].count("message-lost") == 1
