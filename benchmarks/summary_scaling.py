"""Everyone's findings summary as the service grows: running aggregates against a Query per image.

.venv/bin/python benchmarks/summary_scaling.py [SIZES...]     (default: 1000 10000 40000)

For each size, that many analysed images (spread over six months, a few tags) are written to the
images table on moto. The images table's stream is delivered to the rollup function in Lambda's
batches of 100. Then both readings of everyone's summary run in the same process on the same data:

- rollups: the API route, `GET /v1/analytics/summary?user_id=all`, as an administrator;
- per image: the previous design, a Query over the `by-month` index with every image's findings
  summed in the API.

Both are timed, and their DynamoDB calls are counted. The two must give the same figures.

moto backs up every table a transaction touches, once per item, before it applies the
transaction: that costs time in proportion to the table's size, which DynamoDB does not. The
benchmark turns that backup off (nothing here needs a rollback), so it can fill the rollups for
tens of thousands of images in minutes.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from typing import Any

from offline_stage import ROOT, use_offline_test_stage

use_offline_test_stage(JANUS_SUMMARY_MAX_IMAGES="1000000")

COLOURS = ["#ffffff", "#111111", "#999999", "#cc0000", "#008000", "#2563eb", "#f5f5f5", "#6c757d"]


def _findings(rng: random.Random) -> str:
    from chalicelib.services.findings import stored

    found = []
    for i in range(rng.randint(3, 30)):
        fg, bg = rng.sample(COLOURS, 2)
        ok = rng.random() < 0.7
        found.append(
            {
                "bbox": [10, 10 + 20 * i, 100, 14],
                "foreground": fg,
                "background": bg,
                "ratio": 7.0 if ok else round(1.2 + COLOURS.index(fg) * 0.4, 2),
                "large_text": False,
                "passes": {"aa": ok, "aaa": ok},
            }
        )
    palette = [{"hex": h, "fraction": 0.1} for h in rng.sample(COLOURS, 6)]
    pair = {"a": "#cc0000", "b": "#008000"}
    cvd = {"deuteranopia": [pair] * rng.randint(0, 2), "protanopia": []}
    return stored(
        {"contrast": {"findings": found}, "palette": palette, "cvd": {"confusable_pairs": cvd}}
    )


def _put_images(count: int, rng: random.Random) -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.store.dynamo import batch_write, serialize

    items = []
    for n in range(count):
        month = rng.randint(5, 10)
        created = f"2026-{month:02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00.000Z"
        items.append(
            {
                "PutRequest": {
                    "Item": serialize(
                        {
                            "image_id": f"img_bench_{n:06d}",
                            "user_id": f"usr_{n % 50}",
                            "user_status": f"usr_{n % 50}#analyzed",
                            "status": "analyzed",
                            "tags": rng.sample(["web", "mobile", "checkout", "landing"], 2),
                            "created_at": created,
                            "created_month": created[:7],
                            "findings": _findings(rng),
                        }
                    )
                }
            }
        )
    batch_write(get_settings().images_table, items)


def _no_transaction_backups() -> None:
    import copy
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    def deepcopy(value: Any) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[attr-defined]


def run(size: int) -> dict[str, Any]:
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.core.settings import get_settings, reset_settings
    from chalicelib.services import findings
    from chalicelib.store import analytics as analytics_store
    from chalicelib.store.aws import client, reset_clients
    from local import gateway, provision
    from local.stream_poller import StreamReader

    gateway.install()
    _no_transaction_backups()
    reset_settings()
    reset_clients()
    with mock_aws():
        provision.create_resources(get_settings())
        from app import app

        logging.getLogger("janus").setLevel(logging.WARNING)
        _put_images(size, random.Random(size))
        calls: list[str] = []
        read: list[tuple[int, int]] = []  # (items, bytes) returned by each Query

        def count_read(model: Any, parsed: dict[str, Any], **_: Any) -> None:
            if model.name == "Query":
                items = parsed.get("Items", [])
                read.append((len(items), len(json.dumps(items, default=str))))

        ddb = client("dynamodb")
        ddb.meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.append(model.name)
        )
        ddb.meta.events.register("after-call.dynamodb", count_read)
        with Client(app, stage_name="test", project_dir=str(ROOT)) as c:
            reader = StreamReader(get_settings().images_table)
            start, first = time.perf_counter(), len(calls)
            delivered = reader.deliver_all(lambda e, _: c.lambda_.invoke("rollup_findings", e))
            stream_s = time.perf_counter() - start
            stream_calls = len(calls) - first

            from tests.api_client import Api, DynamoCalls

            api = Api(c, DynamoCalls())
            admin = api.superadmin()
            start, first, first_read = time.perf_counter(), len(calls), len(read)
            reply = api.get("/v1/analytics/summary?user_id=all", token=admin.access_token)
            rollup_s = time.perf_counter() - start
            rollup_calls = calls[first:]
            rollup_read = read[first_read:]

            start, first, first_read = time.perf_counter(), len(calls), len(read)
            rows = [
                (str(i["image_id"]), findings.loaded(i["findings"]))
                for i in analytics_store.analysed_images(
                    user_id=None, tag=None, since=None, until=None, max_items=10**7
                )
            ]
            direct = findings.aggregate(rows, scope=reply.data["scope"]).model_dump()
            direct_s = time.perf_counter() - start
            direct_calls = calls[first:]
            direct_read = read[first_read:]
    same = direct == reply.data
    return {
        "size": size,
        "delivered": delivered,
        "stream_s": stream_s,
        "stream_calls": stream_calls,
        "rollup_s": rollup_s,
        "rollup_queries": rollup_calls.count("Query"),
        "rollup_items": sum(n for n, _ in rollup_read),
        "rollup_kb": sum(b for _, b in rollup_read) / 1000,
        "direct_s": direct_s,
        "direct_queries": direct_calls.count("Query"),
        "direct_items": sum(n for n, _ in direct_read),
        "direct_kb": sum(b for _, b in direct_read) / 1000,
        "same": same,
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 40000]
    print(
        f"{'images':>7} | {'rollups: ms':>11} {'Queries':>7} {'items':>6} {'KB read':>8}"
        f" | {'per image: ms':>13} {'Queries':>7} {'items':>6} {'KB read':>8} | {'same':>5}"
        f" | stream: records, DynamoDB calls, s"
    )
    for size in sizes:
        r = run(size)
        print(
            f"{r['size']:>7} | {r['rollup_s'] * 1000:>11.1f} {r['rollup_queries']:>7}"
            f" {r['rollup_items']:>6} {r['rollup_kb']:>8.1f}"
            f" | {r['direct_s'] * 1000:>13.1f} {r['direct_queries']:>7}"
            f" {r['direct_items']:>6} {r['direct_kb']:>8.1f} | {r['same']!s:>5}"
            f" | {r['delivered']}, {r['stream_calls']}, {r['stream_s']:.1f}"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
