"""Opaque, tamper-evident pagination cursors.

A cursor wraps DynamoDB's LastEvaluatedKey together with the *scope* of the listing it came
from (who asked, which filters). It is signed with HMAC-SHA256, so a client can neither forge
one nor carry it to a different listing (say, another user's logs): either fails as 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.core.errors import BadRequest

_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, scope: str, payload: bytes) -> bytes:
    return hmac.new(key, scope.encode() + b"\x00" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(last_key: dict[str, Any] | None, *, scope: str, key: bytes) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return _b64(_mac(key, scope, payload) + payload)


def decode_cursor(cursor: str | None, *, scope: str, key: bytes) -> dict[str, Any] | None:
    if not cursor:
        return None
    invalid = BadRequest(
        "The pagination cursor is invalid or belongs to another listing",
        error_code="INVALID_CURSOR",
    )
    try:
        raw = _unb64(cursor)
    except (ValueError, TypeError):
        raise invalid from None
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, _mac(key, scope, payload)):
        raise invalid
    try:
        value = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(value, dict):
        raise invalid
    return value
