"""/v1/auth: register, log in, refresh, log out, change password, who am I."""

from __future__ import annotations

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.models.users import (
    AuthResult,
    ChangePasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UserPublic,
)
from chalicelib.services import accounts

api = Endpoints("auth")


@api.route(
    "/auth/register",
    "POST",
    access=Access.PUBLIC,
    body=RegisterRequest,
    response=AuthResult,
    status=201,
    errors=(409, 422),
    rate_limit="auth",
    summary="Create an account and start a session",
)
def register(body: RegisterRequest) -> AuthResult:
    return accounts.register(body)


@api.route(
    "/auth/login",
    "POST",
    access=Access.PUBLIC,
    body=LoginRequest,
    response=AuthResult,
    errors=(401, 403, 429),
    rate_limit="auth",
    summary="Log in with username or email",
)
def login(body: LoginRequest) -> AuthResult:
    return accounts.login(body)


@api.route(
    "/auth/refresh",
    "POST",
    access=Access.PUBLIC,
    body=RefreshRequest,
    response=TokenPair,
    errors=(401,),
    rate_limit="auth",
    summary="Trade a refresh token for a new pair (the old one stops working)",
)
def refresh(body: RefreshRequest) -> TokenPair:
    return accounts.refresh(body)


@api.route(
    "/auth/logout",
    "POST",
    access=Access.USER,
    body=LogoutRequest,
    response=dict[str, int],
    summary="End this session (or all of them)",
)
def logout(principal: Principal, body: LogoutRequest) -> dict[str, int]:
    return accounts.logout(principal, body)


@api.route(
    "/auth/password",
    "POST",
    access=Access.USER,
    body=ChangePasswordRequest,
    response=dict[str, int],
    errors=(403, 422, 429),
    summary="Change the password; ends every other session",
)
def change_password(principal: Principal, body: ChangePasswordRequest) -> dict[str, int]:
    return accounts.change_password(principal, body)


@api.route("/auth/me", "GET", access=Access.USER, response=UserPublic, summary="The calling user")
def me(principal: Principal) -> UserPublic:
    return accounts.me(principal)
