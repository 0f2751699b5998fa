"""A small model of JavaScript's promise job queue, so the compiler interleaves like the core.

Why this exists: the core's `compile()` is an `async` walk of the flow, and `parallel()` starts
every branch at once (`Promise.all`). Each added layer awaits its media lookup before it is
registered, so the branches take turns one `await` at a time, and the order in which layers land
in the compiled map decides their order in the JSON, which is their paint order. A plain
depth-first walk would put `[A, B]` + `[C]` as A, B, C where the core writes A, C, B.

The model: a `Job` is a promise that is fulfilled once; `then` queues its reaction when (or, if
already fulfilled, as soon as) it is fulfilled; `spawn` runs a generator as an async function,
synchronously up to its first `yield` (an `await`), exactly like calling an async function; `all`
is `Promise.all`. `run` drains the queue first-in first-out and, when it runs dry with work still
waiting on the outside world (media probes), settles the next outside job and drains again: in
Node each finished child process is its own event-loop callback, and every promise job runs before
the next callback. The core starts all its probes together before the walk; they finish in order
of cost, so outside jobs carry a `rank` (lower first; creation order breaks ties): a probe that
fails (missing file) ends at once, real probes end in the order they were started. Checked against
the core on `fixtures/builder/extra/media-probe` and on randomised flows. Where two probes of
similar cost race with branches the core's own order can vary from run to run; this model then
picks its most frequent one.

That is enough to reproduce V8's ordering for the shapes the compiler uses (await of native
promises, async functions returning plain values).

Standard library only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from functools import partial
from typing import Any, Generic, TypeAlias, TypeVar

__all__ = ["AsyncGen", "Job", "JobQueue"]

T = TypeVar("T")
U = TypeVar("U")

AsyncGen: TypeAlias = Generator["Job[Any]", Any, T]
"""A generator standing in for an async function: it yields the jobs it awaits, returns its result."""

_PENDING: Any = object()


class Job(Generic[T]):
    """A promise that can only be fulfilled (errors are raised straight through the queue)."""

    __slots__ = ("_queue", "_reactions", "_value")

    def __init__(self, queue: JobQueue) -> None:
        self._queue = queue
        self._value: Any = _PENDING
        self._reactions: list[Callable[[T], None]] = []

    @property
    def done(self) -> bool:
        return self._value is not _PENDING

    def result(self) -> T:
        if self._value is _PENDING:
            raise RuntimeError("job is still pending")
        value: T = self._value
        return value

    def resolve(self, value: T) -> None:
        """Fulfil the job and queue every reaction registered so far (each one runs as its own job)."""
        if self._value is not _PENDING:
            raise RuntimeError("job already settled")
        self._value = value
        reactions, self._reactions = self._reactions, []
        for reaction in reactions:
            self._queue.enqueue(_bind(reaction, value))

    def add_reaction(self, reaction: Callable[[T], None]) -> None:
        """PerformPromiseThen: queue now if fulfilled, else when fulfilled."""
        if self._value is _PENDING:
            self._reactions.append(reaction)
        else:
            self._queue.enqueue(_bind(reaction, self._value))

    def then(self, fn: Callable[[T], U]) -> Job[U]:
        """`promise.then(fn)`: a new job fulfilled with `fn(value)` one queue turn after this one."""
        derived: Job[U] = Job(self._queue)
        self.add_reaction(lambda value: derived.resolve(fn(value)))
        return derived


def _bind(reaction: Callable[[T], None], value: T) -> Callable[[], None]:
    """A queued reaction: `reaction(value)` when its turn comes."""
    return partial(reaction, value)


class JobQueue:
    """The promise job (microtask) queue plus the outside jobs that settle only when it is empty."""

    def __init__(self) -> None:
        self._jobs: deque[Callable[[], None]] = deque()
        self._outside: list[tuple[int, int, Job[Any], Any]] = []

    def enqueue(self, job: Callable[[], None]) -> None:
        self._jobs.append(job)

    def job(self) -> Job[Any]:
        """A new pending job."""
        return Job(self)

    def outside(self, value: T, *, rank: int = 0) -> Job[T]:
        """A job the outside world (I/O) settles with `value` once the queue is idle, lowest `rank` first."""
        job: Job[T] = Job(self)
        self._outside.append((rank, len(self._outside), job, value))
        self._outside.sort(key=lambda entry: entry[:2])
        return job

    def spawn(self, gen: AsyncGen[T]) -> Job[T]:
        """Call an "async function": run `gen` now up to its first await; its job holds the result."""
        job: Job[T] = Job(self)

        def step(sent: Any) -> None:
            try:
                awaited = gen.send(sent)
            except StopIteration as stop:
                job.resolve(stop.value)
                return
            awaited.add_reaction(step)

        step(None)
        return job

    def all(self, jobs: Sequence[Job[T]]) -> Job[list[T]]:
        """`Promise.all`: fulfilled (in one more turn per input) with the values in input order."""
        combined: Job[list[T]] = Job(self)
        values: list[Any] = [None] * len(jobs)
        remaining = [len(jobs)]
        if not jobs:
            combined.resolve([])
            return combined

        def settle(index: int, value: T) -> None:
            values[index] = value
            remaining[0] -= 1
            if remaining[0] == 0:
                combined.resolve(values)

        for index, job in enumerate(jobs):
            job.add_reaction(partial(settle, index))
        return combined

    def run(self, main: Job[T]) -> T:
        """Drain jobs (settling one outside job each time the queue runs dry) until `main` is fulfilled."""
        while True:
            while self._jobs:
                self._jobs.popleft()()
            if main.done:
                return main.result()
            if not self._outside:
                raise RuntimeError("flow compilation stalled: nothing left to run")  # a bug, not bad input
            _rank, _order, job, value = self._outside.pop(0)
            job.resolve(value)
