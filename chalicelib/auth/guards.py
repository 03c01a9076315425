"""Who may call what: the access levels routes declare, and the check behind them.

A valid signature is not enough: every authenticated request reads the user and the session
(one BatchGetItem, strongly consistent), so logout, deactivation, deletion and role changes take
effect on the very next request rather than when the token expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.auth.tokens import decode_access_token
from chalicelib.core import request_context
from chalicelib.core.errors import Forbidden, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.models.users import UserRecord
from chalicelib.store import sessions as session_store
from chalicelib.store import users as user_store
from chalicelib.store.dynamo import batch_get


class Access(Enum):
    """Ordered from least to most privileged."""

    PUBLIC = "public"
    USER = "user"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"


@dataclass(frozen=True)
class Principal:
    user: UserRecord
    session_id: str

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def is_superadmin(self) -> bool:
        return self.user.is_superadmin


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <access token>'", error_code="INVALID_TOKEN")
    return token.strip()


def authenticate(authorization: str | None) -> Principal:
    claims = decode_access_token(bearer_token(authorization))
    settings = get_settings()
    found = batch_get(
        {
            settings.users_table: {
                "Keys": [{"user_id": {"S": claims.user_id}}],
                "ConsistentRead": True,
            },
            settings.sessions_table: {
                "Keys": [session_store.key(claims.session_id)],
                "ConsistentRead": True,
            },
        }
    )
    user_items = found.get(settings.users_table, [])
    session_items = found.get(settings.sessions_table, [])
    revoked = Unauthorized("The session has ended; log in again", error_code="SESSION_REVOKED")
    if not user_items or not session_items:
        raise revoked
    user = user_store.from_item(user_items[0])
    session = session_store.from_item(session_items[0])
    if session.user_id != user.user_id or session.revoked:
        raise revoked
    if user.status != "active":
        raise Unauthorized("This account is deactivated", error_code="ACCOUNT_DEACTIVATED")
    request_context.set_user(user.user_id)
    return Principal(user=user, session_id=session.session_id)


def authorize(principal: Principal, access: Access) -> None:
    """The user's *current* role decides (a token minted before a demotion grants nothing)."""
    if access is Access.ADMIN and not principal.is_admin:
        raise Forbidden("This needs an administrator")
    if access is Access.SUPERADMIN and not principal.is_superadmin:
        raise Forbidden("This needs a superadmin")
