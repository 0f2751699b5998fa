"""HTTP errors: one exception type and one set of handlers that map the vfnative error tree to statuses.

Every error body is ``{"error": {"type", "message", "issues": [{"path", "message"}]}}``, the same
paths and messages as the CLI prints before exit 3. As `cli/main.py` maps errors to exit codes in
one place, this module maps them to HTTP statuses in one place:

    DocumentError → 422 (413 when every issue is an exceeded `Limits` cap) · AssetError → 422
    RenderError, EncodeError → 500 · request validation → 422 · unknown routes → 404 · bugs → 500 with
    an id that finds the log line.

Imports fastapi/starlette and `vfnative.errors`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vfnative.errors import AssetError, DocumentError, VfnativeError, format_docpath

__all__ = ["ApiError", "error_body", "install_handlers", "is_limit_error"]

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered as JSON with `status`; `issues` are ``(path, message)`` pairs."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        issues: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message
        self.issues = list(issues)
        self.headers = headers

    @classmethod
    def from_vfnative(cls, exc: VfnativeError) -> ApiError:
        if isinstance(exc, DocumentError):
            issues = [(i.path, i.message) for i in exc.issues]
            status = 413 if is_limit_error(exc) else 422
            return cls(status, type(exc).__name__, exc.message, issues)
        path = exc.path or (f"source {exc.source}" if exc.source else "<document>")
        if isinstance(exc, AssetError):
            return cls(422, type(exc).__name__, exc.message, [(path, exc.message)])
        return cls(500, type(exc).__name__, exc.message, [(path, exc.message)] if exc.path else [])

    def response(self) -> JSONResponse:
        return JSONResponse(
            error_body(self.type, self.message, self.issues), self.status, headers=self.headers
        )


def error_body(type_: str, message: str, issues: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    return {
        "error": {"type": type_, "message": message, "issues": [{"path": p, "message": m} for p, m in issues]}
    }


def is_limit_error(exc: DocumentError) -> bool:
    """True when every issue is a `Limits` cap (their messages name ``limit max_…``)."""
    return bool(exc.issues) and all("(limit max_" in issue.message for issue in exc.issues)


def install_handlers(app: FastAPI) -> None:
    """The one place errors become HTTP responses."""

    @app.exception_handler(ApiError)
    async def _api(_request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(VfnativeError)
    async def _vfnative(_request: Request, exc: VfnativeError) -> JSONResponse:
        return ApiError.from_vfnative(exc).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = []
        for err in exc.errors():
            loc = [p for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
            issues.append((format_docpath(loc), str(err.get("msg", "invalid"))))
        message = "; ".join(f"{p}: {m}" for p, m in issues) or "invalid request"
        return ApiError(422, "RequestError", message, issues).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return ApiError(
            exc.status_code, "HTTPError", str(exc.detail), headers=getattr(exc, "headers", None)
        ).response()

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        error_id = uuid.uuid4().hex[:12]
        log.error("error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
        return ApiError(
            500, "InternalError", f"unexpected error (id {error_id} in the service log)"
        ).response()
