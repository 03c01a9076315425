"""Regression tests for what the schemathesis run found (each was a 500 before it was fixed)."""

from __future__ import annotations

import pytest

from tests.api_client import Api
from tests.images import announce


def test_lone_surrogates_in_a_json_body_are_refused_not_a_500(api: Api) -> None:
    who = api.register()
    raw = b'{"display_name": "ok \\udab8 not ok"}'
    reply = api.request("PATCH", "/v1/users/me", raw=raw, token=who.access_token)
    assert reply.status == 422 and reply.error_code == "VALIDATION_ERROR"
    assert api.get("/v1/users/me", token=who.access_token).data["display_name"] is None
    # a properly paired surrogate (an emoji) is fine
    raw = b'{"display_name": "ok \\ud83d\\ude00"}'
    reply = api.request("PATCH", "/v1/users/me", raw=raw, token=who.access_token)
    assert reply.status == 200 and reply.data["display_name"] == "ok \U0001f600"


@pytest.mark.parametrize("field", ["username", "email"])
def test_null_username_or_email_is_refused_and_the_account_is_intact(api: Api, field: str) -> None:
    who = api.register()
    reply = api.patch("/v1/users/me", {field: None}, token=who.access_token)
    assert reply.status == 422 and field in reply.body["details"]
    me = api.get("/v1/users/me", token=who.access_token)
    assert me.status == 200 and me.data[field] == who.user[field]


def test_null_tags_or_role_are_refused(api: Api) -> None:
    who = api.register()
    image_id = announce(api, who, b"x" * 10)["image"]["image_id"]
    reply = api.patch(f"/v1/images/{image_id}", {"tags": None}, token=who.access_token)
    assert reply.status == 422
    image = api.get(f"/v1/images/{image_id}", token=who.access_token)
    assert image.status == 200 and image.data["tags"] == []
    boss = api.superadmin()
    reply = api.patch(f"/v1/admin/users/{who.user_id}", {"role": None}, token=boss.access_token)
    assert reply.status == 422
    assert api.get("/v1/users/me", token=who.access_token).data["role"] == "user"


@pytest.mark.parametrize(
    "query",
    [
        "/v1/admin/logs?user_id=",
        "/v1/admin/security-events?user_id=",
        "/v1/admin/logs?module=",
        "/v1/users/me/logs?module=",
        "/v1/images?tag=",
        "/v1/admin/logs?until=0113-03-10T09%3A12%3A05%2B14%3A12",
        "/v1/users/me/security-events?since=0001-01-01T00%3A00%3A00%2B01%3A00",
        "/v1/users/me/logs?since=9999-12-31T23%3A59%3A59-14%3A00",
    ],
)
def test_empty_filters_and_out_of_range_times_are_422(api: Api, query: str) -> None:
    boss = api.superadmin()
    reply = api.get(query, token=boss.access_token)
    assert reply.status == 422 and reply.error_code == "VALIDATION_ERROR", reply.body
