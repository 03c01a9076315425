"""Failed logins are throttled per account and per client IP, without revealing accounts."""

from __future__ import annotations

import pytest

from chalicelib.core.settings import reset_settings
from tests.api_client import DEFAULT_PASSWORD, Api


def _fail(api: Api, login: str) -> int:
    return api.post("/v1/auth/login", {"login": login, "password": "definitely-wrong-1"}).status


def test_account_lockout_looks_the_same_for_real_and_unknown_accounts(api: Api) -> None:
    api.register("victim")
    for _ in range(5):
        assert _fail(api, "victim") == 401
        assert _fail(api, "no-such-account") == 401
    real = api.post("/v1/auth/login", {"login": "victim", "password": DEFAULT_PASSWORD})
    unknown = api.post("/v1/auth/login", {"login": "no-such-account", "password": DEFAULT_PASSWORD})
    for reply in (real, unknown):
        assert reply.status == 429 and reply.error_code == "TOO_MANY_LOGIN_ATTEMPTS"
        assert 0 < int(reply.headers["retry-after"]) <= 900
    assert real.body["error"] == unknown.body["error"]
    # other accounts are unaffected
    api.register("bystander")
    assert api.login("bystander").user["username"] == "bystander"


def test_lockout_writes_security_events(api: Api) -> None:
    boss = api.superadmin()
    victim = api.register("target")
    for _ in range(6):
        _fail(api, "target")
    events = api.get(
        f"/v1/admin/security-events?user_id={victim.user_id}&limit=50", token=boss.access_token
    ).data
    kinds = [e["event_type"] for e in events]
    assert kinds.count("login_failed") == 5 and kinds.count("lockout") == 1
    blocked = api.get(
        "/v1/admin/security-events?event_type=lockout&limit=50", token=boss.access_token
    ).data
    assert any(e["metadata"].get("blocked") for e in blocked)


def test_success_resets_the_account_counter(api: Api) -> None:
    api.register("forgetful")
    for _ in range(4):
        _fail(api, "forgetful")
    api.login("forgetful")
    for _ in range(4):
        assert _fail(api, "forgetful") == 401
    assert api.login("forgetful").user["username"] == "forgetful"


def test_ip_lockout_across_accounts(api: Api, env: pytest.MonkeyPatch) -> None:
    env.setenv("JANUS_LOCKOUT_POLICY_IP_MAX_FAILURES", "3")
    reset_settings()
    api.register("spray")
    for name in ("a1-user", "a2-user", "a3-user"):
        assert _fail(api, name) == 401
    reply = api.post("/v1/auth/login", {"login": "spray", "password": DEFAULT_PASSWORD})
    assert reply.status == 429 and "retry-after" in reply.headers


def test_password_change_guesses_are_throttled_too(api: Api) -> None:
    s = api.register()
    for _ in range(5):
        r = api.post(
            "/v1/auth/password",
            {"current_password": "guess-guess-1", "new_password": "new-long-pass-99"},
            token=s.access_token,
        )
        assert r.status == 403
    r = api.post(
        "/v1/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "new-long-pass-99"},
        token=s.access_token,
    )
    assert r.status == 429


def test_username_and_email_count_toward_the_same_account(api: Api) -> None:
    api.register("twofaced")
    for i in range(5):
        assert _fail(api, "twofaced" if i % 2 else "TwoFaced@example.com") == 401
    reply = api.post(
        "/v1/auth/login", {"login": "twofaced@example.com", "password": DEFAULT_PASSWORD}
    )
    assert reply.status == 429
