"""The stack's own resources are enough for the code: created by CloudFormation (moto), wired
into the functions' environment exactly as the merged template wires them, then a smoke journey.

moto's CloudFormation creates the tables (keys, indexes), the queues (with their redrive policy)
and the bucket. It does not apply a bucket's NotificationConfiguration or a table's
TimeToLiveSpecification, and has no AWS::SQS::QueuePolicy. The test applies the bucket's
notification from the template itself (through the code the local server uses), checks the queue
policy's shape, and leaves TTL to tests/local/test_provision.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.core.settings import Settings, get_settings
from infra.package import _env_from_resources, merge_template
from tests.api_client import Api, DynamoCalls
from tests.images import drain, ui_screenshot

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = json.loads((ROOT / "infra" / "resources.json").read_text())


def _resolve(value: Any, physical: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return {"AWS::Region": "us-east-1"}.get(value["Ref"]) or physical[value["Ref"]]
    if "Fn::GetAtt" in value:
        logical, attribute = value["Fn::GetAtt"]
        assert attribute == "QueueName"
        return physical[logical].rsplit("/", 1)[1]
    if "Fn::Join" in value:
        return "http://localhost:3000"
    raise AssertionError(f"unexpected intrinsic {value}")


def test_every_resource_setting_is_wired_from_the_stack() -> None:
    env = _env_from_resources(TEMPLATE["Resources"])
    resource_settings = {
        f"JANUS_{name.upper()}"
        for name in Settings.model_fields
        if name.endswith(("_table", "_bucket", "_queue"))
    }
    assert resource_settings <= set(env), resource_settings - set(env)
    assert {k.removeprefix("JANUS_").lower() for k in env} <= set(Settings.model_fields)
    for stage in ("dev", "prod"):
        merged = merge_template(stage)
        for function in ("APIHandler", "AnalyzeUpload"):
            assert merged["Resources"][function]["Properties"]["Environment"]["Variables"] == env


def test_queue_policy_lets_only_this_bucket_send() -> None:
    statement = TEMPLATE["Resources"]["AnalysisQueuePolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ][0]
    assert (
        statement["Principal"] == {"Service": "s3.amazonaws.com"}
        and statement["Action"] == "sqs:SendMessage"
    )
    assert "aws:SourceArn" in statement["Condition"]["ArnLike"]


def test_smoke_journey_on_resources_made_by_cloudformation(env: pytest.MonkeyPatch) -> None:
    from local.provision import create_resources

    with mock_aws():
        cf = boto3.client("cloudformation", region_name="us-east-1")
        cf.create_stack(
            StackName="janus-test",
            TemplateBody=json.dumps(TEMPLATE),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "test"}],
        )
        stack = cf.describe_stacks(StackName="janus-test")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cf.list_stack_resources(StackName="janus-test")["StackResourceSummaries"]
        }
        for name, value in _env_from_resources(TEMPLATE["Resources"]).items():
            env.setenv(name, _resolve(value, physical))
        from tests.conftest import _reset

        _reset()
        settings = get_settings()
        assert settings.images_bucket.endswith("-123456789012")  # the stack's name, not a default
        create_resources(
            settings
        )  # applies what moto's CloudFormation leaves out; creates nothing new
        tables = [r for r in TEMPLATE["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
        made = boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"]
        assert len(made) == len(tables)
        from app import app

        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            api = Api(client, DynamoCalls())
            me = api.register()
            assert api.get("/v1/health").data["dynamodb"] == "ok"
            created = api.post(
                "/v1/images",
                {
                    "filename": "a.png",
                    "content_type": "image/png",
                    "size_bytes": len(ui_screenshot()),
                },
                token=me.access_token,
            ).data
            boto3.client("s3", region_name="us-east-1").put_object(
                Bucket=settings.images_bucket,
                Key=created["upload"]["fields"]["key"],
                Body=ui_screenshot(),
            )
            assert drain(api) >= 1
            image = api.get(
                f"/v1/images/{created['image']['image_id']}", token=me.access_token
            ).data
            assert image["status"] == "analyzed"
            assert api.get("/v1/admin/users", token=api.superadmin().access_token).status == 200
            assert (
                api.delete(f"/v1/images/{image['image_id']}", token=me.access_token).status == 200
            )
    assert os.environ["JANUS_IMAGES_TABLE"] == "janus-test-images"
