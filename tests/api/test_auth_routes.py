"""/v1/auth: each route's happy path and each documented error."""

from __future__ import annotations

from tests.api_client import DEFAULT_PASSWORD, Api


def test_register_creates_account_and_session(api: Api) -> None:
    reply = api.post(
        "/v1/auth/register",
        {
            "username": "ada",
            "email": "Ada@Example.COM",
            "password": DEFAULT_PASSWORD,
            "display_name": "Ada L.",
        },
    )
    assert reply.status == 201
    user = reply.data["user"]
    assert user["username"] == "ada"
    assert user["email"] == "Ada@example.com"
    assert user["role"] == "user" and user["admin_level"] is None and user["status"] == "active"
    assert "password_hash" not in user and "password" not in reply.body["data"]["user"]
    tokens = reply.data["tokens"]
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    me = api.get("/v1/auth/me", token=tokens["access_token"])
    assert me.status == 200 and me.data["user_id"] == user["user_id"]


def test_register_rejects_taken_username_and_email_case_insensitively(api: Api) -> None:
    api.register("grace")
    again = api.post(
        "/v1/auth/register",
        {"username": "GRACE", "email": "other@example.com", "password": DEFAULT_PASSWORD},
    )
    assert again.status == 409 and again.error_code == "USERNAME_TAKEN"
    same_email = api.post(
        "/v1/auth/register",
        {"username": "grace2", "email": "grace@EXAMPLE.com", "password": DEFAULT_PASSWORD},
    )
    assert same_email.status == 409 and same_email.error_code == "EMAIL_TAKEN"
    assert same_email.body["details"] == {"email": ["already registered"]}


def test_register_validates_every_field_with_details(api: Api) -> None:
    reply = api.post(
        "/v1/auth/register",
        {"username": "a", "email": "not-an-email", "password": "x", "admin": True},
    )
    assert reply.status == 422
    assert reply.error_code == "VALIDATION_ERROR"
    assert set(reply.body["details"]) == {"username", "email", "admin"}


def test_weak_password_gets_every_reason(api: Api) -> None:
    reply = api.post(
        "/v1/auth/register",
        {"username": "abab", "email": "abab@example.com", "password": "abababababab"},
    )
    assert reply.status == 422
    assert reply.error_code == "WEAK_PASSWORD"
    reasons = reply.body["details"]["password"]
    assert "must not contain your username" in reasons
    assert any("different characters" in r for r in reasons)
    short = api.post(
        "/v1/auth/register",
        {"username": "hopper", "email": "h@example.com", "password": "Tr0ub4dor&"},
    )
    assert short.body["details"]["password"] == ["must be at least 12 characters long"]
    common = api.post(
        "/v1/auth/register",
        {"username": "hopper", "email": "h@example.com", "password": "password1234"},
    )
    assert "is one of the most common passwords" in common.body["details"]["password"]


def test_login_by_username_or_email(api: Api) -> None:
    api.register("linus")
    by_name = api.login("linus")
    by_email = api.login("LINUS@example.com")
    assert by_name.user_id == by_email.user_id
    assert by_name.user["last_login_at"] is not None


def test_login_failures_look_the_same_for_unknown_and_known_accounts(api: Api) -> None:
    api.register("margaret")
    wrong = api.post("/v1/auth/login", {"login": "margaret", "password": "not-her-password"})
    unknown = api.post("/v1/auth/login", {"login": "nobody-here", "password": "not-her-password"})
    assert wrong.status == unknown.status == 401
    assert wrong.error_code == unknown.error_code == "INVALID_CREDENTIALS"
    assert wrong.body["error"] == unknown.body["error"]


def test_refresh_rotates_and_old_token_is_dead(api: Api) -> None:
    session = api.register()
    first = api.post("/v1/auth/refresh", {"refresh_token": session.refresh_token})
    assert first.status == 200
    new_refresh = first.data["refresh_token"]
    assert new_refresh != session.refresh_token
    assert api.get("/v1/auth/me", token=first.data["access_token"]).status == 200
    second = api.post("/v1/auth/refresh", {"refresh_token": new_refresh})
    assert second.status == 200


def test_refresh_token_reuse_revokes_the_whole_family(api: Api) -> None:
    session = api.register()
    rotated = api.post("/v1/auth/refresh", {"refresh_token": session.refresh_token}).data
    replay = api.post("/v1/auth/refresh", {"refresh_token": session.refresh_token})
    assert replay.status == 401 and replay.error_code == "REFRESH_TOKEN_REUSED"
    # the legitimate holder's newer tokens are dead too
    assert api.post("/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    assert api.get("/v1/auth/me", token=rotated["access_token"]).error_code == "SESSION_REVOKED"
    assert api.get("/v1/auth/me", token=session.access_token).status == 401
    events = api.get(
        "/v1/users/me/security-events?event_type=refresh_token_reuse",
        token=api.login(session.user["username"]).access_token,
    )
    assert len(events.data) == 1 and events.data[0]["level"] == "CRITICAL"


def test_logout_ends_this_session_only_unless_asked(api: Api) -> None:
    one = api.register()
    two = api.login(one.user["username"])
    three = api.login(one.user["username"])
    out = api.post("/v1/auth/logout", {}, token=one.access_token)
    assert out.status == 200 and out.data == {"sessions_ended": 1}
    assert api.get("/v1/auth/me", token=one.access_token).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": one.refresh_token}).status == 401
    assert api.get("/v1/auth/me", token=two.access_token).status == 200
    everything = api.post("/v1/auth/logout", {"all_sessions": True}, token=two.access_token)
    assert everything.data["sessions_ended"] >= 2
    assert api.get("/v1/auth/me", token=three.access_token).status == 401


def test_password_change_revokes_other_sessions_and_keeps_this_one(api: Api) -> None:
    here = api.register()
    elsewhere = api.login(here.user["username"])
    new_password = "a-brand-new-passphrase-42"
    reply = api.post(
        "/v1/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": new_password},
        token=here.access_token,
    )
    assert reply.status == 200 and reply.data == {"other_sessions_ended": 1}
    assert api.get("/v1/auth/me", token=here.access_token).status == 200
    assert api.get("/v1/auth/me", token=elsewhere.access_token).status == 401
    assert (
        api.post(
            "/v1/auth/login", {"login": here.user["username"], "password": DEFAULT_PASSWORD}
        ).status
        == 401
    )
    assert api.login(here.user["username"], new_password).user_id == here.user_id


def test_password_change_errors(api: Api) -> None:
    s = api.register()
    wrong = api.post(
        "/v1/auth/password",
        {"current_password": "nope-nope-nope", "new_password": "whatever-else-77"},
        token=s.access_token,
    )
    assert wrong.status == 403 and wrong.error_code == "INVALID_CREDENTIALS"
    same = api.post(
        "/v1/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": DEFAULT_PASSWORD},
        token=s.access_token,
    )
    assert same.status == 422
    weak = api.post(
        "/v1/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "short"},
        token=s.access_token,
    )
    assert weak.status == 422 and "new_password" in weak.body["details"]


def test_outdated_password_hash_is_upgraded_on_login(api: Api) -> None:
    from argon2 import PasswordHasher

    from chalicelib.auth.passwords import needs_rehash
    from chalicelib.core.settings import get_settings
    from chalicelib.store import users as user_store
    from chalicelib.store.dynamo import ddb, serialize, values

    s = api.register()
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(DEFAULT_PASSWORD)
    ddb().update_item(
        TableName=get_settings().users_table,
        Key=serialize({"user_id": s.user_id}),
        UpdateExpression="SET password_hash = :h",
        ExpressionAttributeValues=values(h=weak_hash),
    )
    assert needs_rehash(user_store.get(s.user_id).password_hash)  # type: ignore[union-attr]
    api.login(s.user["username"])
    upgraded = user_store.get(s.user_id)
    assert upgraded is not None and not needs_rehash(upgraded.password_hash)
    assert upgraded.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_me_requires_a_token(api: Api) -> None:
    reply = api.get("/v1/auth/me")
    assert reply.status == 401 and reply.error_code == "AUTHENTICATION_REQUIRED"
    assert reply.headers["www-authenticate"].startswith("Bearer")
    basic = api.get("/v1/auth/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status == 401 and basic.error_code == "INVALID_TOKEN"


def test_auth_responses_are_not_cached(api: Api) -> None:
    reply = api.post("/v1/auth/login", {"login": "x", "password": "y"})
    assert reply.headers["cache-control"] == "no-store"
