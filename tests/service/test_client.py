"""`vfnative.client.Client` against the real service."""

from __future__ import annotations

from pathlib import Path

import pytest

import vfnative
from vfnative.client import Client, RenderResult, ServiceError

from .conftest import MAIN_KEY, ServiceProcess, frame_count, tiny_document


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
