"""Users and their unique names: the users table plus the identities table.

Uniqueness of usernames and emails is enforced by DynamoDB itself: registering writes the user
and one identity item per unique name in a single transaction, each conditioned on not existing,
so two concurrent registrations of the same email can never both succeed.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings
from chalicelib.models.users import UserRecord
from chalicelib.store.dynamo import (
    Item,
    cancellation_codes,
    ddb,
    deserialize,
    is_condition_failure,
    query_page,
    serialize,
    values,
)

SUPERADMIN_COUNTER = "_counter#active-superadmins"
USER_ID = re.compile(r"^usr_[0-9a-z]{26}$")


class LastSuperadminError(Exception):
    """The change would leave no active superadmin."""


class UserChanged(Exception):
    """The user record changed (or vanished) between read and write: re-read and retry."""


def username_identity(username: str) -> str:
    return f"username#{username.lower()}"


def email_identity(email: str) -> str:
    return f"email#{email.lower()}"


def _users() -> str:
    return get_settings().users_table


def _identities() -> str:
    return get_settings().identities_table


def _record_item(user: UserRecord) -> Item:
    return {**user.model_dump(), "entity": "user"}


def _counter_update(delta: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": _users(),
        "Key": serialize({"user_id": SUPERADMIN_COUNTER}),
        "UpdateExpression": "ADD #n :d",
        "ExpressionAttributeNames": {"#n": "count"},
        "ExpressionAttributeValues": values(d=delta),
    }
    if delta < 0:
        update["ConditionExpression"] = "#n > :one"
        update["ExpressionAttributeValues"].update(values(one=-delta))
    return {"Update": update}


def _raise_taken(codes: list[str], slots: list[str]) -> None:
    for code, slot in zip(codes, slots, strict=False):
        if code == "ConditionalCheckFailed" and slot in ("username", "email"):
            raise Conflict(
                f"That {slot} is already registered",
                error_code=f"{slot.upper()}_TAKEN",
                details={slot: ["already registered"]},
            )


def create(user: UserRecord) -> None:
    """Insert the user and claim its username and email, atomically."""
    slots = ["user", "username", "email"]
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": _users(),
                "Item": serialize(_record_item(user)),
                "ConditionExpression": "attribute_not_exists(user_id)",
            }
        },
        {
            "Put": {
                "TableName": _identities(),
                "Item": serialize(
                    {"identity": username_identity(user.username), "user_id": user.user_id}
                ),
                "ConditionExpression": "attribute_not_exists(#i)",
                "ExpressionAttributeNames": {"#i": "identity"},
            }
        },
        {
            "Put": {
                "TableName": _identities(),
                "Item": serialize(
                    {"identity": email_identity(user.email), "user_id": user.user_id}
                ),
                "ConditionExpression": "attribute_not_exists(#i)",
                "ExpressionAttributeNames": {"#i": "identity"},
            }
        },
    ]
    if user.is_active_superadmin:
        items.append(_counter_update(+1))
        slots.append("counter")
    try:
        ddb().transact_write_items(TransactItems=items)
    except ClientError as exc:
        codes = cancellation_codes(exc)
        if not codes:
            raise
        _raise_taken(codes, slots)
        raise Conflict("The account could not be created; try again") from exc


def get(user_id: str, *, consistent: bool = True) -> UserRecord | None:
    if not USER_ID.match(user_id):
        return None
    response = ddb().get_item(
        TableName=_users(), Key=serialize({"user_id": user_id}), ConsistentRead=consistent
    )
    raw = response.get("Item")
    if not raw:
        return None
    return UserRecord.model_validate(deserialize(raw))


def from_item(raw: dict[str, Any]) -> UserRecord:
    return UserRecord.model_validate(deserialize(raw))


def identity_key(identity: str) -> dict[str, Any]:
    return serialize({"identity": identity})


def user_id_for(identity: str) -> str | None:
    response = ddb().get_item(
        TableName=_identities(), Key=identity_key(identity), ConsistentRead=True
    )
    raw = response.get("Item")
    return str(deserialize(raw)["user_id"]) if raw else None


def _version_condition(user: UserRecord) -> dict[str, Any]:
    """Write only if the record is still the one we read (optimistic concurrency)."""
    return {
        "ConditionExpression": "updated_at = :seen",
        "ExpressionAttributeValues": values(seen=user.updated_at),
    }


def _superadmin_delta(before: UserRecord, after: UserRecord | None) -> int:
    was = before.is_active_superadmin
    now = after.is_active_superadmin if after is not None else False
    return int(now) - int(was)


def replace(before: UserRecord, after: UserRecord) -> None:
    """Write ``after`` over ``before``: renames move identity claims, superadmin count follows.

    All in one transaction conditioned on ``before`` still being current, so concurrent admin
    actions cannot together demote the last superadmin.
    """
    cond = _version_condition(before)
    put: dict[str, Any] = {
        "TableName": _users(),
        "Item": serialize(_record_item(after)),
        "ConditionExpression": cond["ConditionExpression"],
        "ExpressionAttributeValues": cond["ExpressionAttributeValues"],
    }
    items: list[dict[str, Any]] = [{"Put": put}]
    slots = ["user"]
    for slot, old, new, key in (
        ("username", before.username, after.username, username_identity),
        ("email", before.email, after.email, email_identity),
    ):
        if key(old) != key(new):
            items.append(
                {
                    "Put": {
                        "TableName": _identities(),
                        "Item": serialize({"identity": key(new), "user_id": after.user_id}),
                        "ConditionExpression": "attribute_not_exists(#i)",
                        "ExpressionAttributeNames": {"#i": "identity"},
                    }
                }
            )
            slots.append(slot)
            items.append({"Delete": {"TableName": _identities(), "Key": identity_key(key(old))}})
            slots.append("release")
    delta = _superadmin_delta(before, after)
    if delta:
        items.append(_counter_update(delta))
        slots.append("counter")
    _transact(items, slots)


def delete(user: UserRecord) -> None:
    """Remove the user record and its identity claims (what it owns is removed before)."""
    cond = _version_condition(user)
    items: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": _users(),
                "Key": serialize({"user_id": user.user_id}),
                **cond,
            }
        },
        {
            "Delete": {
                "TableName": _identities(),
                "Key": identity_key(username_identity(user.username)),
            }
        },
        {"Delete": {"TableName": _identities(), "Key": identity_key(email_identity(user.email))}},
    ]
    slots = ["user", "release", "release"]
    delta = _superadmin_delta(user, None)
    if delta:
        items.append(_counter_update(delta))
        slots.append("counter")
    _transact(items, slots)


def _transact(items: list[dict[str, Any]], slots: list[str]) -> None:
    try:
        ddb().transact_write_items(TransactItems=items)
    except ClientError as exc:
        codes = cancellation_codes(exc)
        if not codes:
            if is_condition_failure(exc):
                raise UserChanged from exc
            raise
        _raise_taken(codes, slots)
        for code, slot in zip(codes, slots, strict=False):
            if code == "ConditionalCheckFailed" and slot == "counter":
                raise LastSuperadminError from exc
        raise UserChanged from exc


def touch_login(user: UserRecord, *, at: str, password_hash: str | None) -> None:
    """Record a successful login (and a transparently upgraded password hash)."""
    names = {"#l": "last_login_at"}
    expr = "SET #l = :at"
    vals = values(at=at)
    if password_hash is not None:
        expr += ", password_hash = :h"
        vals.update(values(h=password_hash))
    ddb().update_item(
        TableName=_users(),
        Key=serialize({"user_id": user.user_id}),
        UpdateExpression=expr,
        ConditionExpression="attribute_exists(user_id)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=vals,
    )


def list_users(
    *, role: str | None, status: str | None, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[UserRecord], dict[str, Any] | None]:
    """Newest first, by the role index when a role is given, else by the all-users index."""
    kwargs: dict[str, Any] = {"TableName": _users(), "ScanIndexForward": False}
    names: dict[str, str] = {}
    if role is not None:
        kwargs.update(IndexName="by-role", KeyConditionExpression="#r = :p")
        names["#r"] = "role"
        vals = values(p=role)
    else:
        kwargs.update(IndexName="by-created", KeyConditionExpression="entity = :p")
        vals = values(p="user")
    if status is not None:
        kwargs["FilterExpression"] = "#s = :s"
        names["#s"] = "status"
        vals.update(values(s=status))
    if names:
        kwargs["ExpressionAttributeNames"] = names
    kwargs["ExpressionAttributeValues"] = vals
    items, last = query_page(limit=limit, start_key=start_key, **kwargs)
    return [UserRecord.model_validate(i) for i in items], last


def active_superadmin_count() -> int:
    response = ddb().get_item(
        TableName=_users(), Key=serialize({"user_id": SUPERADMIN_COUNTER}), ConsistentRead=True
    )
    raw = response.get("Item")
    return int(deserialize(raw).get("count", 0)) if raw else 0
