"""The token signing secret, read once per process (once per Lambda cold start).

Locally and in tests it comes from ``JANUS_TOKEN_SECRET``; in prod from the SSM SecureString
named by ``JANUS_TOKEN_SECRET_PARAMETER``. Other keys (cursor MACs) are derived from it with
HMAC so that one secret serves, and a cursor MAC can never be used as a token signature.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from chalicelib.core.settings import SettingsError, get_settings
from chalicelib.store.parameters import read_secure_parameter


@cache
def signing_secret() -> bytes:
    settings = get_settings()
    if settings.token_secret_parameter:
        secret = read_secure_parameter(settings.token_secret_parameter)
        if len(secret.encode()) < 32:
            raise SettingsError("the token signing secret in SSM must be at least 32 bytes")
        return secret.encode()
    if settings.token_secret:
        return settings.token_secret.encode()
    raise SettingsError(
        "JANUS_TOKEN_SECRET (or JANUS_TOKEN_SECRET_PARAMETER) is not set: no key to sign tokens"
    )


def derived_key(purpose: str) -> bytes:
    return hmac.new(signing_secret(), f"janus:{purpose}".encode(), hashlib.sha256).digest()


def cursor_key() -> bytes:
    return derived_key("cursor-v1")


def reset_keys() -> None:
    signing_secret.cache_clear()
