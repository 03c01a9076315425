"""Password hashing with argon2id at OWASP's recommended parameters.

OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. Hashes made with older
parameters still verify and are upgraded on the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


@cache
def _dummy_hash() -> str:
    return hash_password("janus-timing-equaliser")


def burn_equal_time(password: str) -> None:
    """Spend what a real verification costs, so a missing account is not given away by timing."""
    verify_password(_dummy_hash(), password)
