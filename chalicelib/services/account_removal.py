"""Deleting an account and everything it owns, leaving nothing orphaned.

Order matters: sessions go first (so the account's tokens stop working at once), then what it
owns, and the user record and its identity claims last, so a deletion interrupted half-way can
simply be repeated.
"""

from __future__ import annotations

from chalicelib.core import request_context
from chalicelib.core.errors import Conflict
from chalicelib.models.users import UserRecord
from chalicelib.services import analytics, images
from chalicelib.services.audit import delete_trail_of, record_security_event
from chalicelib.store import sessions as session_store
from chalicelib.store import users as user_store


def _last_superadmin() -> Conflict:
    return Conflict(
        "This is the last active superadmin; appoint another superadmin first",
        error_code="LAST_SUPERADMIN",
    )


def ensure_not_last_superadmin(user: UserRecord) -> None:
    if user.is_active_superadmin and user_store.active_superadmin_count() <= 1:
        raise _last_superadmin()


def remove_account(user: UserRecord, *, actor_id: str) -> None:
    ensure_not_last_superadmin(user)
    session_store.delete_all(user.user_id)
    images.remove_all_of(user.user_id)
    analytics.remove_all_of(user.user_id)
    delete_trail_of(user.user_id)
    try:
        user_store.delete(user)
    except user_store.LastSuperadminError:
        raise _last_superadmin() from None
    except user_store.UserChanged:
        raise Conflict(
            "The account changed meanwhile; try again", error_code="CONCURRENT_UPDATE"
        ) from None
    self_deletion = actor_id == user.user_id
    if self_deletion:
        request_context.forget_user()
    request_context.add_audit_detail(deleted_user_id=user.user_id)
    record_security_event(
        "user_deleted",
        user_id=None if self_deletion else actor_id,
        level="WARNING",
        deleted_user_id=user.user_id,
        by="self" if self_deletion else "admin",
    )
