"""Analytics records (owned by their creator; administrators may read all) and the aggregate
findings summary of a user's (or, for administrators, anyone's or everyone's) analysed images."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.auth.guards import Principal
from chalicelib.core import request_context
from chalicelib.core.errors import Forbidden, NotFound
from chalicelib.core.ids import new_id, now_iso
from chalicelib.core.settings import get_settings
from chalicelib.models.analytics import (
    AnalyticsEntry,
    AnalyticsListQuery,
    AnalyticsRecord,
    CreateAnalyticsRequest,
    FindingsSummary,
    SummaryQuery,
    UpdateAnalyticsRequest,
)
from chalicelib.models.envelope import Page
from chalicelib.services import findings, rollups
from chalicelib.services.paging import page_of
from chalicelib.store import analytics as store

EVERYONE = "all"


def _not_found() -> NotFound:
    return NotFound("No such analytics entry", error_code="ANALYTICS_ENTRY_NOT_FOUND")


def _data_json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def create(principal: Principal, req: CreateAnalyticsRequest) -> AnalyticsEntry:
    now = now_iso()
    record = AnalyticsRecord(
        entry_id=new_id("ana"),
        user_id=principal.user_id,
        research_topic=req.research_topic,
        data_json=_data_json(req.data),
        created_at=now,
        updated_at=now,
    )
    store.put(record)
    request_context.add_audit_detail(entry_id=record.entry_id)
    return AnalyticsEntry.of(record)


def _readable(principal: Principal, entry_id: str) -> AnalyticsRecord:
    record = store.get(entry_id)
    if record is None or (record.user_id != principal.user_id and not principal.is_admin):
        raise _not_found()
    return record


def _owned(principal: Principal, entry_id: str) -> AnalyticsRecord:
    record = store.get(entry_id)
    if record is None or record.user_id != principal.user_id:
        raise _not_found()
    return record


def get(principal: Principal, entry_id: str) -> AnalyticsEntry:
    return AnalyticsEntry.of(_readable(principal, entry_id))


def update(principal: Principal, entry_id: str, req: UpdateAnalyticsRequest) -> AnalyticsEntry:
    record = _owned(principal, entry_id)
    changes: dict[str, Any] = {"updated_at": now_iso()}
    if "data" in req.model_fields_set and req.data is not None:
        changes["data_json"] = _data_json(req.data)
    if "research_topic" in req.model_fields_set:
        changes["research_topic"] = req.research_topic
    updated = record.model_copy(update=changes)
    if not store.replace(updated):
        raise _not_found()
    request_context.add_audit_detail(
        entry_id=entry_id, fields=sorted(req.model_fields_set & {"data", "research_topic"})
    )
    return AnalyticsEntry.of(updated)


def delete(principal: Principal, entry_id: str) -> dict[str, Any]:
    _owned(principal, entry_id)
    store.delete(entry_id, principal.user_id)
    request_context.add_audit_detail(entry_id=entry_id)
    return {"entry_id": entry_id, "deleted": True}


def _target_user(principal: Principal, requested: str | None) -> str | None:
    """Whose data a listing covers: the caller's, or (administrators) anyone's / everyone's."""
    if requested is None or requested == principal.user_id:
        return principal.user_id
    if not principal.is_admin:
        raise Forbidden(
            "Only administrators may read other users' research data",
            error_code="FORBIDDEN",
        )
    return None if requested == EVERYONE else requested


def list_entries(principal: Principal, query: AnalyticsListQuery) -> Page[AnalyticsEntry]:
    user_id = _target_user(principal, query.user_id)
    since, until = query.since_iso, query.until_iso
    return page_of(
        query,
        scope=f"analytics|{principal.user_id}|{user_id}|{query.topic}|{since}|{until}",
        fetch=lambda limit, start: store.list_entries(
            user_id=user_id,
            topic=query.topic,
            since=since,
            until=until,
            limit=limit,
            start_key=start,
        ),
        present=AnalyticsEntry.of,
    )


def summary(principal: Principal, query: SummaryQuery) -> FindingsSummary:
    """A user's set is read image by image (bounded by their quota); everyone's from the
    running aggregates the rollup function keeps (``services/rollups``)."""
    user_id = _target_user(principal, query.user_id)
    tag = query.tag.strip().lower() if query.tag else None
    since, until = query.since_iso, query.until_iso
    scope: dict[str, str | None] = {
        "user_id": user_id or EVERYONE,
        "tag": tag,
        "since": since,
        "until": until,
    }
    limit = get_settings().summary_max_images
    if user_id is None:
        totals, truncated = rollups.everyone(
            tag=tag, since=query.since, until=query.until, max_images=limit
        )
        return findings.summarise(totals, scope=scope, truncated=truncated)
    rows = [
        (str(item["image_id"]), findings.loaded(item["findings"]))
        for item in store.analysed_images(
            user_id=user_id, tag=tag, since=since, until=until, max_items=limit
        )
    ]
    return findings.aggregate(rows[:limit], scope=scope, truncated=len(rows) > limit)


def remove_all_of(user_id: str) -> None:
    """Account deletion: the user's analytics entries go with them."""
    store.delete_all_of(user_id)
