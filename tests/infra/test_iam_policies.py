"""Least privilege: every IAM action in the policy files is one the code performs, every AWS
operation the code performs is allowed, and no statement is granted on every resource."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted((ROOT / ".chalice").glob("policy-*.json"))
SERVICES = ("dynamodb", "s3", "sqs", "ssm")

# Operations whose IAM action has another name, or that need more than one action.
IAM_ACTIONS = {
    ("dynamodb", "transact_write_items"): {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    },
    ("s3", "delete_objects"): {"s3:DeleteObject"},
    ("s3", "head_object"): {"s3:GetObject"},
    ("s3", "list_objects_v2"): {"s3:ListBucket"},
    ("s3", "generate_presigned_post"): {
        "s3:PutObject"
    },  # the browser's upload is signed by the API
    ("s3", "generate_presigned_url"): {"s3:GetObject"},
}
# Used by the platform on the function's behalf, not by our code.
PLATFORM = {
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sqs:ReceiveMessage",  # the SQS event source mapping of the analysis function
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "dynamodb:DescribeStream",  # the DynamoDB stream event source of the rollup function
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}


def _operations_called() -> set[tuple[str, str]]:
    """Every (service, boto3 method) the code calls, read from the source of chalicelib/store."""
    session = botocore.session.get_session()
    methods = {
        service: {xform_name(op) for op in session.get_service_model(service).operation_names}
        for service in SERVICES
    }
    methods["s3"] |= {"generate_presigned_post", "generate_presigned_url"}
    source = "\n".join(p.read_text() for p in (ROOT / "chalicelib").rglob("*.py"))
    called = set(re.findall(r"\.([a-z_0-9]+)\(", source)) | set(
        re.findall(r'get_paginator\("([a-z_0-9]+)"\)', source)
    )
    return {(service, m) for service, names in methods.items() for m in names if m in called}


def _needed_actions() -> set[str]:
    needed = set()
    for service, method in _operations_called():
        needed |= IAM_ACTIONS.get((service, method), {f"{service}:{_camel(method)}"})
    return needed


def _camel(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_"))


def _statements(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())["Statement"])


def test_there_is_a_policy_per_function_and_config_uses_them() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False
    for stage in ("dev", "prod"):
        functions = config["stages"][stage]["lambda_functions"]
        assert functions["api_handler"]["iam_policy_file"] == "policy-api.json"
        assert functions["analyze_upload"]["iam_policy_file"] == "policy-analysis.json"
        assert functions["rollup_findings"]["iam_policy_file"] == "policy-rollups.json"
    assert {p.name for p in POLICIES} == {
        "policy-api.json",
        "policy-analysis.json",
        "policy-rollups.json",
    }


def test_no_statement_grants_every_resource() -> None:
    for path in POLICIES:
        for statement in _statements(path):
            resources = (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
            for resource in resources:
                assert resource != "*", (path.name, statement["Sid"])
                text = json.dumps(resource)
                # scoped to this stack's own resources: by attribute, or by the stage's names
                assert re.search(
                    r"GetAtt|\$\{[A-Za-z]+\.Arn\}|\$\{Stage\}|\$\{AWS::StackName\}", text
                ), (
                    path.name,
                    resource,
                )


def test_every_allowed_action_is_used_by_the_code() -> None:
    needed = _needed_actions()
    assert needed, "the scan found no AWS operations"
    for path in POLICIES:
        for statement in _statements(path):
            for action in statement["Action"]:
                assert "*" not in action, (path.name, action)
                assert action in needed or action in PLATFORM, (
                    f"{path.name}: {action} is not used by the code"
                )


def test_every_operation_the_code_performs_is_allowed() -> None:
    allowed = {a for path in POLICIES for s in _statements(path) for a in s["Action"]}
    missing = _needed_actions() - allowed
    assert not missing, missing
    assert {"dynamodb:Scan", "dynamodb:DeleteTable", "s3:DeleteBucket"}.isdisjoint(allowed)


def test_the_analysis_function_gets_less_than_the_api() -> None:
    api = {a for s in _statements(ROOT / ".chalice" / "policy-api.json") for a in s["Action"]}
    analysis = {
        a for s in _statements(ROOT / ".chalice" / "policy-analysis.json") for a in s["Action"]
    }
    assert "ssm:GetParameter" not in analysis and "dynamodb:Query" not in analysis
    assert "sqs:ReceiveMessage" not in api


def test_the_rollup_function_only_keeps_rollups() -> None:
    """It reads the images stream (through Lambda) and writes rollup buckets; nothing else."""
    statements = _statements(ROOT / ".chalice" / "policy-rollups.json")
    writes = [s for s in statements if "dynamodb:PutItem" in s["Action"]]
    assert [s["Resource"] for s in writes] == [{"Fn::GetAtt": ["FindingsRollupsTable", "Arn"]}]
    actions = {a for s in statements for a in s["Action"]}
    assert not actions & {
        "dynamodb:Query",
        "dynamodb:DeleteItem",
        "s3:GetObject",
        "ssm:GetParameter",
    }


def test_the_api_only_reads_rollups() -> None:
    """Only the rollup function writes running aggregates; the API Queries them."""
    rollups = {"Fn::GetAtt": ["FindingsRollupsTable", "Arn"]}
    for statement in _statements(ROOT / ".chalice" / "policy-api.json"):
        resources = statement["Resource"]
        if rollups == resources or (isinstance(resources, list) and rollups in resources):
            assert statement["Action"] == ["dynamodb:Query"], statement["Sid"]
