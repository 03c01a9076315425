"""JSON answers where API Gateway would otherwise answer for us.

Unknown paths (404), known paths with a method they do not have (405, with ``Allow``) and CORS
preflights are all routed to the function, so they get the same envelope and headers as
everything else. Installed last, after every module's routes are known.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, Response

from chalicelib.api import cors
from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access
from chalicelib.core.errors import MethodNotAllowed, NotFound

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ANY_CONTENT = ("*/*",)


def install(app: Chalice) -> None:
    api = Endpoints("fallback", prefix="")
    known = {
        path: sorted(m for m in entries if m != "OPTIONS") for path, entries in app.routes.items()
    }
    for path, methods in known.items():
        for method in METHODS:
            if method not in methods:
                _not_allowed(api, path, method, methods)
        _preflight(api, path, methods)
    for path in ("/", "/{proxy+}"):
        for method in METHODS:
            _not_found(api, path, method)
    app.register_blueprint(api.blueprint)


def _not_allowed(api: Endpoints, path: str, method: str, allowed: list[str]) -> None:
    @api.route(
        path,
        method,
        access=Access.PUBLIC,
        internal=True,
        content_types=ANY_CONTENT,
        summary="Method not allowed",
    )
    def method_not_allowed() -> Any:
        raise MethodNotAllowed(
            f"{method} is not allowed here; use {', '.join(allowed)}",
            headers={"Allow": ", ".join([*allowed, "OPTIONS"])},
        )


def _preflight(api: Endpoints, path: str, allowed: list[str]) -> None:
    @api.route(
        path,
        "OPTIONS",
        access=Access.PUBLIC,
        internal=True,
        content_types=ANY_CONTENT,
        summary="CORS preflight",
    )
    def preflight(request: Any) -> Response:
        headers: dict[str, str | list[str]] = dict(cors.preflight_headers(request.headers, allowed))
        return Response(body="", status_code=204, headers=headers)


def _not_found(api: Endpoints, path: str, method: str) -> None:
    @api.route(
        path,
        method,
        access=Access.PUBLIC,
        internal=True,
        content_types=ANY_CONTENT,
        summary="Not found",
    )
    def not_found(request: Any) -> Any:
        path = (request.context or {}).get("path", "this path")
        raise NotFound(f"There is no {request.method} {path}", error_code="ROUTE_NOT_FOUND")
