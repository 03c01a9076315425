"""JSON log lines with the request id on every line, and nothing secret in them."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from chalicelib.core import request_context

_REDACTED_KEYS = ("password", "token", "secret", "authorization", "signature", "cookie")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "[redacted]" if any(s in str(k).lower() for s in _REDACTED_KEYS) else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
        }
        ctx = request_context.current()
        if ctx is not None:
            line.update(
                request_id=ctx.request_id, route=ctx.route, method=ctx.method, user_id=ctx.user_id
            )
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            line.update(_redact(extra))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure() -> None:
    """Route the ``janus`` loggers to stdout as JSON (what CloudWatch Logs ingests)."""
    root = logging.getLogger("janus")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"janus.{name}")


def log_event(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    logger.log(level, message, extra={"fields": fields})
