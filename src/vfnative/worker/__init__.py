"""The render farm: Celery workers render a document's chunks in parallel and stitch them into one MP4.

Usage::

    # on every worker machine (storage for outputs shared by all of them):
    #   vfnative worker --broker redis://farm:6379/0
    import vfnative.worker

    job = vfnative.worker.submit("doc.json", "/shared/out.mp4", chunks=8, broker="redis://farm:6379/0")
    vfnative.worker.status(job)        # {"status": "running", "frames_done": 412, "frames_total": 1800, ...}
    vfnative.worker.wait(job)          # the final status; raises JobFailed with the error JSON

Needs the ``worker`` extra (``pip install 'vfnative[worker]'``: celery with Redis). Importing this
package does not import celery; submitting does.
"""

from __future__ import annotations

from vfnative.worker.client import JobFailed, status, submit, wait
from vfnative.worker.config import WorkerConfig

__all__ = ["JobFailed", "WorkerConfig", "status", "submit", "wait"]
