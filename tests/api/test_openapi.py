"""The OpenAPI document: valid OpenAPI 3.1, complete, and true to the declarations it comes from."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate

from chalicelib.api.endpoint import ENDPOINTS
from chalicelib.api.openapi import build_document, operation_id
from chalicelib.auth.guards import Access
from tests.api_client import Api


def _document(api: Api) -> dict[str, Any]:
    reply = api.get("/v1/openapi.json")
    assert reply.status == 200 and reply.headers["content-type"].startswith("application/json")
    return dict(reply.body)


def test_document_is_valid_openapi_3_1(api: Api) -> None:
    doc = _document(api)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_registered_route_is_in_the_document(api: Api) -> None:
    from app import app

    doc = _document(api)
    declared = {(s.path, s.method): s for s in ENDPOINTS}
    registered = {
        (path, method)
        for path, methods in app.routes.items()
        for method in methods
        if not declared[(path, method)].internal
    }
    documented = {
        (path, method.upper()) for path, operations in doc["paths"].items() for method in operations
    }
    assert registered, "no routes found"
    assert registered == documented, registered ^ documented


def test_a_missing_route_would_be_noticed() -> None:
    """The completeness check compares against the app's routes, not against the declarations:
    an operation dropped from the document shows up as a difference."""
    doc = build_document()
    _path, operations = next(iter(doc["paths"].items()))
    operations.pop(next(iter(operations)))
    documented = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    declared = {(s.path, s.method) for s in ENDPOINTS if not s.internal}
    assert declared - documented


def test_operations_carry_security_statuses_and_envelopes(api: Api) -> None:
    doc = _document(api)
    ids = set()
    for spec in (s for s in ENDPOINTS if not s.internal):
        op = doc["paths"][spec.path][spec.method.lower()]
        ids.add(op["operationId"])
        assert op["operationId"] == operation_id(spec)
        codes = set(op["responses"])
        assert str(spec.status) in codes, spec.path
        assert {str(e) for e in spec.errors} <= codes, spec.path
        if spec.access is Access.PUBLIC:
            assert op["security"] == [], spec.path
        else:
            assert op["security"] == [{"bearerAuth": []}], spec.path
            assert {"401", "403"} <= codes, spec.path
        if spec.body is not None or spec.query is not None:
            assert "422" in codes, spec.path
        if spec.body is not None:
            schema_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
            assert set(schema["properties"]) == set(spec.body.model_fields), spec.path
            assert schema.get("additionalProperties") is False, spec.path
        if spec.rate_limit:
            assert "Retry-After" in op["responses"]["429"]["headers"], spec.path
        for name in re.findall(r"{(\w+)}", spec.path):
            assert any(p["name"] == name and p["in"] == "path" for p in op["parameters"])
        if spec.query is not None:
            query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
            assert query == set(spec.query.model_fields), spec.path
        for status, response in op["responses"].items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorEnvelope"), (spec.path, status)
    assert len(ids) == len([s for s in ENDPOINTS if not s.internal]), "operationIds must be unique"


def test_success_envelopes_wrap_the_declared_models(api: Api) -> None:
    doc = _document(api)
    schemas = doc["components"]["schemas"]
    op = doc["paths"]["/v1/admin/users"]["get"]
    page = schemas[op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"][21:]]
    assert page["properties"]["data"]["items"]["$ref"].endswith("/UserPublic")
    assert page["properties"]["pagination"]["$ref"].endswith("/Pagination")
    assert {"success", "data", "pagination", "timestamp"} <= set(page["required"])
    op = doc["paths"]["/v1/auth/login"]["post"]
    env = schemas[op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"][21:]]
    assert env["properties"]["data"]["$ref"].endswith("/AuthResult")
    assert "password_hash" not in schemas["UserPublic"]["properties"]


def test_real_responses_match_the_document(api: Api) -> None:
    """A few real replies validated against the schemas the document gives for them."""
    import jsonschema

    doc = _document(api)
    who = api.register()

    def check(path: str, method: str, reply_body: Any, status: int) -> None:
        response = doc["paths"][path][method]["responses"][str(status)]
        root = {
            **response["content"]["application/json"]["schema"],
            "components": doc["components"],
        }
        jsonschema.Draft202012Validator(root).validate(reply_body)

    reply = api.get("/v1/users/me", token=who.access_token)
    check("/v1/users/me", "get", reply.body, 200)
    reply = api.get("/v1/users/me/logs", token=who.access_token)
    check("/v1/users/me/logs", "get", reply.body, 200)
    reply = api.get("/v1/users/me")
    check("/v1/users/me", "get", reply.body, 401)
    reply = api.post("/v1/auth/login", {"login": who.user["username"]})
    check("/v1/auth/login", "post", reply.body, 422)
    import pytest

    with pytest.raises(jsonschema.ValidationError):
        check("/v1/users/me", "get", {"success": True, "data": {"user_id": 1}}, 200)


def test_docs_page_is_self_contained_with_a_strict_csp(api: Api) -> None:
    reply = api.get("/v1/docs")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    html = reply.body
    csp = reply.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    # no external scripts, styles, fonts or images: everything the page needs is inline
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "openapi.json" in html
    # the inline script and style are exactly the ones the CSP hashes allow
    import base64
    import hashlib

    for tag in ("script", "style"):
        body = html.split(f"<{tag}>")[1].split(f"</{tag}>")[0]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, tag
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" in reply.headers


def test_json_api_keeps_its_strict_csp(api: Api) -> None:
    reply = api.get("/v1/health")
    assert reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
