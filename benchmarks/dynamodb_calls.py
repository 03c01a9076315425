"""DynamoDB calls per request on the main paths, counted on moto through the real app.

.venv/bin/python benchmarks/dynamodb_calls.py
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from offline_stage import ROOT, use_offline_test_stage

use_offline_test_stage()


def main() -> None:
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.core.settings import get_settings
    from chalicelib.store.aws import client
    from local import gateway, provision

    gateway.install()
    calls: list[str] = []
    with mock_aws():
        provision.create_resources(get_settings())
        client("dynamodb").meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.append(model.name)
        )
        from app import app

        logging.getLogger("janus").setLevel(logging.WARNING)

        with Client(app, stage_name="test", project_dir=str(ROOT)) as c:

            def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
                headers = {"Content-Type": "application/json"}
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                data = json.dumps(body).encode() if body is not None else b""
                start = len(calls)
                response = c.http.request(method, path, headers=headers, body=data)
                return json.loads(response.body), calls[start:]

            rows = []
            password = "quiet-harbor-lantern-7"
            _, ops = call(
                "POST",
                "/v1/auth/register",
                {"username": "bench", "email": "bench@example.com", "password": password},
            )
            rows.append(("POST /v1/auth/register", ops))
            login, ops = call("POST", "/v1/auth/login", {"login": "bench", "password": password})
            rows.append(("POST /v1/auth/login", ops))
            token = login["data"]["tokens"]["access_token"]
            _, ops = call("GET", "/v1/auth/me", token=token)
            rows.append(("GET /v1/auth/me", ops))
            _, ops = call("GET", "/v1/users/me/logs?limit=20", token=token)
            rows.append(("GET /v1/users/me/logs (list)", ops))
            _, ops = call(
                "POST",
                "/v1/auth/refresh",
                {"refresh_token": login["data"]["tokens"]["refresh_token"]},
            )
            rows.append(("POST /v1/auth/refresh", ops))
            _, ops = call("PATCH", "/v1/users/me", {"display_name": "B"}, token=token)
            rows.append(("PATCH /v1/users/me", ops))
    print(f"{'request':34} {'calls':>5}  operations")
    for name, ops in rows:
        summary = ", ".join(f"{op} x{n}" if n > 1 else op for op, n in Counter(ops).items())
        print(f"{name:34} {len(ops):>5}  {summary}")
    print("Scan calls:", sum(op == "Scan" for _, ops in rows for op in ops))


if __name__ == "__main__":
    main()
