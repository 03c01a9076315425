"""User shapes: the stored record, what clients see, and what they may send."""

from __future__ import annotations

import re
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

T = TypeVar("T")
Role = Literal["user", "admin"]
AdminLevel = Literal["moderator", "superadmin"]
UserStatus = Literal["active", "deactivated"]

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)


def _normalise_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("must be an email address like name@example.com")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


Email = Annotated[str, AfterValidator(_normalise_email)]
Username = Annotated[
    str,
    Field(
        min_length=3,
        max_length=32,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit",
    ),
]
DisplayName = Annotated[str, Field(min_length=1, max_length=100)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


def not_null(value: T) -> T:
    """For optional fields that may be left out but have no null value."""
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class UserRecord(BaseModel):
    """A user as stored in the users table."""

    user_id: str
    username: str
    email: str
    password_hash: str
    role: Role = "user"
    admin_level: AdminLevel | None = None
    status: UserStatus = "active"
    display_name: str | None = None
    created_at: str
    updated_at: str
    password_changed_at: str
    last_login_at: str | None = None

    @property
    def is_superadmin(self) -> bool:
        return self.role == "admin" and self.admin_level == "superadmin"

    @property
    def is_active_superadmin(self) -> bool:
        return self.is_superadmin and self.status == "active"


class UserPublic(BaseModel):
    """A user as any API response shows it: never the password hash."""

    user_id: str
    username: str
    email: str
    display_name: str | None
    role: Role
    admin_level: AdminLevel | None
    status: UserStatus
    created_at: str
    updated_at: str
    last_login_at: str | None

    @classmethod
    def of(cls, user: UserRecord) -> UserPublic:
        return cls.model_validate(user.model_dump(exclude={"password_hash", "password_changed_at"}))


class RegisterRequest(Strict):
    username: Username
    email: Email
    password: Password
    display_name: DisplayName | None = None


class LoginRequest(Strict):
    login: Annotated[str, Field(min_length=1, max_length=254, description="Username or email")]
    password: Password


class RefreshRequest(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class LogoutRequest(Strict):
    all_sessions: bool = Field(False, description="Also end every other session of this user")


class ChangePasswordRequest(Strict):
    current_password: Password
    new_password: Password


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_expires_in: int


class AuthResult(BaseModel):
    user: UserPublic
    tokens: TokenPair


class UpdateMeRequest(Strict):
    # Username and email may be left out but not sent as null (an account always has both).
    username: Username | SkipJsonSchema[None] = None
    email: Email | SkipJsonSchema[None] = None
    display_name: DisplayName | None = None

    _not_null = field_validator("username", "email")(not_null)

    @model_validator(mode="after")
    def _not_empty(self) -> UpdateMeRequest:
        if not self.model_fields_set:
            raise ValueError("send at least one of username, email, display_name")
        return self


class DeleteMeRequest(Strict):
    password: Password


class AdminUpdateUserRequest(Strict):
    role: Role | SkipJsonSchema[None] = None  # may be left out, not null: every user has one
    admin_level: AdminLevel | None = None
    display_name: DisplayName | None = None

    _not_null = field_validator("role")(not_null)

    @model_validator(mode="after")
    def _consistent(self) -> AdminUpdateUserRequest:
        if not self.model_fields_set:
            raise ValueError("send at least one of role, admin_level, display_name")
        if self.role == "user" and self.admin_level is not None:
            raise ValueError("a user with role 'user' has no admin_level")
        if self.role == "admin" and self.admin_level is None:
            raise ValueError("granting role 'admin' needs an admin_level")
        return self


class ListQuery(Strict):
    limit: Annotated[int | None, Field(ge=1, le=1000)] = None
    cursor: Annotated[str | None, Field(max_length=4096)] = None


class AdminListUsersQuery(ListQuery):
    role: Role | None = None
    status: UserStatus | None = None
