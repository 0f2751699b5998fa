"""The render service: `vfnative serve`, the HTTP front door that app servers call.

Owns HTTP (the FastAPI app factory `create_app(settings)` and its routes), API keys and per-key
limits, the job store (SQLite under ``--data-dir``, or the Celery farm's Redis store with
``--broker``), the local render processes of the embedded backend, signed webhooks and Prometheus
metrics.

May import `vfnative.api` (and the public names of `vfnative`), `vfnative.settings`, `vfnative.errors`,
`vfnative.storage` (when an output lives in an object store) and the public client functions of
`vfnative.worker`. It talks to the engine only through `api/`; nothing below the service imports it.

Needs the ``server`` extra (``pip install 'vfnative[server]'``: fastapi, uvicorn, standardwebhooks,
prometheus-client). `import vfnative` and `vfnative render` never import this package.

Usage::

    from vfnative.service import ServiceSettings, create_app

    app = create_app(ServiceSettings(data_dir="/var/lib/vfnative", workers=2))
    # uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vfnative.service.keys import ApiKey, hash_key, load_keys
from vfnative.service.settings import ServiceSettings

if TYPE_CHECKING:
    from vfnative.service.app import create_app

__all__ = ["ApiKey", "ServiceSettings", "create_app", "hash_key", "load_keys"]


def __getattr__(name: str) -> object:
    """`create_app` imports FastAPI on first use: `vfnative serve --help` and the CLI don't need it."""
    if name == "create_app":
        from vfnative.service.app import create_app

        return create_app
    raise AttributeError(f"module 'vfnative.service' has no attribute {name!r}")
