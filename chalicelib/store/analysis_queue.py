"""The analysis queue: S3 puts upload events on it; re-analysis requests are sent here too."""

from __future__ import annotations

import json
from functools import cache

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client


@cache
def _queue_url(name: str) -> str:
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def send_reanalysis(image_id: str, request_id: str) -> None:
    body = {"janus": "reanalyze", "image_id": image_id, "request_id": request_id}
    client("sqs").send_message(
        QueueUrl=_queue_url(get_settings().analysis_queue), MessageBody=json.dumps(body)
    )


def reset_queue_cache() -> None:
    _queue_url.cache_clear()
