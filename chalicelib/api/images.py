"""/v1/images: presigned uploads, the analysed images, their analysis and tokens."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.models.envelope import Page
from chalicelib.models.images import (
    AdminImageListQuery,
    CreateImageRequest,
    ImageCreated,
    ImageListQuery,
    ImagePublic,
    TokensQuery,
    UpdateImageRequest,
)
from chalicelib.services import images

api = Endpoints("images")


@api.route(
    "/images",
    "POST",
    access=Access.USER,
    body=CreateImageRequest,
    response=ImageCreated,
    status=201,
    errors=(403, 422),
    summary="Announce an upload: returns the image record and a presigned POST",
)
def create_image(principal: Principal, body: CreateImageRequest) -> ImageCreated:
    return images.start_upload(principal, body)


@api.route(
    "/images",
    "GET",
    access=Access.USER,
    query=ImageListQuery,
    response=ImagePublic,
    paginated=True,
    summary="My images, newest first; filter by status and tag",
)
def list_images(principal: Principal, query: ImageListQuery) -> Page[ImagePublic]:
    return images.list_mine(principal, query)


@api.route(
    "/admin/images",
    "GET",
    access=Access.ADMIN,
    query=AdminImageListQuery,
    response=ImagePublic,
    paginated=True,
    summary="A user's images, for administrators",
)
def admin_list_images(principal: Principal, query: AdminImageListQuery) -> Page[ImagePublic]:
    return images.list_for(principal, query.user_id, query)


@api.route(
    "/images/{image_id}",
    "GET",
    access=Access.USER,
    response=ImagePublic,
    errors=(404,),
    summary="One image: status, metadata, analysis summary and short-lived URLs",
)
def get_image(principal: Principal, image_id: str) -> ImagePublic:
    return images.get_image(principal, image_id)


@api.route(
    "/images/{image_id}",
    "PATCH",
    access=Access.USER,
    body=UpdateImageRequest,
    response=ImagePublic,
    errors=(404, 422),
    summary="Change an image's title or tags",
)
def update_image(principal: Principal, image_id: str, body: UpdateImageRequest) -> ImagePublic:
    return images.update_image(principal, image_id, body)


@api.route(
    "/images/{image_id}",
    "DELETE",
    access=Access.USER,
    response=dict[str, Any],
    errors=(404,),
    summary="Delete an image, its files and its analysis (repeating it is harmless)",
)
def delete_image(principal: Principal, image_id: str) -> dict[str, Any]:
    return images.delete_image(principal, image_id)


@api.route(
    "/images/{image_id}/reanalyze",
    "POST",
    access=Access.USER,
    response=ImagePublic,
    status=202,
    errors=(404, 409),
    summary="Analyse the image again (e.g. after an engine upgrade)",
)
def reanalyze(principal: Principal, image_id: str) -> ImagePublic:
    return images.reanalyze(principal, image_id)


@api.route(
    "/images/{image_id}/analysis",
    "GET",
    access=Access.USER,
    response=dict[str, Any],
    errors=(404, 409),
    summary="The full AnalysisResult",
)
def get_analysis(principal: Principal, image_id: str) -> dict[str, Any]:
    return images.analysis_document(principal, image_id)


@api.route(
    "/images/{image_id}/tokens",
    "GET",
    access=Access.USER,
    query=TokensQuery,
    errors=(404, 409),
    produces=("application/json", "text/css", "text/x-scss", "application/javascript"),
    summary="The design tokens as a file: dtcg, legacy, css, scss or tailwind",
)
def get_tokens(principal: Principal, image_id: str, query: TokensQuery) -> Response:
    body, media_type, filename = images.tokens_file(principal, image_id, query.format)
    return Response(
        body=body.decode(),
        status_code=200,
        headers={
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
