"""Local tables come from the production template, and local data survives a snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.settings import Settings, get_settings
from chalicelib.store.aws import client
from local import persistence, provision
from tests.api_client import Api


def test_tables_match_the_template(aws: object) -> None:
    template = provision.load_template()
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    settings = get_settings()
    ddb = client("dynamodb")
    assert len(tables) == 9
    for resource in tables:
        props = resource["Properties"]
        name = getattr(settings, resource["Metadata"]["JanusSetting"])
        described = ddb.describe_table(TableName=name)["Table"]
        assert described["KeySchema"] == props["KeySchema"]
        assert {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])} == {
            i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])
        }
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        expected = props.get("TimeToLiveSpecification", {}).get("AttributeName")
        assert ttl.get("AttributeName") == expected
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        stream = props.get("StreamSpecification", {}).get("StreamViewType")
        assert described.get("StreamSpecification", {}).get("StreamViewType") == stream
    block = client("s3").get_public_access_block(Bucket=settings.images_bucket)
    assert all(block["PublicAccessBlockConfiguration"].values())


def test_provisioning_is_idempotent(aws: object) -> None:
    provision.create_resources(get_settings())


@pytest.mark.allow_scan
def test_snapshot_round_trip(api: Api, tmp_path: Path) -> None:
    person = api.register("snapshotted")
    settings = get_settings()
    client("s3").put_object(
        Bucket=settings.images_bucket,
        Key="uploads/a.png",
        Body=b"\x89PNG...",
        ContentType="image/png",
    )
    persistence.save(settings, tmp_path / "snap")
    _wipe(settings)  # as a restarted, empty moto would be
    provision.create_resources(settings)
    assert api.post("/v1/auth/login", {"login": "snapshotted", "password": "x" * 12}).status == 401
    loaded = persistence.restore(settings, tmp_path / "snap")
    assert loaded > 3
    assert api.login("snapshotted").user_id == person.user_id
    obj = client("s3").get_object(Bucket=settings.images_bucket, Key="uploads/a.png")
    assert obj["Body"].read() == b"\x89PNG..." and obj["ContentType"] == "image/png"


def _wipe(settings: Settings) -> None:
    ddb = client("dynamodb")
    for name in ddb.list_tables()["TableNames"]:
        ddb.delete_table(TableName=name)
    s3 = client("s3")
    for obj in s3.list_objects_v2(Bucket=settings.images_bucket).get("Contents", []):
        s3.delete_object(Bucket=settings.images_bucket, Key=obj["Key"])
    s3.delete_bucket(Bucket=settings.images_bucket)


@pytest.mark.allow_scan
def test_a_restored_snapshot_rebuilds_the_rollups_from_the_images(api: Api, tmp_path: Path) -> None:
    """Rollups are not saved: restoring the images replays them through the stream."""
    from tests.images import drain_stream, ui_screenshot, upload_and_analyse

    person = api.register()
    upload_and_analyse(api, person, ui_screenshot(), tags=["web"])
    upload_and_analyse(api, person, ui_screenshot(fmt="JPEG"), content_type="image/jpeg")
    drain_stream(api)
    from chalicelib.store import rollups

    before = _rollups()
    assert len(before) == 4  # day and month, for all and for the tag
    assert {body["n"][0] for (scope, _), body in before.items() if scope == "all"} == {2}
    settings = get_settings()
    persistence.save(settings, tmp_path / "snap")
    _wipe(settings)
    provision.create_resources(settings)
    persistence.restore(settings, tmp_path / "snap")
    assert list(rollups.query("all", "D#", "M#~")) == []
    drain_stream(api)
    assert _rollups() == before


def _rollups() -> dict[tuple[str, str], Any]:
    from chalicelib.store import rollups

    return {
        (scope, period): json.loads(body)
        for scope in ("all", "tag#web")
        for period, body in rollups.query(scope, "D#", "M#~")
    }
