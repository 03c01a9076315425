"""Refresh-token sessions ("families"): one item per login, rotated in place.

The item holds the id of the one refresh token that may be used next. Rotation is a single
conditional update, so of two uses of the same refresh token exactly one can win; the loser is
a reuse, and the whole family is revoked.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import (
    batch_write,
    ddb,
    delete_requests,
    deserialize,
    is_condition_failure,
    query_all_keys,
    serialize,
    values,
)


class SessionRecord(BaseModel):
    session_id: str
    user_id: str
    current_jti: str
    created_at: str
    last_used_at: str
    expires_at: int
    revoked: bool = False
    revoked_reason: str | None = None
    client_ip: str = ""
    user_agent: str = ""


def _table() -> str:
    return get_settings().sessions_table


def key(session_id: str) -> dict[str, Any]:
    return serialize({"session_id": session_id})


def create(session: SessionRecord) -> None:
    ddb().put_item(
        TableName=_table(),
        Item=serialize(session.model_dump()),
        ConditionExpression="attribute_not_exists(session_id)",
    )


def get(session_id: str) -> SessionRecord | None:
    raw = ddb().get_item(TableName=_table(), Key=key(session_id), ConsistentRead=True).get("Item")
    return SessionRecord.model_validate(deserialize(raw)) if raw else None


def from_item(raw: dict[str, Any]) -> SessionRecord:
    return SessionRecord.model_validate(deserialize(raw))


def rotate(
    session_id: str,
    *,
    presented_jti: str,
    new_jti: str,
    now_iso: str,
    now_epoch: int,
    expires_at: int,
) -> bool:
    """Swap the current refresh token id; False if ``presented_jti`` is no longer current."""
    try:
        ddb().update_item(
            TableName=_table(),
            Key=key(session_id),
            UpdateExpression="SET current_jti = :new, last_used_at = :at, expires_at = :exp",
            ConditionExpression=("current_jti = :old AND revoked = :no AND expires_at > :now"),
            ExpressionAttributeValues=values(
                new=new_jti, at=now_iso, exp=expires_at, old=presented_jti, no=False, now=now_epoch
            ),
        )
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def revoke(session_id: str, *, reason: str) -> None:
    try:
        ddb().update_item(
            TableName=_table(),
            Key=key(session_id),
            UpdateExpression="SET revoked = :yes, revoked_reason = :why",
            ConditionExpression="attribute_exists(session_id)",
            ExpressionAttributeValues=values(yes=True, why=reason),
        )
    except ClientError as exc:
        if not is_condition_failure(exc):
            raise


def session_ids_of(user_id: str) -> list[str]:
    keys = query_all_keys(
        key_names=["session_id"],
        TableName=_table(),
        IndexName="by-user",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues=values(u=user_id),
    )
    return [k["session_id"]["S"] for k in keys]


def revoke_all(user_id: str, *, reason: str, keep: str | None = None) -> int:
    ids = [s for s in session_ids_of(user_id) if s != keep]
    for session_id in ids:
        revoke(session_id, reason=reason)
    return len(ids)


def delete_all(user_id: str) -> None:
    batch_write(_table(), delete_requests(key(s) for s in session_ids_of(user_id)))
