"""Image shapes: the stored record, what clients see and send, and the upload ticket."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.models.users import ListQuery, Strict, not_null

ImageStatus = Literal["awaiting_upload", "processing", "queued", "analyzed", "failed"]
ContentType = Literal["image/png", "image/jpeg", "image/webp", "image/gif"]
TokenFormat = Literal["dtcg", "legacy", "css", "scss", "tailwind"]

FORMAT_OF_CONTENT_TYPE: dict[str, str] = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w][\w .:/+-]*$")]


class ImageSummary(BaseModel):
    """The part of an analysis a list or a card shows, stored on the image record."""

    top_palette: list[dict[str, Any]]
    text_findings: int
    failing_text_count: int
    worst_ratio: float | None
    cvd_risk_count: int
    engine_version: str


class ImageRecord(BaseModel):
    image_id: str
    user_id: str
    status: ImageStatus
    filename: str
    content_type: ContentType
    declared_size_bytes: int
    title: str | None = None
    tags: list[str] = []
    created_at: str
    updated_at: str
    upload_key: str
    thumbnail_key: str | None = None
    analysis_key: str | None = None
    metadata: dict[str, Any] | None = None
    summary: ImageSummary | None = None
    error_code: str | None = None
    error_message: str | None = None
    retryable: bool = False
    processed_etag: str | None = None
    processing_id: str | None = None
    processing_started_at: int | None = None
    analyzed_at: str | None = None


class ImagePublic(BaseModel):
    image_id: str
    user_id: str
    status: ImageStatus
    filename: str
    content_type: str
    title: str | None
    tags: list[str]
    created_at: str
    updated_at: str
    metadata: dict[str, Any] | None
    summary: ImageSummary | None
    error_code: str | None
    error_message: str | None
    analyzed_at: str | None
    original_url: str | None = Field(None, description="Short-lived GET URL (detail view only)")
    thumbnail_url: str | None = Field(None, description="Short-lived GET URL (detail view only)")

    @classmethod
    def of(cls, record: ImageRecord, **urls: str | None) -> ImagePublic:
        return cls.model_validate({**record.model_dump(), **urls})


class CreateImageRequest(Strict):
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: ContentType
    size_bytes: Annotated[int, Field(ge=1)]
    title: Annotated[str | None, Field(max_length=200)] = None
    tags: Annotated[list[Tag], Field(max_length=20)] = []

    @field_validator("filename")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if any(ch in value for ch in "\x00\r\n/\\"):
            raise ValueError(
                "must be a plain file name without path separators or control characters"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lower() for t in value))


class UpdateImageRequest(Strict):
    title: Annotated[str | None, Field(max_length=200)] = None
    # may be left out, not null (send [] to remove every tag)
    tags: Annotated[list[Tag], Field(max_length=20)] | SkipJsonSchema[None] = None

    _not_null = field_validator("tags")(not_null)

    @model_validator(mode="after")
    def _not_empty(self) -> UpdateImageRequest:
        if not self.model_fields_set:
            raise ValueError("send title and/or tags")
        if self.tags is not None:
            self.tags = list(dict.fromkeys(t.strip().lower() for t in self.tags))
        return self


class UploadTicket(BaseModel):
    """Where and how the browser uploads: a multipart/form-data POST of ``fields`` + ``file``."""

    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


class ImageCreated(BaseModel):
    image: ImagePublic
    upload: UploadTicket


class ImageListQuery(ListQuery):
    status: ImageStatus | None = None
    tag: Annotated[str | None, Field(min_length=1, max_length=40)] = None


class AdminImageListQuery(ImageListQuery):
    user_id: Annotated[str, Field(min_length=1, max_length=64)]


class TokensQuery(Strict):
    format: TokenFormat = "dtcg"
