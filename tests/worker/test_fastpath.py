"""Short jobs on a real farm: the one-task fast path, its re-delivery after SIGKILL, batches and queues.

One redis-server (the session's) and three single-process workers for the module: ``alpha`` and
``beta`` on the default ``render`` queue, ``preview`` on ``interactive`` only. Documents are tiny
(a fraction of a second at 320×180) except where a render must still be running when it is killed.
"""

from __future__ import annotations

import io
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import vfnative
import vfnative.worker
from vfnative.cli.main import run
from vfnative.encode.mux import video_metadata
from vfnative.worker.client import _farm
from vfnative.worker.primitives import count_video_frames

from .conftest import LEASE_S, SWEEP_S, Worker, Workers, farm_document, write_tone

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Worker]]:
    workers = Workers(redis_url, tmp_path_factory.mktemp("workers"))
    try:
        started = [workers.start("alpha"), workers.start("beta", via_cli=True),
                   workers.start("preview", via_cli=True, queue="interactive")]  # fmt: skip
        for w in started:
            w.wait_ready()
        yield {w.name: w for w in started}
    finally:
        workers.stop_all()


def _frames(path: Path) -> list[np.ndarray[Any, Any]]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray() for frame in container.decode(video=0)]


def _audio(path: Path) -> np.ndarray[Any, Any] | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def _events(redis_url: str, job: str) -> list[dict[str, Any]]:
    return _farm(redis_url, None).store.events(job)


def test_a_short_job_is_one_task_and_gives_the_frames_of_a_local_render(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    write_tone(tmp_path / "tone.wav", 2.0)
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=2.0, width=320, height=180, audio="tone.wav")))
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(lossless=True))
    reference = tmp_path / "local.mp4"
    vfnative.render(doc, reference, settings=settings)

    out = tmp_path / "farm.mp4"
    job = vfnative.worker.submit(doc, out, settings=settings, broker=redis_url)
    final = vfnative.worker.wait(job, timeout=120, poll_s=0.1, broker=redis_url)

    assert list(final["pieces"]) == ["render"]  # no plan, no audio piece, no stitch
    assert final["pieces"]["render"]["attempts"] == 1
    result = final["result"]
    assert result["fast_path"] is True
    assert result["frames"] == final["frames_total"] == final["frames_done"] == 60
    assert result["audio"] is True
    assert result["process"]["tasks"] >= 1
    assert result["process"]["rss_mb"] > 0
    tasks = [e["piece"] for e in _events(redis_url, job) if e["event"] == "dispatched"]
    assert tasks == ["render"]

    ours, theirs = video_metadata(out), video_metadata(reference)
    for key in ("codec", "profile", "width", "height", "pix_fmt", "time_base", "avg_frame_rate", "nb_frames",
                "keyframes", "audio", "boxes"):  # fmt: skip
        assert ours[key] == theirs[key], key
    for i, (a, b) in enumerate(zip(_frames(out), _frames(reference), strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"
    ref_audio, farm_audio = _audio(reference), _audio(out)
    assert ref_audio is not None
    assert farm_audio is not None
    assert np.array_equal(farm_audio, ref_audio)
    # the job's folder is gone: only what the test wrote and the output remain
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json", "farm.mp4", "local.mp4", "tone.wav"]


def test_long_jobs_and_explicit_chunks_still_take_the_chunked_path(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    doc = farm_document(duration=1.0, width=320, height=180)
    job = vfnative.worker.submit(doc, tmp_path / "two.mp4", chunks=2, broker=redis_url)
    final = vfnative.worker.wait(job, timeout=120, poll_s=0.1, broker=redis_url)
    assert sorted(final["pieces"]) == ["audio", "chunk-0000", "chunk-0001", "plan", "stitch"]
    assert final["result"]["frames"] == 30
    # chunks=1 asks for one chunk: the fast path
    job = vfnative.worker.submit(doc, tmp_path / "one.mp4", chunks=1, broker=redis_url)
    assert list(vfnative.worker.wait(job, timeout=120, poll_s=0.1, broker=redis_url)["pieces"]) == ["render"]


def test_a_fast_path_job_whose_worker_is_killed_is_rendered_again_elsewhere(
    workers: Workers, redis_url: str, tmp_path: Path, pool: dict[str, Worker]
) -> None:
    # a queue only this test's two workers consume, so the victim is known to be one of them
    gamma, delta = workers.start_all("gamma", "delta", queue="kill")
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=8.0)))  # 240 frames at 720p: one chunk, seconds to draw
    out = tmp_path / "out.mp4"
    job = vfnative.worker.submit(doc, out, queue="kill", broker=redis_url)

    victim = None
    deadline = time.monotonic() + 180
    while victim is None and time.monotonic() < deadline:
        state = vfnative.worker.status(job, broker=redis_url)
        assert state is not None
        assert state["status"] not in ("failed", "done"), state
        piece = state["pieces"]["render"]
        if piece["state"] == "running" and 10 <= piece.get("frames_done", 0) < 200:
            victim = gamma if (piece["owner"] or "").startswith("gamma@") else delta
        time.sleep(0.05)
    assert victim is not None, "the render was never seen running"
    survivor = delta if victim is gamma else gamma
    killed = time.time()
    victim.kill_group()

    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)
    events = _events(redis_url, job)
    assert [e["event"] for e in events if e["piece"] == "render" and e["event"] == "lease-expired"] == [
        "lease-expired"
    ]
    again = next(
        e for e in events if e["piece"] == "render" and e["event"] == "dispatched" and e["attempt"] == 2
    )
    assert (
        again["t"] - killed < LEASE_S + 2 * SWEEP_S + 5
    )  # found by the lease, not Celery's visibility timeout
    assert final["pieces"]["render"]["attempts"] == 2
    assert final["pieces"]["render"]["owner"].startswith(f"{survivor.name}@")
    assert [e for e in events if e["piece"] == "" and e["event"] == "done"] != []
    assert len([e for e in events if e["piece"] == "" and e["event"] == "done"]) == 1
    meta = video_metadata(out)
    assert meta["nb_frames"] == meta["packets"] == count_video_frames(out) == 240
    # the killed attempt's temp file went with the job's folder
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".log")) == [
        "doc.json",
        "out.mp4",
    ]


def test_queues_route_jobs_to_their_own_workers(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    doc = farm_document(duration=0.5, width=160, height=90)
    previews = [vfnative.worker.submit(doc, tmp_path / f"p{i}.mp4", queue="interactive", broker=redis_url)
                for i in range(3)]  # fmt: skip
    batch = [vfnative.worker.submit(doc, tmp_path / f"b{i}.mp4", broker=redis_url) for i in range(3)]
    nobody = vfnative.worker.submit(doc, tmp_path / "n.mp4", queue="nobody-listens", broker=redis_url)
    owners = {}
    for job in previews + batch:
        final = vfnative.worker.wait(job, timeout=120, poll_s=0.1, broker=redis_url)
        owners[job] = final["pieces"]["render"]["owner"].split("@")[0]
        assert final["queue"] == ("interactive" if job in previews else "render")
    assert {owners[j] for j in previews} == {"preview"}
    assert {owners[j] for j in batch} <= {"alpha", "beta"}
    state = vfnative.worker.status(nobody, broker=redis_url)
    assert state is not None
    assert state["status"] == "queued"
    assert state["pieces"]["render"]["state"] == "queued"
    with pytest.raises(ValueError, match="queue"):
        vfnative.worker.submit(doc, tmp_path / "x.mp4", queue="no spaces", broker=redis_url)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), environ={}, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_submit_many_returns_a_job_per_document_and_the_batch_totals(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    good = farm_document(duration=0.5, width=160, height=90)
    bad = {**good, "width": -5}
    docs = [good, good, bad, good]
    outputs = [tmp_path / f"clip{i}.mp4" for i in range(4)]
    batch = vfnative.worker.submit_many(docs, outputs, broker=redis_url)
    assert len(batch) == 4
    assert len(set(batch)) == 4
    assert len(batch.id) == 32
    assert list(batch) == list(batch.jobs)
    for job, out in zip(batch, outputs, strict=True):
        assert vfnative.worker.status(job, broker=redis_url)["output"] == str(out)  # type: ignore[index]

    deadline = time.monotonic() + 120
    while (state := vfnative.worker.batch_status(batch.id, broker=redis_url))["status"] == "running":  # type: ignore[index]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state is not None
    assert state["status"] == "failed"  # ended, one job with an error
    assert state["jobs"] == 4
    assert state["counts"] == {"done": 3, "failed": 1}
    assert state["frames_done"] == 45
    assert list(state["errors"]) == [batch[2]]
    assert state["errors"][batch[2]]["path"] == "width"
    assert state["job_ids"] == list(batch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip0.mp4", "clip1.mp4", "clip3.mp4"]
    assert vfnative.worker.batch_status("0" * 32, broker=redis_url) is None
    with pytest.raises(ValueError, match="outputs"):
        vfnative.worker.submit_many(docs, outputs[:2], broker=redis_url)
    with pytest.raises(vfnative.AssetError):  # a missing file queues nothing
        vfnative.worker.submit_many([good, tmp_path / "missing.json"], outputs[:2], broker=redis_url)


def test_cli_submit_batch_from_a_folder_and_a_jsonl_file(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    for name in ("anna", "bob"):
        (folder / f"{name}.json").write_text(json.dumps(farm_document(duration=0.5, width=160, height=90)))
    code, stdout, stderr = _cli("submit-batch", str(folder), "-o", f"{out}/", "--wait", "--broker", redis_url)
    assert code == 0, stderr
    jobs = stdout.split()
    assert len(jobs) == 2
    assert all(len(j) == 32 for j in jobs)
    assert sorted(p.name for p in out.iterdir()) == ["anna.mp4", "bob.mp4"]
    assert "jobs      2 (2 done)" in stderr

    lines = tmp_path / "clips.jsonl"
    lines.write_text(
        "\n".join(json.dumps(farm_document(duration=0.5, width=160, height=90)) for _ in range(3))
    )
    code, stdout, stderr = _cli(
        "submit-batch", str(lines), "-o", f"{out}/clip_", "--json", "--broker", redis_url
    )
    assert code == 0, stderr
    submitted = json.loads(stdout)
    assert [Path(j["output"]).name for j in submitted["jobs"]] == ["clip_00001.mp4", "clip_00002.mp4",
                                                                   "clip_00003.mp4"]  # fmt: skip
    for entry in submitted["jobs"]:
        vfnative.worker.wait(entry["job"], timeout=120, poll_s=0.1, broker=redis_url)
    code, stdout, _ = _cli("status", submitted["batch"], "--broker", redis_url)
    assert code == 0
    assert "status    done" in stdout
    assert "jobs      3 (3 done)" in stdout
    assert "frames    45/45" in stdout
    code, stdout, _ = _cli("status", submitted["batch"], "--json", "--broker", redis_url)
    assert json.loads(stdout)["counts"] == {"done": 3}

    (tmp_path / "broken.jsonl").write_text('{"width": 1}\nnot json\n')
    code, stdout, stderr = _cli("submit-batch", str(tmp_path / "broken.jsonl"), "-o", f"{out}/x", "--broker",
                                redis_url)  # fmt: skip
    assert code == 2
    assert stdout == ""
    assert "broken.jsonl:2: not a JSON document" in stderr
    assert _cli("submit-batch", str(tmp_path / "nowhere"), "-o", "x", "--broker", redis_url)[0] == 2


def test_cancel_stops_a_running_job_and_leaves_nothing(
    pool: dict[str, Worker], redis_url: str, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=8.0)))
    out = tmp_path / "out.mp4"
    job = vfnative.worker.submit(doc, out, broker=redis_url)
    deadline = time.monotonic() + 120
    while True:
        state = vfnative.worker.status(job, broker=redis_url)
        assert state is not None
        assert state["status"] in ("queued", "running"), state
        if state["pieces"]["render"].get("frames_done", 0) >= 5:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert vfnative.worker.cancel(job, broker=redis_url) is True
    assert vfnative.worker.cancel(job, broker=redis_url) is False  # once
    with pytest.raises(vfnative.worker.JobFailed) as info:
        vfnative.worker.wait(job, timeout=10, broker=redis_url)
    assert info.value.error["type"] == "RenderCancelled"
    # the render stops at its next heartbeat: no output, and its folder (temp file and all) is gone
    deadline = time.monotonic() + LEASE_S + 10
    while sorted(p.name for p in tmp_path.iterdir()) != ["doc.json"]:
        assert time.monotonic() < deadline, sorted(p.name for p in tmp_path.iterdir())
        time.sleep(0.1)
    time.sleep(LEASE_S / 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]
    final = vfnative.worker.status(job, broker=redis_url)
    assert final is not None
    assert final["status"] == "cancelled"


def test_sigterm_hands_back_a_piece_that_cannot_finish_within_the_grace_period(
    workers: Workers, redis_url: str, tmp_path: Path, pool: dict[str, Worker]
) -> None:
    grace = 1.0  # shorter than the margin a piece keeps for its last steps: whatever is running goes back
    gamma, delta = workers.start_all("gamma", "delta", queue="drain", VFNATIVE_DRAIN_GRACE_S=str(grace))
    doc = tmp_path / "doc.json"
    # 600 frames at 1080p as one piece (chunks=1): seconds to draw, whatever the machine
    doc.write_text(json.dumps(farm_document(duration=20.0, width=1920, height=1080)))
    out = tmp_path / "out.mp4"
    job = vfnative.worker.submit(doc, out, chunks=1, queue="drain", broker=redis_url)
    victim = None
    deadline = time.monotonic() + 180
    while victim is None:
        state = vfnative.worker.status(job, broker=redis_url)
        assert state is not None
        piece = state["pieces"]["render"]
        if piece["state"] == "running" and 1 <= piece.get("frames_done", 0) < 200:
            victim = gamma if (piece["owner"] or "").startswith("gamma@") else delta
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    survivor = delta if victim is gamma else gamma
    signalled = time.monotonic()
    victim.proc.send_signal(signal.SIGTERM)  # the main process only, as docker stop / Kubernetes do
    victim.proc.wait(timeout=60)
    exited = time.monotonic() - signalled
    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)
    events = _events(redis_url, job)
    kinds = [e["event"] for e in events if e["piece"] == "render"]
    print(f"\nSIGTERM: {victim.name} handed its piece back and exited in {exited:.1f} s (grace {grace:g} s)")
    assert exited < grace + LEASE_S  # it did not finish the 240 frames first
    assert "handed-back" in kinds
    assert "lease-expired" not in kinds  # handed back at once, not found later by the sweeper
    assert final["pieces"]["render"]["attempts"] == 2
    assert final["pieces"]["render"]["owner"].startswith(f"{survivor.name}@")
    assert count_video_frames(out) == 600
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".log")) == [
        "doc.json",
        "out.mp4",
    ]
