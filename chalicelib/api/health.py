"""/v1/health: for load balancers, uptime checks and people."""

from __future__ import annotations

from typing import Any

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.services import health

api = Endpoints("health")


@api.route(
    "/health",
    "GET",
    access=Access.PUBLIC,
    response=dict[str, Any],
    errors=(503,),
    summary="Version, stage and whether DynamoDB answers",
)
def get_health() -> dict[str, Any]:
    healthy, report = health.check()
    if not healthy:
        raise ServiceUnavailable("Janus cannot reach its database", details=report)
    return report
