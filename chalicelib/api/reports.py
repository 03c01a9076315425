"""The visual accessibility report of an image: by token, or by a short-lived signed link."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.models.analytics import ReportLink, ReportLinkRequest, SharedReportQuery
from chalicelib.services import report

api = Endpoints("reports")


def _html(inputs: report.ReportInputs) -> Response:
    nonce = report.new_nonce()
    return Response(
        body=report.render(inputs, nonce=nonce),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": report.content_security_policy(nonce),
            "X-Robots-Tag": "noindex, nofollow",
        },
    )


@api.route(
    "/images/{image_id}/report",
    "GET",
    access=Access.USER,
    errors=(404, 409),
    summary="The visual accessibility report of an analysed image, as a self-contained HTML page",
    produces=("text/html",),
)
def get_report(principal: Principal, image_id: str) -> Response:
    return _html(report.for_viewer(principal, image_id))


@api.route(
    "/images/{image_id}/report-link",
    "POST",
    access=Access.USER,
    body=ReportLinkRequest,
    response=ReportLink,
    status=201,
    errors=(404, 409, 422),
    summary="A short-lived signed link to the report that opens in any browser without a token",
)
def create_report_link(
    principal: Principal, image_id: str, body: ReportLinkRequest, request: Any
) -> ReportLink:
    path, expires, ttl = report.create_link(principal, image_id, body.ttl_seconds)
    return ReportLink(
        url=_absolute(request, path),
        path=path,
        expires_at=report.expires_iso(expires),
        expires_in=ttl,
    )


@api.route(
    "/shared/reports/{image_id}",
    "GET",
    access=Access.PUBLIC,
    query=SharedReportQuery,
    errors=(403, 404, 409, 410, 422),
    summary="The report through a signed link (no token; the link expires)",
    produces=("text/html",),
)
def shared_report(image_id: str, query: SharedReportQuery) -> Response:
    return _html(report.for_link(image_id, query.expires, query.signature))


def _absolute(request: Any, path: str) -> str:
    """The link as the caller reaches the API (API Gateway's own domain includes the stage)."""
    headers = request.headers
    host = headers.get("host") or (request.context or {}).get("domainName") or "localhost"
    local = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")
    scheme = headers.get("x-forwarded-proto", "http" if local else "https").split(",")[0].strip()
    stage = (request.context or {}).get("stage")
    prefix = f"/{stage}" if stage and ".execute-api." in host else ""
    return f"{scheme}://{host}{prefix}{path}"
