"""Webhook policy without a server: the retry schedule, the SSRF check after DNS, signing."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from vfnative.service.settings import DEFAULT_WEBHOOK_DELAYS_S, ServiceSettings
from vfnative.service.webhooks import WebhookRefused, check_url, signer


def test_default_schedule_is_exponential_over_about_ten_minutes() -> None:
    delays = DEFAULT_WEBHOOK_DELAYS_S
    assert len(delays) + 1 >= 5  # attempts
    assert all(b == 2 * a for a, b in zip(delays, delays[1:], strict=False))
    assert 540 <= sum(delays) <= 720
    assert ServiceSettings().webhook_delays_s == delays


def _resolver(*addresses: str):
    def getaddrinfo(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    return getaddrinfo


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (("127.0.0.1",), "loopback"),
        (("10.1.2.3",), "private"),
        (("169.254.169.254",), "link-local"),  # cloud metadata
        (("93.184.216.34", "192.168.1.5"), "private"),  # every address must be public
        (("::ffff:127.0.0.1",), "loopback"),
        (("100.64.0.1",), "not a public address"),  # CGNAT
    ],
)
def test_private_addresses_are_refused_after_dns(addresses: tuple[str, ...], reason: str) -> None:
    with pytest.raises(WebhookRefused, match=reason):
        check_url("https://hooks.example.com/x", getaddrinfo=_resolver(*addresses))


def test_allowed_networks_and_public_addresses() -> None:
    assert (
        check_url("https://hooks.example.com/x", getaddrinfo=_resolver("93.184.216.34"))[3] == "93.184.216.34"
    )
    found = check_url("http://build.internal:8080/hook", ["10.0.0.0/8"], getaddrinfo=_resolver("10.1.2.3"))
    assert found == ("http", "build.internal", 8080, "10.1.2.3")
    for url in ("ftp://example.com/x", "http:///nohost", "file:///etc/passwd"):
        with pytest.raises(WebhookRefused):
            check_url(url, getaddrinfo=_resolver("93.184.216.34"))


def test_signatures_verify_with_the_standard_library() -> None:
    now = datetime.now(tz=UTC)
    body = b'{"id":"j","status":"done"}'
    for secret in ("whsec_c2VjcmV0LWJ5dGVz", "plain text secret"):
        signature = signer(secret).sign("msg_j", now, body)
        assert signature.startswith("v1,")
        headers = {"webhook-id": "msg_j", "webhook-timestamp": str(int(now.timestamp())),
                   "webhook-signature": signature}  # fmt: skip
        verifier = Webhook(secret) if secret.startswith("whsec_") else Webhook(secret.encode())
        assert verifier.verify(body, headers) == {"id": "j", "status": "done"}
