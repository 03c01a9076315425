"""/v1/images: announcing uploads, quotas, listing, reading, editing, deleting."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.core.settings import get_settings, reset_settings
from chalicelib.store.aws import client
from tests.api_client import DEFAULT_PASSWORD, Api, Session
from tests.images import announce, drain, put_upload, ui_screenshot, upload_and_analyse


@pytest.fixture
def owner(api: Api) -> Session:
    return api.register()


def test_create_returns_record_and_a_constrained_presigned_post(api: Api, owner: Session) -> None:
    created = announce(
        api, owner, b"x" * 5000, title="Checkout", tags=["Mobile", "checkout", "mobile"]
    )
    image = created["image"]
    assert image["status"] == "awaiting_upload" and image["title"] == "Checkout"
    assert image["tags"] == ["mobile", "checkout"]
    upload = created["upload"]
    key = upload["fields"]["key"]
    assert (
        key == f"uploads/{owner.user_id}/{image['image_id']}"
    )  # server-chosen, never the file name
    assert upload["fields"]["Content-Type"] == "image/png" and upload["max_bytes"] == 5000
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", 1, 5000] in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert (
        "x-amz-signature" in upload["fields"]
        and upload["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filename": "a.svg", "content_type": "image/svg+xml", "size_bytes": 10}, "content_type"),
        ({"filename": "a.png", "content_type": "image/png", "size_bytes": 0}, "size_bytes"),
        (
            {"filename": "../../etc/passwd", "content_type": "image/png", "size_bytes": 10},
            "filename",
        ),
        (
            {
                "filename": "a.png",
                "content_type": "image/png",
                "size_bytes": 10,
                "tags": ["<script>"],
            },
            "tags.0",
        ),
        ({"content_type": "image/png", "size_bytes": 10}, "filename"),
    ],
)
def test_create_validation(api: Api, owner: Session, body: dict[str, object], field: str) -> None:
    reply = api.post("/v1/images", body, token=owner.access_token)
    assert reply.status == 422 and field in reply.body["details"], reply.body


def test_size_limit_is_a_setting(api: Api, owner: Session) -> None:
    too_big = get_settings().upload_max_bytes + 1
    reply = api.post(
        "/v1/images",
        {"filename": "a.png", "content_type": "image/png", "size_bytes": too_big},
        token=owner.access_token,
    )
    assert reply.status == 422 and reply.error_code == "FILE_TOO_LARGE"


def test_quota_on_count_and_bytes(api: Api, owner: Session, env: pytest.MonkeyPatch) -> None:
    env.setenv("JANUS_QUOTA_MAX_IMAGES", "2")
    env.setenv("JANUS_QUOTA_MAX_BYTES", "10000")
    reset_settings()
    first = announce(api, owner, b"x" * 4000)
    announce(api, owner, b"x" * 4000)
    third = api.post(
        "/v1/images",
        {"filename": "c.png", "content_type": "image/png", "size_bytes": 10},
        token=owner.access_token,
    )
    assert third.status == 403 and third.error_code == "QUOTA_EXCEEDED"
    assert third.body["details"]["images"] == 2 and third.body["details"]["max_images"] == 2
    api.delete(f"/v1/images/{first['image']['image_id']}", token=owner.access_token)
    bytes_over = api.post(
        "/v1/images",
        {"filename": "c.png", "content_type": "image/png", "size_bytes": 7000},
        token=owner.access_token,
    )
    assert bytes_over.status == 403 and bytes_over.body["details"]["bytes"] == 4000
    assert (
        api.post(
            "/v1/images",
            {"filename": "c.png", "content_type": "image/png", "size_bytes": 6000},
            token=owner.access_token,
        ).status
        == 201
    )
    other = api.register()
    assert announce(api, other, b"x" * 4000)["image"]["status"] == "awaiting_upload"


def test_abandoned_announcements_give_their_quota_back(
    api: Api, owner: Session, env: pytest.MonkeyPatch
) -> None:
    from chalicelib.store.dynamo import ddb, serialize, values

    env.setenv("JANUS_QUOTA_MAX_IMAGES", "1")
    reset_settings()
    stale = announce(api, owner, b"x" * 100)
    ddb().update_item(  # as if announced long ago and never uploaded
        TableName=get_settings().images_table,
        Key=serialize({"image_id": stale["image"]["image_id"]}),
        UpdateExpression="SET created_at = :old",
        ExpressionAttributeValues=values(old="2020-01-01T00:00:00.000Z"),
    )
    fresh = api.post(
        "/v1/images",
        {"filename": "n.png", "content_type": "image/png", "size_bytes": 100},
        token=owner.access_token,
    )
    assert fresh.status == 201
    assert (
        api.get(f"/v1/images/{stale['image']['image_id']}", token=owner.access_token).status == 404
    )


def test_list_newest_first_with_filters_and_cursor(api: Api, owner: Session) -> None:
    analysed = upload_and_analyse(api, owner, ui_screenshot(), tags=["web"])
    pending = [
        announce(api, owner, b"x" * 100, tags=["mobile"])["image"]["image_id"] for _ in range(3)
    ]
    page = api.get("/v1/images?limit=2", token=owner.access_token)
    assert [i["image_id"] for i in page.data] == pending[::-1][:2]
    rest = api.get(
        f"/v1/images?limit=2&cursor={page.body['pagination']['next_cursor']}",
        token=owner.access_token,
    )
    assert [i["image_id"] for i in rest.data] == [pending[0], analysed["image_id"]]
    assert rest.body["pagination"]["next_cursor"] is None
    by_status = api.get("/v1/images?status=analyzed", token=owner.access_token).data
    assert [i["image_id"] for i in by_status] == [analysed["image_id"]]
    assert by_status[0]["summary"]["failing_text_count"] >= 0
    assert "original_url" in by_status[0] and by_status[0]["original_url"] is None
    by_tag = api.get("/v1/images?tag=mobile", token=owner.access_token).data
    assert {i["image_id"] for i in by_tag} == set(pending)
    assert api.get("/v1/images?status=lost", token=owner.access_token).status == 422


def test_users_never_see_each_others_images(api: Api, owner: Session) -> None:
    mine = upload_and_analyse(api, owner, ui_screenshot())
    intruder = api.register()
    image_id = mine["image_id"]
    for method, path in [
        ("GET", f"/v1/images/{image_id}"),
        ("GET", f"/v1/images/{image_id}/analysis"),
        ("GET", f"/v1/images/{image_id}/tokens?format=css"),
        ("PATCH", f"/v1/images/{image_id}"),
        ("DELETE", f"/v1/images/{image_id}"),
        ("POST", f"/v1/images/{image_id}/reanalyze"),
    ]:
        body = {"title": "mine now"} if method == "PATCH" else None
        reply = api.request(method, path, json_body=body, token=intruder.access_token)
        assert reply.status == 404 and reply.error_code == "IMAGE_NOT_FOUND", (
            method,
            path,
            reply.body,
        )
    assert api.get("/v1/images", token=intruder.access_token).data == []
    cursor_scope = api.get("/v1/images?limit=1", token=owner.access_token)
    assert api.get("/v1/admin/images", token=intruder.access_token).status == 403
    still = api.get(f"/v1/images/{image_id}", token=owner.access_token).data
    assert still["status"] == "analyzed" and still["title"] is None
    assert cursor_scope.status == 200


def test_admins_list_and_read_any_users_images(api: Api, owner: Session) -> None:
    mine = upload_and_analyse(api, owner, ui_screenshot())
    mod = api.admin("moderator")
    listed = api.get(f"/v1/admin/images?user_id={owner.user_id}", token=mod.access_token)
    assert [i["image_id"] for i in listed.data] == [mine["image_id"]]
    assert (
        api.get(f"/v1/images/{mine['image_id']}", token=mod.access_token).data["user_id"]
        == owner.user_id
    )
    assert api.get(f"/v1/images/{mine['image_id']}/analysis", token=mod.access_token).status == 200
    assert api.delete(f"/v1/images/{mine['image_id']}", token=mod.access_token).status == 404
    assert api.get("/v1/admin/images", token=mod.access_token).status == 422


def test_patch_title_and_tags(api: Api, owner: Session) -> None:
    image_id = announce(api, owner, b"x" * 10)["image"]["image_id"]
    reply = api.patch(
        f"/v1/images/{image_id}",
        {"title": "Login v2", "tags": ["A", "b"]},
        token=owner.access_token,
    )
    assert (
        reply.status == 200
        and reply.data["title"] == "Login v2"
        and reply.data["tags"] == ["a", "b"]
    )
    assert api.patch(f"/v1/images/{image_id}", {}, token=owner.access_token).status == 422
    assert (
        api.patch(f"/v1/images/{image_id}", {"status": "analyzed"}, token=owner.access_token).status
        == 422
    )


def test_delete_removes_objects_and_records_and_repeats_harmlessly(
    api: Api, owner: Session
) -> None:
    image = upload_and_analyse(api, owner, ui_screenshot())
    image_id = image["image_id"]
    bucket = get_settings().images_bucket
    s3 = client("s3")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) >= 3
    first = api.delete(f"/v1/images/{image_id}", token=owner.access_token)
    assert first.status == 200 and first.data == {"image_id": image_id, "deleted": True}
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert api.delete(f"/v1/images/{image_id}", token=owner.access_token).status == 200
    assert api.get(f"/v1/images/{image_id}", token=owner.access_token).status == 404
    assert api.get("/v1/images", token=owner.access_token).data == []


def test_analysis_not_ready_yet(api: Api, owner: Session) -> None:
    image_id = announce(api, owner, b"x" * 10)["image"]["image_id"]
    reply = api.get(f"/v1/images/{image_id}/analysis", token=owner.access_token)
    assert reply.status == 409 and reply.error_code == "ANALYSIS_NOT_READY"
    assert api.post(f"/v1/images/{image_id}/reanalyze", token=owner.access_token).status == 409


def test_account_deletion_removes_images_and_objects(api: Api, owner: Session) -> None:
    upload_and_analyse(api, owner, ui_screenshot())
    announce(api, owner, b"x" * 10)
    bucket = get_settings().images_bucket
    assert (
        api.delete("/v1/users/me", {"password": DEFAULT_PASSWORD}, token=owner.access_token).status
        == 200
    )
    assert client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    from chalicelib.store.dynamo import ddb, values

    left = ddb().query(
        TableName=get_settings().images_table,
        IndexName="by-user",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues=values(u=owner.user_id),
    )
    assert left["Count"] == 0
    put_upload(f"uploads/{owner.user_id}/img_late", ui_screenshot())
    drain(api)
    assert client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
