"""/v1/admin: accounts, roles and the whole audit trail, for administrators."""

from __future__ import annotations

from chalicelib.api.endpoint import Endpoints
from chalicelib.auth.guards import Access, Principal
from chalicelib.models.audit import (
    AdminLogQuery,
    AdminSecurityEventQuery,
    SecurityEvent,
    UserActionLog,
)
from chalicelib.models.envelope import Page
from chalicelib.models.users import AdminListUsersQuery, AdminUpdateUserRequest, UserPublic
from chalicelib.services import admin_users, audit

api = Endpoints("admin")


@api.route(
    "/admin/users",
    "GET",
    access=Access.ADMIN,
    query=AdminListUsersQuery,
    response=UserPublic,
    paginated=True,
    summary="All users, newest first; filter by role and status",
)
def list_users(principal: Principal, query: AdminListUsersQuery) -> Page[UserPublic]:
    return admin_users.list_users(principal, query)


@api.route(
    "/admin/users/{user_id}",
    "GET",
    access=Access.ADMIN,
    response=UserPublic,
    errors=(404,),
    summary="One user",
)
def get_user(user_id: str) -> UserPublic:
    return admin_users.get_user(user_id)


@api.route(
    "/admin/users/{user_id}",
    "PATCH",
    access=Access.SUPERADMIN,
    body=AdminUpdateUserRequest,
    response=UserPublic,
    errors=(400, 404, 409, 422),
    summary="Change a user's role or admin level",
)
def update_user(principal: Principal, user_id: str, body: AdminUpdateUserRequest) -> UserPublic:
    return admin_users.update_user(principal, user_id, body)


@api.route(
    "/admin/users/{user_id}",
    "DELETE",
    access=Access.SUPERADMIN,
    response=None,
    errors=(400, 404, 409),
    summary="Delete a user and everything they own",
)
def delete_user(principal: Principal, user_id: str) -> None:
    admin_users.delete_user(principal, user_id)


@api.route(
    "/admin/users/{user_id}/deactivate",
    "POST",
    access=Access.ADMIN,
    response=UserPublic,
    errors=(400, 403, 404, 409),
    summary="Stop a user from logging in; their tokens stop working",
)
def deactivate(principal: Principal, user_id: str) -> UserPublic:
    return admin_users.deactivate(principal, user_id)


@api.route(
    "/admin/users/{user_id}/reactivate",
    "POST",
    access=Access.ADMIN,
    response=UserPublic,
    errors=(400, 403, 404),
    summary="Let a deactivated user log in again",
)
def reactivate(principal: Principal, user_id: str) -> UserPublic:
    return admin_users.reactivate(principal, user_id)


@api.route(
    "/admin/logs",
    "GET",
    access=Access.ADMIN,
    query=AdminLogQuery,
    response=UserActionLog,
    paginated=True,
    summary="User-action logs, newest first; filter by user, module, level, time",
)
def logs(principal: Principal, query: AdminLogQuery) -> Page[UserActionLog]:
    return audit.list_action_logs(query, user_id=query.user_id, viewer=principal.user_id)


@api.route(
    "/admin/security-events",
    "GET",
    access=Access.ADMIN,
    query=AdminSecurityEventQuery,
    response=SecurityEvent,
    paginated=True,
    summary="Security events, newest first; filter by user, type, level, time",
)
def security_events(principal: Principal, query: AdminSecurityEventQuery) -> Page[SecurityEvent]:
    return audit.list_security_events(query, user_id=query.user_id, viewer=principal.user_id)
