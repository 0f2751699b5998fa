"""load(path | JSON text | bytes | dict) -> VideoJSON, with every problem in one DocumentError.

Pydantic reports locations in its own terms (`layers.2.text.settings.startTime`, terse
messages); here they become document paths and `<path>: <what is wrong>; got <value>` lines
(`layers[2].settings.startTime: expected seconds >= 0; got -0.5`). All issues are reported at
once, so an author fixes a document in one pass. `Limits` are enforced here too: the JSON's size
before parsing, its structure (layers, nesting, text, keyframes) before validation, and the frame
size, duration and frame count right after (`model.limits`).

Lenient by default (`model.lenient`): what the reference ignores (unknown keys, unknown layer types,
unknown easing names) is dropped before validation and listed in `VideoJSON.warnings`, one line per
path. `strict=True` validates the document as written, so each of those is an issue of the
`DocumentError` instead, at the same path. Imports `model.*`, `settings` and `errors`.
"""

from __future__ import annotations

import difflib
import json
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from vfnative.errors import AssetError, DocumentError, DocumentIssue, MissingAssetError, format_docpath
from vfnative.model.animation import ISSUES_ERROR, Loc, describe_value
from vfnative.model.document import VideoJSON
from vfnative.model.layers import LAYER_TYPES
from vfnative.model.lenient import LENIENT_CONTEXT, relax
from vfnative.model.limits import check_document_bytes, check_size, check_structure
from vfnative.settings import Limits

__all__ = ["issues_from_validation_error", "load", "validate"]

_SECONDS_FIELDS = frozenset(
    {
        "duration",
        "startTime",
        "sourceDuration",
        "sourceStart",
        "mediaDuration",
        "sourceEnd",
        "endTime",
        "time",
    }
)
"""Aliases whose values are seconds, so bound messages can say `expected seconds >= 0`."""

_TYPE_MESSAGES = {
    "missing": "required field is missing",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "int_type": "expected an integer",
    "int_from_float": "expected an integer",
    "int_parsing": "expected an integer",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "none_required": "expected null",
}


def load(
    source: str | os.PathLike[str] | bytes | dict[str, Any] | VideoJSON,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    strict: bool = False,
) -> VideoJSON:
    """Read and validate a VideoJSON document, within `limits` (default: `Limits()`).

    * a path (or a str naming an existing file, or ending in `.json`) is read as UTF-8 JSON;
      `base_dir` defaults to the file's folder;
    * a str starting with `{` or `[`, or bytes, is JSON text; `base_dir` defaults to the cwd;
    * a dict is validated as is; a `VideoJSON` is passed through (re-based if `base_dir` is given).

    What the reference ignores is ignored and listed in the result's `warnings`; with `strict` it is
    an issue of the `DocumentError` (for a `VideoJSON` loaded leniently before, its warnings are).

    Raises `DocumentError` listing every problem (a limit exceeded names the limit), or
    `MissingAssetError` for a missing file.
    """
    limits = limits if limits is not None else Limits()
    if isinstance(source, VideoJSON):
        if strict and source.tolerated:
            raise DocumentError(source.tolerated)
        check_structure(source.to_dict(), limits)
        check_size(source, limits)
        if base_dir is None:
            return source
        doc = source.model_copy()
        doc._base_dir = Path(base_dir).resolve()
        return doc
    default_dir = Path.cwd()
    data: Any
    if isinstance(source, dict):
        data = source
    elif isinstance(source, bytes | bytearray):
        check_document_bytes(len(source), limits)
        data = _parse_json(_decode(bytes(source)))
    elif isinstance(source, str) and source.lstrip().startswith(("{", "[")):
        _check_text_size(source, limits)
        data = _parse_json(source)
    elif isinstance(source, str) and not _is_file_like(source):
        _check_text_size(source, limits)
        data = _parse_json(source, hint=" (and it is not the path of an existing file)")
    else:
        path = Path(source)
        data = _parse_json(_decode(_read(path, limits)))
        default_dir = path.resolve().parent
    doc = validate(data, limits, strict=strict)
    doc._base_dir = Path(base_dir).resolve() if base_dir is not None else default_dir
    return doc


def validate(data: object, limits: Limits | None = None, *, strict: bool = False) -> VideoJSON:
    """Validate already-parsed JSON data; every problem becomes one issue of a `DocumentError`.

    The structural limits are checked before pydantic sees the data, the size limits after.
    Lenient unless `strict` (see the module docstring).
    """
    limits = limits if limits is not None else Limits()
    if not isinstance(data, dict):
        raise DocumentError(f"expected a JSON object at the top level; got {_json_type(data)}")
    check_structure(data, limits)
    if strict:
        doc = _validate(data, None, None)
    else:
        relaxed = relax(data)
        try:
            doc = _validate(relaxed.data, LENIENT_CONTEXT, relaxed.original_loc)
        except DocumentError as exc:
            # The document fails anyway: a tolerated key with a close valid name may be the cause
            # (`"layer": []` for `"layers"`), so those are listed too.
            hints = [t.issue() for t in relaxed.tolerated if "did you mean" in t.problem]
            if not hints:
                raise
            raise DocumentError([*exc.issues, *hints]) from exc.__cause__
        doc._warnings = relaxed.warnings()
        doc._tolerated = tuple(t.issue() for t in relaxed.tolerated)
    check_size(doc, limits)
    return doc


def _validate(
    data: dict[str, Any], context: dict[str, Any] | None, remap: Callable[[Loc], Loc] | None
) -> VideoJSON:
    try:
        return VideoJSON.model_validate(data, context=context)
    except ValidationError as exc:
        raise DocumentError(issues_from_validation_error(exc, remap)) from exc
    except RecursionError as exc:  # only reachable with limits raised far past their defaults
        raise DocumentError("the document is nested too deeply to validate") from exc


def _json_type(value: object) -> str:
    """JSON's name for a parsed value's type (authors think in JSON, not Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def issues_from_validation_error(
    exc: ValidationError, remap: Callable[[Loc], Loc] | None = None
) -> list[DocumentIssue]:
    """Turn pydantic's errors into document-path issues, expanding bundled multi-issue errors.

    `remap` turns a location in the validated data into one in the document as written (lenient
    loading drops list items, `Relaxed.original_loc`).
    """
    where = remap or (lambda loc: loc)
    issues: list[DocumentIssue] = []
    for err in exc.errors(include_url=False):
        raw_loc = tuple(err["loc"])
        loc = _clean_loc(raw_loc)
        if err["type"] == ISSUES_ERROR:
            for sub, message in err.get("ctx", {}).get("issues", ()):
                issues.append(DocumentIssue(format_docpath(where((*loc, *sub))), message))
            continue
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")
        issues.append(DocumentIssue(format_docpath(where(loc)), _message(err, raw_loc)))
    return issues


# --------------------------------------------------------------------------- reading


def _is_file_like(text: str) -> bool:
    if text.lower().endswith(".json"):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # name too long, NUL byte...
        return False


def _check_text_size(text: str, limits: Limits) -> None:
    """`max_document_bytes` for JSON given as text: its UTF-8 length (encoded only when it could matter)."""
    if len(text) * 4 > limits.max_document_bytes:
        check_document_bytes(len(text.encode("utf-8", "surrogatepass")), limits)


def _read(path: Path, limits: Limits) -> bytes:
    """The file's bytes, reading at most `max_document_bytes` + 1 (so `/dev/zero` or a huge file cannot exhaust memory)."""
    try:
        with path.open("rb") as file:
            data = file.read(limits.max_document_bytes + 1)
    except FileNotFoundError as exc:
        raise MissingAssetError(f"{path}: document file not found", source=str(path)) from exc
    except OSError as exc:
        raise AssetError(
            f"{path}: cannot read the document: {exc.strerror or exc}", source=str(path)
        ) from exc
    check_document_bytes(len(data), limits)
    return data


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text: byte {exc.start} cannot be decoded") from exc


def _parse_json(text: str, *, hint: str = "") -> Any:
    """Parse JSON text. NaN/Infinity literals are let through so validation can name their path."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"not valid JSON{hint}: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError as exc:  # [[[[...]]]] thousands deep: the C scanner recurses
        raise DocumentError("not valid JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer literal longer than Python's 4300-digit limit
        raise DocumentError(f"not valid JSON: {exc}") from exc


# --------------------------------------------------------------------------- messages


def _clean_loc(loc: tuple[str | int, ...]) -> Loc:
    """Drop pydantic's union tags: `('layers', 2, 'text', 'settings')` -> `('layers', 2, 'settings')`."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and part in LAYER_TYPES
            and i >= 2
            and isinstance(loc[i - 1], int)
            and loc[i - 2] in ("layers", "children")
        ):
            continue
        out.append(part)
    return tuple(out)


def _message(err: ErrorDetails, raw_loc: tuple[str | int, ...]) -> str:
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    field = next((p for p in reversed(raw_loc) if isinstance(p, str)), "")
    got = f"; got {describe_value(err.get('input'))}"
    if kind == "missing":
        return _TYPE_MESSAGES[kind]
    if kind == "extra_forbidden":
        return _unknown_field(raw_loc)
    if kind == "union_tag_invalid":
        return f"unknown layer type; expected one of {', '.join(LAYER_TYPES)}; got {describe_value(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"required field is missing (the layer type: one of {', '.join(LAYER_TYPES)})"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if kind in bounds:
        key = kind.replace("greater_than_equal", "ge").replace("greater_than", "gt")
        key = key.replace("less_than_equal", "le").replace("less_than", "lt")
        bound = ctx.get(key)
        what = "seconds" if field in _SECONDS_FIELDS else "a number"
        if isinstance(bound, int):
            what = "an integer"
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"expected {what} {bounds[kind]} {describe_value(bound)}{got}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected', 'a known value')}{got}"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind] + got
    return str(err["msg"])  # our own validators already write complete messages


def _unknown_field(raw_loc: tuple[str | int, ...]) -> str:
    """`unknown field`, with the closest valid name (or the list of valid names) of that object."""
    valid = _field_names_at(raw_loc[:-1])
    if not valid:
        return "unknown field"
    key = str(raw_loc[-1])
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f"unknown field (did you mean '{close[0]}'?)"
    return f"unknown field; expected one of {', '.join(valid)}"


def _field_names_at(loc: tuple[str | int, ...]) -> list[str]:
    """The JSON keys the model at `loc` accepts, found by walking the annotations from VideoJSON."""
    tp: Any = VideoJSON
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found = [f for name, f in tp.model_fields.items() if part in (name, f.alias)]
            if not found:
                return []
            tp = found[0].annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif get_origin(tp) in (Union, types.UnionType):
            members = [m for m in get_args(tp) if _layer_tag(m) == part]
            if not members:
                return []
            tp = members[0]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` so the walk sees the model, list or union inside."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if get_origin(tp) in (Union, types.UnionType):
            members = [m for m in get_args(tp) if m is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _layer_tag(tp: Any) -> object:
    if isinstance(tp, type) and issubclass(tp, BaseModel) and "type" in tp.model_fields:
        return tp.model_fields["type"].default
    return None
