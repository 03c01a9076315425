"""Every route registered on the app, called by every kind of caller, against what it declares.

The routes come from the app itself, so a new route cannot skip this test: one without a
declaration fails ``test_every_route_is_declared``; one with a declaration is probed below.
"""

from __future__ import annotations

import pytest

from chalicelib.api.endpoint import ENDPOINTS, EndpointSpec
from chalicelib.auth.guards import Access
from tests.api_client import Api, Session
from tests.images import announce

PUBLIC_ROUTES = {
    ("/v1/health", "GET"),
    ("/v1/auth/register", "POST"),
    ("/v1/auth/login", "POST"),
    ("/v1/auth/refresh", "POST"),
    ("/v1/openapi.json", "GET"),
    ("/v1/docs", "GET"),
    ("/v1/shared/reports/{image_id}", "GET"),  # signed link: the signature is the credential
}


def _declared() -> dict[tuple[str, str], EndpointSpec]:
    return {(spec.path, spec.method): spec for spec in ENDPOINTS}


def _probed() -> list[EndpointSpec]:
    from app import app

    declared = _declared()
    return [
        declared[(p, m)]
        for p, methods in app.routes.items()
        for m in methods
        if not declared[(p, m)].internal
    ]


def test_every_route_is_declared() -> None:
    from app import app

    declared = _declared()
    registered = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert registered == set(declared), registered ^ set(declared)


def test_public_routes_are_exactly_the_intended_ones() -> None:
    public = {(s.path, s.method) for s in _probed() if s.access is Access.PUBLIC}
    assert public == PUBLIC_ROUTES


def _allowed(access: Access, role: str) -> bool:
    rank = {"anonymous": 0, "user": 1, "moderator": 2, "superadmin": 3}[role]
    needed = {Access.PUBLIC: 0, Access.USER: 1, Access.ADMIN: 2, Access.SUPERADMIN: 3}[access]
    return rank >= needed


@pytest.mark.parametrize("role", ["anonymous", "user", "moderator", "superadmin"])
def test_each_caller_gets_what_each_route_declares(api: Api, role: str) -> None:
    boss = api.superadmin()
    callers: dict[str, Session | None] = {
        "anonymous": None,
        "user": api.register(),
        "moderator": api.admin("moderator", by=boss),
        "superadmin": api.superadmin(),
    }
    caller = callers[role]
    for spec in _probed():
        # "another user": a fresh target (with an image) each time, since calls may delete them
        other = api.register()
        path = spec.path.replace("{user_id}", other.user_id)
        if "{image_id}" in path:
            path = path.replace("{image_id}", announce(api, other, b"x" * 10)["image"]["image_id"])
        # a fresh session per probe: an earlier probe (logout) may have ended the previous one
        token = api.login(caller.user["username"]).access_token if caller else None
        reply = api.request(
            spec.method, path, json_body={} if spec.method != "GET" else None, token=token
        )
        where = f"{role} {spec.method} {spec.path} -> {reply.status} {reply.body}"
        if _allowed(spec.access, role):
            assert reply.status not in (401, 403), where
            if "{image_id}" in spec.path and reply.status == 200:
                assert role in ("moderator", "superadmin") and spec.method == "GET", where
        elif role == "anonymous":
            assert reply.status == 401, where
        else:
            assert reply.status == 403, where
        assert reply.status < 500, where


def test_users_cannot_reach_another_users_data_through_any_user_route(api: Api) -> None:
    a = api.register()
    b = api.register()
    api.patch("/v1/users/me", {"display_name": "a-secret"}, token=a.access_token)
    for spec in _probed():
        if spec.access is not Access.USER or spec.method != "GET":
            continue
        for query in ("", f"?user_id={a.user_id}", f"?cursor={a.user_id}"):
            reply = api.get(spec.path + query, token=b.access_token)
            assert a.user_id not in str(reply.body) and "a-secret" not in str(reply.body), (
                spec.path,
                query,
            )
