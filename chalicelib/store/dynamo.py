"""Small, typed wrappers over the DynamoDB client that every store shares."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.store.aws import client

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def ddb() -> Any:
    return client("dynamodb")


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(_from_dynamo(v) for v in value)
    return value


def serialize(item: Item) -> dict[str, Any]:
    """Plain dict → DynamoDB attribute values; None values are left out (no empty attributes)."""
    return {k: _serializer.serialize(_to_dynamo(v)) for k, v in item.items() if v is not None}


def deserialize(raw: dict[str, Any]) -> Item:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in raw.items()}


def values(**kwargs: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keywords: ``values(u="x")`` → ``{":u": {"S": "x"}}``."""
    return {f":{k}": _serializer.serialize(_to_dynamo(v)) for k, v in kwargs.items()}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def cancellation_codes(exc: ClientError) -> list[str]:
    """For a cancelled transaction: one code per item ('None' for the items that were fine)."""
    if error_code(exc) != "TransactionCanceledException":
        return []
    reasons = exc.response.get("CancellationReasons") or []
    return [str(r.get("Code", "None")) for r in reasons]


def query_page(
    *,
    limit: int,
    start_key: dict[str, Any] | None,
    max_calls: int = 8,
    **kwargs: Any,
) -> tuple[list[Item], dict[str, Any] | None]:
    """One page of a Query, reading on while a FilterExpression leaves the page short.

    Returns the items (at most ``limit``) and the key to continue from, or None at the end.
    ``max_calls`` bounds the work per request; a short page with a cursor is still correct.
    """
    items: list[Item] = []
    key = start_key
    for _ in range(max_calls):
        request = dict(kwargs, Limit=limit - len(items))
        if key:
            request["ExclusiveStartKey"] = key
        response = ddb().query(**request)
        items.extend(deserialize(i) for i in response.get("Items", []))
        key = response.get("LastEvaluatedKey")
        if not key or len(items) >= limit:
            break
    return items, key


def query_all_keys(*, key_names: Iterable[str], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every primary key a Query matches (for deleting what a user owns); paginates fully."""
    names = list(key_names)
    request = dict(kwargs, ProjectionExpression=", ".join(f"#k{i}" for i in range(len(names))))
    request["ExpressionAttributeNames"] = {
        **kwargs.get("ExpressionAttributeNames", {}),
        **{f"#k{i}": n for i, n in enumerate(names)},
    }
    paginator = ddb().get_paginator("query")
    for page in paginator.paginate(**request):
        for raw in page.get("Items", []):
            yield {n: raw[n] for n in names}


def batch_write(table: str, requests: list[dict[str, Any]]) -> None:
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed."""
    batch_write_many({table: requests})


def batch_write_many(requests_by_table: dict[str, list[dict[str, Any]]]) -> None:
    pending = [(t, r) for t, reqs in requests_by_table.items() for r in reqs]
    while pending:
        chunk, pending = pending[:25], pending[25:]
        request: dict[str, list[dict[str, Any]]] = {}
        for table, req in chunk:
            request.setdefault(table, []).append(req)
        for attempt in range(6):
            response = ddb().batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        else:
            raise RuntimeError("DynamoDB left writes unprocessed after retries")


def delete_requests(keys: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"DeleteRequest": {"Key": k}} for k in keys]


def batch_get(request_items: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """BatchGetItem (≤ 100 keys) returning raw items per table, retrying unprocessed keys."""
    found: dict[str, list[dict[str, Any]]] = {table: [] for table in request_items}
    pending = request_items
    for attempt in range(6):
        response = ddb().batch_get_item(RequestItems=pending)
        for table, items in response.get("Responses", {}).items():
            found[table].extend(items)
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return found
        time.sleep(0.05 * 2**attempt)
    raise RuntimeError("DynamoDB left reads unprocessed after retries")
