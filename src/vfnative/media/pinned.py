"""HTTP(S) connections to an address checked in advance (media/sources.py resolves and checks it).

Kept apart from sources.py so that `http.client` and `ssl` load only when a document fetches a URL.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable

Connect = Callable[[tuple[str, int], float], socket.socket]
"""As `vfnative.media.sources.Connect` (not imported from there: this module loads only on a fetch)."""


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a pre-checked address; the Host header still names the host."""

    def __init__(self, host: str, address: str, port: int, timeout: float, connect: Connect) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._connect_fn = connect
        self._timeout_s = timeout

    def connect(self) -> None:
        self.sock = self._connect_fn((self._address, self.port), self._timeout_s)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a pre-checked address; SNI and certificate checks use the host name."""

    def __init__(
        self, host: str, address: str, port: int, timeout: float, connect: Connect, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._connect_fn = connect
        self._tls = context
        self._timeout_s = timeout

    def connect(self) -> None:
        sock = self._connect_fn((self._address, self.port), self._timeout_s)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
