"""Locally, what Lambda's SQS event source does in AWS: hand each message to the same handler.

``chalice local`` runs no event handlers, so ``make run`` starts this poller: it long-polls the
analysis queue on moto, calls the app's ``analyze_upload`` with a Lambda-shaped SQS event, deletes
the message on success and, on failure, makes it visible again after a short delay — moto's
redrive policy moves it to the dead-letter queue after ``maxReceiveCount`` receives, as in AWS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.store.aws import client
from local.lambda_context import LambdaContext

RETRY_DELAY_SECONDS = 5
_log = logging.getLogger("janus.local.poller")


def sqs_event(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        ]
    }


class AnalysisPoller(threading.Thread):
    def __init__(
        self, handler: Callable[[dict[str, Any], Any], Any], stopping: threading.Event
    ) -> None:
        super().__init__(name="analysis-poller", daemon=True)
        self._handler = handler
        self._stopping = stopping

    def run(self) -> None:
        settings = get_settings()
        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName=settings.analysis_queue)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        while not self._stopping.is_set():
            try:
                received = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1, AttributeNames=["All"]
                )
            except Exception:
                if self._stopping.is_set():
                    return
                _log.exception("polling the analysis queue failed")
                self._stopping.wait(1)
                continue
            for message in received.get("Messages", []):
                self.deliver(sqs, url, arn, settings.region, message)

    def deliver(self, sqs: Any, url: str, arn: str, region: str, message: dict[str, Any]) -> None:
        try:
            self._handler(
                sqs_event(message, arn, region),
                LambdaContext("analyze_upload", memory_mb=3008, timeout_ms=900_000),
            )
        except Exception:
            _log.exception("analysis handler failed; the message will be retried")
            sqs.change_message_visibility(
                QueueUrl=url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=RETRY_DELAY_SECONDS,
            )
            return
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
