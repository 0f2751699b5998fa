"""The embedded backend's promises: a restart loses no accepted job (queued ones run, running ones run
again, none twice), render processes die with the service, and a burst of 50 jobs on 2 processes all
end done with the right frame counts. No key configured: the service listens on loopback only."""

from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .conftest import ServiceProcess, frame_count, tiny_document, wait_status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _mp4_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return int(container.streams.video[0].frames)


@pytest.mark.timeout(240)
def test_restart_loses_no_job_and_runs_none_twice(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "data", ["--workers", "2", "--host", "0.0.0.0"]).start()
    try:
        assert "listening on 127.0.0.1 only" in service.read_log().replace("\n", " ")
        client = httpx.Client(base_url=service.url, timeout=30)
        docs = [tiny_document(120, fps=30, width=1280, height=720, color=c)
                for c in ("#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff")]  # fmt: skip
        jobs = [client.post("/v1/renders", json=doc).json()["id"] for doc in docs]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = {job: client.get(f"/v1/renders/{job}").json() for job in jobs}
            running = [j for j, s in states.items() if s["status"] == "running" and s["frames_done"] > 0]
            if len(running) == 2:
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"two jobs never ran at once: {states}")
        children = service.children()
        assert len(children) >= 2
        service.kill()  # SIGKILL: no shutdown code runs in the service
        client.close()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in children), "render processes outlived the service"
        # what the killed service left: read its database directly (a job may have finished between
        # the poll above and the kill)
        with sqlite3.connect(service.data_dir / "jobs.sqlite3") as db:
            before = dict(db.execute("SELECT id, status FROM jobs").fetchall())
        killed = [job for job in jobs if before[job] == "running"]
        assert killed, before

        service.start()  # same data folder
        client = httpx.Client(base_url=service.url, timeout=30)
        finals = {job: wait_status(client, job, ("done", "failed"), timeout=120) for job in jobs}
        client.close()
    finally:
        service.stop()
    for job, state in finals.items():
        assert state["status"] == "done", state
        assert state["frames_done"] == state["frames_total"] == 120
        if job in killed:
            assert state["runs"] == 2, (job, before[job], state)  # re-run from the start after the restart
        else:
            assert state["runs"] == 1, (job, before[job], state)  # done before, or queued: ran once
        assert _mp4_frames(service.data_dir / "outputs" / f"{job}.mp4") == 120
    assert sorted(p.name for p in (service.data_dir / "outputs").iterdir()) == sorted(
        f"{j}.mp4" for j in jobs
    )
    assert list((service.data_dir / "work").iterdir()) == []


@pytest.mark.timeout(240)
def test_fifty_concurrent_jobs_on_two_workers(embedded_service: ServiceProcess, tmp_path: Path) -> None:
    from .conftest import MAIN_KEY

    counts = [1 + i % 9 for i in range(50)]  # 1..9 frames at 10 fps

    def submit(i: int) -> str:
        doc = tiny_document(counts[i], color=f"#{(i * 5) % 256:02x}80ff")
        with httpx.Client(base_url=embedded_service.url, headers={"X-API-Key": MAIN_KEY}, timeout=60) as c:
            r = c.post("/v1/renders", json=doc)
        assert r.status_code == 202, r.text
        return str(r.json()["id"])

    with ThreadPoolExecutor(50) as pool:
        jobs = list(pool.map(submit, range(50)))
    assert len(set(jobs)) == 50
    with httpx.Client(base_url=embedded_service.url, headers={"X-API-Key": MAIN_KEY}, timeout=30) as client:
        finals = [wait_status(client, job, ("done", "failed"), timeout=180) for job in jobs]
        for i, (job, state) in enumerate(zip(jobs, finals, strict=True)):
            assert state["status"] == "done", state
            assert state["runs"] == 1
            assert state["frames_total"] == counts[i]
            path = tmp_path / f"{job}.mp4"
            path.write_bytes(client.get(f"/v1/renders/{job}/output").content)
            assert frame_count(path) == counts[i]


@pytest.mark.timeout(120)
def test_single_key_from_the_environment(tmp_path: Path) -> None:
    from .conftest import WEBHOOK_SECRET

    env = {"VFNATIVE_API_KEY": "env-key-123", "VFNATIVE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    service = ServiceProcess(tmp_path / "data", ["--workers", "1"], env=env).start()
    try:
        assert "1 API key(s)" in service.read_log()
        doc = tiny_document(2)
        assert httpx.post(f"{service.url}/v1/renders", json=doc).status_code == 401
        with httpx.Client(base_url=service.url, headers={"Authorization": "Bearer env-key-123"}) as client:
            r = client.post("/v1/renders", json=doc)
            assert r.status_code == 202
            assert wait_status(client, r.json()["id"], ("done",))["frames_total"] == 2
    finally:
        service.stop()
