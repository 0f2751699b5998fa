"""Webhooks: when a job ends, POST ``{"id", "status", "output", "error"}`` to its URL, signed.

Signing is the Standard Webhooks scheme, done by the `standardwebhooks` package: headers
``webhook-id`` (the same for every attempt of one message, so receivers can drop duplicates),
``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``
with the key's secret. A secret written ``whsec_<base64>`` is decoded as the package does; any other
text is used as raw bytes.

The URL goes through the media sources' SSRF rule: the host is resolved and every address must be
public unless it lies inside ``--allow-private-network``; the connection goes to the address that
was checked (no second lookup), and redirects are not followed. A delivery that is not answered
with 2xx is retried after each of `ServiceSettings.webhook_delays_s` (exponential, six attempts
over about ten minutes by default); every attempt is recorded in the job's status.

Imports `standardwebhooks`, the service's `store`, and the standard library.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from vfnative.service.store import Job, JobStore

__all__ = ["WebhookRefused", "check_url", "deliver", "signer"]

log = logging.getLogger(__name__)


class WebhookRefused(ValueError):
    """A webhook URL the SSRF policy does not allow (or that is malformed)."""


def signer(secret: str) -> Webhook:
    """A Standard Webhooks signer for `secret` (``whsec_<base64>``, or raw text)."""
    if secret.startswith("whsec_"):
        return Webhook(secret)
    return Webhook(secret.encode("utf-8"))


def _refusal(address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str | None:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in networks):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


def check_url(
    url: str,
    allowed_networks: Sequence[str] = (),
    *,
    getaddrinfo: Callable[..., Any] = socket.getaddrinfo,
) -> tuple[str, str, int, str]:
    """(scheme, host, port, checked address) for `url`, or WebhookRefused saying why not."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise WebhookRefused(f"expected an http or https URL; got {url!r}")
    host = parts.hostname
    if not host:
        raise WebhookRefused(f"malformed URL: no host in {url!r}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookRefused(f"malformed URL {url!r}: {exc}") from None
    try:
        infos = getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookRefused(f"cannot resolve host {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not addresses:
        raise WebhookRefused(f"host {host!r} has no address")
    networks = [ipaddress.ip_network(block, strict=False) for block in allowed_networks]
    for address in addresses:
        reason = _refusal(address, networks)
        if reason is not None:
            shown = host if host == address else f"{host!r} ({address})"
            raise WebhookRefused(
                f"refused: {shown} is {reason}; webhooks go to public addresses only "
                "(--allow-private-network CIDR admits a private network)"
            )
    return scheme, host, port, addresses[0]


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def payload(job: Job, output_url: str | None) -> bytes:
    """The webhook body: ``{"id", "status", "output", "error"}`` (output: the download URL when done)."""
    body = {
        "id": job.id,
        "status": job.status,
        "output": output_url if job.status == "done" else None,
        "error": job.error,
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def post_once(
    url: str, body: bytes, secret: str, message_id: str, *, allowed_networks: Sequence[str], timeout: float
) -> int:
    """One signed POST; returns the HTTP status. Raises WebhookRefused or OSError/HTTPException."""
    scheme, host, port, address = check_url(url, allowed_networks)
    now = datetime.now(tz=UTC)
    signature = signer(secret).sign(message_id, now, body)
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cls = _PinnedTLS if scheme == "https" else _Pinned
    connection = cls(host, address, port, timeout)
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "vfnative-webhooks",
                "webhook-id": message_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature,
            },
        )
        response = connection.getresponse()
        response.read(64 * 1024)
        return int(response.status)
    finally:
        connection.close()


def deliver(
    store: JobStore,
    job: Job,
    *,
    secret: str | None,
    output_url: str | None,
    allowed_networks: Sequence[str],
    delays_s: Sequence[float],
    timeout_s: float,
    on_result: Callable[[str], None] | None = None,
) -> bool:
    """Make one delivery attempt for `job` and record it; schedules the next or gives up. True if delivered."""
    attempt_no = len(job.webhook_attempts) + 1
    started = time.time()
    record: dict[str, Any] = {"attempt": attempt_no, "at": started, "status_code": None, "error": None}
    delivered = False
    if job.webhook_url is None:
        return False
    if not secret:
        record["error"] = "no webhook signing secret for this key"
    else:
        try:
            code = post_once(job.webhook_url, payload(job, output_url), secret, f"msg_{job.id}",
                             allowed_networks=allowed_networks, timeout=timeout_s)  # fmt: skip
            record["status_code"] = code
            delivered = 200 <= code < 300
            if not delivered:
                record["error"] = f"HTTP {code}"
        except WebhookRefused as exc:
            record["error"] = str(exc)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
    record["duration_ms"] = round((time.time() - started) * 1000, 1)
    if delivered:
        store.webhook_attempted(job.id, record, state="delivered", next_at=None)
        outcome = "delivered"
    elif attempt_no <= len(delays_s):
        store.webhook_attempted(
            job.id, record, state="pending", next_at=time.time() + delays_s[attempt_no - 1]
        )
        outcome = "retry"
    else:
        store.webhook_attempted(job.id, record, state="failed", next_at=None)
        outcome = "failed"
        log.warning("webhook for job %s failed after %d attempts: %s", job.id, attempt_no, record["error"])
    if on_result is not None:
        on_result(outcome)
    return delivered
