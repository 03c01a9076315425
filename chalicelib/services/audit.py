"""The audit trail: writing user-action logs and security events, and reading them back.

Writes made during a request go to the request's outbox and are flushed in one BatchWriteItem
when the response is ready (the API layer calls ``flush``), so auditing costs one DynamoDB call
per request however many records it makes. Outside a request they are written at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from chalicelib.core import request_context
from chalicelib.core.ids import epoch_seconds, iso, new_id, now_iso, utc_now
from chalicelib.core.settings import get_settings
from chalicelib.core.structured_logs import get_logger, log_event
from chalicelib.models.audit import (
    ANONYMOUS,
    LogLevel,
    MyLogQuery,
    MySecurityEventQuery,
    SecurityEvent,
    SecurityEventType,
    TrailQuery,
    UserActionLog,
)
from chalicelib.models.envelope import Page
from chalicelib.services.paging import page_of
from chalicelib.store import audit as audit_store
from chalicelib.store.dynamo import batch_write_many

_log = get_logger("audit")
T = TypeVar("T")


def _context_fields() -> tuple[str, str]:
    ctx = request_context.current()
    return (ctx.request_id, ctx.client_ip) if ctx else ("-", "-")


def _enqueue(table: str, item: dict[str, Any]) -> None:
    request = audit_store.put_request(item)
    ctx = request_context.current()
    if ctx is None:
        batch_write_many({table: [request]})
    else:
        ctx.outbox.append((table, request))


def _trail_item(
    record: dict[str, Any], *, record_id: str, kind: str, retention_days: int
) -> dict[str, Any]:
    ts = record["timestamp"]
    return {
        **record,
        "sk": f"{ts}#{record_id}",
        "kind": kind,
        "month": ts[:7],
        "expires_at": epoch_seconds() + retention_days * 86400,
    }


def record_action(
    *,
    user_id: str | None,
    action: str,
    module: str,
    level: LogLevel,
    status_code: int | None,
    metadata: dict[str, Any],
) -> None:
    request_id, client_ip = _context_fields()
    entry = UserActionLog(
        log_id=new_id("log"),
        user_id=user_id or ANONYMOUS,
        action=action,
        module=module,
        level=level,
        status_code=status_code,
        metadata=metadata,
        request_id=request_id,
        client_ip=client_ip,
        timestamp=now_iso(),
    )
    settings = get_settings()
    _enqueue(
        settings.audit_logs_table,
        _trail_item(
            entry.model_dump(),
            record_id=entry.log_id,
            kind=module,
            retention_days=settings.log_retention_days,
        ),
    )


def record_security_event(
    event_type: SecurityEventType, *, user_id: str | None, level: LogLevel = "INFO", **metadata: Any
) -> None:
    request_id, client_ip = _context_fields()
    event = SecurityEvent(
        event_id=new_id("sec"),
        user_id=user_id or ANONYMOUS,
        event_type=event_type,
        level=level,
        metadata=metadata,
        request_id=request_id,
        client_ip=client_ip,
        timestamp=now_iso(),
    )
    settings = get_settings()
    _enqueue(
        settings.security_events_table,
        _trail_item(
            event.model_dump(),
            record_id=event.event_id,
            kind=event_type,
            retention_days=settings.security_event_retention_days,
        ),
    )
    log_event(_log, logging.INFO, "security event", event_type=event_type, user=event.user_id)


def flush() -> None:
    """Write what this request queued; a failure is logged, never turned into a lost response."""
    ctx = request_context.current()
    if ctx is None or not ctx.outbox:
        return
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, request in ctx.outbox:
        by_table.setdefault(table, []).append(request)
    ctx.outbox.clear()
    try:
        batch_write_many(by_table)
    except Exception:
        _log.exception(
            "audit records could not be written", extra={"fields": {"tables": list(by_table)}}
        )


def _iso(moment: datetime | None) -> str | None:
    """The sort-key form of a moment: UTC, milliseconds, ``Z``."""
    return iso(moment) if moment else None


def _page(
    table: str,
    *,
    kind: str,
    query: TrailQuery,
    kind_filter: str | None,
    user_id: str | None,
    viewer: str,
    retention_days: int,
    present: Callable[[dict[str, Any]], T],
) -> Page[T]:
    """One page of a trail, newest first; the cursor is bound to ``viewer`` and the filters."""
    flt = audit_store.TrailFilter(
        user_id=user_id,
        kind=kind_filter,
        level=query.level,
        since=_iso(query.since),
        until=_iso(query.until),
    )
    now = utc_now()
    return page_of(
        query,
        scope=f"{kind}|{viewer}|{flt}",
        fetch=lambda limit, start: audit_store.list_trail(
            table,
            flt,
            limit=limit,
            start=start,
            now_month=now.strftime("%Y-%m"),
            oldest_month=(now - timedelta(days=retention_days + 31)).strftime("%Y-%m"),
        ),
        present=present,
    )


def list_action_logs(query: MyLogQuery, *, user_id: str | None, viewer: str) -> Page[UserActionLog]:
    settings = get_settings()
    return _page(
        settings.audit_logs_table,
        kind="logs",
        query=query,
        kind_filter=query.module,
        user_id=user_id,
        viewer=viewer,
        retention_days=settings.log_retention_days,
        present=UserActionLog.model_validate,
    )


def list_security_events(
    query: MySecurityEventQuery, *, user_id: str | None, viewer: str
) -> Page[SecurityEvent]:
    settings = get_settings()
    return _page(
        settings.security_events_table,
        kind="security",
        query=query,
        kind_filter=query.event_type,
        user_id=user_id,
        viewer=viewer,
        retention_days=settings.security_event_retention_days,
        present=SecurityEvent.model_validate,
    )


def delete_trail_of(user_id: str) -> None:
    settings = get_settings()
    audit_store.delete_user_trail(settings.audit_logs_table, user_id)
    audit_store.delete_user_trail(settings.security_events_table, user_id)
