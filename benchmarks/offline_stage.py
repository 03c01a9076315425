"""The environment the benchmarks run the app in: the test stage on in-process moto, never a
real AWS account or a running local server. Call before importing anything from chalicelib."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def use_offline_test_stage(**extra: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        JANUS_STAGE="test",
        JANUS_TOKEN_SECRET="benchmark-secret-that-is-long-enough-000000",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        **extra,
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
