"""`ServiceSettings`: everything `create_app` needs, in one frozen object (no module-level config).

The CLI (`service/cli.py`) builds it from flags and the environment; tests build their own.
Imports the standard library, `vfnative.settings` and the service's `keys` only.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from vfnative.service.keys import ApiKey
from vfnative.settings import Limits

__all__ = ["DEFAULT_WEBHOOK_DELAYS_S", "ServiceSettings"]

DEFAULT_WEBHOOK_DELAYS_S: tuple[float, ...] = (20.0, 40.0, 80.0, 160.0, 320.0)
"""Waits before the 2nd … 6th webhook delivery attempt: exponential, six attempts over ~10 min."""


@dataclass(frozen=True)
class ServiceSettings:
    """How one render service runs.

    Usage::

        ServiceSettings(data_dir="/var/lib/vfnative")                 # embedded: SQLite + 2 local workers
        ServiceSettings(data_dir="/shared/vf", broker="redis://farm:6379/0")   # the Celery farm
        ServiceSettings(data_dir=d, keys=load_keys("keys.json"), allowed_networks=("10.0.0.0/8",))
    """

    data_dir: str | os.PathLike[str] = "vfnative-data"
    """Jobs database (``jobs.sqlite3``), outputs (``outputs/``) and work folders (``work/``).
    With a broker, outputs must be on storage every farm worker mounts at the same path."""
    workers: int = 2
    """Local render processes of the embedded backend (ignored with a broker)."""
    broker: str | None = None
    """Redis URL of the Celery farm; None runs the embedded backend."""
    keys: tuple[ApiKey, ...] = ()
    """Accepted API keys. Empty: no authentication (the CLI then binds to loopback only)."""
    anonymous_webhook_secret: str | None = None
    """Webhook signing secret used when no key is configured (``VFNATIVE_WEBHOOK_SECRET``)."""
    default_concurrency: int = 100
    """Active (queued + running) jobs allowed per key when the key does not set its own."""
    limits: Limits = field(default_factory=Limits)
    """The same caps as the CLI's; a key's own `limits` replaces them for that key."""
    allowed_networks: tuple[str, ...] = ()
    """CIDR blocks admitted for media URLs and webhooks even though they are private or loopback
    (``--allow-private-network``). Nothing else opens non-public addresses."""
    media_root: str | os.PathLike[str] | None = None
    """Folder that relative media paths in POSTed documents resolve against. None: documents may use
    only http(s) URLs and ``data:`` URIs."""
    output_prefix: str | None = None
    """Where outputs go, as ``<prefix>/<id>.mp4``: an ``s3://bucket/prefix`` URL (GET .../output then
    redirects to a presigned URL) or a folder. None: ``<data_dir>/outputs``. With an object-store
    prefix a request may name its own ``"output"`` under it."""
    webhook_delays_s: tuple[float, ...] = DEFAULT_WEBHOOK_DELAYS_S
    """Waits between webhook attempts (attempts = len + 1). Tests shorten it."""
    webhook_timeout_s: float = 10.0
    """Deadline of one webhook delivery attempt."""
    chunks: int | str = "auto"
    """Farm backend: chunks per job (the farm's own ``auto`` by default)."""
    threads: int | None = None
    """Encoder threads per local render; None shares the CPU limit between the workers."""
    fonts_url: str | None = None
    """Base URL of the Google Fonts-compatible CSS API that ``options.fetch_fonts`` fetches from
    (None: Google Fonts). Font URLs go through the same media policy (``allowed_networks``)."""

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers: expected >= 1; got {self.workers!r}")
        if self.default_concurrency < 1:
            raise ValueError(f"default_concurrency: expected >= 1; got {self.default_concurrency!r}")
        object.__setattr__(self, "allowed_networks", tuple(self.allowed_networks))
        for block in self.allowed_networks:
            try:
                ipaddress.ip_network(block, strict=False)
            except ValueError as exc:
                raise ValueError(f"allowed_networks: expected CIDR blocks; got {block!r}") from exc
        object.__setattr__(self, "webhook_delays_s", tuple(float(d) for d in self.webhook_delays_s))
        if any(d < 0 for d in self.webhook_delays_s):
            raise ValueError(f"webhook_delays_s: expected seconds >= 0; got {self.webhook_delays_s!r}")
        names = [k.name for k in self.keys]
        if len(set(names)) != len(names):
            raise ValueError(f"keys: key names must be unique; got {names!r}")

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).absolute()

    @property
    def auth_required(self) -> bool:
        """True when requests must carry one of `keys`."""
        return bool(self.keys)

    def replace(self, **changes: object) -> ServiceSettings:
        """A copy with `changes` applied (settings are frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]
