"""Request rate limits: per user and per client IP, on every write route and on the auth routes."""

from __future__ import annotations

import pytest
from chalice.local import LambdaEventConverter

from chalicelib.api.endpoint import ENDPOINTS, STATE_CHANGING
from chalicelib.core.settings import reset_settings
from chalicelib.services import rate_limiting
from tests.api_client import Api


def _limits(env: pytest.MonkeyPatch, **values: int) -> None:
    for name, value in values.items():
        env.setenv(f"JANUS_RATE_LIMIT_{name.upper()}", str(value))
    reset_settings()


def _from_ip(monkeypatch: pytest.MonkeyPatch, ip: str) -> None:
    """Requests through chalice's test client now come from ``ip``."""
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)


def test_every_write_route_has_a_rate_limit() -> None:
    from app import app  # noqa: F401  (registers every route)

    writes = [s for s in ENDPOINTS if s.method in STATE_CHANGING and not s.internal]
    assert writes
    for spec in writes:
        assert spec.rate_limit in rate_limiting.POLICIES, (spec.method, spec.path)
    auth = {s.path for s in ENDPOINTS if s.rate_limit == rate_limiting.AUTH}
    assert auth == {"/v1/auth/register", "/v1/auth/login", "/v1/auth/refresh"}


def test_a_new_write_route_gets_the_write_policy_without_asking() -> None:
    assert rate_limiting.policy_for("POST", False, rate_limiting.DEFAULT) == "write"
    assert rate_limiting.policy_for("DELETE", False, rate_limiting.DEFAULT) == "write"
    assert rate_limiting.policy_for("GET", False, rate_limiting.DEFAULT) is None
    assert rate_limiting.policy_for("POST", True, rate_limiting.DEFAULT) is None
    with pytest.raises(ValueError):
        rate_limiting.policy_for("POST", False, "wirte")


def test_per_user_write_limit_answers_429_with_retry_after(
    api: Api, env: pytest.MonkeyPatch
) -> None:
    a, b = api.register(), api.register()
    _limits(env, user_writes=3, window_seconds=60)
    for n in range(3):
        reply = api.patch("/v1/users/me", {"display_name": f"n{n}"}, token=a.access_token)
        assert reply.status == 200, reply.body
    blocked = api.patch("/v1/users/me", {"display_name": "again"}, token=a.access_token)
    assert blocked.status == 429 and blocked.error_code == "RATE_LIMITED"
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.body["details"]["retry_after_seconds"] == int(blocked.headers["retry-after"])
    # the limit counted every write route of that user, not just this one
    assert api.post("/v1/images/x/reanalyze", token=a.access_token).status == 429
    # nothing was changed by the refused request; reads are not limited
    me = api.get("/v1/users/me", token=a.access_token)
    assert me.status == 200 and me.data["display_name"] == "n2"
    # another user (same IP) is not affected
    assert api.patch("/v1/users/me", {"display_name": "b"}, token=b.access_token).status == 200


def test_window_ends_and_writes_are_allowed_again(
    api: Api, env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = api.register()
    _limits(env, user_writes=1, window_seconds=60)
    now = 1_900_000_000
    monkeypatch.setattr(rate_limiting, "epoch_seconds", lambda: now)
    assert api.patch("/v1/users/me", {"display_name": "a"}, token=who.access_token).status == 200
    assert api.patch("/v1/users/me", {"display_name": "b"}, token=who.access_token).status == 429
    now += 60
    assert api.patch("/v1/users/me", {"display_name": "c"}, token=who.access_token).status == 200


def test_per_ip_write_limit_spans_users(
    api: Api, env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [api.register() for _ in range(3)]
    _from_ip(monkeypatch, "203.0.113.7")
    _limits(env, ip_writes=2)
    assert (
        api.patch("/v1/users/me", {"display_name": "1"}, token=users[0].access_token).status == 200
    )
    assert (
        api.patch("/v1/users/me", {"display_name": "2"}, token=users[1].access_token).status == 200
    )
    reply = api.patch("/v1/users/me", {"display_name": "3"}, token=users[2].access_token)
    assert reply.status == 429 and "retry-after" in reply.headers
    # unauthenticated floods count against the IP too (before any token is checked)
    assert api.post("/v1/images", {}, token="garbage").status == 429
    _from_ip(monkeypatch, "198.51.100.9")
    assert (
        api.patch("/v1/users/me", {"display_name": "4"}, token=users[2].access_token).status == 200
    )


def test_registration_and_login_are_limited_per_ip(
    api: Api, env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = api.register()
    _from_ip(monkeypatch, "192.0.2.44")
    _limits(env, ip_auth=3)
    assert api.login(who.user["username"]).access_token
    api.register()
    api.register()
    reply = api.post(
        "/v1/auth/register",
        {"username": "late1234", "email": "late1234@example.com", "password": "a-long-pass-42!"},
    )
    assert reply.status == 429 and reply.error_code == "RATE_LIMITED"
    assert "retry-after" in reply.headers
    # the refused registration created nothing
    _from_ip(monkeypatch, "192.0.2.45")
    assert api.post("/v1/auth/login", {"login": "late1234", "password": "x"}).status == 401
    _from_ip(monkeypatch, "192.0.2.44")
    login = api.post("/v1/auth/login", {"login": who.user["username"], "password": who.password})
    assert login.status == 429
    refresh = api.post("/v1/auth/refresh", {"refresh_token": who.refresh_token})
    assert refresh.status == 429


def test_a_limited_write_costs_one_update_per_counter(api: Api, env: pytest.MonkeyPatch) -> None:
    who = api.register()
    start = len(api.calls.operations)
    api.patch("/v1/users/me", {"display_name": "x"}, token=who.access_token)
    made = api.calls.since(start)
    assert made.count("UpdateItem") == 2, made  # the IP counter and the user counter
    start = len(api.calls.operations)
    api.get("/v1/users/me", token=who.access_token)
    assert "UpdateItem" not in api.calls.since(start)
