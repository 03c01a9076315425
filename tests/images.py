"""Test images made on the spot, and driving uploads through S3, SQS and the analysis handler."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image, ImageDraw

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client
from local.analysis_poller import sqs_event
from local.stream_poller import StreamReader
from tests.api_client import Api, Session


def ui_screenshot(width: int = 320, height: int = 200, fmt: str = "PNG") -> bytes:
    """A flat UI: white page, dark header, a blue button and grey text."""
    im = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, width, 40], fill="#1f2937")
    draw.text((10, 12), "Janus dashboard", fill="#ffffff")
    draw.rectangle([10, 60, 130, 90], fill="#2563eb")
    draw.text((20, 70), "Upload", fill="#ffffff")
    for row in range(4):
        draw.text((10, 110 + row * 18), "Light grey text that fails contrast", fill="#b0b0b0")
    buf = io.BytesIO()
    im.save(buf, format=fmt)
    return buf.getvalue()


def announce(
    api: Api, who: Session, data: bytes, content_type: str = "image/png", **extra: Any
) -> dict[str, Any]:
    reply = api.post(
        "/v1/images",
        {"filename": "screen.png", "content_type": content_type, "size_bytes": len(data), **extra},
        token=who.access_token,
    )
    assert reply.status == 201, reply.body
    return dict(reply.data)


def put_upload(key: str, data: bytes, content_type: str = "image/png") -> None:
    """What the browser's presigned POST does: the object lands under its server-chosen key."""
    client("s3").put_object(
        Bucket=get_settings().images_bucket, Key=key, Body=data, ContentType=content_type
    )


def queue_url(dead_letter: bool = False) -> str:
    name = get_settings().analysis_queue + ("-dlq" if dead_letter else "")
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def pending_messages() -> list[dict[str, Any]]:
    sqs = client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(
            QueueUrl=queue_url(), MaxNumberOfMessages=10, AttributeNames=["All"]
        )
        if not got.get("Messages"):
            return out
        out.extend(got["Messages"])


def deliver(api: Api, message: dict[str, Any]) -> None:
    """Invoke the analysis function with the message as Lambda's SQS event source would."""
    event = sqs_event(message, "arn:aws:sqs:us-east-1:123456789012:queue", "us-east-1")
    api.client.lambda_.invoke("analyze_upload", event)
    client("sqs").delete_message(QueueUrl=queue_url(), ReceiptHandle=message["ReceiptHandle"])


def drain(api: Api) -> int:
    """Deliver every message now on the queue (S3 events and re-analysis requests)."""
    messages = pending_messages()
    for message in messages:
        deliver(api, message)
    return len(messages)


def drain_stream(api: Api) -> int:
    """Deliver the images table's stream to the rollup function, from its oldest record, as
    Lambda's DynamoDB event source would (records applied before are skipped by the handler)."""
    reader = StreamReader(get_settings().images_table)
    return reader.deliver_all(lambda event, _: api.client.lambda_.invoke("rollup_findings", event))


def upload_and_analyse(
    api: Api, who: Session, data: bytes, content_type: str = "image/png", **extra: Any
) -> dict[str, Any]:
    created = announce(api, who, data, content_type, **extra)
    put_upload(created["upload"]["fields"]["key"], data, content_type)
    drain(api)
    reply = api.get(f"/v1/images/{created['image']['image_id']}", token=who.access_token)
    return dict(reply.data)


def s3_event_bodies() -> list[str]:
    return [m["Body"] for m in pending_messages() if "Records" in json.loads(m["Body"])]
