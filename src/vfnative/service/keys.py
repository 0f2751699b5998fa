"""API keys: kept hashed (SHA-256), each with a name, a concurrency limit, a webhook secret and limits.

A keys file (``--keys FILE``) is JSON::

    {"keys": [{"name": "web-app", "sha256": "<hex of sha256(key)>", "concurrency": 8,
               "webhook_secret": "whsec_...", "limits": {"max_duration_s": 600}}]}

``"key": "<plain key>"`` is accepted instead of ``"sha256"`` (it is hashed when loaded, never kept).
Hash a key with ``printf %s "$KEY" | sha256sum``. Imports the standard library and `vfnative.settings`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vfnative.settings import Limits

__all__ = ["ANONYMOUS", "ApiKey", "hash_key", "key_from_environ", "load_keys"]


def hash_key(key: str) -> str:
    """The stored form of an API key: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One client of the service. The key itself is never kept, only its hash."""

    name: str
    sha256: str
    """Hex SHA-256 of the key (`hash_key`)."""
    concurrency: int | None = None
    """Active (queued + running) jobs allowed at once; None: the service's default."""
    webhook_secret: str | None = None
    """Standard Webhooks signing secret (``whsec_<base64>``, or any text, used as raw bytes)."""
    limits: Limits | None = None
    """Document limits for this key instead of the service's."""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name: expected a non-empty key name")
        if len(self.sha256) != 64 or any(c not in "0123456789abcdef" for c in self.sha256.lower()):
            raise ValueError(f"{self.name}: sha256: expected 64 hex digits; got {self.sha256!r}")
        object.__setattr__(self, "sha256", self.sha256.lower())
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError(f"{self.name}: concurrency: expected >= 1; got {self.concurrency!r}")

    def matches(self, key: str) -> bool:
        """True if `key` is this key (constant-time comparison of the hashes)."""
        return hmac.compare_digest(hash_key(key), self.sha256)

    def __repr__(self) -> str:
        return f"<ApiKey {self.name!r} concurrency={self.concurrency}>"


ANONYMOUS = ApiKey(name="anonymous", sha256="0" * 64)
"""The caller when no key is configured (loopback only)."""


def _limits(name: str, raw: object) -> Limits | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"{name}: limits: expected an object of Limits fields; got {raw!r}")
    known = {f.name for f in dataclasses.fields(Limits)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{name}: limits: unknown field(s) {unknown}; known: {sorted(known)}")
    return Limits(**raw)


def _key(entry: object, index: int) -> ApiKey:
    if not isinstance(entry, Mapping):
        raise ValueError(f"keys[{index}]: expected an object; got {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"keys[{index}].name: expected a non-empty string")
    allowed = {"name", "sha256", "key", "concurrency", "webhook_secret", "limits"}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"keys[{index}] ({name}): unknown field(s) {unknown}")
    digest = entry.get("sha256")
    if digest is None and isinstance(entry.get("key"), str):
        digest = hash_key(entry["key"])
    if not isinstance(digest, str):
        raise ValueError(f"keys[{index}] ({name}): expected 'sha256' (hex SHA-256 of the key) or 'key'")
    return ApiKey(
        name=name,
        sha256=digest,
        concurrency=entry.get("concurrency"),
        webhook_secret=entry.get("webhook_secret"),
        limits=_limits(name, entry.get("limits")),
    )


def load_keys(path: str | os.PathLike[str]) -> tuple[ApiKey, ...]:
    """Read a keys file (see the module docstring); raises ValueError naming the bad entry."""
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the keys file: {exc}") from exc
    entries = data.get("keys") if isinstance(data, Mapping) else data
    if not isinstance(entries, list) or not entries:
        raise ValueError(f'{path}: expected {{"keys": [...]}} with at least one key')
    return tuple(_key(entry, i) for i, entry in enumerate(entries))


def key_from_environ(environ: Mapping[str, str]) -> ApiKey | None:
    """The single key of ``VFNATIVE_API_KEY`` (with ``VFNATIVE_WEBHOOK_SECRET``), or None."""
    key = environ.get("VFNATIVE_API_KEY", "")
    if not key:
        return None
    return ApiKey(
        name="default", sha256=hash_key(key), webhook_secret=environ.get("VFNATIVE_WEBHOOK_SECRET") or None
    )
