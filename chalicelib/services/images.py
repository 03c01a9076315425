"""Image use cases behind the API: announce an upload, list, read, edit, delete, re-analyse.

A user only ever reaches their own images; an image of someone else is "not found" (never
"forbidden", which would confirm it exists). Admins may list and read anyone's.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib.auth.guards import Principal
from chalicelib.core import metrics, request_context
from chalicelib.core.errors import AppError, Conflict, NotFound, ValidationFailed
from chalicelib.core.ids import epoch_seconds, iso, new_id, now_iso, utc_now
from chalicelib.core.settings import get_settings
from chalicelib.models.envelope import Page
from chalicelib.models.images import (
    CreateImageRequest,
    ImageCreated,
    ImageListQuery,
    ImagePublic,
    ImageRecord,
    UpdateImageRequest,
    UploadTicket,
)
from chalicelib.services.paging import page_of
from chalicelib.store import analysis_queue, objects
from chalicelib.store import images as image_store

TOKEN_MEDIA_TYPES = {
    "dtcg": ("application/json", "tokens.json"),
    "legacy": ("application/json", "tokens.legacy.json"),
    "css": ("text/css; charset=utf-8", "tokens.css"),
    "scss": ("text/x-scss; charset=utf-8", "_tokens.scss"),
    "tailwind": ("application/javascript; charset=utf-8", "tailwind.tokens.js"),
}


class QuotaExceededError(AppError):
    status_code = 403
    error_code = "QUOTA_EXCEEDED"


def _not_found() -> NotFound:
    return NotFound("No such image", error_code="IMAGE_NOT_FOUND")


def _reclaim_abandoned(user_id: str) -> int:
    """Give back the quota of announced uploads whose ticket expired unused."""
    settings = get_settings()
    cutoff = iso(utc_now() - timedelta(seconds=settings.upload_url_ttl_seconds + 60))
    freed = 0
    for record in image_store.stale_awaiting(user_id, created_before=cutoff):
        if image_store.delete(record):
            objects.delete_keys([record.upload_key])
            freed += 1
    return freed


def start_upload(principal: Principal, req: CreateImageRequest) -> ImageCreated:
    settings = get_settings()
    if req.size_bytes > settings.upload_max_bytes:
        raise ValidationFailed(
            f"Images may be at most {settings.upload_max_bytes} bytes",
            error_code="FILE_TOO_LARGE",
            details={"size_bytes": [f"must be at most {settings.upload_max_bytes}"]},
        )
    now = now_iso()
    image_id = new_id("img")
    record = ImageRecord(
        image_id=image_id,
        user_id=principal.user_id,
        status="awaiting_upload",
        filename=req.filename,
        content_type=req.content_type,
        declared_size_bytes=req.size_bytes,
        title=req.title,
        tags=req.tags,
        created_at=now,
        updated_at=now,
        upload_key=objects.upload_key(principal.user_id, image_id),
    )
    for attempt in range(2):
        try:
            image_store.create(
                record, max_images=settings.quota_max_images, max_bytes=settings.quota_max_bytes
            )
            break
        except image_store.QuotaExceeded:
            if attempt == 0 and _reclaim_abandoned(principal.user_id):
                continue
            count, used = image_store.usage(principal.user_id)
            raise QuotaExceededError(
                "Your image quota is used up; delete images to make room",
                details={
                    "images": count,
                    "max_images": settings.quota_max_images,
                    "bytes": used,
                    "max_bytes": settings.quota_max_bytes,
                },
            ) from None
    ticket = objects.presigned_upload(
        record.upload_key,
        content_type=req.content_type,
        max_bytes=req.size_bytes,
        expires_in=settings.upload_url_ttl_seconds,
    )
    request_context.add_audit_detail(image_id=image_id, size_bytes=req.size_bytes)
    metrics.emit("UploadsStarted")
    return ImageCreated(
        image=ImagePublic.of(record),
        upload=UploadTicket(
            url=ticket["url"],
            fields=ticket["fields"],
            expires_in=settings.upload_url_ttl_seconds,
            max_bytes=req.size_bytes,
        ),
    )


def _visible(principal: Principal, image_id: str, *, admin_may_read: bool) -> ImageRecord:
    record = image_store.get(image_id)
    if record is None:
        raise _not_found()
    if record.user_id != principal.user_id and not (admin_may_read and principal.is_admin):
        raise _not_found()
    return record


def _page(user_id: str, query: ImageListQuery, viewer: str) -> Page[ImagePublic]:
    return page_of(
        query,
        scope=f"images|{viewer}|{user_id}|{query.status}|{query.tag}",
        fetch=lambda limit, start: image_store.list_for_user(
            user_id, status=query.status, tag=query.tag, limit=limit, start_key=start
        ),
        present=ImagePublic.of,
    )


def list_mine(principal: Principal, query: ImageListQuery) -> Page[ImagePublic]:
    return _page(principal.user_id, query, principal.user_id)


def list_for(principal: Principal, user_id: str, query: ImageListQuery) -> Page[ImagePublic]:
    return _page(user_id, query, principal.user_id)


def get_image(principal: Principal, image_id: str) -> ImagePublic:
    record = _visible(principal, image_id, admin_may_read=True)
    ttl = get_settings().download_url_ttl_seconds
    original = None
    if record.status not in ("awaiting_upload",):
        original = objects.presigned_get(
            record.upload_key, expires_in=ttl, filename=record.filename
        )
    thumbnail = (
        objects.presigned_get(record.thumbnail_key, expires_in=ttl)
        if record.thumbnail_key
        else None
    )
    return ImagePublic.of(record, original_url=original, thumbnail_url=thumbnail)


def update_image(principal: Principal, image_id: str, req: UpdateImageRequest) -> ImagePublic:
    record = _visible(principal, image_id, admin_may_read=False)
    fields = req.model_dump(exclude_unset=True)
    request_context.add_audit_detail(image_id=image_id, fields=sorted(fields))
    return ImagePublic.of(image_store.set_fields(record, fields))


def delete_image(principal: Principal, image_id: str) -> dict[str, Any]:
    found = image_store.lookup(image_id)
    request_context.add_audit_detail(image_id=image_id)
    if isinstance(found, image_store.Tombstone) and found.owner_id == principal.user_id:
        return {"image_id": image_id, "deleted": True}
    if not isinstance(found, ImageRecord) or found.user_id != principal.user_id:
        raise _not_found()
    remove_image(found)
    return {"image_id": image_id, "deleted": True}


def remove_image(record: ImageRecord) -> None:
    """Tombstone first (so a late analysis cannot resurrect it), then the objects."""
    image_store.delete(record)
    objects.delete_keys([record.upload_key, objects.thumbnail_key(record.user_id, record.image_id)])
    objects.delete_prefix(objects.analysis_prefix(record.user_id, record.image_id))


def remove_all_of(user_id: str) -> None:
    for image_id in image_store.image_ids_of(user_id):
        record = image_store.get(image_id)
        if record is not None:
            remove_image(record)
    objects.delete_prefix(f"{objects.UPLOADS_PREFIX}{user_id}/")
    objects.delete_prefix(f"thumbnails/{user_id}/")
    objects.delete_prefix(f"analyses/{user_id}/")
    image_store.delete_usage(user_id)


def reanalyze(principal: Principal, image_id: str) -> ImagePublic:
    record = _visible(principal, image_id, admin_may_read=False)
    stale = epoch_seconds() - get_settings().analysis_stale_seconds
    queued = image_store.request_reanalysis(image_id, owner_id=record.user_id, stale_before=stale)
    if queued is None:
        raise Conflict(
            f"The image is {record.status}; it can be re-analysed once analysed or failed",
            error_code="IMAGE_BUSY",
        )
    ctx = request_context.current()
    analysis_queue.send_reanalysis(image_id, ctx.request_id if ctx else new_id("req"))
    request_context.add_audit_detail(image_id=image_id)
    return ImagePublic.of(queued)


def _analysed(principal: Principal, image_id: str) -> ImageRecord:
    record = _visible(principal, image_id, admin_may_read=True)
    if record.analysis_key is None:
        raise Conflict(
            f"The image is {record.status}; there is no analysis yet",
            error_code="ANALYSIS_NOT_READY",
        )
    return record


def analysis_document(principal: Principal, image_id: str) -> dict[str, Any]:
    record = _analysed(principal, image_id)
    assert record.analysis_key is not None
    raw = objects.get_bytes(record.analysis_key)
    if raw is None:
        raise Conflict(
            "The analysis is being rewritten; try again", error_code="ANALYSIS_NOT_READY"
        )
    document: dict[str, Any] = json.loads(raw)
    return document


def tokens_file(principal: Principal, image_id: str, fmt: str) -> tuple[bytes, str, str]:
    """The token file in ``fmt``: (body, media type, download file name)."""
    record = _analysed(principal, image_id)
    media_type, suffix = TOKEN_MEDIA_TYPES[fmt]
    body = objects.get_bytes(objects.analysis_prefix(record.user_id, image_id) + f"tokens.{fmt}")
    if body is None:
        raise Conflict(
            "The tokens are not ready; re-analyse the image", error_code="ANALYSIS_NOT_READY"
        )
    stem = "".join(
        c if c.isalnum() or c in "-_" else "-" for c in record.filename.rsplit(".", 1)[0]
    )[:60]
    return body, media_type, f"{stem or image_id}.{suffix}"
