"""/v1/analytics: records (validation, ownership, listing) and the aggregate findings summary."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from chalicelib.core.settings import get_settings
from tests.api_client import Api, Session
from tests.images import upload_and_analyse


@pytest.fixture
def owner(api: Api) -> Session:
    return api.register()


def _create(api: Api, who: Session, data: Any, topic: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if topic is not None:
        body["research_topic"] = topic
    reply = api.post("/v1/analytics", body, token=who.access_token)
    assert reply.status == 201, reply.body
    return dict(reply.data)


# records --------------------------------------------------------------------------------------


def test_create_read_update_delete(api: Api, owner: Session) -> None:
    data = {"task": "checkout", "seconds": 12.5, "steps": [1, 2, {"ok": True}], "note": None}
    entry = _create(api, owner, data, topic="Checkout flow")
    assert entry["entry_id"].startswith("ana_") and entry["user_id"] == owner.user_id
    assert entry["data"] == data and entry["research_topic"] == "Checkout flow"
    assert entry["created_at"] == entry["updated_at"]

    got = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert got.status == 200 and got.data == entry

    patched = api.patch(
        f"/v1/analytics/{entry['entry_id']}", {"data": {"v": 2}}, token=owner.access_token
    )
    assert patched.status == 200, patched.body
    assert patched.data["data"] == {"v": 2} and patched.data["research_topic"] == "Checkout flow"
    cleared = api.patch(
        f"/v1/analytics/{entry['entry_id']}", {"research_topic": None}, token=owner.access_token
    )
    assert cleared.data["research_topic"] is None and cleared.data["data"] == {"v": 2}

    gone = api.delete(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert gone.status == 200 and gone.data == {"entry_id": entry["entry_id"], "deleted": True}
    again = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert again.status == 404 and again.error_code == "ANALYTICS_ENTRY_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "data"),
        ({"data": [1, 2]}, "data"),
        ({"data": "text"}, "data"),
        ({"data": {}, "research_topic": ""}, "research_topic"),
        ({"data": {}, "research_topic": "<script>"}, "research_topic"),
        ({"data": {}, "research_topic": "x" * 101}, "research_topic"),
        ({"data": {}, "extra": 1}, "extra"),
    ],
)
def test_create_validation(api: Api, owner: Session, body: dict[str, Any], field: str) -> None:
    reply = api.post("/v1/analytics", body, token=owner.access_token)
    assert reply.status == 422 and field in reply.body["details"], reply.body


def test_data_size_and_depth_limits(api: Api, owner: Session) -> None:
    limit = get_settings().analytics_max_data_bytes
    too_big = {"blob": "x" * limit}
    reply = api.post("/v1/analytics", {"data": too_big}, token=owner.access_token)
    assert reply.status == 422 and "data" in reply.body["details"]
    just_fits = {"blob": "x" * (limit - len('{"blob":""}'))}
    assert api.post("/v1/analytics", {"data": just_fits}, token=owner.access_token).status == 201
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(20):
        node["n"] = {}
        node = node["n"]
    reply = api.post("/v1/analytics", {"data": deep}, token=owner.access_token)
    assert reply.status == 422 and "levels" in str(reply.body["details"])


def test_data_round_trips_exactly(api: Api, owner: Session) -> None:
    data = {"pi": 3.141592653589793, "big": 12345678901234567890, "unicode": "Zoë ✓", "e": ""}
    entry = _create(api, owner, data)
    got = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token).data
    assert got["data"] == data


def test_patch_validation(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1})
    path = f"/v1/analytics/{entry['entry_id']}"
    assert api.patch(path, {}, token=owner.access_token).status == 422
    assert api.patch(path, {"data": None}, token=owner.access_token).status == 422
    assert api.patch(path, {"user_id": "x"}, token=owner.access_token).status == 422


def test_entries_are_their_creators(api: Api, owner: Session) -> None:
    other = api.register()
    entry = _create(api, owner, {"secret": "owner-only"}, topic="private")
    path = f"/v1/analytics/{entry['entry_id']}"
    for reply in (
        api.get(path, token=other.access_token),
        api.patch(path, {"data": {"x": 1}}, token=other.access_token),
        api.delete(path, token=other.access_token),
    ):
        assert reply.status == 404 and reply.error_code == "ANALYTICS_ENTRY_NOT_FOUND"
    assert api.get(path, token=owner.access_token).data["data"] == {"secret": "owner-only"}
    listed = api.get("/v1/analytics", token=other.access_token).data
    assert listed == []
    forbidden = api.get(f"/v1/analytics?user_id={owner.user_id}", token=other.access_token)
    assert forbidden.status == 403 and owner.user_id not in json.dumps(forbidden.body)
    assert api.get("/v1/analytics?user_id=all", token=other.access_token).status == 403
    assert api.get(path, token=None).status == 401
    assert api.get("/v1/analytics/ana_doesnotexist", token=owner.access_token).status == 404
    assert api.get("/v1/analytics/../users/me", token=owner.access_token).status != 200


def test_admins_read_all_but_change_nothing(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1}, topic="t1")
    moderator = api.admin("moderator")
    path = f"/v1/analytics/{entry['entry_id']}"
    assert api.get(path, token=moderator.access_token).data["data"] == {"a": 1}
    assert api.patch(path, {"data": {}}, token=moderator.access_token).status == 404
    assert api.delete(path, token=moderator.access_token).status == 404
    theirs = api.get(f"/v1/analytics?user_id={owner.user_id}", token=moderator.access_token)
    assert [e["entry_id"] for e in theirs.data] == [entry["entry_id"]]
    _create(api, moderator, {"b": 2}, topic="t1")
    everyone = api.get("/v1/analytics?user_id=all&topic=t1", token=moderator.access_token)
    assert {e["user_id"] for e in everyone.data} == {owner.user_id, moderator.user_id}


def test_list_filters_by_topic_and_time_and_paginates(api: Api, owner: Session) -> None:
    made = [_create(api, owner, {"i": i}, topic="alpha" if i % 2 else "beta") for i in range(7)]
    everything = api.get("/v1/analytics?limit=3", token=owner.access_token)
    seen, cursor = list(everything.data), everything.body["pagination"]["next_cursor"]
    while cursor:
        page = api.get(f"/v1/analytics?limit=3&cursor={cursor}", token=owner.access_token)
        assert page.status == 200, page.body
        seen += page.data
        cursor = page.body["pagination"]["next_cursor"]
    assert [e["entry_id"] for e in seen] == [e["entry_id"] for e in reversed(made)]

    alpha = api.get("/v1/analytics?topic=alpha", token=owner.access_token).data
    assert [e["data"]["i"] for e in alpha] == [5, 3, 1]

    since, until = made[2]["created_at"], made[5]["created_at"]
    window = api.get(f"/v1/analytics?since={since}&until={until}", token=owner.access_token).data
    assert [e["data"]["i"] for e in window] == [
        i for i in (4, 3, 2) if made[i]["created_at"] < until
    ]
    assert {e["data"]["i"] for e in window} >= {3}

    # a cursor is bound to its listing and its viewer
    first = api.get("/v1/analytics?limit=2&topic=alpha", token=owner.access_token)
    cursor = first.body["pagination"]["next_cursor"]
    assert cursor
    moved = api.get(f"/v1/analytics?limit=2&topic=beta&cursor={cursor}", token=owner.access_token)
    assert moved.status == 400 and moved.error_code == "INVALID_CURSOR"
    stolen = api.get(
        f"/v1/analytics?limit=2&topic=alpha&cursor={cursor}", token=api.register().access_token
    )
    assert stolen.status == 400


def test_list_query_validation(api: Api, owner: Session) -> None:
    for query in (
        "since=yesterday",
        "since=2026-11-25T00:00:00",
        "limit=0",
        "colour=red",
        "since=2026-11-25T00:00:00Z&until=2026-11-24T00:00:00Z",
    ):
        reply = api.get(f"/v1/analytics?{query}", token=owner.access_token)
        assert reply.status == 422, (query, reply.body)


def test_deleting_the_account_deletes_its_entries(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1})
    assert (
        api.delete("/v1/users/me", {"password": owner.password}, token=owner.access_token).status
        == 200
    )
    admin = api.superadmin()
    assert api.get(f"/v1/analytics/{entry['entry_id']}", token=admin.access_token).status == 404
