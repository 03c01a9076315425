"""CORS with a per-stage allow-list of origins (Chalice's own CORS allows one origin per route)."""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.core.settings import get_settings

ALLOWED_HEADERS = "Authorization, Content-Type, X-Request-Id"
EXPOSED_HEADERS = "X-Request-Id, Retry-After, Content-Disposition"
MAX_AGE_SECONDS = "600"


def allowed_origin(headers: Mapping[str, str]) -> str | None:
    origin = headers.get("origin")
    return origin if origin and origin in get_settings().cors_origins else None


def response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    origin = allowed_origin(headers)
    if origin is None:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers(headers: Mapping[str, str], methods: list[str]) -> dict[str, str]:
    origin = allowed_origin(headers)
    requested = (headers.get("access-control-request-method") or "").upper()
    if origin is None or requested not in methods:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": MAX_AGE_SECONDS,
        "Vary": "Origin",
    }
