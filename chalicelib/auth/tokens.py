"""Access and refresh tokens (JWT, HS256, algorithm list pinned).

Access tokens are short-lived and say who the caller is and in which session; refresh tokens
carry a different audience and type, so neither can stand in for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.auth.keys import signing_secret
from chalicelib.core.errors import Unauthorized
from chalicelib.core.ids import epoch_seconds, new_id
from chalicelib.core.settings import get_settings
from chalicelib.models.users import UserRecord

ALGORITHMS = ["HS256"]
REFRESH_AUDIENCE_SUFFIX = "-refresh"
_REQUIRED = ["iss", "aud", "sub", "exp", "iat", "nbf", "jti", "typ", "sid"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    jti: str
    role: str
    admin_level: str | None
    expires_at: int


@dataclass(frozen=True)
class RefreshClaims:
    user_id: str
    session_id: str
    jti: str
    expires_at: int


def _encode(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, signing_secret(), algorithm=ALGORITHMS[0])


def issue_access_token(user: UserRecord, session_id: str) -> tuple[str, int]:
    settings = get_settings()
    now = epoch_seconds()
    ttl = settings.access_token_ttl_seconds
    token = _encode(
        {
            "iss": settings.token_issuer,
            "aud": settings.token_audience,
            "sub": user.user_id,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": new_id("at"),
            "typ": "access",
            "sid": session_id,
            "role": user.role,
            "adm": user.admin_level,
        }
    )
    return token, ttl


def issue_refresh_token(user_id: str, session_id: str, jti: str, expires_at: int) -> str:
    settings = get_settings()
    now = epoch_seconds()
    return _encode(
        {
            "iss": settings.token_issuer,
            "aud": settings.token_audience + REFRESH_AUDIENCE_SUFFIX,
            "sub": user_id,
            "iat": now,
            "nbf": now,
            "exp": expires_at,
            "jti": jti,
            "typ": "refresh",
            "sid": session_id,
        }
    )


def _decode(token: str, *, audience: str, typ: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_secret(),
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=settings.token_issuer,
            options={"require": _REQUIRED, "strict_aud": True},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired", error_code="TOKEN_EXPIRED") from None
    except jwt.PyJWTError:
        raise Unauthorized("The token is invalid", error_code="INVALID_TOKEN") from None
    if claims.get("typ") != typ or not isinstance(claims.get("sub"), str):
        raise Unauthorized("The token is invalid", error_code="INVALID_TOKEN")
    return claims


def decode_access_token(token: str) -> AccessClaims:
    claims = _decode(token, audience=get_settings().token_audience, typ="access")
    return AccessClaims(
        user_id=claims["sub"],
        session_id=str(claims["sid"]),
        jti=str(claims["jti"]),
        role=str(claims.get("role", "user")),
        admin_level=claims.get("adm"),
        expires_at=int(claims["exp"]),
    )


def decode_refresh_token(token: str) -> RefreshClaims:
    audience = get_settings().token_audience + REFRESH_AUDIENCE_SUFFIX
    claims = _decode(token, audience=audience, typ="refresh")
    return RefreshClaims(
        user_id=claims["sub"],
        session_id=str(claims["sid"]),
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )
