"""`create_app(settings)`: the FastAPI application of the render service, its routes and dependencies.

Routes (API v1)::

    POST   /v1/renders             a document (bare, or {"document", "options", "webhook"}) → 202 job
    GET    /v1/renders/{id}        status, frames, warnings, error, timestamps, output size/duration
    GET    /v1/renders/{id}/output the MP4 (byte ranges), or a redirect to the object store; 409 until done
    DELETE /v1/renders/{id}        cancel: the render stops within 2 s and leaves no file
    POST   /v1/frames              one still (png, jpeg, webp), synchronously
    POST   /v1/validate            what `vfnative probe --json` prints, or 422
    GET    /healthz /readyz /metrics /openapi.json /docs

Dependencies are named types, so each route's signature says what it needs: `ServiceDep` (the running
service), `JobStoreDep` and `ApiKeyDep` (authentication lives there and nowhere else).
Imports fastapi, the service's modules and `vfnative` (the api, settings and errors).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

import vfnative
from vfnative.errors import DocumentError, DocumentIssue, VfnativeError
from vfnative.service.backends import Backend, make_backend
from vfnative.service.errors import ApiError, install_handlers
from vfnative.service.keys import ANONYMOUS, ApiKey
from vfnative.service.metrics import CONTENT_TYPE, Metrics
from vfnative.service.options import check_options, load_document, render_settings, source_policy
from vfnative.service.settings import ServiceSettings
from vfnative.service.store import ACTIVE, Job, JobStore, OverConcurrency
from vfnative.service.webhooks import WebhookRefused, check_url, deliver
from vfnative.settings import Limits

__all__ = ["ApiKeyDep", "JobStoreDep", "Service", "ServiceDep", "create_app"]

log = logging.getLogger(__name__)

MAX_BATCH = 1000
"""Documents in one POST /v1/batches."""
ENVELOPE_BYTES = 64 * 1024
"""Room for the request's envelope (options, webhook) on top of `Limits.max_document_bytes`."""
_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"example": {"error": {
        "type": kind, "message": text, "issues": [{"path": "layers[0].settings.startTime", "message": "..."}]}}}}}
    for code, kind, text in (
        (401, "Unauthorized", "missing or invalid API key"),
        (404, "HTTPError", "no such job"),
        (409, "Conflict", "the job is not in a state that allows this"),
        (413, "DocumentError", "the document is over the limits"),
        (422, "DocumentError", "the document or request is invalid"),
        (429, "TooManyJobs", "the key is over its concurrency limit"),
    )
}  # fmt: skip


# ---------------------------------------------------------------------------------------------- service


class Service:
    """One running service: settings, job store, backend, metrics and the background watcher."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        data = settings.data_path
        (data / "outputs").mkdir(parents=True, exist_ok=True)
        self.store = JobStore(data / "jobs.sqlite3")
        self.metrics = Metrics(self.store.counts)
        self.backend: Backend = make_backend(settings, self.store)
        self.stills = threading.Semaphore(2)
        self._lock_file: Any = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._hooks = ThreadPoolExecutor(4, thread_name_prefix="vfnative-webhook")
        self._sending: set[str] = set()

    def __repr__(self) -> str:
        return f"<Service {self.backend.name} {self.settings.data_path}>"

    def start(self) -> None:
        self._lock_file = open(self.settings.data_path / "service.lock", "w")  # noqa: SIM115 - held while running
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise RuntimeError(
                f"{self.settings.data_path}: another vfnative service uses this data folder"
            ) from None
        self.store.resume_webhooks()
        self.backend.start()
        self._watcher = threading.Thread(target=self._watch, name="vfnative-watcher", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(5)
        self.backend.stop()
        self._hooks.shutdown(wait=True, cancel_futures=True)
        self.store.close()
        if self._lock_file is not None:
            self._lock_file.close()

    def secret_for(self, key_name: str) -> str | None:
        for key in self.settings.keys:
            if key.name == key_name:
                return key.webhook_secret
        return self.settings.anonymous_webhook_secret if not self.settings.keys else None

    def limits_for(self, key: ApiKey) -> Limits:
        return key.limits or self.settings.limits

    def _watch(self) -> None:
        """Every 0.1 s: farm state, metrics of finished jobs, due webhooks."""
        while not self._stop.wait(0.1):
            try:
                self.backend.poll()
                for job in self.store.newly_finished():
                    self.metrics.observe_finished(job)
                for job in self.store.due_webhooks(time.time()):
                    self._hooks.submit(self._deliver, job)
            except Exception:
                log.exception("service watcher")

    def _deliver(self, job: Job) -> None:
        base = job.options.get("_base_url", "")
        deliver(
            self.store,
            job,
            secret=self.secret_for(job.key_name),
            output_url=f"{base}/v1/renders/{job.id}/output" if base else None,
            allowed_networks=self.settings.allowed_networks,
            delays_s=self.settings.webhook_delays_s,
            timeout_s=self.settings.webhook_timeout_s,
            on_result=lambda outcome: self.metrics.webhooks.labels(outcome).inc(),
        )


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


async def get_store(service: ServiceDep) -> JobStore:
    return service.store


JobStoreDep = Annotated[JobStore, Depends(get_store)]


async def get_api_key(
    service: ServiceDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> ApiKey:
    """The caller's key from ``Authorization: Bearer KEY`` or ``X-API-Key: KEY`` (401 otherwise)."""
    keys = service.settings.keys
    if not keys:
        return ANONYMOUS
    given = x_api_key
    if given is None and authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip()
    if given:
        for key in keys:
            if key.matches(given):
                return key
    raise ApiError(
        401,
        "Unauthorized",
        "a valid API key is required (Authorization: Bearer KEY, or X-API-Key: KEY)",
        headers={"WWW-Authenticate": "Bearer"},
    )


ApiKeyDep = Annotated[ApiKey, Depends(get_api_key)]


# ---------------------------------------------------------------------------------------------- helpers


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes (413 beyond, without reading the rest)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise _too_large(int(length), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> ApiError:
    message = f"expected at most {limit} bytes of request (limit max_document_bytes); got {size} or more"
    return ApiError(413, "DocumentError", message, [("<document>", message)])


def _split_request(body: bytes) -> tuple[str | bytes, dict[str, Any]]:
    """(document JSON, envelope) from a wrapped ``{"document", ...}`` or a bare document.

    A bare or unparsable body goes to `vfnative.load` as it came, so its errors are the CLI's."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body, {}
    if isinstance(data, dict) and isinstance(data.get("document"), dict):
        envelope = {k: v for k, v in data.items() if k != "document"}
        unknown = sorted(set(envelope) - {"options", "webhook", "output", "frame", "time", "format"})
        if unknown:
            raise ApiError(422, "RequestError", f"unknown field(s) {unknown} next to 'document'",
                           [(name, "unknown field") for name in unknown])  # fmt: skip
        return json.dumps(data["document"], allow_nan=True), envelope
    return body, {}


def _check_fetch_fonts(service: Any, options: dict[str, Any]) -> None:
    """``options.fetch_fonts`` renders in the embedded backend only: farm workers build their own
    renderers from the job, which carries no font fetching (422 instead of silently dropping it)."""
    if options.get("fetch_fonts") and service.settings.broker:
        raise ApiError(422, "RequestError", "options.fetch_fonts: not available with the farm backend (--broker)",
                       [("options.fetch_fonts", "not available with the farm backend (--broker)")])  # fmt: skip


def _check_sources(doc: Any, media_root: Any) -> None:
    """Without --media-root a document may name only URLs and data: URIs (422 for a local path)."""
    if media_root is not None:
        return
    issues = []
    for path, layer in doc.walk_layers():
        source = getattr(layer.settings, "source", None)
        if (
            isinstance(source, str)
            and source
            and not source.lower().startswith(("http://", "https://", "data:"))
        ):
            issues.append(DocumentIssue(
                f"{path}.settings.source",
                f"local paths are not accepted by this service (it was started without --media-root); "
                f"use an http(s) URL or a data: URI; got {source[:200]!r}",
            ))  # fmt: skip
    if issues:
        raise DocumentError(issues)


def _output_for(settings: ServiceSettings, job_id: str, requested: object, prefix: str = "") -> str:
    """Where a job's MP4 goes: the request's ``output`` (an object URL under --output-prefix), else
    ``<output prefix>/<id>.mp4``, else ``<data dir>/outputs/<id>.mp4``. Clients never pick server paths."""
    from vfnative import storage

    base = settings.output_prefix
    if requested is None:
        if base:
            return storage.join(base, f"{job_id}.mp4")
        return str(settings.data_path / "outputs" / f"{job_id}.mp4")
    path = f"{prefix}output"
    if not base or not storage.is_object_url(base):
        message = ("this service chooses output locations itself (an s3:// --output-prefix lets requests "
                   "name theirs)")  # fmt: skip
        raise ApiError(422, "RequestError", f"{path}: {message}", [(path, message)])
    root = base.rstrip("/") + "/"
    if (not isinstance(requested, str) or not requested.startswith(root) or not requested.endswith(".mp4")
            or "/../" in requested or "/./" in requested or "//" in requested[len(root) - 1:]):  # fmt: skip
        message = f"expected an .mp4 URL under {root}; got {requested!r}"
        raise ApiError(422, "RequestError", f"{path}: {message}", [(path, message)])
    return requested


def _frame_total(doc: Any) -> int:
    return max(0, math.floor(float(doc.duration) * float(doc.fps) + 0.5))


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds")


def _links(base: str, job_id: str) -> dict[str, str]:
    return {"self": f"{base}/v1/renders/{job_id}", "output": f"{base}/v1/renders/{job_id}/output"}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _status_body(job: Job, base: str) -> dict[str, Any]:
    result = job.result or {}
    output = None
    if job.status == "done":
        size = result.get("size")
        if size is None and job.output:
            from vfnative import storage

            with contextlib.suppress(Exception):  # a store that does not answer leaves the size unknown
                info = storage.stat(job.output)
                size = info.size if info is not None else None
        frames = result.get("frames") or job.frames_total
        fps = result.get("fps")
        output = {
            "url": f"{base}/v1/renders/{job.id}/output",
            "size": size,
            "duration_s": result.get("duration_s") or (frames / fps if frames and fps else None),
            "frames": frames,
            "width": result.get("width"),
            "height": result.get("height"),
            "fps": fps,
            "render_seconds": result.get("seconds"),
            "engine_seconds": result.get("engine_seconds"),
            "engine_cpu_seconds": result.get("engine_cpu_seconds"),
        }
    body: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "frames_done": job.frames_done,
        "frames_total": job.frames_total,
        "warnings": job.warnings or list(result.get("warnings") or ()),  # the farm's, in its result
        "error": job.error,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "output": output,
        "options": {k: v for k, v in job.options.items() if not k.startswith("_")},
        "runs": job.runs,
        "links": _links(base, job.id),
        "webhook": None,
    }
    if job.webhook_url:
        body["webhook"] = {
            "url": job.webhook_url,
            "state": job.webhook_state,
            "attempts": job.webhook_attempts,
        }
    return body


def _own_job(store: JobStore, key: ApiKey, job_id: str) -> Job:
    job = store.get(job_id)
    if job is None or job.key_name != key.name:
        raise ApiError(404, "NotFound", f"no render job {job_id!r}")
    return job


def _output_location(output: str) -> Path | str:
    """A local file, or a URL to redirect to: outputs in an object store get a presigned GET URL
    (`vfnative.storage.presign`, one hour)."""
    from vfnative import storage

    if storage.is_object_url(output):
        try:
            return storage.presign(output, expires_s=3600)
        except Exception as exc:
            raise ApiError(
                502, "StorageError", f"cannot presign {output!r}: {type(exc).__name__}: {exc}"
            ) from exc
    return Path(storage.display(output))


# ---------------------------------------------------------------------------------------------- app


def create_app(settings: ServiceSettings) -> FastAPI:
    """The render service as an ASGI app; render processes start and stop with its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings)
        await run_in_threadpool(service.start)
        app.state.service = service
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = FastAPI(
        title="vfnative render service",
        version=vfnative.__version__,
        description="POST a VideoJSON document, poll the job or receive a signed webhook, download the MP4.",
        lifespan=lifespan,
    )
    install_handlers(app)
    _routes(app)
    _document_schema_in_openapi(app)
    return app


def _document_schema_in_openapi(app: FastAPI) -> None:
    """Put the pydantic VideoJSON model's JSON schema into the OpenAPI components as ``VideoJSON``.

    The routes read their bodies themselves (a bare or wrapped document, errors with the CLI's paths),
    so FastAPI cannot infer the schema; it is added here, once, when /openapi.json is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from vfnative.model.document import VideoJSON

            schema = build()
            document = VideoJSON.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(document.pop("$defs", {}))
            components["VideoJSON"] = document
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _routes(app: FastAPI) -> None:  # noqa: C901 - one route per block
    render_request = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {
                "description": "A VideoJSON document, or {document, options, webhook, output}.",
                "anyOf": [{"$ref": "#/components/schemas/VideoJSON"}, {"type": "object", "required": ["document"],
                "properties": {
                    "document": {"$ref": "#/components/schemas/VideoJSON"},
                    "output": {"type": "string", "description": "an .mp4 URL under --output-prefix (s3://)"},
                    "frame": {"type": "integer", "minimum": 0, "description": "POST /v1/frames"},
                    "time": {"type": "number", "minimum": 0, "description": "POST /v1/frames, seconds"},
                    "format": {"enum": ["png", "jpeg", "webp"], "description": "POST /v1/frames"},
                    "options": {"type": "object", "properties": {
                        "preset": {"enum": ["draft", "standard", "high"]},
                        "width": {"type": "integer", "minimum": 2}, "height": {"type": "integer", "minimum": 2},
                        "scale": {"type": "number", "exclusiveMinimum": 0},
                        "fps": {"type": "number", "exclusiveMinimum": 0}, "strict": {"type": "boolean"},
                        "fetch_fonts": {"type": "boolean"}}},
                    "webhook": {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}},
                }}],
            }}},
        }
    }  # fmt: skip

    async def parse(
        request: Request, service: Service, key: ApiKey
    ) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
        """(loaded document, options, envelope, document JSON) — or 413/422 with the CLI's paths."""
        limits = service.limits_for(key)
        body = await _read_body(request, limits.max_document_bytes + ENVELOPE_BYTES)
        doc_text, envelope = _split_request(body)
        options = check_options(envelope.get("options"))
        _check_fetch_fonts(service, options)
        media_root = service.settings.media_root

        def load() -> Any:
            doc = load_document(
                doc_text, limits=limits, base_dir=media_root, strict=bool(options.get("strict"))
            )
            _check_sources(doc, media_root)
            return doc

        doc = await run_in_threadpool(load)
        text = doc_text.decode("utf-8") if isinstance(doc_text, bytes) else doc_text
        return doc, options, envelope, text

    def check_webhook(service: Service, key: ApiKey, webhook: Any, prefix: str = "") -> str | None:
        """The request's webhook URL after the SSRF check, or None; 422 naming ``webhook.url``."""
        if webhook is None:
            return None
        path = f"{prefix}webhook.url"
        if not isinstance(webhook, dict) or not isinstance(webhook.get("url"), str):
            raise ApiError(422, "RequestError", f'{path}: expected {{"url": "https://..."}}',
                           [(path, "expected a URL string")])  # fmt: skip
        url: str = webhook["url"]
        try:
            check_url(url, service.settings.allowed_networks)
        except WebhookRefused as exc:
            raise ApiError(422, "WebhookRefused", f"{path}: {exc}", [(path, str(exc))]) from None
        if not service.secret_for(key.name):
            message = "this key has no webhook signing secret (webhook_secret in --keys, or VFNATIVE_WEBHOOK_SECRET)"
            raise ApiError(422, "RequestError", f"{path}: {message}", [(path, message)])
        return url

    def renderer(
        service: Service, key: ApiKey, doc: Any, options: dict[str, Any], *, fetch_fonts: bool = False
    ) -> vfnative.Renderer:
        """A Renderer for the request; `fetch_fonts` (a still, not a job's checks) honours
        ``options.fetch_fonts``: missing Google Fonts families fetched under the media policy."""
        settings = render_settings(options, service.limits_for(key))
        fetch: bool | str = False
        if fetch_fonts and options.get("fetch_fonts"):
            fetch = service.settings.fonts_url or True
        return vfnative.Renderer(
            doc,
            settings=settings,
            base_dir=service.settings.media_root,
            sources=source_policy(service.settings.media_root, service.settings.allowed_networks),
            strict=bool(options.get("strict")),
            fetch_fonts=fetch,
        )

    @app.post("/v1/renders", status_code=202, openapi_extra=render_request, responses=_ERROR_RESPONSES,
              tags=["renders"])  # fmt: skip
    async def create_render(
        request: Request,
        service: ServiceDep,
        key: ApiKeyDep,
        idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
    ) -> JSONResponse:
        """Accept a render job: 202 with its id, status and links."""
        started = time.perf_counter()
        limits = service.limits_for(key)
        raw = await _read_body(request, limits.max_document_bytes + ENVELOPE_BYTES)
        base = _base(request)

        def accept() -> tuple[Job, bool]:  # all the blocking work in one threadpool call
            doc_text, envelope = _split_request(raw)
            options = check_options(envelope.get("options"))
            _check_fetch_fonts(service, options)
            media_root = service.settings.media_root
            doc = load_document(
                doc_text, limits=limits, base_dir=media_root, strict=bool(options.get("strict"))
            )
            _check_sources(doc, media_root)
            text = doc_text.decode("utf-8") if isinstance(doc_text, bytes) else doc_text
            webhook_url = check_webhook(service, key, envelope.get("webhook"))
            with renderer(service, key, doc, options) as r:  # the options' size and fps, within limits
                frames_total = _frame_total(r.document)
            job_id = uuid.uuid4().hex
            output = _output_for(service.settings, job_id, envelope.get("output"))
            request_hash = hashlib.sha256(
                json.dumps([text, options, webhook_url, envelope.get("output")], sort_keys=True).encode(
                    "utf-8"
                )
            ).hexdigest()
            try:
                job, created = service.store.create(
                    job_id,
                    key_name=key.name,
                    document=text,
                    options={**options, "_base_url": base},
                    webhook_url=webhook_url,
                    frames_total=frames_total,
                    output=output,
                    concurrency=key.concurrency or service.settings.default_concurrency,
                    idempotency_key=idempotency_key,
                    request_hash=request_hash,
                )
            except OverConcurrency as exc:
                raise ApiError(429, "TooManyJobs", f"key {key.name!r} has {exc.active} active jobs; its "
                               f"concurrency limit is {exc.limit}", headers={"Retry-After": "1"}) from None  # fmt: skip
            if not created and job.request_hash != request_hash:
                raise ApiError(409, "IdempotencyConflict", f"Idempotency-Key {idempotency_key!r} was used for a "
                               f"different request (job {job.id})")  # fmt: skip
            if created:
                try:
                    service.backend.submitted(job)
                except Exception as exc:
                    service.store.cancel(job.id)
                    raise ApiError(
                        503, "BackendUnavailable", f"cannot queue the job: {type(exc).__name__}: {exc}"
                    ) from exc
            return job, created

        job, created = await run_in_threadpool(accept)
        if created:
            service.metrics.submit_seconds.observe(time.perf_counter() - started)
        links = _links(base, job.id)
        body = {"id": job.id, "status": job.status, "links": links}
        headers = {"Location": links["self"]}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(body, status_code=202, headers=headers)

    @app.post("/v1/batches", status_code=202, responses=_ERROR_RESPONSES, tags=["batches"], openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["renders"],
            "properties": {"renders": {"type": "array", "maxItems": MAX_BATCH, "items": {
                "type": "object", "description": "what POST /v1/renders takes (bare or wrapped)"}}}}}}}})  # fmt: skip
    async def create_batch(request: Request, service: ServiceDep, key: ApiKeyDep) -> JSONResponse:
        """Accept many render jobs at once, all or none: 202 with the batch id and one job per document.

        Every document is checked first; problems are listed with ``renders[i].`` in front of their paths.
        """
        started = time.perf_counter()
        limits = service.limits_for(key)
        body = await _read_body(request, limits.max_document_bytes + ENVELOPE_BYTES)

        def prepare() -> list[dict[str, Any]]:
            try:
                data = json.loads(body)
            except (ValueError, RecursionError) as exc:
                raise ApiError(
                    422, "RequestError", f"the body is not JSON: {exc}", [("<request>", str(exc))]
                ) from None
            items = data.get("renders") if isinstance(data, dict) else None
            if not isinstance(items, list) or not items:
                raise ApiError(422, "RequestError", 'expected {"renders": [document, ...]} with at least one document',
                               [("renders", "expected a non-empty list")])  # fmt: skip
            if len(items) > MAX_BATCH:
                raise ApiError(413, "RequestError", f"renders: expected at most {MAX_BATCH} documents; got {len(items)}",
                               [("renders", f"at most {MAX_BATCH} documents")])  # fmt: skip
            issues: list[tuple[str, str]] = []
            limit_only = True
            prepared: list[dict[str, Any]] = []
            for i, item in enumerate(items):
                prefix = f"renders[{i}]."
                try:
                    wrapped = isinstance(item, dict) and isinstance(item.get("document"), dict)
                    raw = item["document"] if wrapped else item
                    envelope = {k: v for k, v in item.items() if k != "document"} if wrapped else {}
                    unknown = sorted(set(envelope) - {"options", "webhook", "output"})
                    if unknown:
                        raise ApiError(422, "RequestError", f"unknown field(s) {unknown}",
                                       [(name, "unknown field") for name in unknown])  # fmt: skip
                    options = check_options(envelope.get("options"))
                    _check_fetch_fonts(service, options)
                    text = json.dumps(raw, allow_nan=True)
                    doc = load_document(text, limits=limits, base_dir=service.settings.media_root,
                                        strict=bool(options.get("strict")))  # fmt: skip
                    _check_sources(doc, service.settings.media_root)
                    webhook_url = check_webhook(service, key, envelope.get("webhook"))
                    with renderer(service, key, doc, options) as r:
                        frames_total = _frame_total(r.document)
                    job_id = uuid.uuid4().hex
                    output = _output_for(service.settings, job_id, envelope.get("output"))
                    prepared.append({"id": job_id, "text": text, "options": options, "webhook_url": webhook_url,
                                     "frames_total": frames_total, "output": output})  # fmt: skip
                except VfnativeError as exc:
                    error = ApiError.from_vfnative(exc)
                    limit_only = limit_only and error.status == 413
                    issues += [(prefix + p, m) for p, m in error.issues] or [
                        (prefix.rstrip("."), error.message)
                    ]
                except ApiError as exc:
                    limit_only = limit_only and exc.status == 413
                    issues += [(prefix + p, m) for p, m in exc.issues] or [(prefix.rstrip("."), exc.message)]
            if issues:
                status = 413 if limit_only else 422
                message = f"{len(issues)} problem(s) in the batch; nothing was queued"
                raise ApiError(status, "DocumentError", message, issues)
            return prepared

        prepared = await run_in_threadpool(prepare)
        base = _base(request)
        batch = uuid.uuid4().hex
        specs = [
            {"id": item["id"], "document": item["text"], "options": {**item["options"], "_base_url": base},
             "webhook_url": item["webhook_url"], "frames_total": item["frames_total"], "output": item["output"]}
            for item in prepared
        ]  # fmt: skip
        concurrency = key.concurrency or service.settings.default_concurrency
        try:
            jobs = await run_in_threadpool(
                lambda: service.store.create_many(
                    specs, key_name=key.name, concurrency=concurrency, batch=batch
                )
            )
        except OverConcurrency as exc:
            raise ApiError(429, "TooManyJobs", f"key {key.name!r} would have {exc.active} active jobs; its "
                           f"concurrency limit is {exc.limit}", headers={"Retry-After": "1"}) from None  # fmt: skip
        try:
            await run_in_threadpool(service.backend.submitted_many, jobs)
        except Exception as exc:
            for job in jobs:
                await run_in_threadpool(service.store.cancel, job.id)
            raise ApiError(
                503, "BackendUnavailable", f"cannot queue the batch: {type(exc).__name__}: {exc}"
            ) from exc
        service.metrics.submit_seconds.observe(time.perf_counter() - started)
        batch_url = f"{base}/v1/batches/{batch}"
        answer = {
            "id": batch,
            "renders": [{"id": j.id, "status": j.status, "links": _links(base, j.id)} for j in jobs],
            "links": {"self": batch_url},
        }
        return JSONResponse(answer, status_code=202, headers={"Location": batch_url})

    @app.get("/v1/batches/{batch_id}", responses=_ERROR_RESPONSES, tags=["batches"])
    def get_batch(batch_id: str, request: Request, service: ServiceDep, key: ApiKeyDep) -> dict[str, Any]:
        """A batch's totals (jobs by status, frames) and each job's status."""
        jobs = [j for j in service.store.batch_jobs(batch_id) if j.key_name == key.name]
        if not jobs:
            raise ApiError(404, "NotFound", f"no batch {batch_id!r}")
        jobs = [service.backend.refresh(j) for j in jobs]
        counts: dict[str, int] = {}
        for job in jobs:
            counts[job.status] = counts.get(job.status, 0) + 1
        active = any(j.status in ACTIVE for j in jobs)
        base = _base(request)
        return {
            "id": batch_id,
            "status": "running" if active else ("done" if counts.get("done") == len(jobs) else "failed"),
            "jobs": len(jobs),
            "counts": counts,
            "frames_done": sum(j.frames_done for j in jobs),
            "frames_total": sum(j.frames_total or 0 for j in jobs),
            "renders": [
                {
                    "id": j.id,
                    "status": j.status,
                    "frames_done": j.frames_done,
                    "frames_total": j.frames_total,
                    "error": j.error,
                    "links": _links(base, j.id),
                }
                for j in jobs
            ],  # fmt: skip
        }

    @app.get("/v1/renders/{job_id}", responses=_ERROR_RESPONSES, tags=["renders"])
    def get_render(job_id: str, request: Request, service: ServiceDep, key: ApiKeyDep) -> dict[str, Any]:
        """A job's status, progress, warnings, error, timestamps and (when done) its output's size."""
        job = _own_job(service.store, key, job_id)
        job = service.backend.refresh(job)
        return _status_body(job, _base(request))

    @app.get(
        "/v1/renders/{job_id}/output",
        responses={**_ERROR_RESPONSES, 200: {"content": {"video/mp4": {}}, "description": "the MP4"}},
        response_class=FileResponse,
        tags=["renders"],
    )
    def get_output(job_id: str, service: ServiceDep, key: ApiKeyDep) -> Response:
        """The MP4 (byte ranges supported), or a redirect to its presigned object-store URL; 409 until done."""
        job = service.backend.refresh(_own_job(service.store, key, job_id))
        if job.status != "done":
            why = {"failed": "the job failed", "cancelled": "the job was cancelled"}.get(
                job.status, f"the job is {job.status}"
            )
            raise ApiError(409, "NotReady", f"{why}; the output is available when the status is done")
        output = (job.result or {}).get("output") or job.output
        if not output:
            raise ApiError(500, "StorageError", "the job has no output recorded")
        where = _output_location(str(output))
        if isinstance(where, str):
            return RedirectResponse(where, status_code=307)
        if not where.is_file():
            raise ApiError(410, "Gone", "the output file is no longer there")
        return FileResponse(
            where, media_type="video/mp4", filename=f"{job.id}.mp4", content_disposition_type="inline"
        )

    @app.delete("/v1/renders/{job_id}", responses=_ERROR_RESPONSES, tags=["renders"])
    def cancel_render(job_id: str, request: Request, service: ServiceDep, key: ApiKeyDep) -> dict[str, Any]:
        """Cancel a queued or running job; a running render stops within 2 s and leaves no file."""
        job = service.backend.refresh(_own_job(service.store, key, job_id))
        if job.status not in ACTIVE:
            raise ApiError(409, "Conflict", f"the job is already {job.status}")
        job = service.backend.cancel(job)
        return _status_body(job, _base(request))

    @app.post(
        "/v1/frames",
        responses={
            **_ERROR_RESPONSES,
            200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}},
        },
        openapi_extra=render_request,
        tags=["stills"],
    )
    async def render_still(request: Request, service: ServiceDep, key: ApiKeyDep) -> Response:
        """One frame as PNG, JPEG or WebP: ``{"document", "frame" | "time", "format", "options"}``."""
        doc, options, envelope, _text = await parse(request, service, key)
        fmt = envelope.get("format", "png")
        if fmt not in ("png", "jpeg", "webp"):
            raise ApiError(422, "RequestError", f"format: expected png, jpeg or webp; got {fmt!r}",
                           [("format", "expected png, jpeg or webp")])  # fmt: skip
        frame_arg, time_arg = envelope.get("frame"), envelope.get("time")

        def draw() -> bytes:
            with service.stills, renderer(service, key, doc, options, fetch_fonts=True) as r:
                total = _frame_total(r.document)
                if frame_arg is not None:
                    if (
                        isinstance(frame_arg, bool)
                        or not isinstance(frame_arg, int)
                        or not 0 <= frame_arg < total
                    ):
                        raise ApiError(422, "RequestError", f"frame: expected 0 <= frame < {total}; got {frame_arg!r}",
                                       [("frame", f"expected an integer 0 <= frame < {total}")])  # fmt: skip
                    n = frame_arg
                elif time_arg is not None:
                    duration = float(r.document.duration)
                    if (isinstance(time_arg, bool) or not isinstance(time_arg, int | float)
                            or not 0 <= time_arg <= duration):  # fmt: skip
                        raise ApiError(
                            422,
                            "RequestError",
                            f"time: expected seconds 0 <= time <= {duration:g}; got {time_arg!r}",
                            [("time", f"expected seconds in [0, {duration:g}]")],
                        )
                    n = min(total - 1, math.floor(float(time_arg) * float(r.document.fps) + 1e-9))
                else:
                    n = 0
                pixels = r.render_frame(n)
            return _encode_image(pixels, fmt)

        data = await run_in_threadpool(draw)
        return Response(data, media_type=f"image/{fmt}")

    @app.post("/v1/validate", responses=_ERROR_RESPONSES, openapi_extra=render_request, tags=["renders"])
    async def validate(request: Request, service: ServiceDep, key: ApiKeyDep) -> dict[str, Any]:
        """Validate a document: what `vfnative probe --json` prints, or 422 with every issue."""
        doc, options, _envelope, _text = await parse(request, service, key)

        def probe() -> dict[str, Any]:
            with renderer(service, key, doc, options) as r:
                d = r.document
                counts: dict[str, int] = {}
                for _path, layer in d.walk_layers():
                    counts[layer.type] = counts.get(layer.type, 0) + 1
                return {
                    "name": d.name,
                    "width": d.width,
                    "height": d.height,
                    "fps": d.fps,
                    "duration": d.duration,
                    "frames": _frame_total(d),
                    "layers": sum(counts.values()),
                    "top_level_layers": len(d.layers),
                    "layer_types": dict(sorted(counts.items())),
                }

        return await run_in_threadpool(probe)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    def readyz(service: ServiceDep) -> JSONResponse:
        """The job database (embedded) or the broker (farm) answers, and jobs can run."""
        try:
            ok, detail = service.backend.ready()
        except Exception as exc:  # pragma: no cover - defensive
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        body = {"status": "ready" if ok else "not ready", "backend": service.backend.name, "detail": detail}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def metrics(service: ServiceDep) -> Response:
        """Prometheus text: jobs by status, queue depth, in-flight renders, render seconds, frames/s."""
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)


_SKIA_FORMATS: dict[str, str] = {"png": "kPNG", "jpeg": "kJPEG", "webp": "kWEBP"}


def _encode_image(pixels: Any, fmt: Literal["png", "jpeg", "webp"] | str) -> bytes:
    """(H, W, 4) straight-alpha RGBA → PNG / JPEG (quality 90) / WebP (quality 90) bytes, with Skia."""
    import skia

    image = skia.Image.fromarray(
        pixels, colorType=skia.ColorType.kRGBA_8888_ColorType, alphaType=skia.AlphaType.kUnpremul_AlphaType
    )
    data = image.encodeToData(
        getattr(skia.EncodedImageFormat, _SKIA_FORMATS[fmt]), 100 if fmt == "png" else 90
    )
    if data is None:
        raise VfnativeError(f"{fmt} encoding failed")
    return bytes(data)
