"""The job-queue model orders work like JavaScript promises."""

from __future__ import annotations

from typing import Any

from vfnative.flow.microtasks import AsyncGen, Job, JobQueue


def test_async_functions_take_turns_at_each_await() -> None:
    # JS: async f(n) { log(n+1); await 0-like; log(n+2) } started for 'a' then 'b' logs a1 b1 a2 b2
    queue = JobQueue()
    log: list[str] = []

    def worker(name: str) -> AsyncGen[str]:
        log.append(f"{name}1")
        done = queue.job()
        done.resolve(None)
        yield done
        log.append(f"{name}2")
        return name

    jobs = [queue.spawn(worker("a")), queue.spawn(worker("b"))]
    assert log == ["a1", "b1"]  # synchronous up to the first await, like calling an async function
    main = queue.all(jobs)
    assert queue.run(main) == ["a", "b"]
    assert log == ["a1", "b1", "a2", "b2"]


def test_awaiting_a_finished_async_function_costs_one_turn() -> None:
    queue = JobQueue()
    log: list[str] = []

    def inner() -> AsyncGen[int]:
        return 1
        yield  # pragma: no cover - makes this a generator

    def outer(name: str) -> AsyncGen[None]:
        value: int = yield queue.spawn(inner())
        log.append(f"{name}{value}")

    def racer() -> AsyncGen[None]:
        first: Job[Any] = queue.job()
        first.resolve(None)
        yield first
        log.append("racer")

    main = queue.all([queue.spawn(outer("x")), queue.spawn(racer())])
    queue.run(main)
    assert log == ["x1", "racer"]


def test_outside_jobs_settle_when_idle_lowest_rank_first() -> None:
    queue = JobQueue()
    log: list[str] = []
    slow = queue.outside("slow", rank=1)
    fast = queue.outside("fast", rank=0)

    def wait_for(job: Job[str]) -> AsyncGen[None]:
        log.append((yield job))

    main = queue.all([queue.spawn(wait_for(slow)), queue.spawn(wait_for(fast))])
    queue.run(main)
    assert log == ["fast", "slow"]
