"""Janus API: every route group and event handler, in one screen."""

import os

from chalice import Chalice
from chalice.app import DynamoDBEvent, SQSEvent

from chalicelib.api import admin, analytics, auth, docs, fallback, health, images, reports, users
from chalicelib.api.chalice_errors import envelope_chalice_errors
from chalicelib.core.structured_logs import configure as configure_logs

configure_logs()
app = Chalice(app_name="janus", configure_logs=False)
app.api.binary_types = ["image/png", "image/jpeg", "image/webp", "image/gif"]

for module in (health, auth, users, admin, images, analytics, reports, docs):
    app.register_blueprint(module.api.blueprint)

app.register_middleware(envelope_chalice_errors, "http")
fallback.install(app)  # last: JSON 404/405 and CORS preflights for everything above


# The trigger's queue is the stage's own (infra/resources.json names it janus-<stage>-analysis);
# infra/package.py sets JANUS_STAGE while `chalice package` reads this decorator.
ANALYSIS_QUEUE = f"janus-{os.environ.get('JANUS_STAGE', 'dev')}-analysis"


@app.on_sqs_message(queue=ANALYSIS_QUEUE, batch_size=1)
def analyze_upload(event: SQSEvent) -> None:
    """S3 upload events (and re-analysis requests) → the analysis engine; one message at a time.

    The engine (numpy, Pillow) is imported here, never by the API function.
    """
    from chalicelib.services.image_processing import handle_message

    for record in event:
        handle_message(record.body, record.to_dict().get("messageId", ""))


# The images table's stream. Chalice needs an ARN string while packaging; infra/package.py replaces
# it in the template with the table's real StreamArn (GetAtt), which exists only once deployed.
IMAGES_STREAM_ARN = os.environ.get(
    "JANUS_IMAGES_STREAM_ARN",
    "arn:aws:dynamodb:us-east-1:000000000000:table/janus-images/stream/set-by-infra-package",
)


@app.on_dynamodb_record(
    stream_arn=IMAGES_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON"
)
def rollup_findings(event: DynamoDBEvent) -> None:
    """Every change to an image record → the running aggregates of everyone's findings."""
    from chalicelib.services.rollups import apply_stream

    apply_stream(record.to_dict() for record in event)
