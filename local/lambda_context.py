"""The parts of a Lambda context a handler may read, for the local pollers that stand in for
Lambda's event sources."""

from __future__ import annotations

import uuid


class LambdaContext:
    def __init__(self, function: str, memory_mb: int, timeout_ms: int) -> None:
        self.function_name = f"janus-local-{function}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self._timeout_ms = timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms
