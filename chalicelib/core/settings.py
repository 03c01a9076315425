"""Per-stage settings, validated once at start-up.

Every value can be overridden from the environment as ``JANUS_<FIELD>`` (upper case).
A missing or malformed value stops start-up with a message that names the variable,
so a misconfigured stage never serves traffic.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Stage = Literal["dev", "test", "prod"]
ENV_PREFIX = "JANUS_"


class PasswordPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    min_length: int = Field(12, ge=8, le=64)
    max_length: int = Field(128, ge=64, le=1024)
    min_distinct_chars: int = Field(5, ge=1, le=20)


class LockoutPolicy(BaseModel):
    """Failed-login throttling: counted per account and per client IP in fixed windows."""

    model_config = ConfigDict(frozen=True)

    account_max_failures: int = Field(5, ge=1)
    ip_max_failures: int = Field(50, ge=1)
    window_seconds: int = Field(900, ge=10)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Stage
    version: str = "0.1.0"
    region: str = "us-east-1"

    users_table: str
    identities_table: str
    sessions_table: str
    audit_logs_table: str
    security_events_table: str
    rate_limits_table: str
    images_table: str
    images_bucket: str
    analysis_queue: str

    upload_max_bytes: int = Field(20 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    upload_url_ttl_seconds: int = Field(600, ge=30, le=3600)
    download_url_ttl_seconds: int = Field(300, ge=30, le=3600)
    quota_max_images: int = Field(1000, ge=1)
    quota_max_bytes: int = Field(2 * 1024**3, ge=1024)
    analysis_max_pixels: int = Field(50_000_000, ge=10_000, le=200_000_000)
    analysis_stale_seconds: int = Field(300, ge=30)

    token_issuer: str = "janus"
    token_audience: str = "janus-api"
    access_token_ttl_seconds: int = Field(900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(14 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    token_secret: str | None = Field(None, repr=False)
    token_secret_parameter: str | None = None

    cors_origins: tuple[str, ...] = ()
    page_size_default: int = Field(20, ge=1, le=100)
    page_size_max: int = Field(100, ge=1, le=1000)
    log_retention_days: int = Field(90, ge=1, le=3650)
    security_event_retention_days: int = Field(365, ge=1, le=3650)

    password_policy: PasswordPolicy = PasswordPolicy()
    lockout_policy: LockoutPolicy = LockoutPolicy()

    # research: analytics records, aggregate findings, visual reports
    analytics_table: str
    rollups_table: str
    analytics_max_data_bytes: int = Field(32 * 1024, ge=256, le=256 * 1024)
    summary_max_images: int = Field(20_000, ge=1, le=1_000_000)
    report_link_ttl_seconds: int = Field(900, ge=60, le=7 * 24 * 3600)
    report_link_max_ttl_seconds: int = Field(24 * 3600, ge=60, le=7 * 24 * 3600)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if not origin.startswith(("https://", "http://")) or origin.endswith("/"):
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
        return value

    @field_validator("token_secret")
    @classmethod
    def _secret_strength(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < 32:
            raise ValueError("must be at least 32 bytes")
        return value

    @model_validator(mode="after")
    def _stage_rules(self) -> Settings:
        if self.stage == "prod" and self.token_secret is None and not self.token_secret_parameter:
            raise ValueError(
                "prod needs JANUS_TOKEN_SECRET_PARAMETER (an SSM SecureString name) "
                "or JANUS_TOKEN_SECRET; there is no default signing key in prod"
            )
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default exceeds page_size_max")
        return self

    # Request rate limits (services/rate_limiting.py): fixed windows, per user and per client IP.
    rate_limit_window_seconds: int = Field(60, ge=1, le=3600)
    rate_limit_user_writes: int = Field(120, ge=1, description="writes per user per window")
    rate_limit_ip_writes: int = Field(600, ge=1, description="writes per client IP per window")
    rate_limit_ip_auth: int = Field(
        30, ge=1, description="register/login/refresh calls per client IP per window"
    )

    @model_validator(mode="before")
    @classmethod
    def _rate_limits_per_stage(cls, values: Any) -> Any:
        """The test stage's requests all come from one client: limits out of the way there
        (the limiter's own tests set them low)."""
        if isinstance(values, dict) and values.get("stage") == "test":
            values = dict(values)
            for name in ("rate_limit_user_writes", "rate_limit_ip_writes", "rate_limit_ip_auth"):
                values.setdefault(name, 1_000_000)
        return values


def _stage_defaults(stage: str) -> dict[str, Any]:
    prefix = f"janus-{stage}"
    return {
        "users_table": f"{prefix}-users",
        "identities_table": f"{prefix}-identities",
        "sessions_table": f"{prefix}-sessions",
        "audit_logs_table": f"{prefix}-audit-logs",
        "security_events_table": f"{prefix}-security-events",
        "rate_limits_table": f"{prefix}-rate-limits",
        "images_table": f"{prefix}-images",
        "images_bucket": f"{prefix}-images",
        "analysis_queue": f"{prefix}-analysis",
        "analytics_table": f"{prefix}-analytics",
        "rollups_table": f"{prefix}-findings-rollups",
    }


class SettingsError(RuntimeError):
    """Raised at start-up when the environment does not describe a valid stage."""


def _nested_fields() -> dict[str, type[BaseModel]]:
    return {"password_policy": PasswordPolicy, "lockout_policy": LockoutPolicy}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from stage defaults plus ``JANUS_*`` variables; fail loudly."""
    env = dict(os.environ if environ is None else environ)
    stage = env.get(f"{ENV_PREFIX}STAGE", "dev")
    values: dict[str, Any] = {"stage": stage, **_stage_defaults(stage)}
    nested = _nested_fields()
    for name in Settings.model_fields:
        if name in nested:
            sub: dict[str, Any] = {}
            for sub_name in nested[name].model_fields:
                key = f"{ENV_PREFIX}{name}_{sub_name}".upper()
                if key in env:
                    sub[sub_name] = env[key]
            values[name] = sub
            continue
        key = f"{ENV_PREFIX}{name}".upper()
        if key in env:
            values[name] = env[key]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            var = f"{ENV_PREFIX}{'_'.join(loc)}".upper() if loc else "settings"
            problems.append(f"{var}: {err['msg']}")
        raise SettingsError("invalid Janus settings: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process (cached; read on first use, not at import)."""
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the local server change the environment)."""
    get_settings.cache_clear()
