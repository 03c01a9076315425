"""Image records in DynamoDB: ownership, status transitions, quotas and tombstones.

- ``image_id`` is the key; ``by-user`` (``user_id``, ``created_at``) lists a user's images,
  ``by-user-status`` (``user_status`` = ``<user>#<status>``) lists them by status;
- each user has one usage item (``image_id = usage#<user>``) counting images and bytes; it is
  changed in the same transaction as the record, so a quota can never be overrun by a race;
- a deleted image leaves a tombstone (no ``user_id``, so no list shows it) that expires by TTL:
  repeating a delete is harmless and a late S3 event for it is recognised as an orphan;
- status changes made by the analysis function are conditional writes on a claim id, so
  duplicate or out-of-order events leave exactly one result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.ids import epoch_seconds, now_iso
from chalicelib.core.settings import get_settings
from chalicelib.models.images import ImageRecord
from chalicelib.store.dynamo import (
    cancellation_codes,
    ddb,
    deserialize,
    is_condition_failure,
    query_all_keys,
    query_page,
    serialize,
    values,
)

TOMBSTONE_DAYS = 7


class QuotaExceeded(Exception):
    pass


@dataclass(frozen=True)
class Tombstone:
    image_id: str
    owner_id: str


def _table() -> str:
    return get_settings().images_table


def _key(image_id: str) -> dict[str, Any]:
    return serialize({"image_id": image_id})


def _usage_key(user_id: str) -> dict[str, Any]:
    return _key(f"usage#{user_id}")


def _item(record: ImageRecord) -> dict[str, Any]:
    return {**record.model_dump(), "user_status": f"{record.user_id}#{record.status}"}


def create(record: ImageRecord, *, max_images: int, max_bytes: int) -> None:
    """Insert the record and count it against the owner's quota, or raise ``QuotaExceeded``."""
    size = record.declared_size_bytes
    try:
        ddb().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": _table(),
                        "Key": _usage_key(record.user_id),
                        "UpdateExpression": "ADD images :one, #b :size",
                        "ConditionExpression": (
                            "(attribute_not_exists(images) OR images < :max_images) AND "
                            "(attribute_not_exists(#b) OR #b <= :room)"
                        ),
                        "ExpressionAttributeNames": {"#b": "bytes"},
                        "ExpressionAttributeValues": values(
                            one=1, size=size, max_images=max_images, room=max_bytes - size
                        ),
                    }
                },
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": serialize(_item(record)),
                        "ConditionExpression": "attribute_not_exists(image_id)",
                    }
                },
            ]
        )
    except ClientError as exc:
        codes = cancellation_codes(exc)
        if codes and codes[0] == "ConditionalCheckFailed":
            raise QuotaExceeded from exc
        raise


def usage(user_id: str) -> tuple[int, int]:
    raw = (
        ddb().get_item(TableName=_table(), Key=_usage_key(user_id), ConsistentRead=True).get("Item")
    )
    item = deserialize(raw) if raw else {}
    return int(item.get("images", 0)), int(item.get("bytes", 0))


def lookup(image_id: str) -> ImageRecord | Tombstone | None:
    if not image_id.startswith("img_") or len(image_id) > 64:
        return None
    raw = ddb().get_item(TableName=_table(), Key=_key(image_id), ConsistentRead=True).get("Item")
    if not raw:
        return None
    item = deserialize(raw)
    if item.get("status") == "deleted":
        return Tombstone(image_id=image_id, owner_id=str(item.get("owner_id", "")))
    return ImageRecord.model_validate(item)


def get(image_id: str) -> ImageRecord | None:
    found = lookup(image_id)
    return found if isinstance(found, ImageRecord) else None


def list_for_user(
    user_id: str,
    *,
    status: str | None,
    tag: str | None,
    limit: int,
    start_key: dict[str, Any] | None,
) -> tuple[list[ImageRecord], dict[str, Any] | None]:
    kwargs: dict[str, Any] = {"TableName": _table(), "ScanIndexForward": False}
    if status is not None:
        kwargs.update(IndexName="by-user-status", KeyConditionExpression="user_status = :k")
        vals = values(k=f"{user_id}#{status}")
    else:
        kwargs.update(IndexName="by-user", KeyConditionExpression="user_id = :k")
        vals = values(k=user_id)
    if tag is not None:
        kwargs["FilterExpression"] = "contains(tags, :tag)"
        vals.update(values(tag=tag.strip().lower()))
    kwargs["ExpressionAttributeValues"] = vals
    items, last = query_page(limit=limit, start_key=start_key, **kwargs)
    return [ImageRecord.model_validate(i) for i in items], last


def set_fields(record: ImageRecord, fields: dict[str, Any]) -> ImageRecord:
    """Change client-editable fields of a record that still exists and is still theirs."""
    updated = record.model_copy(update={**fields, "updated_at": now_iso()})
    names = {f"#{k}": k for k in [*fields, "updated_at"]}
    ddb().update_item(
        TableName=_table(),
        Key=_key(record.image_id),
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in [*fields, "updated_at"]),
        ConditionExpression="user_id = :owner",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values(
            owner=record.user_id, updated_at=updated.updated_at, **{k: v for k, v in fields.items()}
        ),
    )
    return updated


def _transition(
    image_id: str,
    *,
    set_values: dict[str, Any],
    remove: tuple[str, ...] = (),
    condition: str,
    condition_values: dict[str, Any],
    owner_id: str,
) -> ImageRecord | None:
    """Conditionally change status-related fields; None when the condition does not hold."""
    if "status" in set_values:
        set_values = {**set_values, "user_status": f"{owner_id}#{set_values['status']}"}
    set_values = {**set_values, "updated_at": now_iso()}
    names = {f"#{k}": k for k in [*set_values, *remove]}
    names["#status"] = "status"
    expression = "SET " + ", ".join(f"#{k} = :v_{k}" for k in set_values)
    if remove:
        expression += " REMOVE " + ", ".join(f"#{k}" for k in remove)
    vals = values(**{f"v_{k}": v for k, v in set_values.items()})
    vals.update(values(**condition_values))
    try:
        response = ddb().update_item(
            TableName=_table(),
            Key=_key(image_id),
            UpdateExpression=expression,
            ConditionExpression=f"attribute_exists(user_id) AND ({condition})",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=vals,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return ImageRecord.model_validate(deserialize(response["Attributes"]))


def claim_upload(
    image_id: str, *, owner_id: str, etag: str, processing_id: str, stale_before: int
) -> ImageRecord | None:
    """Start processing the upload with ``etag`` unless it is already done or being done."""
    return _transition(
        image_id,
        owner_id=owner_id,
        set_values={
            "status": "processing",
            "processing_id": processing_id,
            "processing_started_at": epoch_seconds(),
        },
        condition=(
            "#status IN (:awaiting, :queued) "
            "OR (#status = :failed AND (retryable = :yes OR processed_etag <> :etag)) "
            "OR (#status = :analyzed AND processed_etag <> :etag) "
            "OR (#status = :processing AND processing_started_at < :stale)"
        ),
        condition_values={
            "awaiting": "awaiting_upload",
            "queued": "queued",
            "failed": "failed",
            "analyzed": "analyzed",
            "processing": "processing",
            "yes": True,
            "etag": etag,
            "stale": stale_before,
        },
    )


def claim_reanalysis(
    image_id: str, *, owner_id: str, processing_id: str, stale_before: int
) -> ImageRecord | None:
    return _transition(
        image_id,
        owner_id=owner_id,
        set_values={
            "status": "processing",
            "processing_id": processing_id,
            "processing_started_at": epoch_seconds(),
        },
        condition="#status = :queued OR (#status = :processing AND processing_started_at < :stale)",
        condition_values={"queued": "queued", "processing": "processing", "stale": stale_before},
    )


def request_reanalysis(image_id: str, *, owner_id: str, stale_before: int) -> ImageRecord | None:
    return _transition(
        image_id,
        owner_id=owner_id,
        set_values={"status": "queued"},
        condition=(
            "#status IN (:analyzed, :failed) "
            "OR (#status = :processing AND processing_started_at < :stale)"
        ),
        condition_values={
            "analyzed": "analyzed",
            "failed": "failed",
            "processing": "processing",
            "stale": stale_before,
        },
    )


def finish(
    image_id: str, *, owner_id: str, processing_id: str, fields: dict[str, Any]
) -> ImageRecord | None:
    return _transition(
        image_id,
        owner_id=owner_id,
        set_values={"status": "analyzed", "retryable": False, **fields},
        remove=("error_code", "error_message", "processing_id", "expires_at"),
        condition="processing_id = :mine",
        condition_values={"mine": processing_id},
    )


def fail(
    image_id: str,
    *,
    owner_id: str,
    processing_id: str,
    code: str,
    message: str,
    etag: str | None,
    retryable: bool,
) -> ImageRecord | None:
    fields: dict[str, Any] = {
        "status": "failed",
        "error_code": code,
        "error_message": message,
        "retryable": retryable,
    }
    if etag is not None:
        fields["processed_etag"] = etag
    return _transition(
        image_id,
        owner_id=owner_id,
        set_values=fields,
        remove=("processing_id",),
        condition="processing_id = :mine",
        condition_values={"mine": processing_id},
    )


def delete(record: ImageRecord) -> bool:
    """Replace the record by a tombstone and give back its quota; False if already gone."""
    try:
        ddb().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": serialize(
                            {
                                "image_id": record.image_id,
                                "status": "deleted",
                                "owner_id": record.user_id,
                                "deleted_at": now_iso(),
                                "expires_at": epoch_seconds() + TOMBSTONE_DAYS * 86400,
                            }
                        ),
                        "ConditionExpression": "user_id = :owner",
                        "ExpressionAttributeValues": values(owner=record.user_id),
                    }
                },
                {
                    "Update": {
                        "TableName": _table(),
                        "Key": _usage_key(record.user_id),
                        "UpdateExpression": "ADD images :minus_one, #b :minus_size",
                        "ExpressionAttributeNames": {"#b": "bytes"},
                        "ExpressionAttributeValues": values(
                            minus_one=-1, minus_size=-record.declared_size_bytes
                        ),
                    }
                },
            ]
        )
    except ClientError as exc:
        if cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def stale_awaiting(user_id: str, *, created_before: str, limit: int = 25) -> list[ImageRecord]:
    """Uploads that were announced but never arrived before their ticket expired."""
    items, _ = query_page(
        limit=limit,
        start_key=None,
        TableName=_table(),
        IndexName="by-user-status",
        KeyConditionExpression="user_status = :k AND created_at < :before",
        ExpressionAttributeValues=values(k=f"{user_id}#awaiting_upload", before=created_before),
    )
    return [ImageRecord.model_validate(i) for i in items]


def image_ids_of(user_id: str) -> list[str]:
    keys = query_all_keys(
        key_names=["image_id"],
        TableName=_table(),
        IndexName="by-user",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues=values(u=user_id),
    )
    return [k["image_id"]["S"] for k in keys]


def delete_usage(user_id: str) -> None:
    ddb().delete_item(TableName=_table(), Key=_usage_key(user_id))
