"""Making the first superadmin, for a fresh deployment or a local instance."""

from __future__ import annotations

from chalicelib.auth import passwords
from chalicelib.core.errors import Conflict
from chalicelib.core.ids import now_iso
from chalicelib.models.users import RegisterRequest, UserRecord
from chalicelib.services.accounts import check_password_policy, new_user_record
from chalicelib.services.audit import record_security_event
from chalicelib.store import users as user_store


def ensure_superadmin(username: str, email: str, password: str) -> tuple[UserRecord, bool]:
    """Create the superadmin, or make the existing account with that username one.

    Returns the user and whether it was created. The password given is set either way, so the
    credentials an operator passes are the ones that work afterwards.
    """
    req = RegisterRequest(username=username, email=email, password=password)
    check_password_policy(password, username=username, email=req.email)
    user_id = user_store.user_id_for(user_store.username_identity(username))
    existing = user_store.get(user_id) if user_id else None
    if existing is None:
        user = new_user_record(req, role="admin", admin_level="superadmin")
        user_store.create(user)
        record_security_event(
            "role_changed",
            user_id=user.user_id,
            new_role="admin",
            new_admin_level="superadmin",
            by="bootstrap",
        )
        return user, True
    now = now_iso()
    updated = existing.model_copy(
        update={
            "role": "admin",
            "admin_level": "superadmin",
            "status": "active",
            "password_hash": passwords.hash_password(password),
            "password_changed_at": now,
            "updated_at": now,
        }
    )
    try:
        user_store.replace(existing, updated)
    except user_store.UserChanged:
        raise Conflict("The account changed meanwhile; try again") from None
    if not existing.is_active_superadmin:
        record_security_event(
            "role_changed",
            user_id=existing.user_id,
            new_role="admin",
            new_admin_level="superadmin",
            by="bootstrap",
        )
    return updated, False
