"""Declaring a route: its path, who may call it, what it accepts and returns — in one place.

``Endpoints(module).route(...)`` registers a Chalice view that, for every request:
sets up the request context (id, caller, IP), authenticates and authorises as declared,
validates the body and query with the declared pydantic models, calls the handler, wraps the
result in the envelope, writes the user-action log for state-changing requests, flushes the
audit outbox and adds the standard headers. Unhandled exceptions become a 500 envelope with the
request id (logged with the stack trace, never returned). Every declaration is kept in
``ENDPOINTS``, which the authorisation-matrix test and the OpenAPI document read.
"""

from __future__ import annotations

import inspect
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib.api import cors, responses
from chalicelib.api.request_parsing import parse_body, parse_query
from chalicelib.auth.guards import Access, authenticate, authorize
from chalicelib.core import request_context
from chalicelib.core.errors import AppError
from chalicelib.core.structured_logs import get_logger, log_event
from chalicelib.services import audit, rate_limiting

API_PREFIX = "/v1"
DEFAULT_RATE_LIMIT = rate_limiting.DEFAULT
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_log = get_logger("api")


@dataclass(frozen=True)
class EndpointSpec:
    path: str
    method: str
    access: Access
    module: str
    name: str
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    paginated: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    internal: bool = False
    content_types: tuple[str, ...] = ("application/json",)
    produces: tuple[str, ...] = ()
    rate_limit: str | None = None


ENDPOINTS: list[EndpointSpec] = []


def _level(status: int) -> str:
    return "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"


@dataclass
class Endpoints:
    """One API module (auth, users, admin, ...): a Chalice blueprint plus its declarations."""

    module: str
    prefix: str = API_PREFIX
    blueprint: Blueprint = field(init=False)

    def __post_init__(self) -> None:
        self.blueprint = Blueprint(f"chalicelib.api.{self.module}")

    def route(
        self,
        path: str,
        method: str,
        *,
        access: Access,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        paginated: bool = False,
        status: int = 200,
        errors: tuple[int, ...] = (),
        internal: bool = False,
        content_types: tuple[str, ...] = ("application/json",),
        produces: tuple[str, ...] = (),
        rate_limit: str | None = DEFAULT_RATE_LIMIT,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            spec = EndpointSpec(
                path=self.prefix + path,
                method=method,
                access=access,
                module=self.module,
                name=handler.__name__,
                summary=summary,
                body=body,
                query=query,
                response=response,
                paginated=paginated,
                status=status,
                errors=errors,
                internal=internal,
                content_types=content_types,
                produces=produces,
                rate_limit=rate_limiting.policy_for(method, internal, rate_limit),
            )
            ENDPOINTS.append(spec)
            view = _make_view(spec, handler, self.blueprint)
            self.blueprint.route(spec.path, methods=[method], content_types=list(content_types))(
                view
            )
            return handler

        return register


def _make_view(
    spec: EndpointSpec, handler: Callable[..., Any], bp: Blueprint
) -> Callable[..., Response]:
    accepted = set(inspect.signature(handler).parameters)

    def view(**path_params: str) -> Response:
        request = bp.current_request
        context = request.context or {}
        ctx = request_context.RequestContext(
            request_id=str(context.get("requestId") or uuid.uuid4()),
            client_ip=str((context.get("identity") or {}).get("sourceIp") or "unknown"),
            user_agent=str(request.headers.get("user-agent", "")),
            route=spec.path,
            method=spec.method,
        )
        request_context.begin(ctx)
        started = time.perf_counter()
        try:
            response = _run(spec, handler, accepted, request, path_params)
            if spec.method in STATE_CHANGING and not spec.internal:
                _audit(spec, ctx, response.status_code, path_params)
            audit.flush()
            for name, value in responses.SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            response.headers.update(cors.response_headers(request.headers))
            response.headers["X-Request-Id"] = ctx.request_id
            log_event(
                _log,
                logging.INFO,
                "request",
                status=response.status_code,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                client_ip=ctx.client_ip,
            )
            return response
        finally:
            request_context.end()

    view.__name__ = f"{spec.module}_{spec.name}_{spec.method.lower()}"
    return view


def _run(
    spec: EndpointSpec,
    handler: Callable[..., Any],
    accepted: set[str],
    request: Any,
    path_params: dict[str, str],
) -> Response:
    ctx = request_context.current()
    request_id = ctx.request_id if ctx else None
    try:
        kwargs: dict[str, Any] = {k: v for k, v in path_params.items() if k in accepted}
        if spec.rate_limit and ctx is not None:
            rate_limiting.count_client(spec.rate_limit, ctx.client_ip)
        if spec.access is not Access.PUBLIC:
            principal = authenticate(request.headers.get("authorization"))
            if spec.rate_limit:
                rate_limiting.count_user(spec.rate_limit, principal.user_id)
            authorize(principal, spec.access)
            if "principal" in accepted:
                kwargs["principal"] = principal
        if spec.body is not None:
            kwargs["body"] = parse_body(spec.body, request.raw_body)
        if spec.query is not None:
            kwargs["query"] = parse_query(spec.query, request.query_params)
        if "request" in accepted:
            kwargs["request"] = request
        result = handler(**kwargs)
        if isinstance(result, Response):
            return result
        return responses.success(result, status=spec.status)
    except AppError as exc:
        return responses.error(exc, request_id=request_id)
    except Exception:
        _log.exception("unhandled error", extra={"fields": {"route": spec.path}})
        return responses.error_body(
            status=500,
            code="INTERNAL_ERROR",
            message="Something went wrong on our side; quote the request id if you report it",
            request_id=request_id,
        )


def _audit(
    spec: EndpointSpec,
    ctx: request_context.RequestContext,
    status: int,
    path_params: dict[str, str],
) -> None:
    try:
        audit.record_action(
            user_id=ctx.user_id,
            action=f"{spec.method} {spec.path}",
            module=spec.module,
            level=_level(status),  # type: ignore[arg-type]
            status_code=status,
            metadata={"path_params": path_params, **ctx.audit_extra},
        )
    except Exception:
        _log.exception("user-action log could not be recorded")
