"""Account use cases: register, log in, refresh, log out, change password, own profile."""

from __future__ import annotations

from chalicelib.auth import passwords
from chalicelib.auth.guards import Principal
from chalicelib.auth.password_policy import problems
from chalicelib.auth.tokens import decode_refresh_token
from chalicelib.core import metrics, request_context
from chalicelib.core.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from chalicelib.core.ids import epoch_seconds, new_id, now_iso
from chalicelib.core.settings import get_settings
from chalicelib.models.users import (
    AuthResult,
    ChangePasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserPublic,
    UserRecord,
)
from chalicelib.services import account_removal
from chalicelib.services.audit import record_security_event
from chalicelib.services.login_throttle import LoginAttempt
from chalicelib.services.sessions import mint_pair, start_session
from chalicelib.store import sessions as session_store
from chalicelib.store import users as user_store

_BAD_CREDENTIALS = "Wrong username/email or password"


def check_password_policy(
    password: str, *, username: str, email: str, field: str = "password"
) -> None:
    found = problems(
        password, policy=get_settings().password_policy, username=username, email=email
    )
    if found:
        raise ValidationFailed(
            "The password is too weak: it " + "; it ".join(found),
            error_code="WEAK_PASSWORD",
            details={field: found},
        )


def new_user_record(
    req: RegisterRequest, *, role: str = "user", admin_level: str | None = None
) -> UserRecord:
    now = now_iso()
    return UserRecord.model_validate(
        {
            "user_id": new_id("usr"),
            "username": req.username,
            "email": req.email,
            "password_hash": passwords.hash_password(req.password),
            "role": role,
            "admin_level": admin_level,
            "display_name": req.display_name,
            "created_at": now,
            "updated_at": now,
            "password_changed_at": now,
        }
    )


def register(req: RegisterRequest) -> AuthResult:
    check_password_policy(req.password, username=req.username, email=req.email)
    user = new_user_record(req)
    user_store.create(user)
    request_context.set_user(user.user_id)
    record_security_event("registered", user_id=user.user_id)
    return AuthResult(user=UserPublic.of(user), tokens=start_session(user))


def _find_by_login(login: str) -> UserRecord | None:
    login = login.strip()
    identity = (
        user_store.email_identity(login) if "@" in login else user_store.username_identity(login)
    )
    user_id = user_store.user_id_for(identity)
    return user_store.get(user_id) if user_id else None


def login(req: LoginRequest) -> AuthResult:
    ctx = request_context.current()
    user = _find_by_login(req.login)
    attempt = LoginAttempt(user.user_id if user else req.login, ctx.client_ip if ctx else "-")
    attempt.check()
    if user is None:
        passwords.burn_equal_time(req.password)
        attempt.failed(None)
        raise Unauthorized(_BAD_CREDENTIALS, error_code="INVALID_CREDENTIALS", headers={})
    if not passwords.verify_password(user.password_hash, req.password):
        attempt.failed(user.user_id)
        raise Unauthorized(_BAD_CREDENTIALS, error_code="INVALID_CREDENTIALS", headers={})
    request_context.set_user(user.user_id)
    if user.status != "active":
        record_security_event(
            "login_failed", user_id=user.user_id, level="WARNING", reason="deactivated"
        )
        raise Forbidden("This account is deactivated", error_code="ACCOUNT_DEACTIVATED")
    attempt.succeeded()
    upgraded = (
        passwords.hash_password(req.password)
        if passwords.needs_rehash(user.password_hash)
        else None
    )
    now = now_iso()
    user_store.touch_login(user, at=now, password_hash=upgraded)
    user = user.model_copy(update={"last_login_at": now})
    record_security_event("login_succeeded", user_id=user.user_id, rehashed=upgraded is not None)
    metrics.emit("LoginsSucceeded")
    return AuthResult(user=UserPublic.of(user), tokens=start_session(user))


def _reuse_detected(session_id: str, user_id: str) -> Unauthorized:
    """A refresh token was presented after its successor was issued: end the whole family."""
    session_store.revoke(session_id, reason="refresh_token_reuse")
    record_security_event(
        "refresh_token_reuse", user_id=user_id, level="CRITICAL", session_id=session_id
    )
    return Unauthorized(
        "This refresh token was already used; the session is revoked",
        error_code="REFRESH_TOKEN_REUSED",
    )


def refresh(req: RefreshRequest) -> TokenPair:
    claims = decode_refresh_token(req.refresh_token)
    ended = Unauthorized("The session has ended; log in again", error_code="SESSION_REVOKED")
    session = session_store.get(claims.session_id)
    if session is None or session.user_id != claims.user_id or session.revoked:
        raise ended
    request_context.set_user(claims.user_id)
    if session.current_jti != claims.jti:
        raise _reuse_detected(session.session_id, claims.user_id)
    user = user_store.get(claims.user_id)
    if user is None or user.status != "active":
        raise ended
    new_jti = new_id("rt")
    expires_at = epoch_seconds() + get_settings().refresh_token_ttl_seconds
    rotated = session_store.rotate(
        session.session_id,
        presented_jti=claims.jti,
        new_jti=new_jti,
        now_iso=now_iso(),
        now_epoch=epoch_seconds(),
        expires_at=expires_at,
    )
    if not rotated:
        # Another request rotated this token between our read and our write: a reuse.
        raise _reuse_detected(session.session_id, claims.user_id)
    return mint_pair(user, session.session_id, new_jti, expires_at)


def logout(principal: Principal, req: LogoutRequest) -> dict[str, int]:
    session_store.revoke(principal.session_id, reason="logout")
    ended = 1
    if req.all_sessions:
        ended += session_store.revoke_all(
            principal.user_id, reason="logout_all", keep=principal.session_id
        )
    record_security_event("logout", user_id=principal.user_id, all_sessions=req.all_sessions)
    return {"sessions_ended": ended}


def change_password(principal: Principal, req: ChangePasswordRequest) -> dict[str, int]:
    user = principal.user
    ctx = request_context.current()
    attempt = LoginAttempt(user.user_id, ctx.client_ip if ctx else "-")
    attempt.check()
    if not passwords.verify_password(user.password_hash, req.current_password):
        attempt.failed(user.user_id)
        raise Forbidden("The current password is wrong", error_code="INVALID_CREDENTIALS")
    if req.new_password == req.current_password:
        raise ValidationFailed(
            "The new password must differ from the current one",
            details={"new_password": ["must differ from the current password"]},
        )
    check_password_policy(
        req.new_password, username=user.username, email=user.email, field="new_password"
    )
    now = now_iso()
    updated = user.model_copy(
        update={
            "password_hash": passwords.hash_password(req.new_password),
            "password_changed_at": now,
            "updated_at": now,
        }
    )
    _replace(user, updated)
    ended = session_store.revoke_all(
        user.user_id, reason="password_changed", keep=principal.session_id
    )
    record_security_event(
        "password_changed", user_id=user.user_id, level="WARNING", sessions_ended=ended
    )
    return {"other_sessions_ended": ended}


def _replace(before: UserRecord, after: UserRecord) -> None:
    try:
        user_store.replace(before, after)
    except user_store.UserChanged:
        raise Conflict(
            "The account changed meanwhile; try again", error_code="CONCURRENT_UPDATE"
        ) from None


def me(principal: Principal) -> UserPublic:
    return UserPublic.of(principal.user)


def update_me(principal: Principal, req: UpdateMeRequest) -> UserPublic:
    changes = req.model_dump(exclude_unset=True)
    updated = principal.user.model_copy(update={**changes, "updated_at": now_iso()})
    _replace(principal.user, updated)
    request_context.add_audit_detail(fields=sorted(changes))
    return UserPublic.of(updated)


def delete_me(principal: Principal, password: str) -> None:
    if not passwords.verify_password(principal.user.password_hash, password):
        raise Forbidden("The password is wrong", error_code="INVALID_CREDENTIALS")
    account_removal.remove_account(principal.user, actor_id=principal.user_id)
