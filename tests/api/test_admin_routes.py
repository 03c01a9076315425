"""/v1/admin/users: listing, roles, (de)activation, deletion, and the last-superadmin rule."""

from __future__ import annotations

from tests.api_client import DEFAULT_PASSWORD, Api


def test_list_users_newest_first_with_filters_and_cursor(api: Api) -> None:
    boss = api.superadmin()
    made = [api.register(f"member{i}") for i in range(5)]
    page1 = api.get("/v1/admin/users?limit=2", token=boss.access_token)
    assert page1.status == 200
    assert [u["username"] for u in page1.data] == ["member4", "member3"]
    cursor = page1.body["pagination"]["next_cursor"]
    assert page1.body["pagination"]["limit"] == 2 and cursor
    page2 = api.get(f"/v1/admin/users?limit=2&cursor={cursor}", token=boss.access_token)
    assert [u["username"] for u in page2.data] == ["member2", "member1"]
    users_only = api.get("/v1/admin/users?role=user&limit=100", token=boss.access_token)
    assert {u["user_id"] for u in users_only.data} == {m.user_id for m in made}
    admins = api.get("/v1/admin/users?role=admin", token=boss.access_token)
    assert [u["user_id"] for u in admins.data] == [boss.user_id]
    api.post(f"/v1/admin/users/{made[0].user_id}/deactivate", token=boss.access_token)
    inactive = api.get("/v1/admin/users?status=deactivated", token=boss.access_token)
    assert [u["user_id"] for u in inactive.data] == [made[0].user_id]
    assert "password_hash" not in inactive.data[0]


def test_cursor_cannot_be_forged_or_reused_with_other_filters(api: Api) -> None:
    boss = api.superadmin()
    for _ in range(3):
        api.register()
    cursor = api.get("/v1/admin/users?limit=1", token=boss.access_token).body["pagination"][
        "next_cursor"
    ]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert (
        api.get(f"/v1/admin/users?cursor={tampered}", token=boss.access_token).error_code
        == "INVALID_CURSOR"
    )
    other_filter = api.get(f"/v1/admin/users?role=admin&cursor={cursor}", token=boss.access_token)
    assert other_filter.status == 400 and other_filter.error_code == "INVALID_CURSOR"
    other_admin = api.admin("moderator", by=boss)
    assert (
        api.get(f"/v1/admin/users?limit=1&cursor={cursor}", token=other_admin.access_token).status
        == 400
    )


def test_get_user_and_404(api: Api) -> None:
    mod = api.admin("moderator")
    someone = api.register()
    assert (
        api.get(f"/v1/admin/users/{someone.user_id}", token=mod.access_token).data["user_id"]
        == someone.user_id
    )
    missing = api.get("/v1/admin/users/usr_doesnotexist", token=mod.access_token)
    assert missing.status == 404 and missing.error_code == "USER_NOT_FOUND"


def test_only_superadmin_grants_admin_rights(api: Api) -> None:
    boss = api.superadmin()
    mod = api.admin("moderator", by=boss)
    target = api.register()
    denied = api.patch(
        f"/v1/admin/users/{target.user_id}",
        {"role": "admin", "admin_level": "moderator"},
        token=mod.access_token,
    )
    assert denied.status == 403
    granted = api.patch(
        f"/v1/admin/users/{target.user_id}",
        {"role": "admin", "admin_level": "superadmin"},
        token=boss.access_token,
    )
    assert granted.status == 200 and granted.data["admin_level"] == "superadmin"
    # the new role applies to the token the user already holds
    assert api.get("/v1/admin/users", token=target.access_token).status == 200
    demoted = api.patch(
        f"/v1/admin/users/{target.user_id}", {"role": "user"}, token=boss.access_token
    )
    assert demoted.data["role"] == "user" and demoted.data["admin_level"] is None
    assert api.get("/v1/admin/users", token=target.access_token).status == 403


def test_role_change_validation(api: Api) -> None:
    boss = api.superadmin()
    target = api.register()
    bad = api.patch(f"/v1/admin/users/{target.user_id}", {"role": "admin"}, token=boss.access_token)
    assert bad.status == 422
    bad_level = api.patch(
        f"/v1/admin/users/{target.user_id}", {"admin_level": "moderator"}, token=boss.access_token
    )
    assert bad_level.status == 400 and bad_level.error_code == "INVALID_ROLE_CHANGE"
    unknown = api.patch(
        f"/v1/admin/users/{target.user_id}", {"role": "god"}, token=boss.access_token
    )
    assert unknown.status == 422


def test_last_superadmin_cannot_be_demoted_deactivated_or_deleted(api: Api) -> None:
    boss = api.superadmin()
    demote = api.patch(
        f"/v1/admin/users/{boss.user_id}",
        {"role": "admin", "admin_level": "moderator"},
        token=boss.access_token,
    )
    assert demote.status == 409 and demote.error_code == "LAST_SUPERADMIN"
    delete_self = api.delete(
        "/v1/users/me", {"password": DEFAULT_PASSWORD}, token=boss.access_token
    )
    assert delete_self.status == 409 and delete_self.error_code == "LAST_SUPERADMIN"
    second = api.superadmin()
    deactivate = api.post(f"/v1/admin/users/{boss.user_id}/deactivate", token=second.access_token)
    assert deactivate.status == 200  # two superadmins: allowed
    last = api.delete(f"/v1/admin/users/{second.user_id}", token=second.access_token)
    assert last.status == 400  # not through the admin route on oneself
    demote_last = api.patch(
        f"/v1/admin/users/{second.user_id}", {"role": "user"}, token=second.access_token
    )
    assert demote_last.status == 409 and demote_last.error_code == "LAST_SUPERADMIN"
    assert api.get("/v1/admin/users", token=second.access_token).status == 200
    # reactivating brings the count back, after which demotion is fine
    assert (
        api.post(f"/v1/admin/users/{boss.user_id}/reactivate", token=second.access_token).status
        == 200
    )
    boss_again = api.login(boss.user["username"])
    assert (
        api.patch(
            f"/v1/admin/users/{second.user_id}", {"role": "user"}, token=boss_again.access_token
        ).status
        == 200
    )


def test_deactivation_blocks_login_and_reactivation_restores_it(api: Api) -> None:
    mod = api.admin("moderator")
    target = api.register()
    reply = api.post(f"/v1/admin/users/{target.user_id}/deactivate", token=mod.access_token)
    assert reply.status == 200 and reply.data["status"] == "deactivated"
    login = api.post(
        "/v1/auth/login", {"login": target.user["username"], "password": DEFAULT_PASSWORD}
    )
    assert login.status == 403 and login.error_code == "ACCOUNT_DEACTIVATED"
    wrong_password = api.post(
        "/v1/auth/login", {"login": target.user["username"], "password": "wrong-one-here"}
    )
    assert wrong_password.status == 401  # deactivation is only revealed to the password holder
    assert (
        api.post(f"/v1/admin/users/{target.user_id}/reactivate", token=mod.access_token).data[
            "status"
        ]
        == "active"
    )
    assert api.login(target.user["username"]).user_id == target.user_id


def test_moderator_cannot_touch_admins_or_self(api: Api) -> None:
    boss = api.superadmin()
    mod = api.admin("moderator", by=boss)
    other_mod = api.admin("moderator", by=boss)
    assert (
        api.post(f"/v1/admin/users/{other_mod.user_id}/deactivate", token=mod.access_token).status
        == 403
    )
    assert (
        api.post(f"/v1/admin/users/{boss.user_id}/deactivate", token=mod.access_token).status == 403
    )
    assert (
        api.post(f"/v1/admin/users/{mod.user_id}/deactivate", token=mod.access_token).status == 400
    )
    assert api.delete(f"/v1/admin/users/{other_mod.user_id}", token=mod.access_token).status == 403


def test_admin_delete_removes_user_everywhere(api: Api) -> None:
    boss = api.superadmin()
    target = api.register("doomed")
    reply = api.delete(f"/v1/admin/users/{target.user_id}", token=boss.access_token)
    assert reply.status == 200
    assert api.get(f"/v1/admin/users/{target.user_id}", token=boss.access_token).status == 404
    assert api.get(f"/v1/admin/logs?user_id={target.user_id}", token=boss.access_token).data == []
    assert (
        api.post("/v1/auth/login", {"login": "doomed", "password": DEFAULT_PASSWORD}).status == 401
    )
    again = api.delete(f"/v1/admin/users/{target.user_id}", token=boss.access_token)
    assert again.status == 404
    events = api.get(
        "/v1/admin/security-events?event_type=user_deleted", token=boss.access_token
    ).data
    assert (
        events[0]["metadata"]["deleted_user_id"] == target.user_id
        and events[0]["user_id"] == boss.user_id
    )
