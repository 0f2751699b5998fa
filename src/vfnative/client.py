"""A small Python client for the render service (`vfnative serve`): `Client(url, key).render(doc, wait=True)`.

Usage::

    from vfnative.client import Client

    with Client("http://127.0.0.1:8000", key="...") as client:
        result = client.render("doc.json", output="out.mp4")     # waits, downloads, returns RenderResult
        print(result.frames, result.seconds, result.warnings)
        job = client.submit(doc, options={"preset": "draft"}, webhook="https://app.example/hooks/vf")
        client.status(job)["status"]

Needs httpx (the ``server`` extra). Errors come back as the library's: a 422 is a `DocumentError` with
the same issues, a failed job raises the error type it failed with (`AssetError`, `RenderError`, ...).
Imports httpx, `vfnative.errors` and the standard library; nothing of the engine.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from vfnative import errors

__all__ = ["Client", "RenderResult", "ServiceError"]

_FINAL = ("done", "failed", "cancelled")


class ServiceError(Exception):
    """A service answer that is not a document or render error (401, 404, 409, 429, 5xx)."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        error = body.get("error") or {}
        super().__init__(f"HTTP {status}: {error.get('type')}: {error.get('message')}")
        self.status = status
        self.type = error.get("type")
        self.issues = error.get("issues") or []


@dataclass(frozen=True)
class RenderResult:
    """What a finished render produced, like `vfnative.RenderReport` (plus the job id and URL)."""

    id: str
    output: Path | None
    """The downloaded MP4, when `render(output=...)` was given; else None (see `url`)."""
    url: str
    frames: int
    seconds: float
    """Render wall seconds, as the service measured them."""
    width: int
    height: int
    fps: float
    size: int
    warnings: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    @property
    def realtime_factor(self) -> float:
        return self.duration_s / self.seconds if self.seconds > 0 else float("inf")


def _raise_job_error(error: Mapping[str, Any]) -> None:
    kind = getattr(errors, str(error.get("type")), None)
    message = str(error.get("message"))
    if isinstance(kind, type) and issubclass(kind, errors.DocumentError):
        raise kind(message, path=error.get("path"))
    if isinstance(kind, type) and issubclass(kind, errors.VfnativeError):
        raise kind(message, path=error.get("path"), frame=error.get("frame"))
    raise errors.RenderError(f"{error.get('type')}: {message}", path=error.get("path"))


class Client:
    """HTTP client of one render service; `key` is sent as ``Authorization: Bearer``."""

    def __init__(self, url: str, key: str | None = None, *, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def __repr__(self) -> str:
        return f"<vfnative.client.Client {self.url}>"

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ requests

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.is_success or response.status_code in (202, 206, 307):
            return response
        try:
            body = response.json()
        except ValueError:
            body = {"error": {"type": "HTTPError", "message": response.text[:500]}}
        error = body.get("error") or {}
        if response.status_code in (413, 422) and error.get("type") in ("DocumentError", "TimecodeError"):
            issues = [errors.DocumentIssue(i["path"], i["message"]) for i in error.get("issues") or []]
            raise errors.DocumentError(issues or str(error.get("message")))
        if response.status_code == 422 and error.get("type") in ("AssetError", "MissingAssetError"):
            raise errors.AssetError(str(error.get("message")))
        raise ServiceError(response.status_code, body)

    @staticmethod
    def _document(doc: Any) -> Any:
        if isinstance(doc, Mapping):
            return dict(doc)
        if hasattr(doc, "to_json"):
            return json.loads(doc.to_json())
        if isinstance(doc, bytes):
            return json.loads(doc)
        if isinstance(doc, str) and doc.lstrip().startswith("{"):
            return json.loads(doc)
        return json.loads(Path(os.fspath(doc)).read_text(encoding="utf-8"))

    def submit(
        self,
        doc: Any,
        *,
        options: Mapping[str, Any] | None = None,
        webhook: str | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """Queue a render of `doc` (a path, JSON text, dict or VideoJSON); returns the job id."""
        body: dict[str, Any] = {"document": self._document(doc)}
        if options:
            body["options"] = dict(options)
        if webhook:
            body["webhook"] = {"url": webhook}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = self._check(self._http.post("/v1/renders", json=body, headers=headers))
        return str(response.json()["id"])

    def status(self, job: str) -> dict[str, Any]:
        """The job's status JSON (``GET /v1/renders/{id}``)."""
        return dict(self._check(self._http.get(f"/v1/renders/{job}")).json())

    def cancel(self, job: str) -> dict[str, Any]:
        """Cancel a queued or running job; returns its status."""
        return dict(self._check(self._http.delete(f"/v1/renders/{job}")).json())

    def wait(self, job: str, *, timeout: float | None = None, poll_s: float = 0.25) -> dict[str, Any]:
        """Poll until the job ends; returns its final status. Raises the job's error if it failed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            state = self.status(job)
            if state["status"] in _FINAL:
                if state["status"] != "done":
                    _raise_job_error(
                        state.get("error") or {"type": "RenderCancelled", "message": state["status"]}
                    )
                return state
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job}: still {state['status']} after {timeout:g} s")
            time.sleep(poll_s)

    def download(self, job: str, output: str | os.PathLike[str]) -> Path:
        """Save the job's MP4 to `output` (through a temporary file; follows a storage redirect)."""
        target = Path(output)
        tmp = target.with_name(f".{target.name}.part")
        try:
            with self._http.stream("GET", f"/v1/renders/{job}/output", follow_redirects=True) as response:
                if not response.is_success:
                    response.read()
                    self._check(response)
                with tmp.open("wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target

    def render(
        self,
        doc: Any,
        output: str | os.PathLike[str] | None = None,
        *,
        wait: bool = True,
        options: Mapping[str, Any] | None = None,
        webhook: str | None = None,
        timeout: float | None = None,
        poll_s: float = 0.25,
    ) -> RenderResult | str:
        """Render `doc` on the service. With `wait` (the default) returns a `RenderResult` once the job is
        done (downloading the MP4 to `output` when given); without it, the job id at once."""
        job = self.submit(doc, options=options, webhook=webhook)
        if not wait:
            return job
        state = self.wait(job, timeout=timeout, poll_s=poll_s)
        out = state.get("output") or {}
        path = self.download(job, output) if output is not None else None
        return RenderResult(
            id=job,
            output=path,
            url=str(out.get("url")),
            frames=int(out.get("frames") or 0),
            seconds=float(out.get("render_seconds") or 0.0),
            width=int(out.get("width") or 0),
            height=int(out.get("height") or 0),
            fps=float(out.get("fps") or 0.0),
            size=int(out.get("size") or 0),
            warnings=tuple(state.get("warnings") or ()),
        )

    def frame(self, doc: Any, *, frame: int | None = None, time_s: float | None = None, fmt: str = "png",
              options: Mapping[str, Any] | None = None) -> bytes:  # fmt: skip
        """One still (``POST /v1/frames``): PNG, JPEG or WebP bytes."""
        body: dict[str, Any] = {"document": self._document(doc), "format": fmt}
        if frame is not None:
            body["frame"] = frame
        if time_s is not None:
            body["time"] = time_s
        if options:
            body["options"] = dict(options)
        return self._check(self._http.post("/v1/frames", json=body)).content

    def validate(self, doc: Any) -> dict[str, Any]:
        """What `vfnative probe --json` prints, or `DocumentError` with every issue."""
        return dict(self._check(self._http.post("/v1/validate", json=self._document(doc))).json())
