"""Errors Chalice answers itself (before any view runs) put into the Janus envelope.

Chalice replies to an unsupported Content-Type (415), a method missing from the route table (405)
or a binary-response mismatch (400) with its own ``{"Code", "Message"}`` body; this middleware
rewrites such replies so that clients see one error shape everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.api import responses

_CODES = {
    "UnsupportedMediaType": "UNSUPPORTED_MEDIA_TYPE",
    "MethodNotAllowedError": "METHOD_NOT_ALLOWED",
    "BadRequest": "BAD_REQUEST",
    "BadRequestError": "BAD_REQUEST",
    "InternalServerError": "INTERNAL_ERROR",
}


def envelope_chalice_errors(
    event: Request, get_response: Callable[[Request], Response]
) -> Response:
    response = get_response(event)
    body = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    request_id = str((event.context or {}).get("requestId") or uuid.uuid4())
    wrapped = responses.error_body(
        status=response.status_code,
        code=_CODES.get(str(body["Code"]), "BAD_REQUEST"),
        message=str(body["Message"]),
        request_id=request_id,
        headers={k: v for k, v in response.headers.items() if isinstance(v, str)},
    )
    for name, value in responses.SECURITY_HEADERS.items():
        wrapped.headers.setdefault(name, value)
    wrapped.headers["X-Request-Id"] = request_id
    return wrapped
