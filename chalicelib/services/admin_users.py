"""What administrators do to accounts: list, inspect, change roles, (de)activate, delete.

Moderators may look and may (de)activate ordinary users; only a superadmin grants or removes
admin rights or deletes accounts. The last active superadmin can be neither demoted,
deactivated nor deleted (a counter kept in the same transactions makes this race-free).
"""

from __future__ import annotations

from chalicelib.auth.guards import Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.ids import now_iso
from chalicelib.models.envelope import Page
from chalicelib.models.users import (
    AdminListUsersQuery,
    AdminUpdateUserRequest,
    UserPublic,
    UserRecord,
)
from chalicelib.services import account_removal
from chalicelib.services.audit import record_security_event
from chalicelib.services.paging import page_of
from chalicelib.store import sessions as session_store
from chalicelib.store import users as user_store


def _load(user_id: str) -> UserRecord:
    user = user_store.get(user_id)
    if user is None:
        raise NotFound("No such user", error_code="USER_NOT_FOUND")
    return user


def _write(before: UserRecord, after: UserRecord) -> None:
    try:
        user_store.replace(before, after)
    except user_store.LastSuperadminError:
        raise Conflict(
            "This is the last active superadmin; appoint another superadmin first",
            error_code="LAST_SUPERADMIN",
        ) from None
    except user_store.UserChanged:
        raise Conflict(
            "The account changed meanwhile; try again", error_code="CONCURRENT_UPDATE"
        ) from None


def list_users(principal: Principal, query: AdminListUsersQuery) -> Page[UserPublic]:
    return page_of(
        query,
        scope=f"users|{principal.user_id}|{query.role}|{query.status}",
        fetch=lambda limit, start: user_store.list_users(
            role=query.role, status=query.status, limit=limit, start_key=start
        ),
        present=UserPublic.of,
    )


def get_user(user_id: str) -> UserPublic:
    return UserPublic.of(_load(user_id))


def update_user(principal: Principal, user_id: str, req: AdminUpdateUserRequest) -> UserPublic:
    before = _load(user_id)
    changes = req.model_dump(exclude_unset=True)
    if (
        "admin_level" in changes
        and "role" not in changes
        and before.role != "admin"
        and changes["admin_level"] is not None
    ):
        raise BadRequest(
            "Set role 'admin' together with an admin_level", error_code="INVALID_ROLE_CHANGE"
        )
    if changes.get("role") == "user":
        changes["admin_level"] = None
    after = before.model_copy(update={**changes, "updated_at": now_iso()})
    if after.role == "admin" and after.admin_level is None:
        raise BadRequest("An admin needs an admin_level", error_code="INVALID_ROLE_CHANGE")
    _write(before, after)
    if (before.role, before.admin_level) != (after.role, after.admin_level):
        record_security_event(
            "role_changed",
            user_id=user_id,
            level="WARNING",
            by=principal.user_id,
            old_role=before.role,
            old_admin_level=before.admin_level,
            new_role=after.role,
            new_admin_level=after.admin_level,
        )
    return UserPublic.of(after)


def _may_moderate(principal: Principal, target: UserRecord) -> None:
    if target.user_id == principal.user_id:
        raise BadRequest(
            "You cannot change your own account's status here", error_code="SELF_TARGET"
        )
    if target.role == "admin" and not principal.is_superadmin:
        raise Forbidden("Only a superadmin may change an administrator's status")


def deactivate(principal: Principal, user_id: str) -> UserPublic:
    target = _load(user_id)
    _may_moderate(principal, target)
    if target.status == "deactivated":
        return UserPublic.of(target)
    after = target.model_copy(update={"status": "deactivated", "updated_at": now_iso()})
    _write(target, after)
    ended = session_store.revoke_all(user_id, reason="deactivated")
    record_security_event(
        "user_deactivated",
        user_id=user_id,
        level="WARNING",
        by=principal.user_id,
        sessions_ended=ended,
    )
    return UserPublic.of(after)


def reactivate(principal: Principal, user_id: str) -> UserPublic:
    target = _load(user_id)
    _may_moderate(principal, target)
    if target.status == "active":
        return UserPublic.of(target)
    after = target.model_copy(update={"status": "active", "updated_at": now_iso()})
    _write(target, after)
    record_security_event("user_reactivated", user_id=user_id, by=principal.user_id)
    return UserPublic.of(after)


def delete_user(principal: Principal, user_id: str) -> None:
    if user_id == principal.user_id:
        raise BadRequest(
            "Delete your own account with DELETE /v1/users/me", error_code="SELF_TARGET"
        )
    account_removal.remove_account(_load(user_id), actor_id=principal.user_id)
