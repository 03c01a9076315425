"""/v1/users/me: a user's own account, and their own audit trail."""

from __future__ import annotations

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.models.audit import MyLogQuery, MySecurityEventQuery, SecurityEvent, UserActionLog
from chalicelib.models.envelope import Page
from chalicelib.models.users import DeleteMeRequest, UpdateMeRequest, UserPublic
from chalicelib.services import accounts, audit

api = Endpoints("users")


@api.route("/users/me", "GET", access=Access.USER, response=UserPublic, summary="My account")
def get_me(principal: Principal) -> UserPublic:
    return accounts.me(principal)


@api.route(
    "/users/me",
    "PATCH",
    access=Access.USER,
    body=UpdateMeRequest,
    response=UserPublic,
    errors=(409, 422),
    summary="Change my username, email or display name",
)
def update_me(principal: Principal, body: UpdateMeRequest) -> UserPublic:
    return accounts.update_me(principal, body)


@api.route(
    "/users/me",
    "DELETE",
    access=Access.USER,
    body=DeleteMeRequest,
    response=None,
    errors=(403, 409),
    summary="Delete my account and everything I own (needs my password)",
)
def delete_me(principal: Principal, body: DeleteMeRequest) -> None:
    accounts.delete_me(principal, body.password)


@api.route(
    "/users/me/logs",
    "GET",
    access=Access.USER,
    query=MyLogQuery,
    response=UserActionLog,
    paginated=True,
    summary="My user-action log, newest first",
)
def my_logs(principal: Principal, query: MyLogQuery) -> Page[UserActionLog]:
    return audit.list_action_logs(query, user_id=principal.user_id, viewer=principal.user_id)


@api.route(
    "/users/me/security-events",
    "GET",
    access=Access.USER,
    query=MySecurityEventQuery,
    response=SecurityEvent,
    paginated=True,
    summary="Security events of my account, newest first",
)
def my_security_events(principal: Principal, query: MySecurityEventQuery) -> Page[SecurityEvent]:
    return audit.list_security_events(query, user_id=principal.user_id, viewer=principal.user_id)
