"""A small JSON client over ``chalice.test.Client`` and factories for users in each role."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from chalice.test import Client

DEFAULT_PASSWORD = "correct-horse-battery-9"


@dataclass
class DynamoCalls:
    operations: list[str] = field(default_factory=list)

    def record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def since(self, start: int) -> list[str]:
        return self.operations[start:]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def data(self) -> Any:
        assert self.body.get("success") is True, self.body
        return self.body["data"]

    @property
    def error_code(self) -> str:
        assert self.body.get("success") is False, self.body
        return str(self.body["error_code"])


@dataclass
class Session:
    user: dict[str, Any]
    access_token: str
    refresh_token: str
    password: str = DEFAULT_PASSWORD

    @property
    def user_id(self) -> str:
        return str(self.user["user_id"])


class Api:
    def __init__(self, client: Client, calls: DynamoCalls) -> None:
        self.client = client
        self.calls = calls

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw: bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        body = (
            raw
            if raw is not None
            else (json.dumps(json_body).encode() if json_body is not None else b"")
        )
        response = self.client.http.request(method, path, headers=sent, body=body)
        text = response.body.decode() if response.body else ""
        parsed = json.loads(text) if text and text[0] in "[{" else text
        return Reply(
            response.status_code, parsed, {k.lower(): v for k, v in response.headers.items()}
        )

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, json_body=body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, json_body=body if body is not None else {}, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("DELETE", path, json_body=body, **kw)

    # factories -----------------------------------------------------------------------------

    def register(self, username: str | None = None, *, password: str = DEFAULT_PASSWORD) -> Session:
        username = username or f"u{uuid.uuid4().hex[:10]}"
        reply = self.post(
            "/v1/auth/register",
            {"username": username, "email": f"{username}@example.com", "password": password},
        )
        assert reply.status == 201, reply.body
        data = reply.data
        return Session(
            data["user"], data["tokens"]["access_token"], data["tokens"]["refresh_token"], password
        )

    def login(self, login: str, password: str = DEFAULT_PASSWORD) -> Session:
        reply = self.post("/v1/auth/login", {"login": login, "password": password})
        assert reply.status == 200, reply.body
        data = reply.data
        return Session(
            data["user"], data["tokens"]["access_token"], data["tokens"]["refresh_token"], password
        )

    def superadmin(self, username: str | None = None) -> Session:
        from chalicelib.services.bootstrap import ensure_superadmin

        username = username or f"root{uuid.uuid4().hex[:8]}"
        ensure_superadmin(username, f"{username}@example.com", DEFAULT_PASSWORD)
        return self.login(username)

    def admin(self, level: str, *, by: Session | None = None) -> Session:
        """A fresh user promoted to ``level`` by a superadmin through the API."""
        boss = by or self.superadmin()
        if level == "superadmin":
            return self.superadmin()
        person = self.register()
        reply = self.patch(
            f"/v1/admin/users/{person.user_id}",
            {"role": "admin", "admin_level": level},
            token=boss.access_token,
        )
        assert reply.status == 200, reply.body
        return self.login(person.user["username"])
