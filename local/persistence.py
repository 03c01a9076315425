"""Keep a local instance's data across restarts: snapshots of moto's tables and bucket.

moto keeps everything in memory. The local server writes a snapshot to ``.janus-local/`` a
moment after anything changes and again when it stops, and loads it when it starts. Writes go
to a temporary folder that replaces the old snapshot in one rename, so a crash mid-write never
leaves a half snapshot. (This is local tooling; production data lives in DynamoDB and S3.)
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

from chalicelib.core.settings import Settings
from chalicelib.store.aws import client
from local.provision import table_definitions


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _table_names(settings: Settings) -> list[str]:
    """Every table but the rollups: restoring the images replays them through the images
    stream, and the rollup poller rebuilds the aggregates from that, exactly once."""
    return [
        d["create"]["TableName"]
        for d in table_definitions(settings)
        if d["create"]["TableName"] != settings.rollups_table
    ]


def save(settings: Settings, folder: Path) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "s3").mkdir(parents=True)
    ddb = client("dynamodb")
    tables: dict[str, list[Any]] = {}
    for name in _table_names(settings):
        items: list[Any] = []
        for page in ddb.get_paginator("scan").paginate(TableName=name):
            items.extend(_encode(i) for i in page.get("Items", []))
        tables[name] = items
    (tmp / "dynamodb.json").write_text(json.dumps(tables))
    s3 = client("s3")
    manifest: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.images_bucket):
        for obj in page.get("Contents", []):
            head = s3.get_object(Bucket=settings.images_bucket, Key=obj["Key"])
            blob = f"{len(manifest):08d}"
            (tmp / "s3" / blob).write_bytes(head["Body"].read())
            manifest[obj["Key"]] = {
                "blob": blob,
                "content_type": head.get("ContentType", "binary/octet-stream"),
                "metadata": head.get("Metadata", {}),
            }
    (tmp / "s3.json").write_text(json.dumps(manifest))
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def restore(settings: Settings, folder: Path) -> int:
    """Load a snapshot into freshly created (empty) tables and bucket; returns items loaded."""
    if not (folder / "dynamodb.json").exists():
        return 0
    ddb = client("dynamodb")
    tables = json.loads((folder / "dynamodb.json").read_text())
    loaded = 0
    for name in _table_names(settings):
        items = [_decode(i) for i in tables.get(name, [])]
        for start in range(0, len(items), 25):
            chunk = [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
            pending: dict[str, Any] = {name: chunk}
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        loaded += len(items)
    manifest = json.loads((folder / "s3.json").read_text()) if (folder / "s3.json").exists() else {}
    s3 = client("s3")
    for key, entry in manifest.items():
        s3.put_object(
            Bucket=settings.images_bucket,
            Key=key,
            Body=(folder / "s3" / entry["blob"]).read_bytes(),
            ContentType=entry["content_type"],
            Metadata=entry["metadata"],
        )
    return loaded
