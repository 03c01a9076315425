"""No secret reaches the logs: a whole user journey, with every JSON log line captured."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.api_client import Api
from tests.conftest import TEST_SECRET
from tests.images import drain, put_upload, ui_screenshot

NEW_PASSWORD = "a-second-secret-passphrase-5"


def _url_secrets(url: str) -> list[str]:
    """A presigned URL, and the signature and credential in it."""
    query = parse_qs(urlparse(url).query)
    found = [url, url.split("?", 1)[-1]]
    for name in ("X-Amz-Signature", "Signature", "X-Amz-Credential", "X-Amz-Security-Token"):
        found += query.get(name, [])
    return found


def test_a_full_journey_leaves_no_secret_in_the_logs(
    api: Api, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    secrets: list[str] = [TEST_SECRET]
    who = api.register("hygiene")
    secrets += [who.password, who.access_token, who.refresh_token]
    login = api.login("hygiene@example.com")
    secrets += [login.access_token, login.refresh_token]
    # a failed login with a password that is almost right
    assert api.post("/v1/auth/login", {"login": "hygiene", "password": who.password + "x"}).status
    secrets.append(who.password + "x")
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": login.refresh_token}).data
    secrets += [refreshed["access_token"], refreshed["refresh_token"]]
    changed = api.post(
        "/v1/auth/password",
        {"current_password": who.password, "new_password": NEW_PASSWORD},
        token=refreshed["access_token"],
    )
    assert changed.status == 200, changed.body
    secrets.append(NEW_PASSWORD)
    data = ui_screenshot()
    # the password change ended every other session; the refreshed one goes on
    token = refreshed["access_token"]
    reply = api.post(
        "/v1/images",
        {"filename": "screen.png", "content_type": "image/png", "size_bytes": len(data)},
        token=token,
    )
    assert reply.status == 201, reply.body
    created = reply.data
    upload = created["upload"]
    secrets += _url_secrets(upload["url"])
    secrets += [v for k, v in upload["fields"].items() if k.lower() != "key" and len(v) > 16]
    put_upload(upload["fields"]["key"], data)
    drain(api)
    image = api.get(f"/v1/images/{created['image']['image_id']}", token=token).data
    assert image["status"] == "analyzed", image
    secrets += _url_secrets(image["original_url"]) + _url_secrets(image["thumbnail_url"])
    assert api.delete("/v1/users/me", {"password": "wrong-password-here"}, token=token).status
    secrets.append("wrong-password-here")
    assert api.post("/v1/auth/logout", {"all_sessions": True}, token=token).status == 200

    # token signatures alone are secrets too
    secrets += [t.rsplit(".", 1)[1] for t in secrets if t.count(".") == 2 and len(t) > 100]
    lines = json_logs()
    assert len(lines) > 10, "the journey should have been logged"
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in secrets:
        assert secret not in text, f"a secret ({secret[:6]}…) is in the logs"
    assert "hygiene" in text or any(line.get("user_id") for line in lines)

    # the audit trail the user (and admins) can read holds none either
    again = api.login("hygiene", NEW_PASSWORD)
    trail = json.dumps(
        [
            api.get("/v1/users/me/logs?limit=100", token=again.access_token).body,
            api.get("/v1/users/me/security-events?limit=100", token=again.access_token).body,
        ]
    )
    assert "POST /v1/auth/password" in trail
    for secret in secrets:
        assert secret not in trail, f"a secret ({secret[:6]}…) is in the audit trail"
