"""The OpenAPI 3.1 document, generated from the route declarations and their pydantic models.

Nothing here is written by hand per route: paths, parameters, request bodies, success envelopes
(wrapping the declared response model), error envelopes, status codes and security requirements
all come from ``ENDPOINTS`` — the same declarations the endpoint wrapper enforces — and from the
models the wrapper validates with. A route added to the app is in the document by construction.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.api.endpoint import ENDPOINTS, STATE_CHANGING, EndpointSpec
from chalicelib.api.request_parsing import MAX_BODY_BYTES
from chalicelib.auth.guards import Access
from chalicelib.core.settings import get_settings
from chalicelib.models.envelope import ErrorEnvelope, PageEnvelope, SuccessEnvelope

REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "bearerAuth"
_PATH_PARAM = re.compile(r"{([^}+]+)}")

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Bad request (malformed JSON, invalid cursor or state)",
    401: "Missing, invalid, expired or revoked access token",
    403: "Authenticated, but not allowed to do this",
    404: "Not found",
    409: "Conflict with the current state",
    413: f"Request body larger than {MAX_BODY_BYTES} bytes",
    415: "Unsupported Content-Type (send application/json)",
    422: "The body or query string failed validation; `details` names each field",
    429: "Too many requests; retry after `Retry-After` seconds",
    500: "Unexpected error; quote `request_id` when reporting it",
    503: "A dependency is unavailable",
}


def operation_id(spec: EndpointSpec) -> str:
    return f"{spec.module}_{spec.name}"


def documented_endpoints() -> list[EndpointSpec]:
    """Every declared route a client may call (fallbacks and preflights are internal)."""
    return [spec for spec in ENDPOINTS if not spec.internal]


def error_statuses(spec: EndpointSpec) -> list[int]:
    """Every error status a route can answer: declared ones plus what the wrapper adds."""
    statuses = set(spec.errors) | {500}
    if spec.access is not Access.PUBLIC:
        statuses |= {401, 403}
    if spec.body is not None:
        statuses |= {400, 413, 415, 422}
    if spec.query is not None:
        statuses.add(422)
    if spec.paginated:
        statuses.add(400)  # a cursor that was altered or taken to another listing
    if _PATH_PARAM.search(spec.path):
        statuses.add(404)
    if spec.rate_limit:
        statuses.add(429)
    return sorted(statuses)


def _success_model(spec: EndpointSpec) -> Any:
    if spec.paginated:
        return PageEnvelope[spec.response]  # type: ignore[name-defined]
    return SuccessEnvelope[spec.response]  # type: ignore[name-defined]


def _strip_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop ``null`` from its alternatives."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [o for o in options if o.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def _schemas() -> tuple[dict[tuple[Any, str], dict[str, Any]], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorEnvelope, "serialization")]
    for spec in documented_endpoints():
        if spec.body is not None:
            wanted.append((spec.body, "validation"))
        if not spec.produces:
            wanted.append((_success_model(spec), "serialization"))
    unique = list(dict.fromkeys(wanted))
    refs, top = models_json_schema(unique, ref_template=REF)
    defs = top.get("$defs", {})
    for schema in defs.values():
        for prop in schema.get("properties", {}).values():
            _drop_impossible_default(prop)
    return {(model, mode): ref for (model, mode), ref in refs.items()}, defs


def _drop_impossible_default(prop: dict[str, Any]) -> None:
    """A field that may be left out but not sent as null has the Python default ``None``; in
    the contract it simply has no default (``null`` is not one of its values)."""
    if "default" in prop and prop["default"] is None and not _allows_null(prop):
        del prop["default"]


def _allows_null(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "null" or "$ref" in schema:
        return schema.get("type") == "null"
    return any(_allows_null(option) for option in schema.get("anyOf", []))


def _parameters(spec: EndpointSpec) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(spec.path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema(mode="validation")
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            param: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": _strip_null(prop),
            }
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": STATUS_TEXT.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before retrying",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer realm"}
        }
    return response


def _success_response(spec: EndpointSpec, refs: dict[tuple[Any, str], Any]) -> dict[str, Any]:
    if spec.produces:
        content = {
            media: {"schema": {"type": "object"} if media.endswith("json") else {"type": "string"}}
            for media in spec.produces
        }
    else:
        schema = refs[(_success_model(spec), "serialization")]
        content = {"application/json": {"schema": schema}}
    return {"description": STATUS_TEXT.get(spec.status, "Success"), "content": content}


def _operation(spec: EndpointSpec, refs: dict[tuple[Any, str], Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": operation_id(spec),
        "summary": spec.summary,
        "tags": [spec.module],
        "security": [] if spec.access is Access.PUBLIC else [{SECURITY_SCHEME: []}],
        "x-janus-access": spec.access.value,
    }
    if spec.rate_limit:
        op["x-janus-rate-limit"] = spec.rate_limit
    params = _parameters(spec)
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {
            "required": spec.method in STATE_CHANGING and spec.method != "DELETE",
            "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
        }
    responses: dict[str, Any] = {str(spec.status): _success_response(spec, refs)}
    for status in error_statuses(spec):
        responses[str(status)] = _error_response(status)
    op["responses"] = responses
    return op


def build_document() -> dict[str, Any]:
    refs, schemas = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for spec in documented_endpoints():
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    settings = get_settings()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Janus API",
            "version": settings.version,
            "description": (
                "UI/UX accessibility research: upload screenshots, get palette, WCAG contrast, "
                "colour-vision-deficiency findings and design tokens. Every JSON response is an "
                "envelope: `{success, data, timestamp}` or `{success: false, error, error_code, "
                "status_code, details?, request_id?, timestamp}`; lists add `pagination`."
            ),
        },
        # Relative to this document (…/v1/openapi.json), so it is right behind any stage prefix.
        "servers": [{"url": ".."}],
        "tags": [{"name": m} for m in dict.fromkeys(s.module for s in documented_endpoints())],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The access token from /v1/auth/login or /v1/auth/register",
                }
            },
        },
    }


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document for this process (routes do not change after start-up)."""
    return build_document()
