"""The render farm: Celery workers render a document's chunks in parallel and stitch them into one MP4.

Usage::

    # on every worker machine (storage for outputs shared by all of them):
    #   vfnative worker --broker redis://farm:6379/0
    import vfnative.worker

    job = vfnative.worker.submit("doc.json", "/shared/out.mp4", chunks=8, broker="redis://farm:6379/0")
    vfnative.worker.status(job)        # {"status": "running", "frames_done": 412, "frames_total": 1800, ...}
    vfnative.worker.wait(job)          # the final status; raises JobFailed with the error JSON

    batch = vfnative.worker.submit_many(docs, outputs, queue="render")   # one job id per document
    vfnative.worker.batch_status(batch.id)   # {"counts": {"done": 180, "running": 2}, "frames_done": ...}

Needs the ``worker`` extra (``pip install 'vfnative[worker]'``: celery with Redis). Importing this
package does not import celery; submitting does.
"""

from __future__ import annotations

from vfnative.worker.client import Batch, JobFailed, batch_status, cancel, status, submit, submit_many, wait
from vfnative.worker.config import WorkerConfig

__all__ = [
    "Batch",
    "JobFailed",
    "WorkerConfig",
    "batch_status",
    "cancel",
    "status",
    "submit",
    "submit_many",
    "wait",
]
