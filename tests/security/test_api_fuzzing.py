"""Property-based fuzzing of every operation with schemathesis, against the real local server.

The server is ``python -m local.serve`` on free ports (moto behind it), exactly as ``make run``;
the schema is the document it serves at /v1/openapi.json. Every operation gets generated valid
requests (positive) and invalid ones (negative); every response must be no 5xx, have a documented
status code and content type, and match the documented schema (negative requests must be
refused with a 4xx). Failures are collected across all operations and reported together.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.local.test_local_server import _call, _running

pytestmark = pytest.mark.e2e

ADMIN = ("fuzzroot", "fuzz-root-passphrase-1")
PASSWORD = "fuzzing-passphrase-42"
# CI must generate at least 1,000 requests; a developer's run stays quick.
EXAMPLES = 20 if os.environ.get("CI") else 8
MIN_REQUESTS = 1000 if os.environ.get("CI") else 200
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]
SERVER_ENV = {
    "JANUS_ADMIN_USERNAME": ADMIN[0],
    "JANUS_ADMIN_PASSWORD": ADMIN[1],
    # one client sends everything: keep the abuse limits (tested on their own) out of the way
    "JANUS_RATE_LIMIT_USER_WRITES": "1000000",
    "JANUS_RATE_LIMIT_IP_WRITES": "1000000",
    "JANUS_RATE_LIMIT_IP_AUTH": "1000000",
    "JANUS_LOCKOUT_POLICY_IP_MAX_FAILURES": "1000000",
    "JANUS_LOCKOUT_POLICY_ACCOUNT_MAX_FAILURES": "1000000",
    "JANUS_QUOTA_MAX_IMAGES": "100000",
}


def _query_arrived(case: Any, response: Any) -> bool:
    """Whether every generated query parameter is in the URL that was actually sent."""
    if not case.query:
        return True
    url = str(getattr(response.request, "url", ""))
    received = parse_qs(urlsplit(url).query, keep_blank_values=True)
    return all(str(name) in received for name in case.query)


def _register(base: str) -> tuple[str, str]:
    name = f"fz{uuid.uuid4().hex[:10]}"
    status, body = _call(
        base,
        "POST",
        "/v1/auth/register",
        {"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert status == 201, body
    return name, body["data"]["tokens"]["access_token"]


def _login(base: str, name: str, password: str = PASSWORD) -> str:
    status, body = _call(base, "POST", "/v1/auth/login", {"login": name, "password": password})
    assert status == 200, body
    return str(body["data"]["tokens"]["access_token"])


def test_schemathesis_finds_no_5xx_no_undocumented_status_and_no_schema_violation(
    tmp_path: Path,
) -> None:
    with _running(tmp_path, SERVER_ENV) as (base, _output):
        with urllib.request.urlopen(f"{base}/v1/openapi.json", timeout=30) as reply:
            document = json.loads(reply.read())
        schema = schemathesis.openapi.from_dict(document)
        _, user_token = _register(base)
        throwaway, _ = _register(base)  # logout (possibly of all sessions) uses its own user
        admin_token = _login(base, *ADMIN)
        session = requests.Session()
        sent: Counter[str] = Counter()
        statuses: Counter[int] = Counter()
        failures: list[str] = []

        def token_for(access: str, operation_id: str) -> str:
            if operation_id == "auth_logout":
                return _login(base, throwaway)
            return admin_token if access in ("admin", "superadmin") else user_token

        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == sum(len(ops) for ops in document["paths"].values())

        def fuzz(operation: Any, mode: GenerationMode, checks: list[Any]) -> None:
            raw = operation.definition.raw

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                headers = dict(case.headers or {})
                if raw.get("security"):
                    token = token_for(raw["x-janus-access"], raw["operationId"])
                    headers["Authorization"] = f"Bearer {token}"
                response = case.call(base_url=base, session=session, headers=headers)
                sent[raw["operationId"]] += 1
                statuses[response.status_code] += 1
                applied = checks
                if mode is GenerationMode.NEGATIVE and not _query_arrived(case, response):
                    # the HTTP client dropped the invalid part (a None or [] query value is
                    # not sent at all), so the request the server got was a valid one
                    applied = POSITIVE_CHECKS
                try:
                    case.validate_response(response, checks=applied, headers=headers)
                except (
                    Exception,
                    BaseExceptionGroup,
                ) as exc:  # collect every finding, don't stop at the first
                    failures.append(
                        f"{case.method} {case.formatted_path} [{mode.value}] -> "
                        f"{response.status_code}: {str(exc)[:2500]}"
                    )

            try:
                run()
            except Unsatisfiable:
                # nothing in this operation can be made invalid (e.g. no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, raw["operationId"]

        for operation in operations:
            fuzz(operation, GenerationMode.POSITIVE, POSITIVE_CHECKS)
            fuzz(operation, GenerationMode.NEGATIVE, NEGATIVE_CHECKS)

        total = sum(sent.values())
        print(f"schemathesis: {total} requests over {len(sent)} operations; statuses {statuses}")
        assert not failures, "\n\n".join(dict.fromkeys(failures))
        assert total >= MIN_REQUESTS, (total, sent)
        assert set(sent) == {op.definition.raw["operationId"] for op in operations}
        assert not any(status >= 500 for status in statuses)
