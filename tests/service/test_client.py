"""`vfnative.client.Client` against the real service, and media URLs under --allow-private-network."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import vfnative
from vfnative.client import Client, RenderResult, ServiceError

from .conftest import HOOK_HOST, MAIN_KEY, ServiceProcess, frame_count, tiny_document


def test_client_render_wait(embedded_service: ServiceProcess, tmp_path: Path) -> None:
    doc = tiny_document(6)
    with Client(embedded_service.url, MAIN_KEY) as client:
        result = client.render(doc, tmp_path / "out.mp4", options={"fps": 20})
        assert isinstance(result, RenderResult)
        assert (result.frames, result.width, result.height, result.fps) == (12, 64, 48, 20.0)
        assert result.duration_s == pytest.approx(0.6)
        assert result.output == tmp_path / "out.mp4"
        assert frame_count(result.output) == 12
        assert result.size == result.output.stat().st_size
        assert result.warnings == ()
        job = client.render(doc, wait=False)
        assert isinstance(job, str)
        assert client.wait(job)["status"] == "done"
        assert client.frame(doc, frame=1, fmt="jpeg").startswith(b"\xff\xd8\xff")
        assert client.validate(doc)["frames"] == 6
        with pytest.raises(vfnative.DocumentError) as info:
            client.render({**doc, "width": -1})
        assert info.value.issues[0].path == "width"
        strict = tiny_document(2)
        strict["layers"].append({"id": "img", "type": "image", "properties": {}, "settings": {
            "enabled": True, "startTime": 0, "sourceDuration": 0.2, "source": "missing.png"}})  # fmt: skip
        with pytest.raises(vfnative.AssetError):  # the job fails: the error type comes back
            client.render(strict, options={"strict": True})
    with Client(embedded_service.url, "wrong") as client, pytest.raises(ServiceError) as denied:
        client.submit(doc)
    assert denied.value.status == 401


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def media_server(media_root: Path) -> Iterator[str]:
    """The media folder over HTTP on 127.0.0.2 (admitted by the service's --allow-private-network)."""
    try:
        server = http.server.ThreadingHTTPServer(
            (HOOK_HOST, 0), functools.partial(_Files, directory=str(media_root))
        )
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"cannot bind {HOOK_HOST}: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOOK_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_media_urls_follow_the_network_policy(embedded_service: ServiceProcess, media_server: str) -> None:
    def image_doc(url: str) -> dict[str, object]:
        doc = tiny_document(2)
        doc["layers"].append({"id": "dot", "type": "image", "properties": {},
                              "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.2, "source": url}})  # fmt: skip
        return doc

    with Client(embedded_service.url, MAIN_KEY) as client:
        allowed = client.render(image_doc(f"{media_server}/dot.png"))
        assert isinstance(allowed, RenderResult)
        assert allowed.warnings == ()
        port = media_server.rsplit(":", 1)[1]
        refused = client.render(image_doc(f"http://127.0.0.1:{port}/dot.png"))  # loopback, not admitted
        assert isinstance(refused, RenderResult)
        assert any("loopback" in w and "refused" in w for w in refused.warnings), refused.warnings
