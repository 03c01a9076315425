"""Fixed-window counters in DynamoDB (atomic ADD), expiring by TTL.

Shared by every Lambda container, unlike an in-memory counter, so a limit holds however
many copies of the API are running.
"""

from __future__ import annotations

from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import batch_get, ddb, deserialize, serialize, values


def _table() -> str:
    return get_settings().rate_limits_table


def counts(keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    table = _table()
    response = batch_get(
        {table: {"Keys": [serialize({"key": k}) for k in keys], "ConsistentRead": True}}
    )
    found = {
        str(item["key"]): int(item.get("count", 0))
        for item in (deserialize(raw) for raw in response[table])
    }
    return {k: found.get(k, 0) for k in keys}


def increment(key: str, *, expires_at: int) -> int:
    response = ddb().update_item(
        TableName=_table(),
        Key=serialize({"key": key}),
        UpdateExpression="ADD #c :one SET expires_at = :exp",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues=values(one=1, exp=expires_at),
        ReturnValues="UPDATED_NEW",
    )
    return int(deserialize(response["Attributes"])["count"])


def clear(key: str) -> None:
    ddb().delete_item(TableName=_table(), Key=serialize({"key": key}))
