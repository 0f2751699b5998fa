"""The job store: one SQLite database under ``--data-dir``, shared by the service and its render processes.

A job moves through::

    queued ──► running ──► done | failed
       │          │
       └──────────┴──► cancelled        (DELETE; a running render stops and cleans up)

``running`` jobs go back to ``queued`` when the service restarts (or a render process dies), so an
accepted job is never lost and a finished one never runs again. Every transition is one UPDATE with
the expected state in its WHERE clause, so a late render process cannot overwrite a cancel.
SQLite runs in WAL mode: readers (GET, metrics) never wait for the render processes' progress writes.

In farm mode the same table keeps the service's own records (key, idempotency key, webhook) and a
mirror of the farm's state; the farm's Redis store stays the source of truth for a job's progress.
Imports the standard library only (render processes load it too).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ACTIVE", "FINAL", "Job", "JobStore", "OverConcurrency"]

ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    key_name TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    options TEXT NOT NULL,
    webhook_url TEXT,
    frames_done INTEGER NOT NULL DEFAULT 0,
    frames_total INTEGER,
    warnings TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    result TEXT,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    output TEXT,
    runs INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    farm_job TEXT,
    observed INTEGER NOT NULL DEFAULT 0,
    webhook_state TEXT,
    webhook_next_at REAL,
    webhook_attempts TEXT NOT NULL DEFAULT '[]',
    batch TEXT,
    UNIQUE (key_name, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE INDEX IF NOT EXISTS jobs_webhook ON jobs (webhook_state, webhook_next_at);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs (key_name, status);
CREATE INDEX IF NOT EXISTS jobs_batch ON jobs (batch);
CREATE INDEX IF NOT EXISTS jobs_observed ON jobs (observed, status);
"""


class OverConcurrency(Exception):
    """The key already has `limit` active jobs."""

    def __init__(self, active: int, limit: int) -> None:
        super().__init__(f"{active} active jobs; the limit is {limit}")
        self.active, self.limit = active, limit


@dataclass(frozen=True)
class Job:
    """One row of the jobs table, decoded."""

    id: str
    key_name: str
    status: str
    document: str
    options: dict[str, Any]
    webhook_url: str | None
    frames_done: int
    frames_total: int | None
    warnings: list[str]
    error: dict[str, Any] | None
    result: dict[str, Any] | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    output: str | None
    runs: int
    worker: str | None
    farm_job: str | None
    webhook_state: str | None
    webhook_attempts: list[dict[str, Any]]
    idempotency_key: str | None
    request_hash: str | None
    batch: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        def load(name: str) -> Any:
            raw = row[name]
            return None if raw is None else json.loads(raw)

        return cls(
            id=row["id"],
            key_name=row["key_name"],
            status=row["status"],
            document=row["document"],
            options=load("options") or {},
            webhook_url=row["webhook_url"],
            frames_done=int(row["frames_done"]),
            frames_total=row["frames_total"],
            warnings=load("warnings") or [],
            error=load("error"),
            result=load("result"),
            created_at=float(row["created_at"]),
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            output=row["output"],
            runs=int(row["runs"]),
            worker=row["worker"],
            farm_job=row["farm_job"],
            webhook_state=row["webhook_state"],
            webhook_attempts=load("webhook_attempts") or [],
            idempotency_key=row["idempotency_key"],
            request_hash=row["request_hash"],
            batch=row["batch"],
        )


class JobStore:
    """The jobs table of one data folder; thread-safe (one connection behind a lock per process)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with contextlib.suppress(sqlite3.OperationalError):  # a database from before batches
            self._db.execute("ALTER TABLE jobs ADD COLUMN batch TEXT")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"<JobStore {self.path}>"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken first, so check-then-write is atomic."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _exists(self, where: str, args: tuple[Any, ...] = ()) -> bool:
        with self._lock:
            return self._db.execute(f"SELECT 1 FROM jobs WHERE {where} LIMIT 1", args).fetchone() is not None

    def ping(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1").fetchone() is not None

    # ------------------------------------------------------------------ create and read

    def create(
        self,
        job_id: str,
        *,
        key_name: str,
        document: str,
        options: dict[str, Any],
        webhook_url: str | None,
        frames_total: int | None,
        output: str,
        concurrency: int,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        status: str = "queued",
    ) -> tuple[Job, bool]:
        """Insert a queued job; returns (job, created). An existing idempotency key returns its job
        (created False). Raises OverConcurrency when the key has `concurrency` active jobs."""
        now = time.time()
        with self._write() as db:
            if idempotency_key is not None:
                row = db.execute(
                    "SELECT * FROM jobs WHERE key_name = ? AND idempotency_key = ?",
                    (key_name, idempotency_key),
                ).fetchone()
                if row is not None:
                    return Job.from_row(row), False
            (active,) = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE key_name = ? AND status IN ('queued', 'running')",
                (key_name,),
            ).fetchone()
            if active >= concurrency:
                raise OverConcurrency(int(active), concurrency)
            db.execute(
                "INSERT INTO jobs (id, key_name, idempotency_key, request_hash, status, document, options, "
                "webhook_url, frames_total, created_at, output) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, key_name, idempotency_key, request_hash, status, document, json.dumps(options),
                 webhook_url, frames_total, now, output),
            )  # fmt: skip
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row), True

    def create_many(
        self, jobs: Sequence[dict[str, Any]], *, key_name: str, concurrency: int, batch: str
    ) -> list[Job]:
        """Insert a batch of queued jobs in one transaction, all or none (OverConcurrency when the key's
        active jobs plus the batch exceed `concurrency`). Each item has the fields of `create`."""
        now = time.time()
        with self._write() as db:
            (active,) = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE key_name = ? AND status IN ('queued', 'running')",
                (key_name,),
            ).fetchone()
            if active + len(jobs) > concurrency:
                raise OverConcurrency(int(active) + len(jobs), concurrency)
            db.executemany(
                "INSERT INTO jobs (id, key_name, status, document, options, webhook_url, frames_total, created_at, "
                "output, batch) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
                [(j["id"], key_name, j["document"], json.dumps(j["options"]), j["webhook_url"], j["frames_total"],
                  now, j["output"], batch) for j in jobs],
            )  # fmt: skip
        return [job for job in (self.get(j["id"]) for j in jobs) if job is not None]

    def batch_jobs(self, batch: str) -> list[Job]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs WHERE batch = ? ORDER BY seq", (batch,)).fetchall()
        return [Job.from_row(r) for r in rows]

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else Job.from_row(row)

    def ids(self, status: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(status))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM jobs WHERE status IN ({marks}) ORDER BY seq", tuple(status)
            )
            return [r[0] for r in rows.fetchall()]

    def counts(self) -> dict[str, int]:
        """Jobs by status."""
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    # ------------------------------------------------------------------ render processes

    def claim(self, worker: str) -> Job | None:
        """Take the oldest queued job for `worker` (status running, runs + 1), or None."""
        now = time.time()
        with self._write() as db:
            row = db.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', worker = ?, runs = runs + 1, started_at = ?, "
                "frames_done = 0, warnings = '[]' WHERE id = ?",
                (worker, now, row[0]),
            )
            found = db.execute("SELECT * FROM jobs WHERE id = ?", (row[0],)).fetchone()
        return Job.from_row(found)

    def progress(self, job_id: str, worker: str, done: int, total: int) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET frames_done = ?, frames_total = ? WHERE id = ? AND worker = ? AND status = 'running'",
                (done, total, job_id, worker),
            )

    def still_mine(self, job_id: str, worker: str) -> bool:
        """True while `job_id` is running on `worker` (False once cancelled or handed back)."""
        with self._lock:
            row = self._db.execute("SELECT status, worker FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return row is not None and row[0] == "running" and row[1] == worker

    def finish(
        self,
        job_id: str,
        worker: str,
        *,
        status: str,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        warnings: Sequence[str] = (),
        frames_done: int | None = None,
    ) -> bool:
        """Record the end of a render this worker still owns; False if the job was cancelled meanwhile."""
        now = time.time()
        with self._write() as db:
            cur = db.execute(
                "UPDATE jobs SET status = ?, result = ?, error = ?, warnings = ?, finished_at = ?, worker = NULL, "
                "frames_done = COALESCE(?, frames_done), "
                "webhook_state = CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END, webhook_next_at = ? "
                "WHERE id = ? AND worker = ? AND status = 'running'",
                (status, _dumps(result), _dumps(error), json.dumps(list(warnings)), now, frames_done, now,
                 job_id, worker),
            )  # fmt: skip
            return cur.rowcount == 1

    def release(self, job_id: str, worker: str) -> None:
        """Clear `worker` from a job it no longer runs (after a cancel, once its files are gone)."""
        with self._lock:
            self._db.execute("UPDATE jobs SET worker = NULL WHERE id = ? AND worker = ?", (job_id, worker))

    def requeue(self, job_id: str, worker: str) -> bool:
        """Hand a running job back to the queue (its render process stopped for a shutdown)."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET status = 'queued', worker = NULL, frames_done = 0 "
                "WHERE id = ? AND worker = ? AND status = 'running'",
                (job_id, worker),
            )
            return cur.rowcount == 1

    def requeue_worker(self, worker: str) -> list[str]:
        """Every job still running on `worker` (a process that died) goes back to the queue."""
        with self._write() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE worker = ? AND status = 'running'", (worker,)).fetchall()]  # fmt: skip
            db.execute(
                "UPDATE jobs SET status = 'queued', worker = NULL, frames_done = 0 "
                "WHERE worker = ? AND status = 'running'",
                (worker,),
            )
            db.execute("UPDATE jobs SET worker = NULL WHERE worker = ?", (worker,))
        return ids

    def recover(self) -> list[str]:
        """At start-up: running jobs of a previous service go back to the queue (they run again)."""
        with self._write() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM jobs WHERE status = 'running'").fetchall()]
            db.execute(
                "UPDATE jobs SET status = 'queued', worker = NULL, frames_done = 0 WHERE status = 'running'"
            )
            db.execute("UPDATE jobs SET worker = NULL WHERE worker IS NOT NULL")
        return ids

    # ------------------------------------------------------------------ cancel

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job; returns the job as it is now (None if unknown)."""
        now = time.time()
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = 'cancelled', finished_at = ?, "
                "error = ?, "
                "webhook_state = CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END, webhook_next_at = ? "
                "WHERE id = ? AND status IN ('queued', 'running')",
                (now, json.dumps({"type": "RenderCancelled", "path": None, "frame": None,
                                  "message": "cancelled by DELETE"}), now, job_id),
            )  # fmt: skip
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else Job.from_row(row)

    # ------------------------------------------------------------------ farm mirror

    def mirror(self, job_id: str, state: dict[str, Any]) -> bool:
        """Copy a farm job's state in; a change to a final status schedules its webhook. True if final now."""
        status = state["status"]
        now = time.time()
        final = status in FINAL
        with self._write() as db:
            row = db.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or row[0] in FINAL:
                return row is not None
            db.execute(
                "UPDATE jobs SET status = ?, frames_done = ?, frames_total = COALESCE(?, frames_total), "
                "started_at = COALESCE(started_at, ?), error = ?, result = ?, "
                "finished_at = CASE WHEN ? THEN ? ELSE NULL END, "
                "webhook_state = CASE WHEN ? AND webhook_url IS NOT NULL THEN 'pending' ELSE webhook_state END, "
                "webhook_next_at = ? WHERE id = ?",
                (status, int(state.get("frames_done") or 0), state.get("frames_total"),
                 now if status != "queued" else None, _dumps(state.get("error")), _dumps(state.get("result")),
                 final, now, final, now, job_id),
            )  # fmt: skip
        return final

    def set_farm_job(self, job_id: str, farm_job: str) -> None:
        with self._lock:
            self._db.execute("UPDATE jobs SET farm_job = ? WHERE id = ?", (farm_job, job_id))

    # ------------------------------------------------------------------ metrics and webhooks

    def newly_finished(self) -> list[Job]:
        """Finished jobs not yet counted in the metrics (each is returned once)."""
        if not self._exists("observed = 0 AND status IN ('done', 'failed', 'cancelled')"):
            return []  # a read does not take the write lock the render processes need
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE observed = 0 AND status IN ('done', 'failed', 'cancelled')"
            ).fetchall()
            if rows:
                db.execute(
                    f"UPDATE jobs SET observed = 1 WHERE id IN ({','.join('?' * len(rows))})",
                    tuple(r["id"] for r in rows),
                )
        return [Job.from_row(r) for r in rows]

    def due_webhooks(self, now: float) -> list[Job]:
        """Jobs whose webhook attempt is due; marks them ``sending`` so each attempt is made once."""
        if not self._exists("webhook_state = 'pending' AND webhook_next_at <= ?", (now,)):
            return []
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE webhook_state = 'pending' AND webhook_next_at <= ?", (now,)
            ).fetchall()
            if rows:
                db.execute(
                    f"UPDATE jobs SET webhook_state = 'sending' WHERE id IN ({','.join('?' * len(rows))})",
                    tuple(r["id"] for r in rows),
                )
        return [Job.from_row(r) for r in rows]

    def webhook_attempted(
        self, job_id: str, attempt: dict[str, Any], *, state: str, next_at: float | None
    ) -> None:
        """Append one delivery attempt; `state` is pending (retry at `next_at`), delivered or failed."""
        with self._write() as db:
            row = db.execute("SELECT webhook_attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
            attempts = json.loads(row[0]) if row is not None else []
            attempts.append(attempt)
            db.execute(
                "UPDATE jobs SET webhook_attempts = ?, webhook_state = ?, webhook_next_at = ? WHERE id = ?",
                (json.dumps(attempts), state, next_at, job_id),
            )

    def resume_webhooks(self) -> None:
        """At start-up: deliveries that were in flight when the service stopped are tried again."""
        with self._lock:
            self._db.execute("UPDATE jobs SET webhook_state = 'pending' WHERE webhook_state = 'sending'")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
