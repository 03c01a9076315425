"""The audit trail: every state-changing request logged, security events recorded, lists filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from tests.api_client import DEFAULT_PASSWORD, Api


def test_state_changing_requests_write_a_user_action_log(api: Api) -> None:
    s = api.register()
    api.patch("/v1/users/me", {"display_name": "New Name"}, token=s.access_token)
    api.get("/v1/users/me", token=s.access_token)  # reads are not logged
    logs = api.get("/v1/users/me/logs", token=s.access_token)
    assert logs.status == 200
    actions = [entry["action"] for entry in logs.data]
    assert actions == ["PATCH /v1/users/me", "POST /v1/auth/register"]
    newest = logs.data[0]
    assert (
        newest["module"] == "users" and newest["level"] == "INFO" and newest["status_code"] == 200
    )
    assert newest["request_id"] and newest["client_ip"] == "127.0.0.1"
    assert newest["metadata"]["fields"] == ["display_name"]
    assert "password" not in str(logs.data).lower().replace("password_changed", "")


def test_failed_state_changes_are_logged_with_warning(api: Api) -> None:
    boss = api.superadmin()
    api.post("/v1/auth/login", {"login": "ghost-user", "password": "wrong-password-1"})
    logs = api.get("/v1/admin/logs?module=auth&level=WARNING", token=boss.access_token).data
    assert any(entry["user_id"] == "anonymous" and entry["status_code"] == 401 for entry in logs)


def test_security_events_for_the_important_moments(api: Api) -> None:
    boss = api.superadmin()
    s = api.register("eventful")
    api.post("/v1/auth/login", {"login": "eventful", "password": "wrong-password-1"})
    s2 = api.login("eventful")
    api.post(
        "/v1/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "another-long-pass-1"},
        token=s2.access_token,
    )
    api.patch(
        f"/v1/admin/users/{s.user_id}",
        {"role": "admin", "admin_level": "moderator"},
        token=boss.access_token,
    )
    api.post(f"/v1/admin/users/{s.user_id}/deactivate", token=boss.access_token)
    events = api.get(
        f"/v1/admin/security-events?user_id={s.user_id}&limit=100", token=boss.access_token
    ).data
    kinds = [e["event_type"] for e in events]
    assert kinds == [
        "user_deactivated",
        "role_changed",
        "password_changed",
        "login_succeeded",
        "login_failed",
        "registered",
    ]
    role = events[1]
    assert (
        role["metadata"]["by"] == boss.user_id
        and role["metadata"]["new_admin_level"] == "moderator"
    )


def test_admin_log_filters(api: Api) -> None:
    boss = api.superadmin()
    a = api.register()
    b = api.register()
    api.patch("/v1/users/me", {"display_name": "A"}, token=a.access_token)
    api.patch("/v1/users/me", {"display_name": "B"}, token=b.access_token)
    only_a = api.get(f"/v1/admin/logs?user_id={a.user_id}", token=boss.access_token).data
    assert {e["user_id"] for e in only_a} == {a.user_id} and len(only_a) == 2
    users_module = api.get("/v1/admin/logs?module=users", token=boss.access_token).data
    assert {e["user_id"] for e in users_module} == {a.user_id, b.user_id}
    a_in_auth = api.get(
        f"/v1/admin/logs?user_id={a.user_id}&module=auth", token=boss.access_token
    ).data
    assert [e["action"] for e in a_in_auth] == ["POST /v1/auth/register"]
    everything = api.get("/v1/admin/logs?limit=100", token=boss.access_token).data
    stamps = [e["timestamp"] for e in everything]
    assert stamps == sorted(stamps, reverse=True) and len(everything) >= 5
    future = quote((datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert api.get(f"/v1/admin/logs?since={future}", token=boss.access_token).data == []
    past = quote((datetime.now(UTC) - timedelta(days=1)).isoformat())
    assert len(api.get(f"/v1/admin/logs?until={past}", token=boss.access_token).data) == 0
    assert len(
        api.get(f"/v1/admin/logs?since={past}&limit=100", token=boss.access_token).data
    ) == len(everything)
    naive = api.get("/v1/admin/logs?since=2026-01-01T00:00:00", token=boss.access_token)
    assert naive.status == 422


def test_admin_logs_paginate_across_pages_without_gaps(api: Api) -> None:
    boss = api.superadmin()
    s = api.register()
    for i in range(7):
        api.patch("/v1/users/me", {"display_name": f"n{i}"}, token=s.access_token)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        path = "/v1/admin/logs?module=users&limit=3" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(path, token=boss.access_token)
        seen += [e["log_id"] for e in reply.data]
        cursor = reply.body["pagination"]["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7 and pages == 3
    unfiltered: list[str] = []
    cursor = None
    while True:
        reply = api.get(
            "/v1/admin/logs?limit=4" + (f"&cursor={cursor}" if cursor else ""),
            token=boss.access_token,
        )
        unfiltered += [e["log_id"] for e in reply.data]
        cursor = reply.body["pagination"]["next_cursor"]
        if not cursor:
            break
    assert set(seen) <= set(unfiltered) and len(unfiltered) == len(set(unfiltered))


def test_users_see_only_their_own_trail(api: Api) -> None:
    a = api.register()
    b = api.register()
    for _ in range(3):
        api.patch("/v1/users/me", {"display_name": "x"}, token=a.access_token)
    mine = api.get("/v1/users/me/logs?limit=1", token=b.access_token)
    assert {e["user_id"] for e in mine.data} == {b.user_id}
    a_page = api.get("/v1/users/me/logs?limit=1", token=a.access_token)
    stolen_cursor = a_page.body["pagination"]["next_cursor"]
    assert stolen_cursor
    replay = api.get(f"/v1/users/me/logs?limit=1&cursor={stolen_cursor}", token=b.access_token)
    assert replay.status == 400 and replay.error_code == "INVALID_CURSOR"
    snoop = api.get(f"/v1/users/me/logs?user_id={a.user_id}", token=b.access_token)
    assert snoop.status == 422  # no such filter for users
    assert api.get("/v1/admin/logs", token=b.access_token).status == 403
    events = api.get("/v1/users/me/security-events", token=b.access_token).data
    assert {e["user_id"] for e in events} == {b.user_id}


def test_retention_is_a_ttl(api: Api) -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.store.dynamo import ddb

    settings = get_settings()
    for table in (settings.audit_logs_table, settings.security_events_table):
        ttl = ddb().describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "expires_at"
    s = api.register()
    raw = ddb().query(
        TableName=settings.audit_logs_table,
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": s.user_id}},
    )["Items"][0]
    expires = int(raw["expires_at"]["N"])
    expected = datetime.now(UTC).timestamp() + settings.log_retention_days * 86400
    assert abs(expires - expected) < 60
