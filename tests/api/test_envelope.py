"""Every response, good or bad, wears the envelope; nothing leaks a stack trace."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.api_client import Api


def _is_error_envelope(body: dict[str, object], status: int) -> None:
    assert body["success"] is False
    assert body["status_code"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["error_code"], str) and body["error_code"].isupper()
    assert isinstance(body["timestamp"], str) and body["timestamp"].endswith("Z")


def test_success_envelope(api: Api) -> None:
    reply = api.get("/v1/health")
    assert reply.status == 200
    assert set(reply.body) == {"success", "data", "timestamp"}
    assert reply.data["stage"] == "test" and reply.data["dynamodb"] == "ok"


@pytest.mark.parametrize("path", ["/", "/nope", "/v1/nope", "/v1/users/me/nope/deeper"])
def test_unknown_routes_get_json_404(api: Api, path: str) -> None:
    reply = api.get(path)
    assert reply.status == 404
    _is_error_envelope(reply.body, 404)
    assert reply.error_code == "ROUTE_NOT_FOUND"


def test_unknown_method_gets_json_405_with_allow(api: Api) -> None:
    reply = api.request("PUT", "/v1/auth/login", json_body={})
    assert reply.status == 405
    _is_error_envelope(reply.body, 405)
    assert reply.headers["allow"] == "POST, OPTIONS"


def test_invalid_json_is_400(api: Api) -> None:
    reply = api.request("POST", "/v1/auth/login", raw=b"{not json")
    assert reply.status == 400 and reply.error_code == "INVALID_JSON"
    _is_error_envelope(reply.body, 400)


def test_non_object_json_is_422(api: Api) -> None:
    reply = api.request("POST", "/v1/auth/login", raw=b"[1, 2]")
    assert reply.status == 422 and reply.body["details"] == {"body": ["must be an object"]}


def test_field_level_details(api: Api) -> None:
    reply = api.post("/v1/auth/login", {"login": "", "extra": 1})
    assert reply.status == 422
    assert set(reply.body["details"]) == {"login", "password", "extra"}


def test_query_parameters_are_validated(api: Api) -> None:
    s = api.register()
    bad = api.get("/v1/users/me/logs?limit=0&since=yesterday&colour=blue", token=s.access_token)
    assert bad.status == 422
    assert set(bad.body["details"]) == {"limit", "since", "colour"}


def test_oversized_body_is_413(api: Api) -> None:
    reply = api.request("POST", "/v1/auth/login", raw=json.dumps({"login": "x" * 70000}).encode())
    assert reply.status == 413 and reply.error_code == "PAYLOAD_TOO_LARGE"


def test_unhandled_errors_are_a_500_envelope_with_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    from chalicelib.services import accounts

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(accounts, "login", explode)
    reply = api.post("/v1/auth/login", {"login": "ada", "password": "whatever-password"})
    assert reply.status == 500
    _is_error_envelope(reply.body, 500)
    assert reply.error_code == "INTERNAL_ERROR"
    request_id = reply.body["request_id"]
    assert request_id == reply.headers["x-request-id"]
    assert "secret internal detail" not in json.dumps(reply.body)
    assert "Traceback" not in json.dumps(reply.body)
    errors = [entry for entry in json_logs() if entry["message"] == "unhandled error"]
    assert (
        errors
        and errors[0]["request_id"] == request_id
        and "secret internal detail" in errors[0]["exception"]
    )


def test_security_headers_on_every_response(api: Api) -> None:
    for reply in (api.get("/v1/health"), api.get("/v1/nope"), api.get("/v1/auth/me")):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["strict-transport-security"].startswith("max-age=")
        assert reply.headers["referrer-policy"] == "no-referrer"
        assert "x-request-id" in reply.headers


def test_cors_allow_list(api: Api, env: pytest.MonkeyPatch) -> None:
    from chalicelib.core.settings import reset_settings

    env.setenv("JANUS_CORS_ORIGINS", "https://app.janus.example, http://localhost:3000")
    reset_settings()
    allowed = api.get("/v1/health", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = api.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = api.request(
        "OPTIONS",
        "/v1/auth/login",
        headers={"Origin": "https://app.janus.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-methods"] == "POST"
    assert "Authorization" in preflight.headers["access-control-allow-headers"]


def test_unsupported_content_type_is_enveloped(api: Api) -> None:
    reply = api.request(
        "POST", "/v1/auth/login", raw=b"login=x", headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 415
    _is_error_envelope(reply.body, 415)
    assert reply.error_code == "UNSUPPORTED_MEDIA_TYPE"
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_ids_that_cannot_exist_are_404_not_500(api: Api) -> None:
    boss = api.superadmin()
    for weird in ("x" * 3000, "_counter%23active-superadmins", "usr_%00"):
        reply = api.get(f"/v1/admin/users/{weird}", token=boss.access_token)
        assert reply.status == 404, reply.body
