"""Image bytes in S3: presigned uploads and downloads, capped reads, artefacts, deletion.

Keys are chosen by the server, never from a client's file name:
``uploads/<user>/<image>`` (the original), ``thumbnails/<user>/<image>.jpg`` and
``analyses/<user>/<image>/…`` (the full result and the token files).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client

UPLOADS_PREFIX = "uploads/"


def upload_key(user_id: str, image_id: str) -> str:
    return f"{UPLOADS_PREFIX}{user_id}/{image_id}"


def thumbnail_key(user_id: str, image_id: str) -> str:
    return f"thumbnails/{user_id}/{image_id}.jpg"


def analysis_prefix(user_id: str, image_id: str) -> str:
    return f"analyses/{user_id}/{image_id}/"


def _bucket() -> str:
    return get_settings().images_bucket


def _s3() -> Any:
    return client("s3")


def presigned_upload(
    key: str, *, content_type: str, max_bytes: int, expires_in: int
) -> dict[str, Any]:
    """A presigned POST whose policy pins the key, the content type and the size range."""
    result: dict[str, Any] = _s3().generate_presigned_post(
        Bucket=_bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )
    return result


def presigned_get(key: str, *, expires_in: int, filename: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": _bucket(), "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'inline; filename="{filename}"'
    return str(_s3().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    etag: str
    size: int
    content_type: str


class ObjectMissing(Exception):
    """The object is gone, or is no longer the version an event described."""


def read_capped(key: str, *, max_bytes: int, etag: str | None = None) -> StoredObject:
    """Read at most ``max_bytes + 1`` bytes (so an oversized object is recognisable, never loaded).

    With ``etag``, only that version: a newer upload to the same key raises ``ObjectMissing``.
    """
    params: dict[str, Any] = {"Bucket": _bucket(), "Key": key, "Range": f"bytes=0-{max_bytes}"}
    if etag:
        params["IfMatch"] = etag
    try:
        response = _s3().get_object(**params)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "InvalidRange":  # S3's answer to any range on an empty object
            return _empty_object(key, etag)
        if code in ("NoSuchKey", "404", "PreconditionFailed", "412"):
            raise ObjectMissing(code) from exc
        raise
    total = response.get("ContentRange", "").rpartition("/")[2]
    return StoredObject(
        data=response["Body"].read(),
        etag=str(response.get("ETag", "")).strip('"'),
        size=int(total) if total.isdigit() else int(response.get("ContentLength", 0)),
        content_type=str(response.get("ContentType", "")),
    )


def _empty_object(key: str, etag: str | None) -> StoredObject:
    """An existing zero-byte object (so it fails as empty, not as missing), else ObjectMissing."""
    params: dict[str, Any] = {"Bucket": _bucket(), "Key": key}
    if etag:
        params["IfMatch"] = etag
    try:
        head = _s3().head_object(**params)
    except ClientError as exc:
        raise ObjectMissing(exc.response.get("Error", {}).get("Code", "")) from exc
    if int(head.get("ContentLength", 0)) != 0:
        raise ObjectMissing("InvalidRange")
    return StoredObject(
        data=b"",
        etag=str(head.get("ETag", "")).strip('"'),
        size=0,
        content_type=str(head.get("ContentType", "")),
    )


def put(key: str, body: bytes, *, content_type: str) -> None:
    _s3().put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)


def get_bytes(key: str) -> bytes | None:
    try:
        return bytes(_s3().get_object(Bucket=_bucket(), Key=key)["Body"].read())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise


def delete_keys(keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        if chunk:
            _s3().delete_objects(
                Bucket=_bucket(), Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )


def delete_prefix(prefix: str) -> None:
    keys: list[str] = []
    for page in _s3().get_paginator("list_objects_v2").paginate(Bucket=_bucket(), Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    delete_keys(keys)
