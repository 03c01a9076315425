"""Create the tables and bucket described in ``infra/resources.json`` (on moto, locally).

The same template is merged into the deployed stack, so local runs and tests use exactly the
keys, indexes and TTL attributes production has; there is no second copy in Python.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.settings import Settings
from chalicelib.store.aws import client

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "resources.json"


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def table_definitions(
    settings: Settings, template: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """``create_table`` arguments for every table in the template, named as ``settings`` says."""
    template = template or load_template()
    out = []
    for resource in _resources(template, "AWS::DynamoDB::Table"):
        props = resource["Properties"]
        kwargs: dict[str, Any] = {
            "TableName": getattr(settings, resource["Metadata"]["JanusSetting"]),
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props["BillingMode"],
        }
        if "GlobalSecondaryIndexes" in props:
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        ttl = props.get("TimeToLiveSpecification")
        out.append({"create": kwargs, "ttl_attribute": ttl["AttributeName"] if ttl else None})
    return out


def create_resources(settings: Settings, template: dict[str, Any] | None = None) -> None:
    """Idempotent: existing tables and buckets are left as they are."""
    template = template or load_template()
    ddb = client("dynamodb")
    existing = set(ddb.list_tables().get("TableNames", []))
    for definition in table_definitions(settings, template):
        name = definition["create"]["TableName"]
        if name in existing:
            continue
        ddb.create_table(**definition["create"])
        if definition["ttl_attribute"]:
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": definition["ttl_attribute"],
                    "Enabled": True,
                },
            )
    queue_arns = _create_queues(settings, template)
    s3 = client("s3")
    for resource in _resources(template, "AWS::S3::Bucket"):
        bucket = getattr(settings, resource["Metadata"]["JanusSetting"])
        try:
            s3.create_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                raise
        props = resource["Properties"]
        s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
        notifications = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if notifications:
            s3.put_bucket_notification_configuration(
                Bucket=bucket,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {
                            "QueueArn": queue_arns[n["Queue"]["Fn::GetAtt"][0]],
                            "Events": [n["Event"]],
                            "Filter": {"Key": {"FilterRules": n["Filter"]["S3Key"]["Rules"]}},
                        }
                        for n in notifications
                    ]
                },
            )


def queue_name(settings: Settings, resource: dict[str, Any]) -> str:
    meta = resource["Metadata"]
    return str(getattr(settings, meta["JanusSetting"])) + meta.get("NameSuffix", "")


def _create_queues(settings: Settings, template: dict[str, Any]) -> dict[str, str]:
    """Create every queue (then wire redrive policies); returns logical id → queue ARN."""
    sqs = client("sqs")
    queues = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::SQS::Queue"}
    urls, arns = {}, {}
    for logical_id, resource in queues.items():
        props = resource["Properties"]
        attributes = {
            name: str(props[name])
            for name in ("VisibilityTimeout", "MessageRetentionPeriod")
            if name in props
        }
        url = sqs.create_queue(QueueName=queue_name(settings, resource), Attributes=attributes)[
            "QueueUrl"
        ]
        urls[logical_id] = url
        arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
    for logical_id, resource in queues.items():
        redrive = resource["Properties"].get("RedrivePolicy")
        if redrive:
            target = arns[redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]]
            policy = {"deadLetterTargetArn": target, "maxReceiveCount": redrive["maxReceiveCount"]}
            sqs.set_queue_attributes(
                QueueUrl=urls[logical_id], Attributes={"RedrivePolicy": json.dumps(policy)}
            )
    return arns
