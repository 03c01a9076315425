"""Is this deployment able to serve? Reads one item, so it checks credentials and the table."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import ddb, serialize


def check() -> tuple[bool, dict[str, Any]]:
    settings = get_settings()
    try:
        ddb().get_item(TableName=settings.users_table, Key=serialize({"user_id": "_health"}))
        dynamodb = "ok"
    except (ClientError, BotoCoreError):
        dynamodb = "unavailable"
    healthy = dynamodb == "ok"
    return healthy, {
        "status": "ok" if healthy else "degraded",
        "version": settings.version,
        "stage": settings.stage,
        "dynamodb": dynamodb,
    }
