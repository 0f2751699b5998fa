"""API v1 against a real `vfnative serve` (uvicorn on loopback), once per backend (embedded, farm)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

import vfnative
from vfnative.cli.main import run
from vfnative.client import Client, RenderResult

from .conftest import (
    HOOK_HOST,
    MAIN_KEY,
    SMALL_KEY,
    WEBHOOK_SECRET,
    HookReceiver,
    ServiceProcess,
    frame_count,
    long_document,
    tiny_document,
    wait_status,
)

INVALID = {
    "width": -64,
    "height": 48,
    "fps": 10,
    "duration": 1,
    "layers": [{"type": "shape", "settings": {"startTime": "soon", "shapeType": "rectangle"},
                "properties": {"fill": "#ff0000"}}],
}  # fmt: skip
"""Three problems: width, a missing layer id, a startTime that is not a number."""


def _total_jobs(client: httpx.Client) -> float:
    """Every job the service knows, from its metrics (``vfnative_jobs{status=...}``)."""
    lines = client.get("/metrics").text.splitlines()
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith("vfnative_jobs{"))


def _cli_issues(tmp_path: Path, doc: object) -> tuple[int, str]:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    err = io.StringIO()
    return run(["probe", str(path)], stdout=io.StringIO(), stderr=err, environ={}), err.getvalue()


# ---------------------------------------------------------------------------------------------- operations


def test_health_ready_metrics_and_schema(service: ServiceProcess) -> None:
    assert httpx.get(f"{service.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{service.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    metrics = httpx.get(f"{service.url}/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    for name in ("vfnative_jobs{status=\"queued\"}", "vfnative_queue_depth", "vfnative_renders_in_flight",
                 "vfnative_render_seconds_bucket", "vfnative_render_frames_per_second_bucket"):  # fmt: skip
        assert name in metrics.text
    schema = httpx.get(f"{service.url}/openapi.json").json()
    assert {"/v1/renders", "/v1/renders/{job_id}", "/v1/renders/{job_id}/output", "/v1/frames", "/v1/validate",
            "/healthz", "/readyz", "/metrics"} <= set(schema["paths"])  # fmt: skip
    assert schema["components"]["schemas"]["VideoJSON"]["title"] == "VideoJSON"  # the pydantic model
    assert "ImageLayer" in schema["components"]["schemas"]
    body = schema["paths"]["/v1/renders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/VideoJSON"} in body["anyOf"]
    docs = httpx.get(f"{service.url}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    missing = httpx.get(f"{service.url}/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "HTTPError"


# ---------------------------------------------------------------------------------------------- renders


def test_render_round_trip(client: httpx.Client, tmp_path: Path) -> None:
    doc = tiny_document(6, width=96, height=64)
    r = client.post("/v1/renders", json={"document": doc, "options": {"width": 80, "height": 60, "fps": 20}})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued"
    job = body["id"]
    assert body["links"]["self"].endswith(f"/v1/renders/{job}")
    assert body["links"]["output"].endswith(f"/v1/renders/{job}/output")
    assert r.headers["location"] == body["links"]["self"]
    state = wait_status(client, job, ("done", "failed"))
    assert state["status"] == "done", state
    assert state["frames_done"] == state["frames_total"] == 12  # 0.6 s at the options' 20 fps
    assert state["created_at"] <= state["started_at"] <= state["finished_at"]
    assert state["error"] is None
    assert state["warnings"] == []
    out = state["output"]
    assert (out["width"], out["height"], out["frames"]) == (80, 60, 12)
    assert out["duration_s"] == pytest.approx(0.6)
    mp4 = client.get(f"/v1/renders/{job}/output")
    assert mp4.status_code == 200
    assert mp4.headers["content-type"] == "video/mp4"
    assert mp4.headers["accept-ranges"] == "bytes"
    assert len(mp4.content) == out["size"]
    path = tmp_path / "out.mp4"
    path.write_bytes(mp4.content)
    assert frame_count(path) == 12
    part = client.get(f"/v1/renders/{job}/output", headers={"Range": "bytes=4-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 4-99/{out['size']}"
    assert part.content == mp4.content[4:100]
    # a finished job cannot be cancelled
    assert client.delete(f"/v1/renders/{job}").status_code == 409


def test_bare_document_and_media_root(client: httpx.Client) -> None:
    doc = tiny_document(3)
    doc["layers"].append(
        {
            "id": "dot",
            "type": "image",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.3, "source": "dot.png"},
            "properties": {},
        }
    )
    r = client.post("/v1/renders", json=doc)  # a bare VideoJSON document
    assert r.status_code == 202, r.text
    state = wait_status(client, r.json()["id"], ("done", "failed"))
    assert state["status"] == "done", state
    assert state["warnings"] == []  # dot.png was found under --media-root


def test_invalid_document_is_422_with_the_cli_paths(client: httpx.Client, tmp_path: Path) -> None:
    code, printed = _cli_issues(tmp_path, INVALID)
    assert code == 3
    expected = vfnative.DocumentError  # the same issues the CLI printed
    with pytest.raises(expected) as info:
        vfnative.load(INVALID)
    issues = [{"path": i.path, "message": i.message} for i in info.value.issues]
    for body in (INVALID, {"document": INVALID}):
        r = client.post("/v1/renders", json=body)
        assert r.status_code == 422
        error = r.json()["error"]
        assert error["type"] == "DocumentError"
        assert error["issues"] == issues
        assert error["message"] == str(info.value)
        for issue in issues:
            assert f"{issue['path']}: {issue['message']}" in printed
    broken = client.post(
        "/v1/renders", content=b'{"width": 64, "height":', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["issues"][0]["path"]
    options = client.post(
        "/v1/renders", json={"document": tiny_document(), "options": {"width": -3, "speed": 1}}
    )
    assert options.status_code == 422
    assert {i["path"] for i in options.json()["error"]["issues"]} == {"options.width", "options.speed"}


def test_limits_are_413(service: ServiceProcess) -> None:
    with httpx.Client(base_url=service.url, headers={"X-API-Key": SMALL_KEY}) as small:
        _limits(small, service)


def _limits(small: httpx.Client, service: ServiceProcess) -> None:
    long = tiny_document(5)
    long["duration"] = 120  # the small key's max_duration_s is 100
    r = small.post("/v1/renders", json=long)
    assert r.status_code == 413
    assert r.json()["error"]["issues"][0]["path"] == "duration"
    assert "max_duration_s" in r.json()["error"]["message"]
    big = tiny_document(5)
    big["name"] = "x" * 5000  # over the small key's max_document_bytes (4000)
    r = small.post("/v1/renders", json=big)
    assert r.status_code == 413
    assert "max_document_bytes" in r.json()["error"]["message"]
    huge = tiny_document(5)
    huge["width"] = 100_000  # over the default max_dimension, for the main key too
    r = httpx.post(f"{service.url}/v1/renders", json=huge, headers={"Authorization": f"Bearer {MAIN_KEY}"})
    assert r.status_code == 413
    assert r.json()["error"]["issues"][0]["path"] == "width"


def test_keys(service: ServiceProcess) -> None:
    doc = tiny_document(2)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"X-API-Key": "wrong"},
        {"Authorization": MAIN_KEY},
    ):
        r = httpx.post(f"{service.url}/v1/renders", json=doc, headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["type"] == "Unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{service.url}/v1/renders/abc").status_code == 401
    # a job is visible to its own key only
    with httpx.Client(base_url=service.url, headers={"X-API-Key": MAIN_KEY}) as main:
        job = main.post("/v1/renders", json=doc).json()["id"]
        other = httpx.get(f"{service.url}/v1/renders/{job}", headers={"X-API-Key": SMALL_KEY})
        assert other.status_code == 404
        assert main.get("/v1/renders/does-not-exist").status_code == 404
        wait_status(main, job, ("done",))


def test_concurrency_limit_is_429_and_cancel_leaves_nothing(service: ServiceProcess) -> None:
    with httpx.Client(base_url=service.url, headers={"X-API-Key": SMALL_KEY}, timeout=30) as small:
        _concurrency_and_cancel(small, service)


def _concurrency_and_cancel(small: httpx.Client, service: ServiceProcess) -> None:
    first = small.post("/v1/renders", json=long_document())
    assert first.status_code == 202, first.text
    job = first.json()["id"]
    second = small.post("/v1/renders", json=tiny_document(2))
    assert second.status_code == 429
    assert second.json()["error"]["type"] == "TooManyJobs"
    state = wait_status(small, job, ("running",), predicate=lambda s: s["frames_done"] > 0)
    assert small.get(f"/v1/renders/{job}/output").status_code == 409
    t0 = time.monotonic()
    cancelled = small.delete(f"/v1/renders/{job}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    # the render stopped and cleaned up before DELETE answered (the farm: within its heartbeat)
    assert time.monotonic() - t0 < (2.0 if service.args[0] != "--broker" else 3.5)
    state = small.get(f"/v1/renders/{job}").json()
    assert state["status"] == "cancelled"
    assert state["error"]["type"] == "RenderCancelled"
    assert small.get(f"/v1/renders/{job}/output").status_code == 409
    assert small.delete(f"/v1/renders/{job}").status_code == 409
    # nothing left behind: no output, no work folder, no temporary or partial file naming the job
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        leftovers = [p for p in service.data_dir.rglob("*") if job in p.name]
        if not leftovers:
            break
        time.sleep(0.2)
    assert leftovers == []
    # the slot is free again
    again = small.post("/v1/renders", json=tiny_document(2))
    assert again.status_code == 202
    wait_status(small, again.json()["id"], ("done",))


def test_cancel_a_queued_job(client: httpx.Client, service: ServiceProcess) -> None:
    blockers = [client.post("/v1/renders", json=long_document(20)).json()["id"] for _ in range(2)]
    if service.args[0] != "--broker":  # two render processes, both busy: the next job waits
        for job in blockers:
            wait_status(client, job, ("running",))
    queued = client.post("/v1/renders", json=tiny_document(3)).json()["id"]
    r = client.delete(f"/v1/renders/{queued}")
    states = [client.get(f"/v1/renders/{job}").json() for job in blockers]
    assert r.status_code == 200, (r.text, states)
    assert r.json()["status"] == "cancelled"
    for job in blockers:
        client.delete(f"/v1/renders/{job}")
    time.sleep(0.5)
    assert client.get(f"/v1/renders/{queued}").json()["status"] == "cancelled"
    assert client.get(f"/v1/renders/{queued}").json()["runs"] == 0
    assert client.delete("/v1/renders/unknown").status_code == 404


def test_idempotency_key(client: httpx.Client) -> None:
    doc = tiny_document(2, color="#00ff00")
    key = f"idem-{time.time_ns()}"
    first = client.post("/v1/renders", json=doc, headers={"Idempotency-Key": key})
    again = client.post("/v1/renders", json=doc, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/v1/renders", json=tiny_document(3), headers={"Idempotency-Key": key})
    assert other.status_code == 409
    assert other.json()["error"]["type"] == "IdempotencyConflict"
    fresh = client.post("/v1/renders", json=doc)
    assert fresh.json()["id"] != first.json()["id"]
    for job in (first.json()["id"], fresh.json()["id"]):
        wait_status(client, job, ("done",))


# ---------------------------------------------------------------------------------------------- stills, validate


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("jpeg", b"\xff\xd8\xff"), ("webp", b"RIFF")]
)
def test_frames(client: httpx.Client, fmt: str, magic: bytes) -> None:
    from PIL import Image

    doc = tiny_document(5)
    r = client.post("/v1/frames", json={"document": doc, "frame": 4, "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"image/{fmt}"
    assert r.content.startswith(magic)
    image = Image.open(io.BytesIO(r.content))
    assert image.size == (64, 48)
    by_time = client.post("/v1/frames", json={"document": doc, "time": 0.41, "format": "png"})
    assert by_time.content == client.post("/v1/frames", json={"document": doc, "frame": 4}).content


def test_frames_errors(client: httpx.Client) -> None:
    doc = tiny_document(5)
    for body, path in (({"document": doc, "frame": 5}, "frame"), ({"document": doc, "time": 9}, "time"),
                       ({"document": doc, "format": "gif"}, "format")):  # fmt: skip
        r = client.post("/v1/frames", json=body)
        assert r.status_code == 422
        assert r.json()["error"]["issues"][0]["path"] == path
    assert client.post("/v1/frames", json={"document": INVALID}).status_code == 422


def test_validate_is_probe_json(client: httpx.Client, tmp_path: Path) -> None:
    doc = tiny_document(7)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    assert run(["probe", "--json", str(path)], stdout=out, stderr=io.StringIO(), environ={}) == 0
    r = client.post("/v1/validate", json=doc)
    assert r.status_code == 200
    assert r.json() == json.loads(out.getvalue())
    bad = client.post("/v1/validate", json={"document": INVALID})
    assert bad.status_code == 422
    assert bad.json()["error"]["issues"]


def test_media_outside_the_root_is_refused(client: httpx.Client) -> None:
    doc = tiny_document(2)
    doc["layers"].append(
        {
            "id": "img",
            "type": "image",
            "settings": {
                "enabled": True,
                "startTime": 0,
                "sourceDuration": 0.2,
                "source": "../../etc/passwd",
            },
            "properties": {},
        }
    )
    r = client.post("/v1/renders", json=doc)
    assert r.status_code == 202, r.text
    state = wait_status(client, r.json()["id"], ("done", "failed"))
    if state["status"] == "done":  # embedded: lenient, the layer is skipped with a warning
        assert any("outside the allowed folders" in w for w in state["warnings"]), state
    else:  # the farm resolves media strictly
        assert state["error"]["type"] in ("AssetError", "MissingAssetError"), state


# ---------------------------------------------------------------------------------------------- webhooks


def test_webhook_signed_and_retried(client: httpx.Client, hook_receiver: HookReceiver) -> None:
    r = client.post("/v1/renders", json={"document": tiny_document(3), "webhook": {"url": hook_receiver.url}})
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    state = wait_status(client, job, ("done",), timeout=60,
                        predicate=lambda s: s["webhook"]["state"] == "delivered")  # fmt: skip
    attempts = state["webhook"]["attempts"]
    assert [a["status_code"] for a in attempts] == [500, 500, 204]
    assert attempts[0]["error"] == "HTTP 500"
    assert [code for code, _h, _b in hook_receiver.received] == [500, 500, 204]
    verifier = Webhook(WEBHOOK_SECRET)
    ids = set()
    for _code, headers, body in hook_receiver.received:
        payload = verifier.verify(body, headers)
        assert payload == {"id": job, "status": "done", "output": state["output"]["url"], "error": None}
        ids.add(headers["webhook-id"])
    assert len(ids) == 1  # one message, retried: receivers can drop duplicates by its id
    tampered = dict(hook_receiver.received[-1][1])
    with pytest.raises(Exception, match="signature"):
        verifier.verify(hook_receiver.received[-1][2].replace(b"done", b"done "), tampered)


def test_webhook_to_loopback_is_refused(client: httpx.Client) -> None:
    for url in (
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
        "ftp://example.com/x",
    ):
        r = client.post("/v1/renders", json={"document": tiny_document(2), "webhook": {"url": url}})
        assert r.status_code == 422, url
        error = r.json()["error"]
        assert error["issues"][0]["path"] == "webhook.url"
    assert HOOK_HOST != "127.0.0.1"  # the receiver's address is admitted by --allow-private-network only


def test_strict_option(client: httpx.Client) -> None:
    doc = {**tiny_document(2), "myAppData": {"userId": 7}}  # apps keep their own data in documents
    lenient = client.post("/v1/renders", json={"document": doc})
    assert lenient.status_code == 202, lenient.text
    state = wait_status(client, lenient.json()["id"], ("done", "failed"))
    assert state["status"] == "done", state
    if state["runs"]:  # embedded (the farm's status carries no warnings yet)
        assert any(w.startswith("myAppData: unknown field") for w in state["warnings"]), state
    strict = client.post("/v1/renders", json={"document": doc, "options": {"strict": True}})
    assert strict.status_code == 422
    assert [i["path"] for i in strict.json()["error"]["issues"]] == ["myAppData"]
    assert client.post("/v1/validate", json={"document": doc, "options": {"strict": True}}).status_code == 422


def test_batch(client: httpx.Client, service: ServiceProcess, tmp_path: Path) -> None:
    docs = [tiny_document(n, color=c) for n, c in ((2, "#ff0000"), (3, "#00ff00"), (4, "#0000ff"))]
    r = client.post("/v1/batches", json={"renders": [docs[0], {"document": docs[1]},
                                                      {"document": docs[2], "options": {"fps": 20}}]})  # fmt: skip
    assert r.status_code == 202, r.text
    body = r.json()
    assert len(body["renders"]) == 3
    assert all(item["status"] == "queued" for item in body["renders"])
    jobs = [item["id"] for item in body["renders"]]
    finals = [wait_status(client, job, ("done", "failed")) for job in jobs]
    assert [s["status"] for s in finals] == ["done"] * 3, finals
    assert [s["frames_total"] for s in finals] == [2, 3, 8]
    for job, state in zip(jobs, finals, strict=True):
        path = tmp_path / f"{job}.mp4"
        path.write_bytes(client.get(f"/v1/renders/{job}/output").content)
        assert frame_count(path) == state["frames_total"]
    totals = client.get(body["links"]["self"]).json()
    assert totals["status"] == "done"
    assert totals["counts"] == {"done": 3}
    assert totals["frames_done"] == totals["frames_total"] == 13
    assert [item["id"] for item in totals["renders"]] == jobs
    # all or nothing: one bad document queues none, and its problems carry the item's index
    before = _total_jobs(client)
    bad = client.post(
        "/v1/batches", json={"renders": [docs[0], INVALID, {"document": docs[1], "options": {"fps": 0}}]}
    )
    assert bad.status_code == 422
    paths = [i["path"] for i in bad.json()["error"]["issues"]]
    assert "renders[1].width" in paths
    assert "renders[2].options.fps" in paths
    assert not any(p.startswith("renders[0]") for p in paths)
    assert _total_jobs(client) == before
    assert client.post("/v1/batches", json={"renders": []}).status_code == 422
    with httpx.Client(base_url=service.url, headers={"X-API-Key": SMALL_KEY}) as small:
        over = small.post("/v1/batches", json={"renders": [docs[0], docs[1]]})  # concurrency 1
        assert over.status_code == 429
    assert client.get("/v1/batches/nope").status_code == 404


def test_media_urls_follow_the_network_policy(service: ServiceProcess, media_server: str) -> None:
    def image_doc(url: str) -> dict[str, object]:
        doc = tiny_document(2)
        doc["layers"].append({"id": "dot", "type": "image", "properties": {},
                              "settings": {"enabled": True, "startTime": 0, "sourceDuration": 0.2, "source": url}})  # fmt: skip
        return doc

    with Client(service.url, MAIN_KEY) as client:
        allowed = client.render(image_doc(f"{media_server}/dot.png"))  # 127.0.0.2: admitted
        assert isinstance(allowed, RenderResult)
        assert allowed.warnings == ()
        port = media_server.rsplit(":", 1)[1]
        loopback = image_doc(f"http://127.0.0.1:{port}/dot.png")  # not admitted
        if service.args[0] != "--broker":  # embedded: lenient media, the layer is skipped with a warning
            refused = client.render(loopback)
            assert isinstance(refused, RenderResult)
            assert any("loopback" in w and "refused" in w for w in refused.warnings), refused.warnings
        else:  # the farm is strict about media: the job fails with the refusal
            with pytest.raises(vfnative.AssetError, match="loopback"):
                client.render(loopback)


def test_webhook_gives_up_after_every_attempt(embedded_service: ServiceProcess) -> None:
    """Delivery is the service's, the same for both backends: checked once, on the embedded one."""
    receiver = HookReceiver(fail_first=100)
    auth = {"Authorization": f"Bearer {MAIN_KEY}"}
    try:
        with httpx.Client(base_url=embedded_service.url, headers=auth, timeout=30) as client:
            r = client.post("/v1/renders", json={"document": tiny_document(2), "webhook": {"url": receiver.url}})
            state = wait_status(client, r.json()["id"], ("done",), timeout=60,
                                predicate=lambda s: s["webhook"]["state"] == "failed")  # fmt: skip
    finally:
        receiver.close()
    attempts = state["webhook"]["attempts"]
    assert len(attempts) == 6  # the first and one after each of the five delays
    assert len(receiver.received) == 6
    gaps = [b["at"] - a["at"] for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == sorted(gaps)  # backing off
