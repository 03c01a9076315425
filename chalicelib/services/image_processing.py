"""The analysis function's use case: an uploaded object becomes an analysed image (or a failed one
with a reason a person understands).

Runs once per SQS message (S3 ``ObjectCreated`` events, or re-analysis requests from the API).
Delivery is at least once and may be out of order, so every step is safe to repeat: a claim
(conditional write) decides who processes, the current object in S3 is what gets analysed, and
the final write is conditioned on the claim, so there is always exactly one result.

Imports the analysis engine (numpy, Pillow): only the analysis function loads this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from chalicelib import analysis
from chalicelib.analysis import report_views
from chalicelib.core import metrics, request_context
from chalicelib.core.ids import epoch_seconds, new_id, now_iso
from chalicelib.core.settings import get_settings
from chalicelib.core.structured_logs import get_logger, log_event
from chalicelib.models.images import FORMAT_OF_CONTENT_TYPE, ImageRecord, ImageSummary
from chalicelib.services import audit, findings
from chalicelib.store import images as image_store
from chalicelib.store import objects

_log = get_logger("analysis")
MIN_SIDE_PIXELS = 2

_MESSAGES = {
    "UNSUPPORTED_FORMAT": "This file is not a PNG, JPEG, WebP or GIF image.",
    "CORRUPT_IMAGE": "The image file is damaged and cannot be read.",
    "TRUNCATED_IMAGE": "The image file is incomplete; the upload may have been cut off.",
    "TOO_MANY_PIXELS": "The image has too many pixels to analyse.",
    "DECOMPRESSION_BOMB": "The image would expand to far more pixels than its file size allows; "
    "it was not opened.",
    "IMAGE_DECODE_ERROR": "The image could not be read.",
}


class _Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class _Timer:
    spans: dict[str, float] = field(default_factory=dict)

    def span(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.spans[name] = round((now - started) * 1000, 1)
        return now


def handle_message(body: str, message_id: str) -> None:
    """Process one SQS message; raises only for failures worth a retry (the queue redelivers)."""
    request_context.begin(
        request_context.RequestContext(request_id=message_id, route="analysis", method="SQS")
    )
    try:
        payload = json.loads(body)
        if payload.get("Event") == "s3:TestEvent":
            log_event(_log, logging.INFO, "s3 test event skipped")
        elif payload.get("janus") == "reanalyze":
            _reanalyze(str(payload.get("image_id", "")))
        else:
            for record in payload.get("Records", []):
                if str(record.get("eventName", "")).startswith("ObjectCreated"):
                    s3_object = record["s3"]["object"]
                    _upload_arrived(unquote_plus(s3_object["key"]), str(s3_object.get("eTag", "")))
    finally:
        audit.flush()
        request_context.end()


def _transition_log(record: ImageRecord, action: str, level: str = "INFO", **metadata: Any) -> None:
    request_context.set_user(record.user_id)
    audit.record_action(
        user_id=record.user_id,
        action=action,
        module="images",
        level=level,  # type: ignore[arg-type]
        status_code=None,
        metadata={"image_id": record.image_id, **metadata},
    )


def _stale_before() -> int:
    return epoch_seconds() - get_settings().analysis_stale_seconds


def _upload_arrived(key: str, etag: str) -> None:
    parts = key.split("/")
    found = None
    if len(parts) == 3 and f"{parts[0]}/" == objects.UPLOADS_PREFIX:
        found = image_store.lookup(parts[2])
    if not isinstance(found, ImageRecord) or found.upload_key != key:
        objects.delete_keys([key])
        log_event(_log, logging.WARNING, "object without an image record removed", key=key)
        return
    processing_id = new_id("run")
    claimed = image_store.claim_upload(
        found.image_id,
        owner_id=found.user_id,
        etag=etag,
        processing_id=processing_id,
        stale_before=_stale_before(),
    )
    if claimed is None:
        log_event(
            _log,
            logging.INFO,
            "duplicate or in-progress event skipped",
            image_id=found.image_id,
            etag=etag,
        )
        return
    _process(claimed, processing_id)


def _reanalyze(image_id: str) -> None:
    record = image_store.get(image_id)
    if record is None:
        log_event(_log, logging.INFO, "re-analysis of a deleted image skipped", image_id=image_id)
        return
    processing_id = new_id("run")
    claimed = image_store.claim_reanalysis(
        image_id, owner_id=record.user_id, processing_id=processing_id, stale_before=_stale_before()
    )
    if claimed is None:
        log_event(_log, logging.INFO, "re-analysis already handled", image_id=image_id)
        return
    _process(claimed, processing_id, reanalysis=True)


def _process(record: ImageRecord, processing_id: str, *, reanalysis: bool = False) -> None:
    _transition_log(record, "image.processing", reanalysis=reanalysis)
    settings = get_settings()
    timer = _Timer()
    started = time.perf_counter()
    etag: str | None = None
    try:
        try:
            stored = objects.read_capped(record.upload_key, max_bytes=settings.upload_max_bytes)
        except objects.ObjectMissing:
            raise _Failure(
                "UPLOAD_MISSING", "The uploaded file was not found in storage."
            ) from None
        etag = stored.etag
        started = timer.span("download", started)
        if etag == record.processed_etag and record.analysis_key and not reanalysis:
            image_store.finish(
                record.image_id, owner_id=record.user_id, processing_id=processing_id, fields={}
            )
            log_event(_log, logging.INFO, "already analysed this upload", image_id=record.image_id)
            return
        fields = _analyse(record, stored, timer, started)
    except _Failure as failure:
        _fail(record, processing_id, failure.code, failure.message, etag=etag)
        return
    except Exception:
        _log.exception("analysis failed unexpectedly; the message will be retried")
        image_store.fail(
            record.image_id,
            owner_id=record.user_id,
            processing_id=processing_id,
            code="ANALYSIS_ERROR",
            message="The analysis was interrupted; it is retried automatically.",
            etag=None,
            retryable=True,
        )
        _transition_log(record, "image.failed", "ERROR", error_code="ANALYSIS_ERROR")
        metrics.emit("AnalysesFailed")
        raise
    done = image_store.finish(
        record.image_id, owner_id=record.user_id, processing_id=processing_id, fields=fields
    )
    if done is None:
        _discard_if_deleted(record)
        return
    _transition_log(done, "image.analyzed", engine_version=fields["engine_version"])
    metrics.emit("AnalysesSucceeded")
    metrics.emit("AnalysisDuration", sum(timer.spans.values()), "Milliseconds")
    log_event(
        _log,
        logging.INFO,
        "image analyzed",
        image_id=record.image_id,
        timings_ms=timer.spans,
        width=fields["metadata"]["width"],
        height=fields["metadata"]["height"],
    )


def _analyse(
    record: ImageRecord, stored: objects.StoredObject, timer: _Timer, started: float
) -> dict[str, Any]:
    settings = get_settings()
    if stored.size > settings.upload_max_bytes:
        objects.delete_keys([record.upload_key])
        raise _Failure(
            "FILE_TOO_LARGE", f"The file is larger than {settings.upload_max_bytes} bytes."
        )
    if stored.size == 0 or not stored.data:
        raise _Failure("EMPTY_FILE", "The uploaded file is empty.")
    try:
        meta = analysis.read_metadata(stored.data, max_pixels=settings.analysis_max_pixels)
        declared = FORMAT_OF_CONTENT_TYPE[record.content_type]
        if meta.format != declared:
            raise _Failure(
                "FORMAT_MISMATCH",
                f"The file is a {meta.format} image but was declared as {record.content_type}.",
            )
        if min(meta.width, meta.height) < MIN_SIDE_PIXELS:
            # the engine's palette step needs at least two rows and columns (a 1-pixel-wide
            # image raised IndexError, which made the message retry until the dead-letter queue)
            raise _Failure(
                "IMAGE_TOO_SMALL",
                f"The image is {meta.width}x{meta.height} pixels; at least "
                f"{MIN_SIDE_PIXELS}x{MIN_SIDE_PIXELS} are needed to analyse it.",
            )
        decoded = analysis.decode_image(stored.data, max_pixels=settings.analysis_max_pixels)
    except analysis.ImageDecodeError as exc:
        raise _Failure(
            exc.code, f"{_MESSAGES.get(exc.code, 'The image could not be read.')} ({exc})"
        ) from None
    started = timer.span("decode", started)
    result = analysis.analyze_decoded(decoded)
    thumbnail = analysis.make_thumbnail(decoded.rgb)
    rendered = {fmt: analysis.export_tokens(result.tokens, fmt) for fmt in analysis.TOKEN_FORMATS}
    started = timer.span("analysis", started)
    prefix = objects.analysis_prefix(record.user_id, record.image_id)
    thumb_key = objects.thumbnail_key(record.user_id, record.image_id)
    objects.put(thumb_key, thumbnail, content_type="image/jpeg")
    document = result.model_dump(mode="json")
    objects.put(
        prefix + "result.json", json.dumps(document).encode(), content_type="application/json"
    )
    for fmt, text in rendered.items():
        objects.put(
            prefix + f"tokens.{fmt}", text.encode(), content_type="text/plain; charset=utf-8"
        )
    # research (issue 7): display-sized renders for the visual report (image + CVD simulations)
    for name, body in report_views.render(decoded.rgb).items():
        objects.put(prefix + f"report/{name}.webp", body, content_type="image/webp")
    timer.span("writes", started)
    metadata = {
        **asdict(meta),
        "file_size_bytes": stored.size,
        "sha256": hashlib.sha256(stored.data).hexdigest(),
        "analysed_width": decoded.width,
        "analysed_height": decoded.height,
        "colour_profile_converted": decoded.colour_managed,
        "colour_profile_ignored": decoded.profile_ignored,
        "alpha_composited": decoded.alpha_composited,
    }
    return {
        # research (issue 7): the per-image findings summary the aggregate summary reads, and the
        # month the images table's by-month index partitions everyone's analysed images by
        "findings": findings.stored(document),
        "created_month": record.created_at[:7],
        "metadata": metadata,
        "summary": _summary(document).model_dump(),
        "thumbnail_key": thumb_key,
        "analysis_key": prefix + "result.json",
        "processed_etag": stored.etag,
        "engine_version": result.engine_version,
        "analyzed_at": now_iso(),
    }


def _summary(document: dict[str, Any]) -> ImageSummary:
    findings = document["contrast"]["findings"]
    failing = [f for f in findings if not f["passes"]["aa"]]
    confusable = document.get("cvd", {}).get("confusable_pairs", {})
    return ImageSummary(
        top_palette=[
            {"hex": p["hex"], "fraction": p["fraction"], "role": p["role"]}
            for p in document["palette"][:8]
        ],
        text_findings=len(findings),
        failing_text_count=len(failing),
        worst_ratio=min((f["ratio"] for f in findings), default=None),
        cvd_risk_count=sum(len(pairs) for pairs in confusable.values()),
        engine_version=document["engine_version"],
    )


def _fail(
    record: ImageRecord, processing_id: str, code: str, message: str, *, etag: str | None
) -> None:
    failed = image_store.fail(
        record.image_id,
        owner_id=record.user_id,
        processing_id=processing_id,
        code=code,
        message=message,
        etag=etag,
        retryable=False,
    )
    if failed is None:
        _discard_if_deleted(record)
        return
    _transition_log(record, "image.failed", "WARNING", error_code=code)
    metrics.emit("AnalysesFailed")
    log_event(_log, logging.INFO, "image failed", image_id=record.image_id, error_code=code)


def _discard_if_deleted(record: ImageRecord) -> None:
    """The image was deleted (or re-claimed) while we worked: leave nothing of ours behind."""
    if image_store.get(record.image_id) is None:
        objects.delete_keys(
            [record.upload_key, objects.thumbnail_key(record.user_id, record.image_id)]
        )
        objects.delete_prefix(objects.analysis_prefix(record.user_id, record.image_id))
