"""WorkerConfig: every knob of the render farm, read once from an injectable environment mapping.

Environment variables are read here (and in `cli/`) only, never deeper; tests pass a plain dict.
Imports the standard library and `settings` (for the cgroup CPU limit).
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from vfnative.settings import cpu_limit

__all__ = ["DEFAULT_BROKER", "DEFAULT_QUEUE", "WorkerConfig"]

DEFAULT_BROKER = "redis://localhost:6379/0"
DEFAULT_QUEUE = "render"
_QUEUE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _number(environ: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a number >= {minimum:g}; got {raw!r}") from None
    if not value >= minimum:
        raise ValueError(f"{name}: expected a number >= {minimum:g}; got {raw!r}")
    return value


def _optional(environ: Mapping[str, str], name: str, default: Any) -> Any:
    """A limit from the environment: unset keeps `default`, 0 turns it off (None)."""
    if not environ.get(name, "").strip():
        return default
    value = _number(environ, name, 0, minimum=0)
    if not value:
        return None
    return int(value) if isinstance(default, int) else value


def _cache_dir(environ: Mapping[str, str]) -> str:
    raw = environ.get("VFNATIVE_CACHE_DIR", "").strip()
    if raw.lower() in ("off", "none", "0"):
        return ""
    if raw:
        return raw
    home = environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    return os.path.join(home, "vfnative", "media")


@dataclass(frozen=True)
class WorkerConfig:
    """Broker, Celery delivery settings, lease timing and retry limits of the render farm.

    Usage::

        WorkerConfig()                                          # localhost Redis, defaults below
        WorkerConfig.from_environ(os.environ)                   # VFNATIVE_BROKER, VFNATIVE_LEASE_S, ...
        WorkerConfig(broker="redis://farm:6379/2", lease_s=5)
    """

    broker: str = DEFAULT_BROKER
    """Redis URL: Celery's broker, its result backend and the job store (VFNATIVE_BROKER)."""
    visibility_timeout_s: float = 48 * 3600.0
    """Redis re-delivers an unacknowledged message after this long (VFNATIVE_VISIBILITY_TIMEOUT_S).
    It must exceed the longest single task: a 4 h document (the default duration limit) rendered as
    one chunk at 0.1x realtime takes 40 h. A shorter value makes Celery start a second copy of a
    render that is still running. Lost work is found by leases (`lease_s`), not by this timeout."""
    lease_s: float = 10.0
    """A piece of a job (plan, chunk, audio, stitch) is lost when its lease is not renewed for this
    long (VFNATIVE_LEASE_S); a heartbeat renews it every `lease_s / 4` seconds."""
    sweep_interval_s: float = 2.0
    """How often each worker looks for expired leases and re-enqueues their pieces (VFNATIVE_SWEEP_S)."""
    max_attempts: int = 3
    """Deliveries of one piece before the job fails (lost workers and unexpected errors count; invalid
    documents and missing assets fail at once)."""
    concurrency: int | None = None
    """Worker processes per `vfnative worker`; None = the cgroup CPU limit (VFNATIVE_CONCURRENCY)."""
    job_ttl_s: float = 7 * 86400.0
    """Finished jobs (status, result, error, events) stay readable for this long."""
    queue: str = "render"
    """The Celery queue a job's pieces go to (VFNATIVE_QUEUE; `submit(queue=)` / ``--queue``), and the
    one a worker consumes. One worker pool per queue keeps short interactive renders (previews, stills)
    from waiting behind a batch: ``vfnative worker --queue interactive`` beside ``--queue render``."""
    drain_grace_s: float = 30.0
    """After SIGTERM a worker has this long to exit (VFNATIVE_DRAIN_GRACE_S; Kubernetes' default
    ``terminationGracePeriodSeconds``): a running piece that would not finish in time is handed back."""
    max_tasks_per_child: int | None = 1000
    """A render process is replaced after this many tasks (VFNATIVE_MAX_TASKS_PER_CHILD; 0: never).
    Processes stay warm across tasks (fonts, numba kernels, media); recycling bounds slow growth."""
    max_memory_per_child_mb: float | None = 2048.0
    """A render process whose resident memory exceeds this after a task is replaced before its next
    one (VFNATIVE_MAX_MEMORY_MB; 0: no ceiling)."""
    warm_up: bool = True
    """Draw one tiny frame in the worker's main process before it forks its pool (VFNATIVE_WARMUP=0: off)."""
    cache_dir: str = ""
    """The worker's media cache folder (VFNATIVE_CACHE_DIR; default ``$XDG_CACHE_HOME/vfnative/media``,
    else ``~/.cache/vfnative/media``; ``off``: none): remote sources fetched once per machine, shared
    by its renders."""
    cache_max_bytes: int = 2 * 2**30
    """Bound of the media cache in bytes, least recently used first out (VFNATIVE_CACHE_MAX_BYTES)."""
    machine: str = ""
    """What this worker reports as its machine (VFNATIVE_MACHINE_ID; default: the host name). Workers
    on one machine share its files; a local output path is refused when live workers span machines."""

    def __post_init__(self) -> None:
        if not self.broker.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"broker: expected a redis:// URL; got {self.broker!r}")
        if self.lease_s < 1:
            raise ValueError(f"lease_s: expected seconds >= 1; got {self.lease_s!r}")
        if self.visibility_timeout_s <= self.lease_s:
            raise ValueError(
                f"visibility_timeout_s: expected more than lease_s={self.lease_s:g}; "
                f"got {self.visibility_timeout_s!r}"
            )
        if self.sweep_interval_s <= 0:
            raise ValueError(f"sweep_interval_s: expected seconds > 0; got {self.sweep_interval_s!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts: expected >= 1; got {self.max_attempts!r}")
        if not _QUEUE_NAME.fullmatch(self.queue):
            raise ValueError(
                f"queue: expected a name of letters, digits, '.', '_' or '-'; got {self.queue!r}"
            )
        if self.max_tasks_per_child is not None and self.max_tasks_per_child < 1:
            raise ValueError(
                f"max_tasks_per_child: expected >= 1 (or None); got {self.max_tasks_per_child!r}"
            )
        if self.max_memory_per_child_mb is not None and self.max_memory_per_child_mb < 64:
            raise ValueError(
                f"max_memory_per_child_mb: expected >= 64 (or None); got {self.max_memory_per_child_mb!r}"
            )
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError(f"concurrency: expected >= 1; got {self.concurrency!r}")
        if self.cache_max_bytes < 1:
            raise ValueError(f"cache_max_bytes: expected bytes >= 1; got {self.cache_max_bytes!r}")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> WorkerConfig:
        """Defaults, then VFNATIVE_* variables from `environ` (default: os.environ), then `overrides`."""
        env = os.environ if environ is None else environ
        base = cls(
            broker=env.get("VFNATIVE_BROKER", "").strip() or DEFAULT_BROKER,
            visibility_timeout_s=_number(
                env, "VFNATIVE_VISIBILITY_TIMEOUT_S", cls.visibility_timeout_s, minimum=60
            ),
            lease_s=_number(env, "VFNATIVE_LEASE_S", cls.lease_s, minimum=1),
            sweep_interval_s=_number(env, "VFNATIVE_SWEEP_S", cls.sweep_interval_s, minimum=0.1),
            queue=env.get("VFNATIVE_QUEUE", "").strip() or DEFAULT_QUEUE,
            drain_grace_s=_number(env, "VFNATIVE_DRAIN_GRACE_S", cls.drain_grace_s, minimum=1),
            max_tasks_per_child=_optional(env, "VFNATIVE_MAX_TASKS_PER_CHILD", cls.max_tasks_per_child),
            max_memory_per_child_mb=_optional(env, "VFNATIVE_MAX_MEMORY_MB", cls.max_memory_per_child_mb),
            warm_up=env.get("VFNATIVE_WARMUP", "1").strip().lower() not in ("0", "false", "no", "off"),
            concurrency=(
                int(_number(env, "VFNATIVE_CONCURRENCY", 0, minimum=1))
                if env.get("VFNATIVE_CONCURRENCY", "").strip()
                else None
            ),
            cache_dir=_cache_dir(env),
            cache_max_bytes=int(_number(env, "VFNATIVE_CACHE_MAX_BYTES", cls.cache_max_bytes, minimum=1)),
            machine=env.get("VFNATIVE_MACHINE_ID", "").strip() or socket.gethostname(),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given) if given else base  # type: ignore[arg-type]

    def worker_concurrency(self) -> int:
        """Processes per worker: `concurrency`, or the CPUs this container may use."""
        return self.concurrency if self.concurrency is not None else cpu_limit()

    def encoder_threads(self) -> int:
        """x264 threads per render process, so `concurrency` renders share the CPU limit, not oversubscribe it."""
        return max(1, cpu_limit() // self.worker_concurrency())
