"""Access control beyond the per-route matrix: other users' data stays out of reach whatever the
ids, cursors or filters sent; moderators cannot hand out admin rights; cursors cannot be forged."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api_client import Api, Session
from tests.images import announce, drain, put_upload, ui_screenshot


def _analysed_image(api: Api, who: Session, title: str) -> str:
    created = announce(api, who, ui_screenshot(), title=title, tags=["secret-tag"])
    put_upload(created["upload"]["fields"]["key"], ui_screenshot())
    drain(api)
    image_id = str(created["image"]["image_id"])
    assert api.get(f"/v1/images/{image_id}", token=who.access_token).data["status"] == "analyzed"
    return image_id


@pytest.fixture
def victim(api: Api) -> Session:
    return api.register()


@pytest.fixture
def attacker(api: Api) -> Session:
    return api.register()


def test_another_users_image_cannot_be_read_changed_or_deleted(
    api: Api, victim: Session, attacker: Session
) -> None:
    image_id = _analysed_image(api, victim, "victim's private screen")
    before = api.get(f"/v1/images/{image_id}", token=victim.access_token).data
    token = attacker.access_token
    attempts = [
        ("GET", f"/v1/images/{image_id}", None),
        ("GET", f"/v1/images/{image_id}/analysis", None),
        ("GET", f"/v1/images/{image_id}/tokens", None),
        ("GET", f"/v1/images/{image_id}/tokens?format=css", None),
        ("PATCH", f"/v1/images/{image_id}", {"title": "pwned"}),
        ("POST", f"/v1/images/{image_id}/reanalyze", {}),
        ("DELETE", f"/v1/images/{image_id}", None),
        # ids with a twist: case, padding, encoded separators, path traversal
        ("GET", f"/v1/images/{image_id.upper()}", None),
        ("GET", f"/v1/images/{image_id}%20", None),
        ("GET", f"/v1/images/..%2F{image_id}", None),
        ("DELETE", f"/v1/images/{image_id}%00", None),
    ]
    for method, path, body in attempts:
        reply = api.request(method, path, json_body=body, token=token)
        assert reply.status == 404, (method, path, reply.status, reply.body)
        assert "victim's private screen" not in json.dumps(reply.body)
    after = api.get(f"/v1/images/{image_id}", token=victim.access_token).data
    for volatile in ("original_url", "thumbnail_url"):
        before.pop(volatile)
        after.pop(volatile)
    assert after == before


def test_filters_cannot_widen_a_listing_to_another_user(
    api: Api, victim: Session, attacker: Session
) -> None:
    _analysed_image(api, victim, "victim's private screen")
    api.patch("/v1/users/me", {"display_name": "victim-marker"}, token=victim.access_token)
    token = attacker.access_token
    for path in (
        f"/v1/images?user_id={victim.user_id}",
        f"/v1/images?owner={victim.user_id}",
        f"/v1/users/me/logs?user_id={victim.user_id}",
        f"/v1/users/me/security-events?user_id={victim.user_id}",
        f"/v1/admin/images?user_id={victim.user_id}",
        f"/v1/admin/logs?user_id={victim.user_id}",
        f"/v1/admin/users/{victim.user_id}",
    ):
        reply = api.get(path, token=token)
        assert reply.status in (403, 422), (path, reply.status)
        text = json.dumps(reply.body)
        assert "victim" not in text and victim.user_id not in text.replace(path, ""), path
    mine = api.get("/v1/images?tag=secret-tag", token=token)
    assert mine.status == 200 and mine.data == []


def _pages(api: Api, path: str, token: str) -> str:
    reply = api.get(path, token=token)
    assert reply.status == 200, reply.body
    cursor = reply.body["pagination"]["next_cursor"]
    assert cursor, "expected a next page"
    return str(cursor)


def test_cursors_cannot_be_carried_to_another_user_or_listing_or_forged(
    api: Api, victim: Session, attacker: Session
) -> None:
    for n in range(3):
        announce(api, victim, b"x" * 10, title=f"v{n}")
        api.patch("/v1/users/me", {"display_name": f"v{n}"}, token=victim.access_token)
    images_cursor = _pages(api, "/v1/images?limit=1", victim.access_token)
    logs_cursor = _pages(api, "/v1/users/me/logs?limit=1", victim.access_token)
    boss = api.superadmin()
    admin_cursor = _pages(
        api, f"/v1/admin/images?user_id={victim.user_id}&limit=1", boss.access_token
    )

    def refused(path: str) -> None:
        reply = api.get(path, token=attacker.access_token)
        assert reply.status == 400 and reply.error_code == "INVALID_CURSOR", (path, reply.body)

    # the victim's cursors, replayed by the attacker on the same listing
    refused(f"/v1/images?limit=1&cursor={images_cursor}")
    refused(f"/v1/users/me/logs?limit=1&cursor={logs_cursor}")
    # an admin's cursor into the victim's images, replayed on the attacker's own listing
    refused(f"/v1/images?limit=1&cursor={admin_cursor}")
    # a cursor taken to another listing, or used with other filters, by its own user
    reply = api.get(f"/v1/users/me/security-events?cursor={logs_cursor}", token=victim.access_token)
    assert reply.status == 400
    reply = api.get(f"/v1/images?status=failed&cursor={images_cursor}", token=victim.access_token)
    assert reply.status == 400
    # forged: the payload rewritten to point into the victim's partition, MAC kept
    raw = base64.urlsafe_b64decode(images_cursor + "=" * (-len(images_cursor) % 4))
    mac, payload = raw[:16], json.loads(raw[16:])
    forged_payload = json.dumps(payload).replace(victim.user_id, attacker.user_id).encode()
    forged = base64.urlsafe_b64encode(mac + forged_payload).rstrip(b"=").decode()
    refused(f"/v1/images?limit=1&cursor={forged}")
    # and a raw DynamoDB key, a truncated cursor and junk
    raw_key = base64.urlsafe_b64encode(json.dumps({"user_id": {"S": victim.user_id}}).encode())
    for junk in (raw_key.decode(), images_cursor[:-4], "%%%", "A" * 4000):
        refused(f"/v1/images?limit=1&cursor={junk}")


def test_a_moderator_cannot_grant_admin_rights_or_touch_admins(api: Api) -> None:
    boss = api.superadmin()
    moderator = api.admin("moderator", by=boss)
    other_moderator = api.admin("moderator", by=boss)
    user = api.register()
    token = moderator.access_token
    for target, body in [
        (user.user_id, {"role": "admin", "admin_level": "moderator"}),
        (user.user_id, {"role": "admin", "admin_level": "superadmin"}),
        (moderator.user_id, {"role": "admin", "admin_level": "superadmin"}),
        (other_moderator.user_id, {"role": "user"}),
        (boss.user_id, {"role": "user"}),
    ]:
        reply = api.patch(f"/v1/admin/users/{target}", body, token=token)
        assert reply.status == 403, (target, body, reply.body)
    for target in (boss.user_id, other_moderator.user_id):
        assert api.post(f"/v1/admin/users/{target}/deactivate", token=token).status == 403
        assert api.delete(f"/v1/admin/users/{target}", token=token).status == 403
    assert api.delete(f"/v1/admin/users/{user.user_id}", token=token).status == 403
    # nothing changed
    assert api.get(f"/v1/admin/users/{user.user_id}", token=token).data["role"] == "user"
    me = api.get("/v1/users/me", token=token).data
    assert me["role"] == "admin" and me["admin_level"] == "moderator"
    boss_now = api.get(f"/v1/admin/users/{boss.user_id}", token=token).data
    assert boss_now["admin_level"] == "superadmin" and boss_now["status"] == "active"
    # a user cannot make themselves anything through their own profile either
    reply = api.patch("/v1/users/me", {"role": "admin"}, token=user.access_token)
    assert reply.status == 422
    assert api.get("/v1/users/me", token=user.access_token).data["role"] == "user"


def test_ending_my_sessions_or_account_never_touches_anyone_elses(
    api: Api, victim: Session, attacker: Session
) -> None:
    image_id = _analysed_image(api, victim, "kept")
    reply = api.post("/v1/auth/logout", {"all_sessions": True}, token=attacker.access_token)
    assert reply.status == 200
    assert api.get("/v1/users/me", token=victim.access_token).status == 200
    again = api.login(attacker.user["username"])
    reply = api.delete("/v1/users/me", {"password": attacker.password}, token=again.access_token)
    assert reply.status == 200, reply.body
    assert api.get(f"/v1/images/{image_id}", token=victim.access_token).status == 200
    # the victim's refresh token is theirs alone: still works after all that
    assert api.post("/v1/auth/refresh", {"refresh_token": victim.refresh_token}).status == 200
