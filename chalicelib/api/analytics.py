"""/v1/analytics: research records, and the aggregate findings of analysed images (JSON, CSV)."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.core.ids import utc_now
from chalicelib.models.analytics import (
    AnalyticsEntry,
    AnalyticsListQuery,
    CreateAnalyticsRequest,
    FindingsSummary,
    SummaryExportQuery,
    SummaryQuery,
    UpdateAnalyticsRequest,
)
from chalicelib.models.envelope import Page
from chalicelib.services import analytics, findings

api = Endpoints("analytics")


@api.route(
    "/analytics",
    "POST",
    access=Access.USER,
    body=CreateAnalyticsRequest,
    response=AnalyticsEntry,
    status=201,
    errors=(413, 422),
    summary="Record an analytics entry: any JSON object, optionally under a research topic",
)
def create_entry(principal: Principal, body: CreateAnalyticsRequest) -> AnalyticsEntry:
    return analytics.create(principal, body)


@api.route(
    "/analytics",
    "GET",
    access=Access.USER,
    query=AnalyticsListQuery,
    response=AnalyticsEntry,
    paginated=True,
    errors=(400, 403, 422),
    summary="My analytics entries, newest first; filter by topic and time range "
    "(administrators: user_id=<id> or user_id=all)",
)
def list_entries(principal: Principal, query: AnalyticsListQuery) -> Page[AnalyticsEntry]:
    return analytics.list_entries(principal, query)


@api.route(
    "/analytics/summary",
    "GET",
    access=Access.USER,
    query=SummaryQuery,
    response=FindingsSummary,
    errors=(403, 422),
    summary="Aggregate findings of my analysed images, by tag and time range "
    "(administrators: user_id=<id> or user_id=all)",
)
def summary(principal: Principal, query: SummaryQuery) -> FindingsSummary:
    return analytics.summary(principal, query)


@api.route(
    "/analytics/summary/export",
    "GET",
    access=Access.USER,
    query=SummaryExportQuery,
    errors=(403, 422),
    summary="The aggregate findings as a file: format=csv (one figure per row) or json",
    produces=("text/csv", "application/json"),
)
def export_summary(principal: Principal, query: SummaryExportQuery) -> Response:
    result = analytics.summary(principal, SummaryQuery(**query.model_dump(exclude={"format"})))
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    if query.format == "csv":
        body, media_type = findings.to_csv(result), "text/csv; charset=utf-8"
    else:
        body = json.dumps(result.model_dump(mode="json"), indent=2)
        media_type = "application/json"
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="janus-findings-{stamp}.{query.format}"',
        },
    )


@api.route(
    "/analytics/{entry_id}",
    "GET",
    access=Access.USER,
    response=AnalyticsEntry,
    errors=(404,),
    summary="One analytics entry (the creator's; administrators may read all)",
)
def get_entry(principal: Principal, entry_id: str) -> AnalyticsEntry:
    return analytics.get(principal, entry_id)


@api.route(
    "/analytics/{entry_id}",
    "PATCH",
    access=Access.USER,
    body=UpdateAnalyticsRequest,
    response=AnalyticsEntry,
    errors=(404, 413, 422),
    summary="Replace an entry's data and/or research topic (creator only)",
)
def update_entry(
    principal: Principal, entry_id: str, body: UpdateAnalyticsRequest
) -> AnalyticsEntry:
    return analytics.update(principal, entry_id, body)


@api.route(
    "/analytics/{entry_id}",
    "DELETE",
    access=Access.USER,
    response=dict[str, Any],
    errors=(404,),
    summary="Delete an analytics entry (creator only)",
)
def delete_entry(principal: Principal, entry_id: str) -> dict[str, Any]:
    return analytics.delete(principal, entry_id)
