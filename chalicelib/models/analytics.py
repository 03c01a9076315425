"""Research shapes: analytics records, the aggregate findings summary and report links."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from chalicelib.models.users import ListQuery, Strict

Topic = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[\w][\w .:/+#-]*$",
        description="Free-form research topic: letters, digits, spaces and . : / + # -",
    ),
]
MAX_DATA_DEPTH = 16


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _check_data(value: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.core.settings import get_settings

    limit = get_settings().analytics_max_data_bytes
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > limit:
        raise ValueError(f"must be at most {limit} bytes of JSON (this is {size})")
    if _depth(value) > MAX_DATA_DEPTH:
        raise ValueError(f"must nest at most {MAX_DATA_DEPTH} levels deep")
    return value


def _iso(value: datetime) -> str:
    from chalicelib.core.ids import iso

    return iso(value)


class AnalyticsRecord(BaseModel):
    """An analytics entry as stored: ``data`` is kept as its JSON text (exact round trip)."""

    entry_id: str
    user_id: str
    research_topic: str | None = None
    data_json: str
    created_at: str
    updated_at: str


class AnalyticsEntry(BaseModel):
    entry_id: str
    user_id: str
    research_topic: str | None
    data: dict[str, Any]
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, record: AnalyticsRecord) -> AnalyticsEntry:
        return cls(
            entry_id=record.entry_id,
            user_id=record.user_id,
            research_topic=record.research_topic,
            data=json.loads(record.data_json),
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class CreateAnalyticsRequest(Strict):
    data: dict[str, Any] = Field(description="Any JSON object (size and depth limited)")
    research_topic: Topic | None = None

    _data = field_validator("data")(_check_data)


class UpdateAnalyticsRequest(Strict):
    data: dict[str, Any] | None = None
    research_topic: Topic | None = Field(None, description="null removes the topic")

    _data = field_validator("data")(lambda v: v if v is None else _check_data(v))

    @model_validator(mode="after")
    def _not_empty(self) -> UpdateAnalyticsRequest:
        if not self.model_fields_set:
            raise ValueError("send data and/or research_topic")
        if "data" in self.model_fields_set and self.data is None:
            raise ValueError("data cannot be null; send an object")
        return self


class TimeRange(Strict):
    since: AwareDatetime | None = Field(None, description="Inclusive, ISO 8601 with a time zone")
    until: AwareDatetime | None = Field(None, description="Exclusive, ISO 8601 with a time zone")

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.since and self.until and self.since >= self.until:
            raise ValueError("since must be before until")
        return self

    @property
    def since_iso(self) -> str | None:
        return _iso(self.since) if self.since else None

    @property
    def until_iso(self) -> str | None:
        return _iso(self.until) if self.until else None


class AnalyticsListQuery(ListQuery, TimeRange):
    topic: Topic | None = None
    user_id: Annotated[
        str | None,
        Field(
            max_length=64,
            description="Administrators only: another user's entries, or 'all' for everyone's",
        ),
    ] = None


class SummaryQuery(TimeRange):
    tag: Annotated[str | None, Field(max_length=40)] = None
    user_id: Annotated[
        str | None,
        Field(max_length=64, description="Administrators only: a user id, or 'all' for everyone"),
    ] = None


class SummaryExportQuery(SummaryQuery):
    format: Literal["csv", "json"] = "csv"


class ColourPairStat(BaseModel):
    foreground: str
    background: str
    findings: int = Field(description="Failing text findings with this pair")
    images: int = Field(description="Images with at least one such finding")
    worst_ratio: float


class WorstFinding(BaseModel):
    image_id: str
    foreground: str
    background: str
    ratio: float
    bbox: list[int]
    large_text: bool | None


class ColourStat(BaseModel):
    hex: str
    images: int = Field(description="Images whose top palette holds the colour")
    share: float = Field(description="Mean share of the image area across the images analysed")


class CvdStat(BaseModel):
    deficiency: str
    images: int = Field(description="Images with at least one confusable pair")
    pairs: int = Field(description="Confusable palette pairs found, summed over images")


class FindingsSummary(BaseModel):
    scope: dict[str, str | None]
    images_analysed: int
    images_passing_aa: int
    share_images_passing_aa: float | None
    text_findings: int
    text_findings_passing_aa: int
    share_text_passing_aa: float | None
    images_with_cvd_risk: int
    cvd_risks: list[CvdStat]
    most_frequent_failing_pairs: list[ColourPairStat]
    worst_ratios: list[WorstFinding]
    most_used_colours: list[ColourStat]
    truncated: bool = Field(
        False, description="True when the set exceeded the summary limit and was cut"
    )
    approximate: bool = Field(
        False,
        description="True when a running aggregate had to drop rare colours or pairs, or a "
        "deleted image's worst findings left a gap, so the top lists may be inexact "
        "(counts and shares stay exact)",
    )


class ReportLinkRequest(Strict):
    ttl_seconds: Annotated[int | None, Field(ge=60)] = None


class ReportLink(BaseModel):
    url: str
    path: str
    expires_at: str
    expires_in: int


class SharedReportQuery(Strict):
    expires: Annotated[int, Field(ge=0)]
    signature: Annotated[str, Field(min_length=1, max_length=128)]
