"""Security headers on every kind of response, including errors and the rate limiter's 429."""

from __future__ import annotations

import pytest

from chalicelib.core.settings import reset_settings
from tests.api_client import Api, Reply


def _check(reply: Reply, where: str) -> None:
    headers = reply.headers
    assert headers.get("strict-transport-security", "").startswith("max-age="), where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert "content-security-policy" in headers, where
    assert headers.get("x-request-id"), where


def test_every_kind_of_response_carries_the_security_headers(
    api: Api, env: pytest.MonkeyPatch
) -> None:
    who = api.register()
    replies = {
        "200": api.get("/v1/users/me", token=who.access_token),
        "201": api.post(
            "/v1/images",
            {"filename": "a.png", "content_type": "image/png", "size_bytes": 10},
            token=who.access_token,
        ),
        "400": api.request("POST", "/v1/auth/login", raw=b"{not json"),
        "401": api.get("/v1/users/me"),
        "403": api.get("/v1/admin/users", token=who.access_token),
        "404": api.get("/v1/nothing-here"),
        "405": api.request("PUT", "/v1/users/me", token=who.access_token),
        "413": api.request("POST", "/v1/auth/login", raw=b"{" + b" " * 70_000 + b"}"),
        "415": api.request(
            "POST", "/v1/auth/login", raw=b"x", headers={"Content-Type": "text/plain"}
        ),
        "422": api.post("/v1/auth/login", {"login": ""}),
        "openapi": api.get("/v1/openapi.json"),
        "docs": api.get("/v1/docs"),
        "refresh": api.post("/v1/auth/refresh", {"refresh_token": who.refresh_token}),
    }
    env.setenv("JANUS_RATE_LIMIT_IP_AUTH", "1")
    reset_settings()
    api.post("/v1/auth/login", {"login": "x", "password": "y"})
    replies["429"] = api.post("/v1/auth/login", {"login": "x", "password": "y"})
    for name, reply in replies.items():
        expected = name if name.isdigit() else "200"
        assert str(reply.status) == expected, (name, reply.status, reply.body)
        _check(reply, name)
    assert replies["429"].headers["retry-after"].isdigit()
    # auth responses and anything with user data are never cached
    for name in ("200", "201", "400", "401", "403", "422", "429"):
        assert replies[name].headers["cache-control"] == "no-store", name
    assert replies["refresh"].headers["cache-control"] == "no-store"
