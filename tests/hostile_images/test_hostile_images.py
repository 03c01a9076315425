"""Every hostile or odd file of the corpus through the real S3 → SQS → analysis handler on moto.

Each upload must end ``analyzed`` or ``failed`` with a specific error code (never the generic,
retried ``ANALYSIS_ERROR``), within a time and memory bound, without leaving messages for a
retry or the dead-letter queue, and without changing anything but its own image.
"""

from __future__ import annotations

import resource
import time
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client
from tests.api_client import Api, Session
from tests.hostile_images.corpus import corpus
from tests.images import announce, drain, pending_messages, put_upload, queue_url, ui_screenshot

SECONDS_PER_FILE = 20.0
MEMORY_GROWTH_MB = 400


def _keys(prefix: str) -> dict[str, str]:
    s3 = client("s3")
    listed = s3.list_objects_v2(Bucket=get_settings().images_bucket, Prefix=prefix)
    return {o["Key"]: o["ETag"] for o in listed.get("Contents", [])}


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _state_of(api: Api, who: Session, image_id: str) -> dict[str, Any]:
    image = api.get(f"/v1/images/{image_id}", token=who.access_token).data
    for volatile in ("original_url", "thumbnail_url"):
        image.pop(volatile, None)
    return {
        "image": image,
        "me": api.get("/v1/users/me", token=who.access_token).data,
        "objects": {p: _keys(f"{p}/{who.user_id}/") for p in ("uploads", "thumbnails", "analyses")},
    }


def test_hostile_files_end_analysed_or_failed_with_a_specific_code(api: Api) -> None:
    files = corpus()
    assert len(files) >= 30
    bystander = api.register()
    kept = announce(api, bystander, ui_screenshot())
    put_upload(kept["upload"]["fields"]["key"], ui_screenshot())
    drain(api)
    before = _state_of(api, bystander, kept["image"]["image_id"])
    assert before["image"]["status"] == "analyzed"

    owner = api.register()
    owner_before = api.get("/v1/users/me", token=owner.access_token).data
    problems: list[str] = []
    report: list[str] = []
    for item in files:
        data = item.make()
        created = announce(api, owner, data or b"\x00", item.content_type)
        image_id = created["image"]["image_id"]
        put_upload(created["upload"]["fields"]["key"], data, item.content_type)
        rss, started = _max_rss_mb(), time.perf_counter()
        try:
            delivered = drain(api)
        except Exception as exc:  # the handler raised: the message would be retried
            problems.append(f"{item.name}: handler raised {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - started
        grown = _max_rss_mb() - rss
        image = api.get(f"/v1/images/{image_id}", token=owner.access_token).data
        outcome = image["status"] if image["status"] == "analyzed" else image["error_code"]
        report.append(f"{item.name:28} {outcome:20} {elapsed * 1000:7.0f} ms  +{grown:.0f} MB")
        if delivered < 1:
            problems.append(f"{item.name}: no S3 event reached the handler")
        if image["status"] not in ("analyzed", "failed"):
            problems.append(f"{item.name}: ended {image['status']}")
        elif outcome not in item.outcomes:
            problems.append(
                f"{item.name}: {outcome} ({image['error_message']}), "
                f"expected one of {sorted(item.outcomes)}"
            )
        if image["status"] == "failed" and not image["error_message"]:
            problems.append(f"{item.name}: failed without a reason")
        if elapsed > SECONDS_PER_FILE:
            problems.append(f"{item.name}: took {elapsed:.1f} s")
        if grown > MEMORY_GROWTH_MB:
            problems.append(f"{item.name}: peak memory grew by {grown:.0f} MB")
        mine = {p: _keys(f"{p}/{owner.user_id}/{image_id}") for p in ("thumbnails", "analyses")}
        if image["status"] == "failed" and (mine["thumbnails"] or mine["analyses"]):
            problems.append(f"{item.name}: failed but left {mine}")
        if image["status"] == "analyzed":
            meta = image["metadata"]
            if not (meta["width"] > 0 and meta["height"] > 0 and image["summary"]):
                problems.append(f"{item.name}: analysed without metadata or summary")
    print("\n".join(report))

    # nothing waits for a retry, nothing went to the dead-letter queue
    assert pending_messages() == []
    dlq = client("sqs").get_queue_attributes(
        QueueUrl=queue_url(dead_letter=True), AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"
    # nothing else changed: the bystander's image, account and files; the owner's account
    assert _state_of(api, bystander, kept["image"]["image_id"]) == before
    owner_after = api.get("/v1/users/me", token=owner.access_token).data
    assert owner_after == owner_before
    # every object the corpus left lies under the owner's own prefixes
    bucket_keys = _keys("")
    stray = [k for k in bucket_keys if owner.user_id not in k and bystander.user_id not in k]
    assert stray == []
    assert not problems, "\n".join(problems)
