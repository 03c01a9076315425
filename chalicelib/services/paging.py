"""One page of a listing: the page size a client may ask for, and the signed cursor around it.

Every list route goes through ``page_of`` so the size bounds and the cursor's binding to its
scope (who asked, which filters) are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.auth.keys import cursor_key
from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.settings import get_settings
from chalicelib.models.envelope import Page
from chalicelib.models.users import ListQuery

Stored = TypeVar("Stored")
Shown = TypeVar("Shown")
Position = dict[str, Any] | None


def page_of(
    query: ListQuery,
    *,
    scope: str,
    fetch: Callable[[int, Position], tuple[list[Stored], Position]],
    present: Callable[[Stored], Shown],
) -> Page[Shown]:
    """``fetch(limit, start)`` reads one page from the store; ``present`` shapes each item."""
    settings = get_settings()
    limit = min(query.limit or settings.page_size_default, settings.page_size_max)
    key = cursor_key()
    items, last = fetch(limit, decode_cursor(query.cursor, scope=scope, key=key))
    return Page(
        items=[present(item) for item in items],
        next_cursor=encode_cursor(last, scope=scope, key=key),
        limit=limit,
    )
