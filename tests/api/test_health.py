"""/v1/health tells whether DynamoDB answers."""

from __future__ import annotations

from chalicelib.core.settings import get_settings
from chalicelib.store.dynamo import ddb
from tests.api_client import Api


def test_healthy(api: Api) -> None:
    reply = api.get("/v1/health")
    assert reply.status == 200
    assert reply.data == {"status": "ok", "version": "0.1.0", "stage": "test", "dynamodb": "ok"}


def test_unhealthy_when_the_table_is_gone(api: Api) -> None:
    ddb().delete_table(TableName=get_settings().users_table)
    reply = api.get("/v1/health")
    assert reply.status == 503 and reply.error_code == "SERVICE_UNAVAILABLE"
    assert reply.body["details"]["dynamodb"] == "unavailable"
