"""The analysis function on moto: real objects in S3, the messages S3 puts on the queue,
the handler invoked through Chalice's test client."""

from __future__ import annotations

import io
import json
import zlib

import pytest
from PIL import Image

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client
from local.analysis_poller import sqs_event
from tests.api_client import Api, Session
from tests.images import (
    announce,
    deliver,
    drain,
    pending_messages,
    put_upload,
    ui_screenshot,
    upload_and_analyse,
)


@pytest.fixture
def owner(api: Api) -> Session:
    return api.register()


def _encoded(fmt: str) -> bytes:
    im = Image.open(io.BytesIO(ui_screenshot()))
    buf = io.BytesIO()
    im.save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_each_format_is_analysed(api: Api, owner: Session, fmt: str, content_type: str) -> None:
    data = _encoded(fmt)
    image = upload_and_analyse(api, owner, data, content_type)
    assert image["status"] == "analyzed", image
    meta = image["metadata"]
    assert meta["format"] == fmt and meta["width"] == 320 and meta["height"] == 200
    assert meta["file_size_bytes"] == len(data)
    import hashlib

    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    summary = image["summary"]
    hexes = [p["hex"] for p in summary["top_palette"]]
    assert "#ffffff" in hexes or fmt in ("JPEG", "WEBP")
    assert summary["text_findings"] >= 1 and summary["engine_version"]
    assert image["thumbnail_url"] and image["original_url"]
    bucket = get_settings().images_bucket
    thumb = client("s3").get_object(
        Bucket=bucket, Key=f"thumbnails/{owner.user_id}/{image['image_id']}.jpg"
    )
    assert Image.open(io.BytesIO(thumb["Body"].read())).size[0] <= 512
    logs = api.get("/v1/users/me/logs?module=images", token=owner.access_token).data
    assert [entry["action"] for entry in logs][:2] == ["image.analyzed", "image.processing"]


def test_full_analysis_and_tokens_routes(api: Api, owner: Session) -> None:
    image = upload_and_analyse(api, owner, ui_screenshot(), title="Dashboard")
    image_id = image["image_id"]
    analysis = api.get(f"/v1/images/{image_id}/analysis", token=owner.access_token)
    assert analysis.status == 200
    doc = analysis.data
    assert doc["schema_version"] == "1" and doc["image"]["width"] == 320
    assert doc["palette"] and "findings" in doc["contrast"] and "tokens" in doc
    for fmt, media in [
        ("dtcg", "application/json"),
        ("css", "text/css"),
        ("scss", "text/x-scss"),
        ("tailwind", "application/javascript"),
    ]:
        reply = api.get(f"/v1/images/{image_id}/tokens?format={fmt}", token=owner.access_token)
        assert reply.status == 200, reply.body
        assert reply.headers["content-type"].startswith(media)
        assert reply.headers["content-disposition"].startswith('attachment; filename="screen.')
        assert reply.body
    css = api.get(f"/v1/images/{image_id}/tokens?format=css", token=owner.access_token).body
    assert ":root" in css and "--" in css
    dtcg = api.get(f"/v1/images/{image_id}/tokens", token=owner.access_token).body
    assert dtcg == doc["tokens"]
    bad = api.get(f"/v1/images/{image_id}/tokens?format=pdf", token=owner.access_token)
    assert bad.status == 422


def test_wrong_declared_type_fails_with_reason(api: Api, owner: Session) -> None:
    jpeg = _encoded("JPEG")
    image = upload_and_analyse(api, owner, jpeg, "image/png")
    assert image["status"] == "failed"
    assert image["error_code"] == "FORMAT_MISMATCH"
    assert "JPEG" in image["error_message"] and "image/png" in image["error_message"]


def test_svg_or_html_declared_as_png_fails(api: Api, owner: Session) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    image = upload_and_analyse(api, owner, svg, "image/png")
    assert image["status"] == "failed" and image["error_code"] == "UNSUPPORTED_FORMAT"


def test_truncated_and_corrupt_files_fail(api: Api, owner: Session) -> None:
    data = ui_screenshot()
    truncated = upload_and_analyse(api, owner, data[: len(data) // 2])
    assert truncated["status"] == "failed" and truncated["error_code"] in (
        "TRUNCATED_IMAGE",
        "CORRUPT_IMAGE",
    )
    corrupt = bytearray(data)
    middle = len(corrupt) // 2
    corrupt[middle : middle + 64] = b"\xff" * 64
    broken = upload_and_analyse(api, owner, bytes(corrupt))
    assert broken["status"] == "failed" and broken["error_code"] in (
        "CORRUPT_IMAGE",
        "TRUNCATED_IMAGE",
    )
    assert broken["error_message"]


def _png_bomb(side: int) -> bytes:
    """A valid PNG header claiming side x side pixels, with a tiny compressed body."""
    import struct

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * side
    body = zlib.compress(row * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_fails_without_decoding(api: Api, owner: Session) -> None:
    image = upload_and_analyse(api, owner, _png_bomb(60_000))
    assert image["status"] == "failed"
    assert image["error_code"] in ("DECOMPRESSION_BOMB", "TOO_MANY_PIXELS")


def test_oversized_object_fails_and_is_removed(
    api: Api, owner: Session, env: pytest.MonkeyPatch
) -> None:
    from chalicelib.core.settings import reset_settings

    created = announce(api, owner, b"x" * 2000)
    env.setenv("JANUS_UPLOAD_MAX_BYTES", "1024")
    reset_settings()
    put_upload(created["upload"]["fields"]["key"], ui_screenshot())
    drain(api)
    image = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    assert image["status"] == "failed" and image["error_code"] == "FILE_TOO_LARGE"
    listing = client("s3").list_objects_v2(Bucket=get_settings().images_bucket, Prefix="uploads/")
    assert listing.get("KeyCount", 0) == 0


def test_unknown_key_is_removed_and_nothing_else_changes(api: Api, owner: Session) -> None:
    bucket = get_settings().images_bucket
    for key in (
        "uploads/usr_nobody/img_nothing",
        "uploads/stray.png",
        f"uploads/{owner.user_id}/img_01abcdefghjkmnpqrstvwxyz0",
    ):
        put_upload(key, ui_screenshot())
    assert drain(api) >= 3
    assert client("s3").list_objects_v2(Bucket=bucket, Prefix="uploads/").get("KeyCount", 0) == 0
    assert api.get("/v1/images", token=owner.access_token).data == []


def test_s3_test_event_is_skipped(api: Api) -> None:
    bodies = [json.loads(m["Body"]) for m in pending_messages()]
    assert any(b.get("Event") == "s3:TestEvent" for b in bodies) or bodies == []
    message = {
        "MessageId": "t1",
        "ReceiptHandle": "rh",
        "Body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}),
    }
    from local.analysis_poller import sqs_event

    api.client.lambda_.invoke("analyze_upload", sqs_event(message, "arn", "us-east-1"))


def test_duplicate_event_leaves_exactly_one_result(api: Api, owner: Session) -> None:
    created = announce(api, owner, ui_screenshot())
    put_upload(created["upload"]["fields"]["key"], ui_screenshot())
    messages = [m for m in pending_messages() if "Records" in m["Body"]]
    assert len(messages) == 1
    deliver(api, messages[0])
    first = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    deliver(api, messages[0])
    second = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    assert first["status"] == second["status"] == "analyzed"
    assert first["analyzed_at"] == second["analyzed_at"]
    logs = api.get("/v1/users/me/logs?module=images", token=owner.access_token).data
    assert [e["action"] for e in logs].count("image.analyzed") == 1


def test_out_of_order_events_analyse_the_current_object(api: Api, owner: Session) -> None:
    created = announce(api, owner, ui_screenshot(640, 400))
    key = created["upload"]["fields"]["key"]
    put_upload(key, ui_screenshot(320, 200))
    put_upload(key, ui_screenshot(640, 400))
    older, newer = [m for m in pending_messages() if "Records" in m["Body"]]
    deliver(api, newer)
    deliver(api, older)
    image = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    assert image["status"] == "analyzed" and image["metadata"]["width"] == 640
    logs = api.get("/v1/users/me/logs?module=images", token=owner.access_token).data
    assert [e["action"] for e in logs].count("image.analyzed") == 1


def test_event_for_a_deleted_image_removes_the_object(api: Api, owner: Session) -> None:
    created = announce(api, owner, ui_screenshot())
    image_id = created["image"]["image_id"]
    assert api.delete(f"/v1/images/{image_id}", token=owner.access_token).status == 200
    put_upload(created["upload"]["fields"]["key"], ui_screenshot())
    drain(api)
    assert (
        client("s3")
        .list_objects_v2(Bucket=get_settings().images_bucket, Prefix="uploads/")
        .get("KeyCount", 0)
        == 0
    )
    assert api.get(f"/v1/images/{image_id}", token=owner.access_token).status == 404


def test_transient_failure_is_retried_and_never_stuck(
    api: Api, owner: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import image_processing

    created = announce(api, owner, ui_screenshot())
    put_upload(created["upload"]["fields"]["key"], ui_screenshot())
    message = next(m for m in pending_messages() if "Records" in m["Body"])
    real = image_processing.analysis.analyze_decoded

    def flaky(*args: object, **kwargs: object) -> object:
        raise MemoryError("simulated")

    monkeypatch.setattr(image_processing.analysis, "analyze_decoded", flaky)
    with pytest.raises(MemoryError):
        api.client.lambda_.invoke(
            "analyze_upload",
            __import__("local.analysis_poller", fromlist=["sqs_event"]).sqs_event(
                message, "arn", "us-east-1"
            ),
        )
    failed = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    assert failed["status"] == "failed" and failed["error_code"] == "ANALYSIS_ERROR"
    monkeypatch.setattr(image_processing.analysis, "analyze_decoded", real)
    deliver(api, message)  # the queue's redelivery
    healed = api.get(f"/v1/images/{created['image']['image_id']}", token=owner.access_token).data
    assert healed["status"] == "analyzed"


def test_reanalysis_keeps_the_engine_version(api: Api, owner: Session) -> None:
    image = upload_and_analyse(api, owner, ui_screenshot())
    image_id = image["image_id"]
    reply = api.post(f"/v1/images/{image_id}/reanalyze", token=owner.access_token)
    assert reply.status == 202 and reply.data["status"] == "queued"
    again = api.post(f"/v1/images/{image_id}/reanalyze", token=owner.access_token)
    assert again.status == 409 and again.error_code == "IMAGE_BUSY"
    assert drain(api) == 1
    done = api.get(f"/v1/images/{image_id}", token=owner.access_token).data
    assert done["status"] == "analyzed"
    assert done["analyzed_at"] > image["analyzed_at"]
    from chalicelib.analysis import ENGINE_VERSION

    assert done["summary"]["engine_version"] == ENGINE_VERSION
    analysis = api.get(f"/v1/images/{image_id}/analysis", token=owner.access_token).data
    assert analysis["engine_version"] == ENGINE_VERSION


def test_poison_message_ends_in_the_dead_letter_queue(api: Api) -> None:
    """moto's redrive policy, as configured from infra/, moves a message received too often."""
    from tests.images import queue_url

    sqs = client("sqs")
    drain(api)  # S3's own test event
    sqs.send_message(QueueUrl=queue_url(), MessageBody="not json at all")
    for _ in range(4):
        got = sqs.receive_message(QueueUrl=queue_url(), MaxNumberOfMessages=1, VisibilityTimeout=0)
        for m in got.get("Messages", []):
            event = sqs_event(m, "arn", "us-east-1")
            with pytest.raises(ValueError):
                api.client.lambda_.invoke("analyze_upload", event)
    sqs.receive_message(QueueUrl=queue_url(), MaxNumberOfMessages=10, VisibilityTimeout=0)
    dead = sqs.receive_message(QueueUrl=queue_url(dead_letter=True), MaxNumberOfMessages=10)
    assert [m["Body"] for m in dead.get("Messages", [])] == ["not json at all"]
