"""Turning results and errors into the envelope of DESIGN.md §3, with the standard headers."""

from __future__ import annotations

from typing import Any

from chalice.app import Response
from pydantic import BaseModel

from chalicelib.core.errors import AppError
from chalicelib.core.ids import now_iso
from chalicelib.models.envelope import Page

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def success(data: Any, *, status: int = 200, message: str | None = None) -> Response:
    if isinstance(data, Page):
        body: dict[str, Any] = {
            "success": True,
            "data": _json(data.items),
            "pagination": {"limit": data.limit, "next_cursor": data.next_cursor},
        }
    else:
        body = {"success": True, "data": _json(data)}
    if message:
        body["message"] = message
    body["timestamp"] = now_iso()
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def error(exc: AppError, *, request_id: str | None) -> Response:
    return error_body(
        status=exc.status_code,
        code=exc.error_code,
        message=exc.message,
        details=exc.details,
        request_id=request_id,
        headers=exc.headers,
    )


def error_body(
    *,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "success": False,
        "error": message,
        "error_code": code,
        "status_code": status,
    }
    if details:
        body["details"] = details
    if request_id:
        body["request_id"] = request_id
    body["timestamp"] = now_iso()
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
