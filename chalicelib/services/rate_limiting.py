"""Request rate limits: per client IP and per user, in fixed windows, declared per route.

Every state-changing route is limited by the ``write`` policy unless it declares another one
(registration, login and refresh declare ``auth``, which is per IP and stricter), so a new write
route cannot forget its limit: the endpoint wrapper enforces whatever the declaration resolves to.

Counters are the DynamoDB fixed-window counters of ``store/rate_limits`` (atomic ``ADD``, TTL):
one ``UpdateItem`` per counted key, incremented first and compared after, so a limit costs no
extra read. A request over the limit gets ``429 RATE_LIMITED`` with ``Retry-After`` (the seconds
until the window ends).
"""

from __future__ import annotations

import hashlib

from chalicelib.core.errors import TooManyRequests
from chalicelib.core.ids import epoch_seconds
from chalicelib.core.settings import get_settings
from chalicelib.store import rate_limits

WRITE = "write"
AUTH = "auth"
POLICIES = (WRITE, AUTH)
DEFAULT = "default"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def policy_for(method: str, internal: bool, declared: str | None) -> str | None:
    """The policy a route ends up with: its declared one, else ``write`` for state changes."""
    if declared != DEFAULT:
        if declared is not None and declared not in POLICIES:
            raise ValueError(f"unknown rate-limit policy {declared!r}")
        return declared
    if internal or method.upper() not in STATE_CHANGING:
        return None
    return WRITE


def _window() -> tuple[int, int, int]:
    """(window index, seconds until it ends, epoch second at which its counters may expire)."""
    size = get_settings().rate_limit_window_seconds
    now = epoch_seconds()
    index = now // size
    return index, size - now % size, (index + 2) * size


def _count(policy: str, scope: str, who: str, limit: int) -> None:
    index, retry_after, expires = _window()
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    count = rate_limits.increment(f"rate#{policy}#{scope}#{digest}#{index}", expires_at=expires)
    if count > limit:
        raise TooManyRequests(
            "Too many requests; slow down and retry after the indicated time",
            retry_after=retry_after,
            error_code="RATE_LIMITED",
        )


def count_client(policy: str, client_ip: str) -> None:
    """Count a request of ``policy`` from ``client_ip``; 429 once over the per-IP limit."""
    settings = get_settings()
    limit = settings.rate_limit_ip_auth if policy == AUTH else settings.rate_limit_ip_writes
    _count(policy, "ip", client_ip, limit)


def count_user(policy: str, user_id: str) -> None:
    """Count a request of ``policy`` by ``user_id``; 429 once over the per-user limit."""
    _count(policy, "user", user_id, get_settings().rate_limit_user_writes)
