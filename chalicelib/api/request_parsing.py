"""Request bodies and query strings validated by pydantic, with field-level error details."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.core.errors import BadRequest, PayloadTooLarge, ValidationFailed

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 64 * 1024


def validation_details(exc: ValidationError, *, root: str) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or root
        message = str(err["msg"]).removeprefix("Value error, ")
        details.setdefault(field, []).append(message)
    return details


def _validate(model: type[M], data: Any, *, root: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"The request {root} is invalid", details=validation_details(exc, root=root)
        ) from None


def parse_body(model: type[M], raw: bytes | None) -> M:
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body exceeds {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(
                "The request body is not valid JSON", error_code="INVALID_JSON"
            ) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            "The request body must be a JSON object", details={"body": ["must be an object"]}
        )
    _require_unicode(data, root="body")
    # JSON bodies are validated strictly: the types are the documented ones (no "1" or 1 for
    # true, no "10" for 10), so what the contract says is exactly what the server accepts.
    try:
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        raise ValidationFailed(
            "The request body is invalid", details=validation_details(exc, root="body")
        ) from None


def _require_unicode(data: Any, *, root: str) -> None:
    """JSON may escape lone UTF-16 surrogates (``"\\ud800"``); no text of ours may hold one
    (DynamoDB, logs and every client would choke on it), so such a request is refused up front."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(
            f"The request {root} contains text that is not valid Unicode",
            details={root: ["contains an unpaired surrogate (\\ud800-\\udfff)"]},
        ) from None


def parse_query(model: type[M], params: dict[str, str] | None) -> M:
    data = dict(params or {})
    _require_unicode(data, root="query")
    return _validate(model, data, root="query")
