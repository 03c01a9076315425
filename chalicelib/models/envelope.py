"""The response envelope of DESIGN.md §3, as models (they also feed the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Pagination(BaseModel):
    limit: int
    next_cursor: str | None = Field(
        None, description="Opaque; pass back as `cursor` for the next page. Null on the last page."
    )


class SuccessEnvelope(BaseModel, Generic[T]):
    success: Literal[True]
    data: T
    message: str | None = None
    timestamp: str


class PageEnvelope(BaseModel, Generic[T]):
    success: Literal[True]
    data: list[T]
    pagination: Pagination
    message: str | None = None
    timestamp: str


class ErrorEnvelope(BaseModel):
    success: Literal[False]
    error: str
    error_code: str
    status_code: int
    details: dict[str, Any] | None = None
    request_id: str | None = None
    timestamp: str


class Page(BaseModel, Generic[T]):
    """What a service returns for a list: one page of items and the cursor to the next."""

    items: list[T]
    next_cursor: str | None = None
    limit: int
