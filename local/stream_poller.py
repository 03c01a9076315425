"""Locally, what Lambda's DynamoDB Streams event source does in AWS for ``rollup_findings``.

``make run`` starts ``RollupPoller``: it reads the images table's stream on moto shard by shard
and hands each batch, as a Lambda-shaped event, to the app's ``rollup_findings``. A batch that
fails is offered again from the same position after a short delay, as Lambda retries a stream
batch; the handler is idempotent, so that is safe. Tests use ``StreamReader`` the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client
from local.lambda_context import LambdaContext

RETRY_DELAY_SECONDS = 2
_log = logging.getLogger("janus.local.streams")


def _streams() -> Any:
    # The stream ARN names an account; botocore would route to an account-specific endpoint
    # that moto does not serve. The endpoint makes no difference to the data.
    return boto3.session.Session().client(
        "dynamodbstreams",
        region_name=get_settings().region,
        config=Config(account_id_endpoint_mode="disabled"),
    )


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda delivers (epoch seconds, source ARN)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamReader:
    """Reads a table's stream from its oldest record, keeping each shard's position."""

    def __init__(self, table_name: str) -> None:
        self._streams = _streams()
        self._region = get_settings().region
        table = client("dynamodb").describe_table(TableName=table_name)["Table"]
        self.stream_arn: str = table["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {}

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self.stream_arn)
        return [s["ShardId"] for s in description["StreamDescription"]["Shards"]]

    def batches(self) -> list[tuple[str, list[dict[str, Any]], str | None]]:
        """For every shard with new records: (shard, Lambda-shaped records, next position)."""
        out = []
        for shard in self._shards():
            if shard not in self._iterators:
                self._iterators[shard] = self._streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            position = self._iterators[shard]
            if position is None:  # closed shard, fully read
                continue
            got = self._streams.get_records(ShardIterator=position, Limit=100)
            records = [lambda_record(r, self.stream_arn, self._region) for r in got["Records"]]
            if records:
                out.append((shard, records, got.get("NextShardIterator")))
            else:
                self._iterators[shard] = got.get("NextShardIterator")
        return out

    def commit(self, shard: str, position: str | None) -> None:
        """Move past a batch once its handler succeeded."""
        self._iterators[shard] = position

    def deliver_all(self, handler: Callable[[dict[str, Any], Any], Any]) -> int:
        """Hand every pending record to ``handler`` (errors propagate); the number delivered."""
        delivered = 0
        while batches := self.batches():
            for shard, records, position in batches:
                handler({"Records": records}, _context())
                self.commit(shard, position)
                delivered += len(records)
        return delivered


def _context() -> LambdaContext:
    return LambdaContext("rollup_findings", memory_mb=512, timeout_ms=120_000)


class RollupPoller(threading.Thread):
    def __init__(
        self, handler: Callable[[dict[str, Any], Any], Any], stopping: threading.Event
    ) -> None:
        super().__init__(name="rollup-poller", daemon=True)
        self._handler = handler
        self._stopping = stopping

    def run(self) -> None:
        reader = StreamReader(get_settings().images_table)
        while not self._stopping.is_set():
            try:
                batches = reader.batches()
            except Exception:
                if self._stopping.is_set():
                    return
                _log.exception("reading the images stream failed")
                self._stopping.wait(1)
                continue
            for shard, records, position in batches:
                try:
                    self._handler({"Records": records}, _context())
                except Exception:
                    _log.exception("rollup handler failed; the batch will be retried")
                    self._stopping.wait(RETRY_DELAY_SECONDS)
                    break
                reader.commit(shard, position)
            else:
                if not batches:
                    self._stopping.wait(0.5)
