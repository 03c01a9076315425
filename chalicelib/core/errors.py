"""Typed errors that every layer may raise; the API turns them into the error envelope."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error a client can act on: a status, a stable machine code and a readable message."""

    status_code = 400
    error_code = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        self.details = details
        self.headers = headers or {}


class BadRequest(AppError):
    status_code = 400
    error_code = "BAD_REQUEST"


class ValidationFailed(AppError):
    status_code = 422
    error_code = "VALIDATION_ERROR"


class Unauthorized(AppError):
    status_code = 401
    error_code = "AUTHENTICATION_REQUIRED"

    def __init__(self, message: str = "Authentication required", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="janus"'})
        super().__init__(message, **kwargs)


class Forbidden(AppError):
    status_code = 403
    error_code = "FORBIDDEN"


class NotFound(AppError):
    status_code = 404
    error_code = "NOT_FOUND"


class MethodNotAllowed(AppError):
    status_code = 405
    error_code = "METHOD_NOT_ALLOWED"


class Conflict(AppError):
    status_code = 409
    error_code = "CONFLICT"


class PayloadTooLarge(AppError):
    status_code = 413
    error_code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(AppError):
    status_code = 415
    error_code = "UNSUPPORTED_MEDIA_TYPE"


class TooManyRequests(AppError):
    status_code = 429
    error_code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, retry_after))})
        kwargs.setdefault("details", {"retry_after_seconds": max(1, retry_after)})
        super().__init__(message, **kwargs)


class ServiceUnavailable(AppError):
    status_code = 503
    error_code = "SERVICE_UNAVAILABLE"
