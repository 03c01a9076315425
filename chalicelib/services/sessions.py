"""Starting a session: the one place tokens are minted for a user."""

from __future__ import annotations

from chalicelib.auth.tokens import issue_access_token, issue_refresh_token
from chalicelib.core import request_context
from chalicelib.core.ids import epoch_seconds, new_id, now_iso
from chalicelib.core.settings import get_settings
from chalicelib.models.users import TokenPair, UserRecord
from chalicelib.store import sessions as session_store


def mint_pair(
    user: UserRecord, session_id: str, refresh_jti: str, refresh_expires_at: int
) -> TokenPair:
    access, ttl = issue_access_token(user, session_id)
    refresh = issue_refresh_token(user.user_id, session_id, refresh_jti, refresh_expires_at)
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=ttl,
        refresh_expires_in=refresh_expires_at - epoch_seconds(),
    )


def start_session(user: UserRecord) -> TokenPair:
    ctx = request_context.current()
    now = now_iso()
    session = session_store.SessionRecord(
        session_id=new_id("ses"),
        user_id=user.user_id,
        current_jti=new_id("rt"),
        created_at=now,
        last_used_at=now,
        expires_at=epoch_seconds() + get_settings().refresh_token_ttl_seconds,
        client_ip=ctx.client_ip if ctx else "",
        user_agent=(ctx.user_agent if ctx else "")[:256],
    )
    session_store.create(session)
    return mint_pair(user, session.session_id, session.current_jti, session.expires_at)
