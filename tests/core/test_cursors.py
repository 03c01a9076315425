"""Cursors are opaque and tamper-evident, and bound to the listing they came from."""

from __future__ import annotations

import pytest

from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.errors import BadRequest

KEY = b"k" * 32
LAST = {"user_id": {"S": "usr_1"}, "sk": {"S": "2026-01-01T00:00:00.000Z#log_1"}}


def test_round_trip_and_opaque() -> None:
    cursor = encode_cursor(LAST, scope="logs|usr_1", key=KEY)
    assert cursor and "usr_1" not in cursor
    assert decode_cursor(cursor, scope="logs|usr_1", key=KEY) == LAST
    assert encode_cursor(None, scope="x", key=KEY) is None
    assert decode_cursor(None, scope="x", key=KEY) is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),
        lambda c: "A" + c[1:],
        lambda c: c[:10],
        lambda c: "!!!",
    ],
)
def test_tampering_is_detected(mutate: object) -> None:
    cursor = encode_cursor(LAST, scope="s", key=KEY)
    with pytest.raises(BadRequest) as info:
        decode_cursor(mutate(cursor), scope="s", key=KEY)  # type: ignore[operator]
    assert info.value.error_code == "INVALID_CURSOR"


def test_other_scope_or_key_is_rejected() -> None:
    cursor = encode_cursor(LAST, scope="logs|usr_1", key=KEY)
    with pytest.raises(BadRequest):
        decode_cursor(cursor, scope="logs|usr_2", key=KEY)
    with pytest.raises(BadRequest):
        decode_cursor(cursor, scope="logs|usr_1", key=b"z" * 32)
