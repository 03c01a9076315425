"""Brute-force protection for login: failures counted per account and per client IP.

The account counter is keyed by the user id when the account exists (so logging in by username
or by email counts alike) and by the login name as typed when it does not, so an unknown account
is throttled exactly like a real one and a 429 reveals nothing.
"""

from __future__ import annotations

import hashlib

from chalicelib.core import metrics
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.ids import epoch_seconds
from chalicelib.core.settings import get_settings
from chalicelib.services.audit import record_security_event
from chalicelib.store import rate_limits


def _window() -> tuple[int, int]:
    """(window index, seconds until it ends)."""
    size = get_settings().lockout_policy.window_seconds
    now = epoch_seconds()
    return now // size, size - now % size


def _keys(account: str, client_ip: str, window: int) -> tuple[str, str]:
    digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail#account#{digest}#{window}", f"login-fail#ip#{client_ip}#{window}"


def _limited(message: str, retry_after: int) -> TooManyRequests:
    return TooManyRequests(message, retry_after=retry_after, error_code="TOO_MANY_LOGIN_ATTEMPTS")


class LoginAttempt:
    """One login attempt's view of the counters: check before, count after."""

    def __init__(self, account: str, client_ip: str) -> None:
        """``account``: the user id if the account exists, else the login name as typed."""
        self._window, self._retry_after = _window()
        self._account_key, self._ip_key = _keys(account, client_ip, self._window)
        self._account_failures = 0

    def check(self) -> None:
        policy = get_settings().lockout_policy
        found = rate_limits.counts([self._account_key, self._ip_key])
        self._account_failures = found[self._account_key]
        if (
            found[self._account_key] >= policy.account_max_failures
            or found[self._ip_key] >= policy.ip_max_failures
        ):
            record_security_event(
                "lockout",
                user_id=None,
                level="WARNING",
                login_hash=self._account_key.split("#")[2],
                blocked=True,
            )
            raise _limited("Too many failed logins; try again later", self._retry_after)

    def failed(self, user_id: str | None) -> None:
        policy = get_settings().lockout_policy
        expires = (self._window + 2) * policy.window_seconds
        account = rate_limits.increment(self._account_key, expires_at=expires)
        ip = rate_limits.increment(self._ip_key, expires_at=expires)
        record_security_event("login_failed", user_id=user_id, level="WARNING", failures=account)
        metrics.emit("LoginsFailed")
        if account == policy.account_max_failures or ip == policy.ip_max_failures:
            metrics.emit("Lockouts")
            record_security_event(
                "lockout",
                user_id=user_id,
                level="ERROR",
                scope="account" if account >= policy.account_max_failures else "ip",
                window_seconds=policy.window_seconds,
            )

    def succeeded(self) -> None:
        if self._account_failures:
            rate_limits.clear(self._account_key)
