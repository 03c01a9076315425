"""/v1/openapi.json and /v1/docs: the API contract, and a page to read and try it."""

from __future__ import annotations

import json

from chalice.app import Response

from chalicelib.api import docs_page, openapi
from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access

api = Endpoints("docs")


@api.route(
    "/openapi.json",
    "GET",
    access=Access.PUBLIC,
    produces=("application/json",),
    summary="This API's OpenAPI 3.1 document",
)
def get_openapi() -> Response:
    return Response(
        body=json.dumps(openapi.document()),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )


@api.route(
    "/docs",
    "GET",
    access=Access.PUBLIC,
    produces=("text/html",),
    summary="Interactive documentation of this API",
)
def get_docs() -> Response:
    return Response(
        body=docs_page.HTML,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": docs_page.CONTENT_SECURITY_POLICY,
            "Cache-Control": "public, max-age=300",
        },
    )
