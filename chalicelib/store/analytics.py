"""Analytics records, and the per-image findings summaries the aggregate summary reads.

Analytics table: ``entry_id`` is the key; ``by-user`` (``user_id``, ``created_at``) lists a user's
entries, ``by-user-topic`` (``user_topic`` = ``<user>#<topic>``, ``created_at``) by topic, and
``by-created`` (``entity`` = ``analytics``, ``created_at``) everyone's, for administrators.

Findings summaries live on the image records (attribute ``findings``, written by the analysis
function together with ``status = analyzed``), so they are deleted, re-tagged and re-analysed with
the image. A user's are read with the images table's ``by-user-status`` index (``<user>#analyzed``),
everyone's with its ``by-month`` index (``created_month``), always by Query on a time range.
Everyone's summary reads them only for the partial days at the edges of its range; whole days and
months come from the running aggregates (``store/rollups.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.settings import get_settings
from chalicelib.models.analytics import AnalyticsRecord
from chalicelib.store.dynamo import (
    ddb,
    deserialize,
    is_condition_failure,
    query_all_keys,
    query_page,
    serialize,
    values,
)

ENTITY = "analytics"
# Images created before this month cannot exist (the service started later).
FIRST_MONTH = "2026-01"


def _table() -> str:
    return get_settings().analytics_table


def _key(entry_id: str) -> dict[str, Any]:
    return serialize({"entry_id": entry_id})


def _item(record: AnalyticsRecord) -> dict[str, Any]:
    item = {**record.model_dump(), "entity": ENTITY}
    if record.research_topic is not None:
        item["user_topic"] = f"{record.user_id}#{record.research_topic}"
    return item


def put(record: AnalyticsRecord) -> None:
    ddb().put_item(
        TableName=_table(),
        Item=serialize(_item(record)),
        ConditionExpression="attribute_not_exists(entry_id)",
    )


def get(entry_id: str) -> AnalyticsRecord | None:
    if not entry_id.startswith("ana_") or len(entry_id) > 64:
        return None
    raw = ddb().get_item(TableName=_table(), Key=_key(entry_id), ConsistentRead=True).get("Item")
    return AnalyticsRecord.model_validate(deserialize(raw)) if raw else None


def replace(record: AnalyticsRecord) -> bool:
    """Write the changed record if it still exists and is still its owner's; False if gone."""
    try:
        ddb().put_item(
            TableName=_table(),
            Item=serialize(_item(record)),
            ConditionExpression="user_id = :owner",
            ExpressionAttributeValues=values(owner=record.user_id),
        )
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def delete(entry_id: str, owner_id: str) -> bool:
    try:
        ddb().delete_item(
            TableName=_table(),
            Key=_key(entry_id),
            ConditionExpression="user_id = :owner",
            ExpressionAttributeValues=values(owner=owner_id),
        )
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def _range_condition(since: str | None, until: str | None, vals: dict[str, Any]) -> str:
    """The sort-key part of a key condition on ``created_at`` (until is exclusive)."""
    if since and until:
        vals.update(values(since=since, until=until))
        return " AND created_at BETWEEN :since AND :until"
    if since:
        vals.update(values(since=since))
        return " AND created_at >= :since"
    if until:
        vals.update(values(until=until))
        return " AND created_at < :until"
    return ""


def list_entries(
    *,
    user_id: str | None,
    topic: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    start_key: dict[str, Any] | None,
) -> tuple[list[AnalyticsRecord], dict[str, Any] | None]:
    """Newest first: one user's entries (``user_id``) or everyone's (None)."""
    vals: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"TableName": _table(), "ScanIndexForward": False}
    if user_id is None:
        kwargs["IndexName"] = "by-created"
        vals.update(values(k=ENTITY))
        if topic is not None:
            kwargs["FilterExpression"] = "research_topic = :topic"
            vals.update(values(topic=topic))
    elif topic is not None:
        kwargs["IndexName"] = "by-user-topic"
        vals.update(values(k=f"{user_id}#{topic}"))
    else:
        kwargs["IndexName"] = "by-user"
        vals.update(values(k=user_id))
    hash_name = {"by-created": "entity", "by-user-topic": "user_topic", "by-user": "user_id"}
    kwargs["KeyConditionExpression"] = f"{hash_name[kwargs['IndexName']]} = :k" + _range_condition(
        since, until, vals
    )
    if until:  # BETWEEN is inclusive; until is exclusive
        kwargs["FilterExpression"] = " AND ".join(
            [*filter(None, [kwargs.get("FilterExpression")]), "created_at < :until"]
        )
    kwargs["ExpressionAttributeValues"] = vals
    items, last = query_page(limit=limit, start_key=start_key, **kwargs)
    return [AnalyticsRecord.model_validate(i) for i in items], last


def delete_all_of(user_id: str) -> None:
    from chalicelib.store.dynamo import batch_write, delete_requests

    keys = list(
        query_all_keys(
            key_names=["entry_id"],
            TableName=_table(),
            IndexName="by-user",
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues=values(u=user_id),
        )
    )
    if keys:
        batch_write(_table(), delete_requests(keys))


# findings summaries on the image records -------------------------------------------------------

_FINDINGS_ATTRIBUTES = "image_id, user_id, tags, findings, created_at, #s"


def _months(since: str | None, until: str | None) -> list[str]:
    """Every ``YYYY-MM`` from since (or FIRST_MONTH) to until (or now), inclusive."""
    first = (since or FIRST_MONTH)[:7]
    last = (until or datetime.now(UTC).strftime("%Y-%m"))[:7]
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _query_all(max_items: int, **kwargs: Any) -> Iterator[dict[str, Any]]:
    paginator = ddb().get_paginator("query")
    seen = 0
    for page in paginator.paginate(**kwargs):
        for raw in page.get("Items", []):
            yield deserialize(raw)
            seen += 1
            if seen >= max_items:
                return


def analysed_images(
    *,
    user_id: str | None,
    tag: str | None,
    since: str | None,
    until: str | None,
    max_items: int,
) -> Iterator[dict[str, Any]]:
    """Analysed images with their ``findings`` (one user's, or everyone's for None), by Query.

    Yields at most ``max_items`` (plus one, so the caller can tell the set was cut).
    """
    images_table = get_settings().images_table
    if user_id is not None:
        plans = [("by-user-status", "user_status", f"{user_id}#analyzed")]
    else:
        plans = [("by-month", "created_month", month) for month in _months(since, until)]
    remaining = max_items + 1
    for index, hash_name, hash_value in plans:
        vals = values(k=hash_value, analyzed="analyzed")
        condition = f"{hash_name} = :k" + _range_condition(since, until, vals)
        filters = ["#s = :analyzed", "attribute_exists(findings)"]
        if until:
            filters.append("created_at < :until")
        if tag is not None:
            filters.append("contains(tags, :tag)")
            vals.update(values(tag=tag))
        for item in _query_all(
            remaining,
            TableName=images_table,
            IndexName=index,
            KeyConditionExpression=condition,
            FilterExpression=" AND ".join(filters),
            ProjectionExpression=_FINDINGS_ATTRIBUTES,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=vals,
        ):
            remaining -= 1
            yield item
        if remaining <= 0:
            return
