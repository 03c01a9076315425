"""Uniqueness holds under concurrency: DynamoDB transactions, not read-then-write checks.

In-process moto does not make a transaction atomic against other threads, so this test runs
moto as a server that handles one request at a time — which is what DynamoDB guarantees per
request. Client threads still interleave freely *between* requests, so code that checked first
and wrote afterwards would create duplicates here.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from chalicelib.core import request_context
from chalicelib.core.errors import Conflict
from chalicelib.core.settings import get_settings
from chalicelib.models.users import RegisterRequest
from chalicelib.services import accounts
from chalicelib.store.dynamo import ddb, values
from local import provision
from tests.api_client import DEFAULT_PASSWORD


@pytest.fixture
def serial_moto(env: pytest.MonkeyPatch) -> Iterator[None]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server(
        "127.0.0.1", port, DomainDispatcherApplication(create_backend_app), threaded=False
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    from tests.conftest import _reset

    _reset()
    provision.create_resources(get_settings())
    try:
        yield
    finally:
        server.shutdown()
        thread.join()
        _reset()


def test_concurrent_registrations_of_one_email_yield_one_account(serial_moto: None) -> None:
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
