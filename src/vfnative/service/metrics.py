"""Prometheus metrics of one service, in the app's own registry (two apps in one process never collide).

Jobs by status, queue depth and in-flight renders are read from the job store at scrape time;
render seconds, frames per second and submit latency are histograms observed as jobs finish
(each finished job once). Imports prometheus-client and the service's `store`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from vfnative.service.store import FINAL, Job

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_STATUSES = ("queued", "running", *FINAL)


class _StoreCollector(Collector):
    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self._counts()
        jobs = GaugeMetricFamily("vfnative_jobs", "Render jobs by status", labels=["status"])
        for status in _STATUSES:
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs
        yield GaugeMetricFamily(
            "vfnative_queue_depth", "Jobs waiting for a render process", value=counts.get("queued", 0)
        )
        yield GaugeMetricFamily(
            "vfnative_renders_in_flight", "Renders running now", value=counts.get("running", 0)
        )


class Metrics:
    """The service's metrics; `render()` is the /metrics body."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StoreCollector(counts))
        self.render_seconds = Histogram(
            "vfnative_render_seconds",
            "Wall seconds from a job's start to its end (done jobs)",
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
            registry=self.registry,
        )
        self.frames_per_second = Histogram(
            "vfnative_render_frames_per_second",
            "Frames rendered per wall second (done jobs)",
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
            registry=self.registry,
        )
        self.submit_seconds = Histogram(
            "vfnative_submit_seconds",
            "Time the service spends accepting a render (POST /v1/renders)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
            registry=self.registry,
        )
        self.finished = Counter(
            "vfnative_jobs_finished", "Jobs that reached a final status", ["status"], registry=self.registry
        )
        self.webhooks = Counter(
            "vfnative_webhook_deliveries", "Webhook delivery attempts by outcome", ["outcome"],
            registry=self.registry,
        )  # fmt: skip

    def observe_finished(self, job: Job) -> None:
        self.finished.labels(job.status).inc()
        if job.status != "done" or job.started_at is None or job.finished_at is None:
            return
        seconds = max(job.finished_at - job.started_at, 1e-6)
        self.render_seconds.observe(seconds)
        if job.frames_total:
            self.frames_per_second.observe(job.frames_total / seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
