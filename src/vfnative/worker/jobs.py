"""JobStore: a render job's state in Redis, leases on its pieces, and the transitions between states.

A job is split into *pieces*: ``plan`` (validate, split), ``chunk-0000`` … (frame ranges), ``audio``
(rendered once) and ``stitch`` (remux the chunks into the output). A short job (its frames fit in one
chunk) is one piece instead, ``render``: the whole document, audio included, straight to its output
(the *fast path*; no plan, audio or stitch hop). Each piece moves through::

    dispatching ──► queued ──► taken ──► running ──► done
         ▲      (message sent) (reserved)  (started)
         └──────────── lease expired: the sweeper dispatches it again (attempt + 1)

While a piece is dispatching, taken or running it holds a *lease*: a Redis key with a TTL of
`WorkerConfig.lease_s`, renewed by a heartbeat. A worker killed with SIGKILL stops renewing; the key
expires and the next sweep (every worker runs one) dispatches the piece again. A queued piece holds no
lease: its message sits in the broker, which is safe. Every transition is one Lua script, so two
sweepers, or a sweeper and a late worker, cannot both win.

Keys, all under ``vfnative:job:<id>``: the hash itself (status, output, frames, error, result, ...),
``:doc`` (the document's JSON text), ``:pieces`` (name → JSON spec), ``:state``, ``:attempt``,
``:owner``, ``:progress`` (name → value), ``:lease:<piece>`` and ``:events`` (a capped log). Active jobs
are listed in ``vfnative:jobs:active``. The hash's ``queue`` names the Celery queue every piece of the
job goes to (a re-dispatch too), ``entry`` its first piece (``plan`` or ``render``). A batch
(`submit_many`) is ``vfnative:batch:<id>``: its job ids in submission order, for `batch_status`.
Imports redis and the standard library only.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import redis

__all__ = [
    "ACTIVE_STATUSES",
    "LIVE_STATES",
    "TASK_NAMES",
    "BatchStatus",
    "JobStore",
    "Message",
    "piece_kind",
    "task_id",
]

log = logging.getLogger(__name__)

ACTIVE_STATUSES = ("queued", "running", "stitching")
"""Job statuses that still have work to do; ``done``, ``failed`` and ``cancelled`` are final."""
LIVE_STATES = ("dispatching", "taken", "running")
"""Piece states that must hold a lease; without one the piece is lost."""
TASK_NAMES = {
    "plan": "vfnative.plan",
    "chunk": "vfnative.chunk",
    "audio": "vfnative.audio",
    "stitch": "vfnative.stitch",
    "render": "vfnative.render",
}
"""Celery task name for each kind of piece."""
ACTIVE_SET = "vfnative:jobs:active"
MACHINES_KEY = "vfnative:machines"
"""Machines running workers, scored by when one last swept: a sorted set (`JobStore.live_machines`)."""
_EVENTS_KEPT = 2000

Message = dict[str, Any]
"""What every farm task receives: ``{"job": id, "piece": name, "attempt": n}`` (JSON)."""
Sender = Callable[[str, Message, str, str | None], None]
"""Sends one task: ``send(task_name, message, task_id, queue)`` (queue None: the sender's default)."""
ENTRY_PIECES = ("plan", "render")
"""A job starts with ``plan`` (chunked) or ``render`` (the fast path: one piece, straight to the output)."""
_BATCH_PREFIX = "vfnative:batch:"
_DRAIN_PREFIX = "vfnative:draining:"


BatchStatus = dict[str, Any]
"""`JobStore.batch_status`: ``{"batch", "status", "jobs", "counts", "frames_done", "frames_total",
"created", "finished", "errors", "job_ids"}`` (``counts``: jobs by status; ``errors``: job id → error)."""


def piece_kind(piece: str) -> str:
    """``chunk-0003`` → ``chunk``; ``plan``, ``audio``, ``stitch`` and ``render`` are their own kind."""
    return piece.split("-", 1)[0]


def task_id(job: str, piece: str, attempt: int) -> str:
    """The Celery task id of one delivery of a piece: unique per attempt, readable in logs."""
    return f"vfnative-{job}-{piece}-{attempt}"


_ACTIVE = "status == 'queued' or status == 'running' or status == 'stitching'"

_DISPATCH = f"""
local base, piece, mode = ARGV[1], ARGV[2], ARGV[4]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return {{'job', status or 'gone'}} end
local st = redis.call('HGET', base .. ':state', piece)
local lease = base .. ':lease:' .. piece
if mode == 'new' then
  if st then return {{'exists', st}} end
elseif mode == 'expired' then
  if st ~= 'dispatching' and st ~= 'taken' and st ~= 'running' then return {{'state', st or 'none'}} end
  if redis.call('EXISTS', lease) == 1 then return {{'leased', st}} end
elseif mode == 'handback' then
  if st ~= 'taken' and st ~= 'running' then return {{'state', st or 'none'}} end
elseif mode == 'lost' then
  if st ~= 'queued' then return {{'state', st or 'none'}} end
  if redis.call('HGET', base .. ':attempt', piece) ~= ARGV[6] then return {{'moved', st}} end
elseif st == 'done' then
  return {{'state', st}}
end
local attempt = tonumber(redis.call('HGET', base .. ':attempt', piece) or '0')
if mode ~= 'handback' and attempt >= tonumber(ARGV[5]) then return {{'exhausted', tostring(attempt)}} end
attempt = redis.call('HINCRBY', base .. ':attempt', piece, 1)
redis.call('HSET', base .. ':state', piece, 'dispatching')
redis.call('SET', lease, 'dispatch:' .. attempt, 'PX', ARGV[3])
redis.call('HDEL', base .. ':progress', piece)
return {{'ok', tostring(attempt), redis.call('HGET', base, 'queue') or ''}}
"""

_MESSAGE_IDS = """
local ids = {}
local function scan(text)
  for id in string.gmatch(text, '"(vfnative%-%x+%-[%w%-]-%-%d+)"') do ids[id] = true end
end
for i = 1, #KEYS - 1 do
  local n = redis.call('LLEN', KEYS[i])
  local start = 0
  while start < n do
    for _, message in ipairs(redis.call('LRANGE', KEYS[i], start, start + 499)) do scan(message) end
    start = start + 500
  end
end
for _, message in ipairs(redis.call('HVALS', KEYS[#KEYS])) do scan(message) end
local out = {}
for id in pairs(ids) do out[#out + 1] = id end
return out
"""
"""The farm task ids of every message the broker holds: queued (the queues' lists, KEYS[1..n-1]) or
delivered and not yet acknowledged (kombu's ``unacked`` hash, KEYS[n])."""

_DISPATCHED = """
local lease = ARGV[1] .. ':lease:' .. ARGV[2]
if redis.call('GET', lease) == 'dispatch:' .. ARGV[3] then
  redis.call('DEL', lease)
  redis.call('HSET', ARGV[1] .. ':state', ARGV[2], 'queued')
  return 1
end
return 0
"""

_CLAIM = f"""
local base, piece, value = ARGV[1], ARGV[2], ARGV[3] .. '|' .. ARGV[4]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return 'job:' .. (status or 'gone') end
local st = redis.call('HGET', base .. ':state', piece)
if st == 'done' then return 'done' end
local lease = base .. ':lease:' .. piece
local held = redis.call('GET', lease)
if held and held ~= value and held ~= 'dispatch:' .. ARGV[3] then return 'busy' end
redis.call('SET', lease, value, 'PX', ARGV[5])
if not (st == 'running' and ARGV[6] == 'taken') then redis.call('HSET', base .. ':state', piece, ARGV[6]) end
redis.call('HSET', base .. ':owner', piece, value)
return 'ok'
"""

_REFRESH = f"""
local base, piece, value = ARGV[1], ARGV[2], ARGV[3]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return 'job:' .. (status or 'gone') end
local st = redis.call('HGET', base .. ':state', piece)
if st == 'done' then return 'done' end
local lease = base .. ':lease:' .. piece
local held = redis.call('GET', lease)
local ok = 'ok'
local drain = redis.call('GET', ARGV[5])
if drain then ok = 'drain:' .. drain end
if held == value then
  redis.call('PEXPIRE', lease, ARGV[4])
  return ok
end
if not held and (st == 'taken' or st == 'running') and redis.call('HGET', base .. ':owner', piece) == value then
  redis.call('SET', lease, value, 'PX', ARGV[4])
  return ok
end
return 'lost'
"""

_COMPLETE = f"""
local base, piece = ARGV[1], ARGV[2]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return 'job:' .. (status or 'gone') end
if redis.call('HGET', base .. ':state', piece) == 'done' then return 'dup' end
redis.call('HSET', base .. ':state', piece, 'done')
redis.call('DEL', base .. ':lease:' .. piece)
redis.call('HSET', base .. ':progress', piece, ARGV[3])
local states = redis.call('HGETALL', base .. ':state')
local n = 0
for i = 1, #states, 2 do
  local name = states[i]
  if string.sub(name, 1, 6) == 'chunk-' or name == 'audio' then
    if states[i + 1] ~= 'done' then return 'ok' end
    n = n + 1
  end
end
if n > 0 and tonumber(redis.call('HGET', base, 'pieces') or '-1') == n then return 'all' end
return 'ok'
"""

_SET_STATUS = f"""
local base = ARGV[1]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', base, ARGV[i], ARGV[i + 1]) end
return 1
"""

_END = f"""
local base, job, ttl = ARGV[1], ARGV[2], ARGV[5]
local status = redis.call('HGET', base, 'status')
if not ({_ACTIVE}) then return 0 end
redis.call('HSET', base, 'status', ARGV[3], ARGV[4], ARGV[6], 'updated', ARGV[7], 'finished', ARGV[7])
redis.call('SREM', '{ACTIVE_SET}', job)
redis.call('DEL', base .. ':doc')
for _, suffix in ipairs({{'', ':pieces', ':state', ':attempt', ':owner', ':progress', ':events'}}) do
  redis.call('EXPIRE', base .. suffix, ttl)
end
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class JobStore:
    """Reads and moves jobs and their pieces in Redis; sends the pieces' tasks through `send`.

    Usage::

        store = JobStore(redis.Redis.from_url(url, decode_responses=True), send=send, lease_s=10)
        store.create(job_id, doc_text=..., base_dir=..., output=..., settings={}, chunks="auto")
        store.dispatch(job_id, "plan", mode="new")
        store.status(job_id)             # JSON-ready dict, or None for an unknown job
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        send: Sender | None = None,
        lease_s: float = 10.0,
        max_attempts: int = 3,
        job_ttl_s: float = 7 * 86400.0,
        on_end: Callable[[str, dict[str, str]], None] | None = None,
        default_queue: str = "render",
    ) -> None:
        self.redis = client
        self.default_queue = default_queue
        """Where a job without a queue of its own (recorded before queues existed) has its messages."""
        self._send = send
        self._on_end = on_end
        """Called with (job, its hash) once the job has ended, by whoever ended it (removes the work dir)."""
        self.lease_ms = int(lease_s * 1000)
        self.max_attempts = max_attempts
        self.job_ttl_s = int(job_ttl_s)
        self._scripts = {
            name: client.register_script(source)
            for name, source in {
                "dispatch": _DISPATCH,
                "dispatched": _DISPATCHED,
                "claim": _CLAIM,
                "refresh": _REFRESH,
                "complete": _COMPLETE,
                "set_status": _SET_STATUS,
                "end": _END,
                "message_ids": _MESSAGE_IDS,
            }.items()
        }

    def __repr__(self) -> str:
        kwargs = self.redis.connection_pool.connection_kwargs
        return f"<JobStore redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}>"

    @staticmethod
    def key(job: str, suffix: str = "") -> str:
        return f"vfnative:job:{job}{suffix}"

    def _run(self, name: str, *args: object) -> Any:
        return self._scripts[name](keys=[], args=[str(a) for a in args])

    # ------------------------------------------------------------------ jobs

    def create(
        self,
        job: str,
        *,
        doc_text: str,
        base_dir: str | None,
        output: str,
        work_dir: str,
        settings: Mapping[str, Any],
        chunks: int | Literal["auto"],
        entry: Literal["plan", "render"] = "plan",
        frames: int | None = None,
        queue: str | None = None,
        batch: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a new job (status ``queued``) and list it as active; its `entry` piece is dispatched next.

        `entry` ``render`` is the fast path (one piece renders the whole job); `frames` is then the
        expected frame count (the piece corrects it once the document is loaded). `queue` is the Celery
        queue of all the job's pieces; `batch` the batch id it belongs to. `options` (JSON) travel with
        the job: the media source policy and the presigned-URL expiry (`vfnative.worker.client`).
        """
        with self.redis.pipeline() as pipe:  # MULTI/EXEC: a job is recorded whole or not at all
            self._create(pipe, job, doc_text=doc_text, base_dir=base_dir, output=output, work_dir=work_dir,
                         settings=settings, chunks=chunks, entry=entry, frames=frames, queue=queue,
                         batch=batch, options=options)  # fmt: skip
            pipe.execute()

    def _create(
        self,
        pipe: Any,
        job: str,
        *,
        doc_text: str,
        base_dir: str | None,
        output: str,
        work_dir: str,
        settings: Mapping[str, Any],
        chunks: int | Literal["auto"],
        entry: Literal["plan", "render"] = "plan",
        frames: int | None = None,
        queue: str | None = None,
        batch: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        if entry not in ENTRY_PIECES:
            raise ValueError(f"entry: expected one of {ENTRY_PIECES}; got {entry!r}")
        base = self.key(job)
        now = time.time()
        fields = {
            "status": "queued",
            "created": repr(now),
            "updated": repr(now),
            "output": output,
            "work_dir": work_dir,
            "base_dir": base_dir or "",
            "settings": json.dumps(dict(settings)),
            "chunks_requested": str(chunks),
            "entry": entry,
        }
        spec: dict[str, Any] = {"kind": entry}
        if entry == "render" and frames:
            fields["frames"] = str(frames)
            spec.update(start=0, stop=int(frames))
        if queue:
            fields["queue"] = queue
        if batch:
            fields["batch"] = batch
        if options:
            fields["options"] = json.dumps(dict(options))
        pipe.hset(base, mapping=fields)
        pipe.set(self.key(job, ":doc"), doc_text)
        pipe.hset(self.key(job, ":pieces"), entry, json.dumps(spec))
        pipe.sadd(ACTIVE_SET, job)
        self._event(pipe, job, entry, "submitted")

    def add_media_counts(self, job: str, stats: Mapping[str, int]) -> None:
        """Add a piece's media-cache counts (hits, misses, bytes_fetched) to the job's totals."""
        with self.redis.pipeline() as pipe:
            for name in ("hits", "misses", "bytes_fetched"):
                if stats.get(name):
                    pipe.hincrby(self.key(job), f"media_{name}", int(stats[name]))
            pipe.execute()

    def media_counts(self, job: str) -> dict[str, int]:
        """The job's media-cache totals so far: ``{"hits", "misses", "bytes_fetched"}``."""
        values = self.redis.hmget(self.key(job), "media_hits", "media_misses", "media_bytes_fetched")
        return {
            name: int(v or 0) for name, v in zip(("hits", "misses", "bytes_fetched"), values, strict=True)
        }

    def beat_machine(self, machine: str, worker: str) -> None:
        """`worker` on `machine` is alive (each worker's sweeper calls this every round)."""
        self.redis.zadd(MACHINES_KEY, {f"{machine}\t{worker}": time.time()})

    def forget_worker(self, machine: str, worker: str) -> None:
        """`worker` stopped (a clean shutdown; a killed one ages out of `live_machines`)."""
        self.redis.zrem(MACHINES_KEY, f"{machine}\t{worker}")

    def live_machines(self, within_s: float = 15.0) -> list[str]:
        """Machines with a worker seen within `within_s` seconds (a local output needs them all to be one)."""
        now = time.time()
        self.redis.zremrangebyscore(MACHINES_KEY, 0, now - 86400)
        members = self.redis.zrangebyscore(MACHINES_KEY, now - within_s, "+inf")
        return sorted({_text(m).split("\t", 1)[0] for m in members})

    def create_batch(self, batch: str, jobs: Sequence[Mapping[str, Any]]) -> None:
        """Record many new jobs and their batch in one round trip; `jobs` are `create`'s keyword
        arguments plus ``job`` (the id). Their entry pieces are dispatched next (`dispatch_many`)."""
        with self.redis.pipeline() as pipe:
            for spec in jobs:
                kwargs = dict(spec)
                self._create(pipe, str(kwargs.pop("job")), batch=batch, **kwargs)
            pipe.rpush(_BATCH_PREFIX + batch, *[str(spec["job"]) for spec in jobs])
            pipe.expire(_BATCH_PREFIX + batch, self.job_ttl_s)
            pipe.execute()

    def batch_jobs(self, batch: str) -> list[str]:
        """The job ids of a batch, in submission order ([] for an unknown or expired batch)."""
        return [_text(j) for j in self.redis.lrange(_BATCH_PREFIX + batch, 0, -1)]

    def batch_status(self, batch: str) -> BatchStatus | None:
        """A batch's totals: jobs by status, frames done / total, and its failed jobs' errors."""
        jobs = self.batch_jobs(batch)
        if not jobs:
            return None
        with self.redis.pipeline(transaction=False) as pipe:
            for job in jobs:
                pipe.hmget(self.key(job), "status", "frames", "error", "created", "finished")
            rows = pipe.execute()
        counts: dict[str, int] = {}
        frames_total = frames_done = 0
        failed: dict[str, Any] = {}
        created: list[float] = []
        finished: list[float] = []
        for job, (status, frames, error, t0, t1) in zip(jobs, rows, strict=True):
            state = _text(status) if status is not None else "expired"
            counts[state] = counts.get(state, 0) + 1
            total = int(frames or 0)
            frames_total += total
            if state == "done":
                frames_done += total
            if error:
                failed[job] = json.loads(_text(error))
            if t0:
                created.append(float(t0))
            if t1:
                finished.append(float(t1))
        ended = sum(counts.get(s, 0) for s in ("done", "failed", "cancelled", "expired"))
        return {
            "batch": batch,
            "status": "done"
            if ended == len(jobs) and not failed
            else ("failed" if ended == len(jobs) else "running"),
            "jobs": len(jobs),
            "counts": dict(sorted(counts.items())),
            "frames_done": frames_done,
            "frames_total": frames_total,
            "created": min(created) if created else None,
            "finished": max(finished) if finished and ended == len(jobs) else None,
            "errors": failed,
            "job_ids": jobs,
        }

    def meta(self, job: str) -> dict[str, str]:
        """The job's hash: status, output, work_dir, frames, error, result, ... (strings)."""
        return {_text(k): _text(v) for k, v in self.redis.hgetall(self.key(job)).items()}

    def document(self, job: str) -> str | None:
        """The document's JSON text (dropped once the job has ended)."""
        value = self.redis.get(self.key(job, ":doc"))
        return None if value is None else _text(value)

    def piece(self, job: str, piece: str) -> dict[str, Any]:
        raw = self.redis.hget(self.key(job, ":pieces"), piece)
        return {} if raw is None else dict(json.loads(_text(raw)))

    def add_pieces(self, job: str, specs: Mapping[str, Mapping[str, Any]], **meta: object) -> None:
        """Record the plan's pieces (name → JSON spec) and job fields such as ``frames`` and ``pieces``."""
        with self.redis.pipeline() as pipe:
            pipe.hset(self.key(job, ":pieces"), mapping={k: json.dumps(dict(v)) for k, v in specs.items()})
            if meta:
                pipe.hset(self.key(job), mapping={k: str(v) for k, v in meta.items()})
            pipe.execute()

    def set_status(self, job: str, status: str, **fields: object) -> bool:
        """Move an active job to `status` (and set `fields`); False if the job has already ended."""
        args: list[object] = [self.key(job), "status", status, "updated", repr(time.time())]
        for name, value in fields.items():
            args += [name, value]
        return bool(self._run("set_status", *args))

    def fail(self, job: str, error: Mapping[str, Any]) -> bool:
        """End the job as ``failed`` with `error` (``{"type", "path", "frame", "message"}``); first call wins."""
        ended = bool(
            self._run(
                "end",
                self.key(job),
                job,
                "failed",
                "error",
                self.job_ttl_s,
                json.dumps(dict(error)),
                time.time(),
            )
        )
        if ended:
            self.event(job, "", "failed", error=dict(error))
            log.info("job %s failed: %s", job, error.get("message"))
            self._ended(job)
        return ended

    def finish(self, job: str, result: Mapping[str, Any]) -> bool:
        """End the job as ``done`` with `result`; False if it had already ended."""
        ended = bool(
            self._run(
                "end",
                self.key(job),
                job,
                "done",
                "result",
                self.job_ttl_s,
                json.dumps(dict(result)),
                time.time(),
            )
        )
        if ended:
            self.event(job, "", "done")
            self._ended(job)
        return ended

    def cancel(self, job: str) -> bool:
        """End an active job as ``cancelled`` (error type ``RenderCancelled``); False if it had ended.

        Its running pieces see the job gone at their next heartbeat (``lease_s / 4``) and stop without
        writing an output; its work folder is removed (here, and by each stopped piece).
        """
        error = {
            "type": "RenderCancelled",
            "path": None,
            "frame": None,
            "message": f"job {job} was cancelled",
        }
        ended = bool(
            self._run(
                "end",
                self.key(job),
                job,
                "cancelled",
                "error",
                self.job_ttl_s,
                json.dumps(error),
                time.time(),
            )
        )
        if ended:
            self.event(job, "", "cancelled")
            self._ended(job)
        return ended

    def cleanup(self, job: str) -> None:
        """Run the end-of-job cleanup again (a piece that stopped because its job had ended may have
        recreated the work folder after the first cleanup ran)."""
        self._ended(job)

    def _ended(self, job: str) -> None:
        if self._on_end is None:
            return
        try:
            self._on_end(job, self.meta(job))
        except Exception:  # cleanup is best effort; the job's outcome is already recorded
            log.warning("cleaning up after job %s failed", job, exc_info=True)

    def active_jobs(self) -> list[str]:
        return sorted(_text(j) for j in self.redis.smembers(ACTIVE_SET))

    # ------------------------------------------------------------------ pieces

    def dispatch(
        self,
        job: str,
        piece: str,
        *,
        mode: Literal["new", "expired", "again", "handback", "lost"] = "new",
        attempt: int | None = None,
    ) -> int | None:
        """Send a task for `piece` if `mode` allows it; returns the attempt number, or None if not sent.

        ``new``: only if the piece was never dispatched. ``expired``: only if it is live without a lease
        (its worker died). ``again``: unless it is done (a retry after an error). ``handback``: a
        draining worker gives back a piece it is running (not counted against `max_attempts`).
        ``lost``: a queued piece whose message the broker no longer holds, if still at `attempt`. The piece holds a
        dispatch lease until the message is sent, so a dispatcher dying in between is itself a lost piece.
        When the piece has used up `max_attempts`, the job fails instead.
        """
        outcome, detail, *rest = (
            _text(v)
            for v in self._run(
                "dispatch", self.key(job), piece, self.lease_ms, mode, self.max_attempts, attempt or 0
            )
        )
        if outcome == "exhausted":
            spec = self.piece(job, piece)
            frames = f" (frames {spec['start']}-{spec['stop'] - 1})" if "start" in spec else ""
            self.fail(
                job,
                {
                    "type": "RenderError",
                    "path": None,
                    "frame": spec.get("start"),
                    "message": f"{piece}{frames} failed or was lost {detail} times; giving up",
                },
            )
            return None
        if outcome != "ok":
            return None
        attempt = int(detail)
        if self._send is None:
            raise RuntimeError("JobStore: no sender configured; cannot dispatch tasks")
        self._send(TASK_NAMES[piece_kind(piece)], {"job": job, "piece": piece, "attempt": attempt},
                   task_id(job, piece, attempt), (rest[0] if rest else "") or None)  # fmt: skip
        with self.redis.pipeline(transaction=False) as pipe:
            self._scripts["dispatched"](keys=[], args=[self.key(job), piece, str(attempt)], client=pipe)
            self._event(pipe, job, piece, "dispatched", attempt=attempt, mode=mode)
            pipe.execute()
        return attempt

    def claim(self, job: str, piece: str, attempt: int, holder: str, *, state: str = "running") -> str:
        """Take the piece's lease for this attempt: ``ok``, ``done``, ``busy`` or ``job:<status>``."""
        outcome = _text(self._run("claim", self.key(job), piece, attempt, holder, self.lease_ms, state))
        if outcome == "ok" and state == "running":
            self.event(job, piece, "started", attempt=attempt, holder=holder)
        elif outcome != "ok":
            self.event(job, piece, f"skipped:{outcome}", attempt=attempt, holder=holder)
        return outcome

    def refresh(self, job: str, piece: str, attempt: int, holder: str) -> str:
        """Renew the lease: ``ok``; ``drain:<deadline>`` (renewed, but the holder is shutting down and
        must be gone by that Unix time); or why this attempt should stop (``done``, ``lost``,
        ``job:<status>``)."""
        return _text(
            self._run(
                "refresh", self.key(job), piece, f"{attempt}|{holder}", self.lease_ms, _DRAIN_PREFIX + holder
            )
        )

    def set_draining(self, holder: str, deadline: float | None) -> None:
        """Mark the worker `holder` as shutting down by `deadline` (Unix time; None: it is not).

        Its pieces' heartbeats see it (`refresh`) and each either finishes in time or hands its piece
        back (`dispatch(mode="handback")`) so another worker starts it at once.
        """
        if deadline is None:
            self.redis.delete(_DRAIN_PREFIX + holder)
        else:
            self.redis.set(
                _DRAIN_PREFIX + holder, repr(deadline), ex=max(60, int(deadline - time.time()) + 60)
            )

    def complete(self, job: str, piece: str, *, frames: int = 0) -> str:
        """Mark the piece done: ``all`` when it was the last chunk/audio piece, else ``ok``/``dup``/``job:..``."""
        outcome = _text(self._run("complete", self.key(job), piece, frames))
        self.event(job, piece, "done" if outcome in ("ok", "all") else f"done:{outcome}")
        return outcome

    def set_progress(self, job: str, piece: str, done: int) -> None:
        self.redis.hset(self.key(job, ":progress"), piece, str(done))

    def event(self, job: str, piece: str, event: str, **detail: object) -> None:
        """Append to the job's capped event log (what happened to which piece, for `status` and tests)."""
        with self.redis.pipeline(transaction=False) as pipe:
            self._event(pipe, job, piece, event, **detail)
            pipe.execute()

    def _event(self, pipe: Any, job: str, piece: str, event: str, **detail: object) -> None:
        entry = {"t": round(time.time(), 3), "piece": piece, "event": event, **detail}
        pipe.rpush(self.key(job, ":events"), json.dumps(entry))
        pipe.ltrim(self.key(job, ":events"), -_EVENTS_KEPT, -1)

    def events(self, job: str) -> list[dict[str, Any]]:
        return [json.loads(_text(e)) for e in self.redis.lrange(self.key(job, ":events"), 0, -1)]

    # ------------------------------------------------------------------ sweeping

    def sweep(self) -> list[tuple[str, str, int]]:
        """Dispatch again every live piece whose lease expired; returns ``(job, piece, attempt)`` sent.

        Also the safety nets for a dispatcher that died between two steps: a job with no piece
        dispatched gets its plan, and a job whose chunks are all done but has no stitch gets one.
        """
        sent: list[tuple[str, str, int]] = []
        for job in self.active_jobs():
            states = {_text(k): _text(v) for k, v in self.redis.hgetall(self.key(job, ":state")).items()}
            if not states:
                meta = self.meta(job)
                if not meta:  # expired or deleted: forget it
                    self.redis.srem(ACTIVE_SET, job)
                elif time.time() - float(meta.get("created", "0")) > self.lease_ms / 1000:
                    entry = meta.get("entry") or "plan"
                    attempt = self.dispatch(job, entry, mode="new")
                    if attempt is not None:
                        sent.append((job, entry, attempt))
                continue
            live = [p for p, s in states.items() if s in LIVE_STATES]
            if live:
                with self.redis.pipeline(transaction=False) as pipe:
                    for p in live:
                        pipe.exists(self.key(job, f":lease:{p}"))
                    leased = pipe.execute()
                for p, has_lease in zip(live, leased, strict=True):
                    if has_lease:
                        continue
                    log.warning("job %s: %s lost its lease (worker gone?); dispatching it again", job, p)
                    self.event(job, p, "lease-expired", owner=self.redis.hget(self.key(job, ":owner"), p))
                    attempt = self.dispatch(job, p, mode="expired")
                    if attempt is not None:
                        sent.append((job, p, attempt))
            if "stitch" not in states:
                parts = [s for p, s in states.items() if p.startswith("chunk-") or p == "audio"]
                expected = self.redis.hget(self.key(job), "pieces")
                if parts and expected is not None and len(parts) == int(expected) and set(parts) == {"done"}:
                    attempt = self.dispatch(job, "stitch", mode="new")
                    if attempt is not None:
                        sent.append((job, "stitch", attempt))
        return sent

    def find_lost(self, *, recheck_s: float = 0.5) -> list[tuple[str, str, int]]:
        """Dispatch again every queued piece whose message the broker no longer holds; returns them.

        A queued piece holds no lease: its message waits in Redis. A Redis restart can still lose one
        (a worker had popped it, and the connection dropped before the message was recorded as
        unacknowledged, so nothing will ever deliver it). Such a piece is missing from every queue
        list and from kombu's ``unacked`` hash, twice, `recheck_s` apart, while its state stays
        ``queued`` at the same attempt; it is then sent again (mode ``lost``, at most once per attempt).
        Scans every queue, so `Sweeper` runs it seldom, and one worker at a time.
        """
        queued: dict[str, tuple[str, str, int, str]] = {}
        for job in self.active_jobs():
            with self.redis.pipeline(transaction=False) as pipe:
                pipe.hgetall(self.key(job, ":state"))
                pipe.hgetall(self.key(job, ":attempt"))
                pipe.hget(self.key(job), "queue")
                states, attempts, queue = pipe.execute()
            for piece, state in states.items():
                if _text(state) == "queued":
                    n = int(attempts.get(piece, 0) or 0)
                    name = _text(piece)
                    queued[task_id(job, name, n)] = (job, name, n, _text(queue) if queue else "")
        if not queued:
            return []
        queues = sorted({q for *_, q in queued.values() if q} | {self.default_queue})
        keys = [name for q in queues for name in (q, *(f"{q}\x06\x16{p}" for p in (3, 6, 9)))]
        missing = set(queued) - {_text(i) for i in self._scripts["message_ids"](keys=[*keys, "unacked"])}
        if not missing:
            return []
        time.sleep(recheck_s)
        missing -= {_text(i) for i in self._scripts["message_ids"](keys=[*keys, "unacked"])}
        sent = []
        for tid in sorted(missing):
            job, piece, attempt, _ = queued[tid]
            self.event(job, piece, "message-lost", attempt=attempt)
            log.warning("job %s: the message of %s (attempt %d) is gone from the broker; sending it again",
                        job, piece, attempt)  # fmt: skip
            again = self.dispatch(job, piece, mode="lost", attempt=attempt)
            if again is not None:
                sent.append((job, piece, again))
        return sent

    # ------------------------------------------------------------------ reading

    def status(self, job: str) -> dict[str, Any] | None:
        """Everything known about a job as JSON-ready data; None if the id is unknown (or expired)."""
        meta = self.meta(job)
        if not meta:
            return None
        with self.redis.pipeline(transaction=False) as pipe:
            for suffix in (":pieces", ":state", ":attempt", ":owner", ":progress"):
                pipe.hgetall(self.key(job, suffix))
            specs, states, attempts, owners, progress = (
                {_text(k): _text(v) for k, v in h.items()} for h in pipe.execute()
            )
        pieces: dict[str, Any] = {}
        frames_done = 0
        for name in sorted(specs):
            spec = json.loads(specs[name])
            entry: dict[str, Any] = {
                "state": states.get(name, "pending"),
                "attempts": int(attempts.get(name, 0)),
                "owner": owners[name].split("|", 1)[1] if "|" in owners.get(name, "") else None,
            }
            if "start" in spec:
                size = int(spec["stop"]) - int(spec["start"])
                done = size if entry["state"] == "done" else min(size, int(progress.get(name, 0) or 0))
                entry.update(frames=[int(spec["start"]), int(spec["stop"])], frames_done=done)
                frames_done += done
            pieces[name] = entry
        frames_total = int(meta.get("frames", 0) or 0)
        if meta.get("status") == "done":
            frames_done = frames_total
        return {
            "job": job,
            "status": meta.get("status"),
            "frames_done": frames_done,
            "frames_total": frames_total,
            "chunks": sum(1 for p in pieces if p.startswith("chunk-")),
            "output": meta.get("output"),
            "queue": meta.get("queue") or None,
            "batch": meta.get("batch") or None,
            "created": float(meta["created"]) if meta.get("created") else None,
            "updated": float(meta["updated"]) if meta.get("updated") else None,
            "error": json.loads(meta["error"]) if meta.get("error") else None,
            "result": json.loads(meta["result"]) if meta.get("result") else None,
            "pieces": pieces,
        }
