"""The two audit tables (user-action logs, security events), which share one key design.

- base table: ``user_id`` + ``sk`` (``<iso timestamp>#<id>``): one user's trail, newest first;
- ``by-kind``: ``kind`` (a log's module, an event's type) + ``sk``;
- ``by-month``: ``month`` (``YYYY-MM``) + ``sk``: everything, newest first, one month per
  partition so no single partition takes all writes;
- ``expires_at``: DynamoDB TTL, from the retention settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.store.dynamo import (
    Item,
    batch_write,
    delete_requests,
    query_all_keys,
    query_page,
    serialize,
    values,
)


@dataclass(frozen=True)
class TrailFilter:
    user_id: str | None = None
    kind: str | None = None
    level: str | None = None
    since: str | None = None
    until: str | None = None


def _months_back(newest: str, oldest: str) -> list[str]:
    """Month partitions from ``newest`` down to ``oldest`` (both ``YYYY-MM``), inclusive."""
    year, month = int(newest[:4]), int(newest[5:7])
    out = []
    while f"{year:04d}-{month:02d}" >= oldest:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _sk_bounds(flt: TrailFilter) -> tuple[str, dict[str, Any]]:
    low = flt.since or "0"
    high = (flt.until or "9999") + "~"
    return "sk BETWEEN :lo AND :hi", values(lo=low, hi=high)


def list_trail(
    table: str,
    flt: TrailFilter,
    *,
    limit: int,
    start: dict[str, Any] | None,
    now_month: str,
    oldest_month: str,
) -> tuple[list[Item], dict[str, Any] | None]:
    """One page, newest first. ``start``/the returned position are cursor payloads."""
    cond, vals = _sk_bounds(flt)
    names: dict[str, str] = {}
    filters: list[str] = []
    if flt.level:
        filters.append("#lvl = :lvl")
        names["#lvl"] = "level"
        vals.update(values(lvl=flt.level))
    base: dict[str, Any] = {"TableName": table, "ScanIndexForward": False}

    if flt.user_id is not None or flt.kind is not None:
        if flt.user_id is not None:
            key_cond = "user_id = :pk"
            vals.update(values(pk=flt.user_id))
            if flt.kind is not None:
                filters.append("kind = :kind")
                vals.update(values(kind=flt.kind))
        else:
            base["IndexName"] = "by-kind"
            key_cond = "kind = :pk"
            vals.update(values(pk=flt.kind))
        request = dict(base, KeyConditionExpression=f"{key_cond} AND {cond}")
        _finish(request, names, vals, filters)
        found, position = query_page(limit=limit, start_key=(start or {}).get("k"), **request)
        return found, ({"k": position} if position else None)

    months = _months_back(
        min(now_month, flt.until[:7]) if flt.until else now_month,
        max(oldest_month, flt.since[:7]) if flt.since else oldest_month,
    )
    if start:
        months = [m for m in months if m <= start["m"]]
    items: list[Item] = []
    last: dict[str, Any] | None = (start or {}).get("k")
    for month in months:
        month_vals = dict(vals, **values(pk=month))
        request = dict(base, IndexName="by-month", KeyConditionExpression=f"#m = :pk AND {cond}")
        _finish(request, dict(names, **{"#m": "month"}), month_vals, filters)
        page, last = query_page(limit=limit - len(items), start_key=last, **request)
        items.extend(page)
        if last:
            return items, {"m": month, "k": last}
        if len(items) >= limit:
            later = [m for m in months if m < month]
            return items, ({"m": later[0], "k": None} if later else None)
    return items, None


def _finish(
    request: dict[str, Any], names: dict[str, str], vals: dict[str, Any], filters: list[str]
) -> None:
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    if names:
        request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = vals


def delete_user_trail(table: str, user_id: str) -> None:
    keys = query_all_keys(
        key_names=["user_id", "sk"],
        TableName=table,
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues=values(u=user_id),
    )
    batch_write(table, delete_requests(keys))


def put_request(item: Item) -> dict[str, Any]:
    return {"PutRequest": {"Item": serialize(item)}}
