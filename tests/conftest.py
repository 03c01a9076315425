"""Shared fixtures: AWS is moto (real boto3 calls), the app is the real Chalice app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.auth.keys import reset_keys
from chalicelib.core.settings import get_settings, reset_settings
from chalicelib.store.analysis_queue import reset_queue_cache
from chalicelib.store.aws import client as aws_client
from chalicelib.store.aws import reset_clients
from local import gateway, provision
from tests.api_client import Api, DynamoCalls

ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-signing-secret-that-is-long-enough-0123456789"
TEST_ENV = {
    "JANUS_STAGE": "test",
    "JANUS_TOKEN_SECRET": TEST_SECRET,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

gateway.install()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_scan: the test itself may Scan (local tooling only)")


def _reset() -> None:
    reset_settings()
    reset_clients()
    reset_keys()
    reset_queue_cache()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The test stage's environment; tests may ``env.setenv`` more before using the app."""
    for name in list(os.environ):
        if name.startswith(("JANUS_", "AWS_")):
            monkeypatch.delenv(name)
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    _reset()
    yield monkeypatch
    _reset()


@pytest.fixture
def aws(env: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[DynamoCalls]:
    """moto with the tables and bucket of ``infra/resources.json``; records DynamoDB calls.

    Fails any test (not marked ``allow_scan``) that made DynamoDB Scan calls: no request path
    may scan.
    """
    with mock_aws():
        provision.create_resources(get_settings())
        calls = DynamoCalls()
        aws_client("dynamodb").meta.events.register("before-call.dynamodb", calls.record)
        yield calls
    if request.node.get_closest_marker("allow_scan") is None:
        assert "Scan" not in calls.operations, "a DynamoDB Scan was made"


@pytest.fixture
def api(aws: DynamoCalls) -> Iterator[Api]:
    from app import app

    with Client(app, stage_name="test", project_dir=str(ROOT)) as chalice_client:
        yield Api(chalice_client, aws)


@pytest.fixture
def json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """A function returning every JSON log line the ``janus`` loggers wrote so far, parsed."""
    import io
    import json
    import logging

    from chalicelib.core.structured_logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("janus")
    logger.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    try:
        yield lines
    finally:
        logger.removeHandler(handler)
