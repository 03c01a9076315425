"""Running aggregates of findings ("rollups") in DynamoDB.

Table ``findings-rollups``: ``scope`` (``all`` or ``tag#<tag>``) and ``period`` (``D#YYYY-MM-DD``
or ``M#YYYY-MM``, UTC) are the key; ``body`` is the bucket's ``Totals`` as compact JSON and
``version`` counts its writes. A summary reads whole months and whole days with at most three
Queries per scope, whatever the number of images behind them.

Writes are read-modify-write with optimistic locking: one transaction per batch of stream records
holds the buckets' new bodies and a marker item per record (``scope`` = ``applied#<event id>``),
which makes applying a record twice impossible when Lambda retries a failed batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.ids import epoch_seconds
from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import (
    batch_get,
    cancellation_codes,
    ddb,
    deserialize,
    serialize,
    values,
)

# Lambda retries a stream batch for at most the stream's 24-hour retention.
MARKER_DAYS = 2
CONFLICT = "conflict"


@dataclass(frozen=True)
class Bucket:
    scope: str
    period: str
    body: str | None
    version: int


def _table() -> str:
    return get_settings().rollups_table


def read_for_update(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Bucket]:
    """The current buckets (consistent reads); missing ones come back empty at version 0."""
    found: dict[tuple[str, str], Bucket] = {key: Bucket(key[0], key[1], None, 0) for key in keys}
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        raw = batch_get(
            {
                _table(): {
                    "Keys": [serialize({"scope": s, "period": p}) for s, p in chunk],
                    "ConsistentRead": True,
                }
            }
        )
        for item in raw[_table()]:
            row = deserialize(item)
            key = (str(row["scope"]), str(row["period"]))
            found[key] = Bucket(key[0], key[1], str(row["body"]), int(row["version"]))
    return found


@dataclass(frozen=True)
class AlreadyApplied:
    """Some markers of the write exist: those records were applied before (a retried batch)."""

    markers: frozenset[str]


def write(markers: list[str], changed: list[tuple[Bucket, str]]) -> AlreadyApplied | str | None:
    """Write new bodies for buckets still at the version read, plus the markers, atomically.

    Returns None when written, ``AlreadyApplied`` naming the markers that exist (leave those
    records out and write again), or ``CONFLICT`` when another writer changed a bucket first
    (read again and retry). Nothing is written in either of the last two cases.
    """
    expires = epoch_seconds() + MARKER_DAYS * 86400
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": _table(),
                "Item": serialize(
                    {"scope": f"applied#{marker}", "period": "-", "expires_at": expires}
                ),
                "ConditionExpression": "attribute_not_exists(#scope)",
                "ExpressionAttributeNames": {"#scope": "scope"},
            }
        }
        for marker in markers
    ]
    for bucket, body in changed:
        item = {"scope": bucket.scope, "period": bucket.period, "body": body}
        put: dict[str, Any] = {
            "TableName": _table(),
            "Item": serialize({**item, "version": bucket.version + 1}),
        }
        if bucket.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(#scope)"
            put["ExpressionAttributeNames"] = {"#scope": "scope"}
        else:
            put["ConditionExpression"] = "version = :read"
            put["ExpressionAttributeValues"] = values(read=bucket.version)
        items.append({"Put": put})
    try:
        ddb().transact_write_items(TransactItems=items)
    except ClientError as exc:
        codes = cancellation_codes(exc)
        if not codes:
            raise
        applied = {
            marker
            for marker, code in zip(markers, codes, strict=False)
            if code == "ConditionalCheckFailed"
        }
        if applied:
            return AlreadyApplied(frozenset(applied))
        if {"ConditionalCheckFailed", "TransactionConflict"} & set(codes):
            return CONFLICT
        raise
    return None


def query(scope: str, first: str, last: str) -> Iterator[tuple[str, str]]:
    """``(period, body)`` of the buckets of ``scope`` with ``first <= period <= last``."""
    paginator = ddb().get_paginator("query")
    for page in paginator.paginate(
        TableName=_table(),
        KeyConditionExpression="#scope = :scope AND period BETWEEN :first AND :last",
        ExpressionAttributeNames={"#scope": "scope"},
        ExpressionAttributeValues=values(scope=scope, first=first, last=last),
        ProjectionExpression="period, body",
    ):
        for raw in page.get("Items", []):
            row = deserialize(raw)
            yield str(row["period"]), str(row["body"])
