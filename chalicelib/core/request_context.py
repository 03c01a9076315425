"""What the current request is about: its id, caller and client address.

A context variable rather than arguments threaded through every call, so that logs and the
audit trail carry the request id without every service having to pass it along.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str
    client_ip: str = "unknown"
    user_agent: str = ""
    route: str = ""
    method: str = ""
    user_id: str | None = None
    audit_extra: dict[str, object] = field(default_factory=dict)
    outbox: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    skip_action_log: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("janus_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(ctx: RequestContext) -> None:
    _current.set(ctx)


def end() -> None:
    _current.set(None)


def set_user(user_id: str) -> None:
    """Record the acting user once a service knows it (e.g. after a login succeeds)."""
    ctx = _current.get()
    if ctx is not None:
        ctx.user_id = user_id


def add_audit_detail(**values: object) -> None:
    """Attach non-secret facts to the user-action log written for this request."""
    ctx = _current.get()
    if ctx is not None:
        ctx.audit_extra.update(values)


def forget_user() -> None:
    """After an account deletes itself, nothing more is recorded under its id."""
    ctx = _current.get()
    if ctx is not None:
        ctx.user_id = None
