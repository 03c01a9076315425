"""Uniqueness holds under concurrency: DynamoDB transactions, not read-then-write checks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib.core import request_context
from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings
from chalicelib.models.users import RegisterRequest
from chalicelib.services import accounts
from chalicelib.store.dynamo import ddb, values
from tests.api_client import DEFAULT_PASSWORD, DynamoCalls


def test_concurrent_registrations_of_one_email_yield_one_account(aws: DynamoCalls) -> None:
    def attempt(i: int) -> str:
        request_context.begin(request_context.RequestContext(request_id=f"r{i}"))
        try:
            accounts.register(
                RegisterRequest(
                    username=f"racer{i}", email="same@example.com", password=DEFAULT_PASSWORD
                )
            )
            return "created"
        except Conflict as exc:
            return exc.error_code
        finally:
            request_context.end()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "EMAIL_TAKEN"}
    users = ddb().query(
        TableName=get_settings().users_table,
        IndexName="by-created",
        KeyConditionExpression="entity = :u",
        ExpressionAttributeValues=values(u="user"),
    )
    assert users["Count"] == 1
