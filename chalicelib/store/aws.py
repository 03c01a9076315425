"""boto3 clients, made once per process (a Lambda container reuses them across invocations)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.core.settings import get_settings

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    connect_timeout=3,
    read_timeout=10,
)


@cache
def client(service: str) -> Any:
    """A client for ``service``; AWS_ENDPOINT_URL (set by the local server) points it at moto."""
    config = _CONFIG.merge(Config(signature_version="s3v4")) if service == "s3" else _CONFIG
    return boto3.session.Session().client(service, region_name=get_settings().region, config=config)


def reset_clients() -> None:
    client.cache_clear()
