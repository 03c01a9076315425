"""The audit trail: user-action logs and security events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.models.users import ListQuery

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SecurityEventType = Literal[
    "registered",
    "login_succeeded",
    "login_failed",
    "lockout",
    "logout",
    "refresh_token_reuse",
    "password_changed",
    "role_changed",
    "user_deactivated",
    "user_reactivated",
    "user_deleted",
]
ANONYMOUS = "anonymous"


class UserActionLog(BaseModel):
    log_id: str
    user_id: str = Field(description=f"The acting user, or '{ANONYMOUS}'")
    action: str = Field(description="What was done, e.g. 'POST /v1/auth/login'")
    module: str = Field(description="The API module the action belongs to, e.g. 'auth'")
    level: LogLevel
    status_code: int | None = Field(None, description="HTTP status, for actions that were requests")
    metadata: dict[str, Any] = {}
    request_id: str
    client_ip: str
    timestamp: str


class SecurityEvent(BaseModel):
    event_id: str
    user_id: str = Field(description=f"The account concerned, or '{ANONYMOUS}'")
    event_type: SecurityEventType
    level: LogLevel
    metadata: dict[str, Any] = {}
    request_id: str
    client_ip: str
    timestamp: str


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9998, 12, 31, tzinfo=UTC)


class TrailQuery(ListQuery):
    """What every audit-trail listing accepts: a time range, a level, and a page."""

    since: datetime | None = Field(None, description="ISO 8601, inclusive")
    until: datetime | None = Field(None, description="ISO 8601, inclusive")
    level: LogLevel | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Any:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone, e.g. 2026-01-31T00:00:00Z")
            if value is not None and not _EARLIEST <= value <= _LATEST:
                raise ValueError(f"{name} must lie between 1970 and 9998")
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self


class MyLogQuery(TrailQuery):
    module: Annotated[str | None, Field(min_length=1, max_length=64)] = None


class MySecurityEventQuery(TrailQuery):
    event_type: SecurityEventType | None = None


class AdminLogQuery(MyLogQuery):
    user_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None


class AdminSecurityEventQuery(MySecurityEventQuery):
    user_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None
