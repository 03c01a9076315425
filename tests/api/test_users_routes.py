"""/v1/users/me: profile, renames, and deleting one's own account completely."""

from __future__ import annotations

from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import ddb, serialize, values
from tests.api_client import DEFAULT_PASSWORD, Api


def test_get_and_update_me(api: Api) -> None:
    s = api.register("turing")
    assert api.get("/v1/users/me", token=s.access_token).data["username"] == "turing"
    reply = api.patch(
        "/v1/users/me", {"display_name": "Alan", "username": "alan"}, token=s.access_token
    )
    assert reply.status == 200
    assert reply.data["display_name"] == "Alan" and reply.data["username"] == "alan"
    assert api.login("alan").user_id == s.user_id
    assert (
        api.post("/v1/auth/login", {"login": "turing", "password": DEFAULT_PASSWORD}).status == 401
    )
    # the old name is free again
    again = api.post(
        "/v1/auth/register",
        {"username": "turing", "email": "other@example.com", "password": DEFAULT_PASSWORD},
    )
    assert again.status == 201


def test_update_me_conflicts_and_validation(api: Api) -> None:
    api.register("taken")
    s = api.register()
    clash = api.patch("/v1/users/me", {"email": "TAKEN@example.com"}, token=s.access_token)
    assert clash.status == 409 and clash.error_code == "EMAIL_TAKEN"
    empty = api.patch("/v1/users/me", {}, token=s.access_token)
    assert empty.status == 422
    role = api.patch("/v1/users/me", {"role": "admin"}, token=s.access_token)
    assert role.status == 422 and "role" in role.body["details"]


def _items_of(table: str, key: str, value: str, index: str | None = None) -> int:
    kwargs = {
        "TableName": table,
        "KeyConditionExpression": f"{key} = :v",
        "ExpressionAttributeValues": values(v=value),
    }
    if index:
        kwargs["IndexName"] = index
    return int(ddb().query(**kwargs)["Count"])


def test_delete_me_removes_everything_owned(api: Api) -> None:
    s = api.register("leaving")
    api.login("leaving")
    settings = get_settings()
    assert _items_of(settings.audit_logs_table, "user_id", s.user_id) > 0
    assert _items_of(settings.security_events_table, "user_id", s.user_id) > 0
    wrong = api.delete("/v1/users/me", {"password": "not-my-password"}, token=s.access_token)
    assert wrong.status == 403
    reply = api.delete("/v1/users/me", {"password": DEFAULT_PASSWORD}, token=s.access_token)
    assert reply.status == 200 and reply.data is None
    assert api.get("/v1/users/me", token=s.access_token).status == 401
    assert _items_of(settings.sessions_table, "user_id", s.user_id, index="by-user") == 0
    assert _items_of(settings.audit_logs_table, "user_id", s.user_id) == 0
    assert _items_of(settings.security_events_table, "user_id", s.user_id) == 0
    for identity in ("username#leaving", "email#leaving@example.com"):
        assert "Item" not in ddb().get_item(
            TableName=settings.identities_table, Key=serialize({"identity": identity})
        )
    assert "Item" not in ddb().get_item(
        TableName=settings.users_table, Key=serialize({"user_id": s.user_id})
    )
    # the name can be registered again
    assert api.register("leaving").user_id != s.user_id


def test_delete_me_needs_the_password_field(api: Api) -> None:
    s = api.register()
    reply = api.delete("/v1/users/me", token=s.access_token)
    assert reply.status == 422 and "password" in reply.body["details"]
