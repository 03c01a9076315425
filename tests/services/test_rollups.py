"""Running aggregates: Totals that can be added to, taken from and merged; the bucket plan of a
time range; and, on moto, the stream-fed rollups agreeing with a direct sum over the images."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.settings import get_settings
from chalicelib.services import rollups
from chalicelib.services.findings import Totals, aggregate, of_analysis, summarise
from chalicelib.store import rollups as rollup_store
from chalicelib.store.aws import client
from chalicelib.store.dynamo import serialize
from tests.api_client import Api, Session
from tests.images import drain_stream

COLOURS = ["#ffffff", "#111111", "#999999", "#cc0000", "#008000", "#2563eb", "#f5f5f5"]


def _summary(rng: random.Random, failing: int = 3) -> dict[str, Any]:
    """A per-image findings summary from a random (but seeded) analysis document."""
    findings = []
    for _ in range(rng.randint(1, 6)):
        fg, bg = rng.sample(COLOURS, 2)
        findings.append(
            {
                "bbox": [rng.randint(0, 99), rng.randint(0, 99), 20, 10],
                "foreground": fg,
                "background": bg,
                # as the engine's: a finding's ratio is that of its two 8-bit colours
                "ratio": round(1.1 + (COLOURS.index(fg) * 7 + COLOURS.index(bg)) % 33 / 10, 2),
                "large_text": rng.choice([True, False, None]),
                "passes": {"aa": False, "aaa": False},
            }
        )
    findings = findings[:failing] + [
        {**f, "ratio": 7.5, "passes": {"aa": True, "aaa": True}} for f in findings[failing:]
    ]
    shares = [round(rng.uniform(0.01, 0.3), 3) for _ in range(4)]
    pair = {"a": "#cc0000", "b": "#008000"}
    return of_analysis(
        {
            "contrast": {"findings": findings},
            "palette": [
                {"hex": h, "fraction": f}
                for h, f in zip(rng.sample(COLOURS, 4), shares, strict=True)
            ],
            "cvd": {
                "confusable_pairs": {
                    "deuteranopia": [pair] * rng.randint(0, 2),
                    "protanopia": [pair] * rng.randint(0, 1),
                }
            },
        }
    )


def _figures(totals: Totals) -> dict[str, Any]:
    return summarise(totals, scope={}).model_dump()


# Totals -----------------------------------------------------------------------------------------


def test_remove_undoes_add_exactly() -> None:
    rng = random.Random(7)
    images = {f"img_{i}": _summary(rng) for i in range(30)}
    totals = Totals(keep_worst=1000)
    for image_id, summary in images.items():
        totals.add(image_id, summary)
    gone = sorted(images)[::3]
    for image_id in gone:
        totals.remove(image_id, images[image_id])
    rest = [(i, s) for i, s in images.items() if i not in gone]
    assert _figures(totals) == aggregate(rest, scope={}).model_dump()


def test_stored_buckets_merge_into_the_whole() -> None:
    rng = random.Random(11)
    images = [(f"img_{i}", _summary(rng)) for i in range(40)]
    merged = Totals()
    for start in range(0, 40, 7):  # six buckets, through their stored JSON form
        bucket = Totals(keep_worst=rollups.WORST_KEPT, keep_entries=rollups.ENTRIES_KEPT)
        for image_id, summary in images[start : start + 7]:
            bucket.add(image_id, summary)
        merged.merge(Totals.from_json(bucket.to_json()))
    whole = aggregate(images, scope={}).model_dump()
    assert _figures(merged) == whole
    assert whole["approximate"] is False and whole["images_analysed"] == 40


def test_a_cut_worst_list_says_when_a_removal_leaves_a_gap() -> None:
    rng = random.Random(3)
    images = {f"img_{i:02d}": _summary(rng) for i in range(12)}
    bucket = Totals(keep_worst=12)
    for image_id, summary in images.items():
        bucket.add(image_id, summary)
    assert bucket.worst_floor is not None  # more than 12 failing findings arrived
    assert summarise(bucket, scope={}).approximate is False
    worst_image = bucket.worst[0][1]
    bucket.remove(worst_image, images[worst_image])
    figures = summarise(bucket, scope={})
    # the removed image's place may belong to a finding the bucket no longer holds
    assert figures.approximate is (
        len(bucket.worst) < 10 or bucket.worst[9][0] > bucket.worst_floor
    )
    assert figures.images_analysed == 11  # counts stay exact either way
    assert worst_image not in {w.image_id for w in figures.worst_ratios}


def test_rare_entries_are_evicted_to_bound_a_bucket_and_that_is_reported() -> None:
    rng = random.Random(5)
    bucket = Totals(keep_entries=3)
    for i in range(10):
        bucket.add(f"img_{i}", _summary(rng))
    assert len(bucket.colours) <= 3 and len(bucket.pairs) <= 3
    figures = summarise(bucket, scope={})
    assert figures.approximate is True and figures.images_analysed == 10


# planning a time range --------------------------------------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


NOW = _at("2026-05-20T10:00:00Z")


@pytest.mark.parametrize(
    ("since", "until", "periods", "partial"),
    [
        (
            "2026-03-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            ["M#2026-03"],
            [],
        ),
        (
            "2026-02-27T12:00:00Z",
            "2026-04-02T06:00:00Z",
            ["D#2026-02-28", "M#2026-03", "D#2026-04-01"],
            [
                ("2026-02-27T12:00:00Z", "2026-02-28T00:00:00Z"),
                ("2026-04-02T00:00:00Z", "2026-04-02T06:00:00Z"),
            ],
        ),
        (
            "2026-03-15T12:00:00Z",
            "2026-03-15T13:00:00Z",
            [],
            [("2026-03-15T12:00:00Z", "2026-03-15T13:00:00Z")],
        ),
        (
            "2026-04-30T00:00:00Z",
            None,
            ["D#2026-04-30", "M#2026-05"],
            [],
        ),
    ],
)
def test_plan_covers_a_range_with_months_days_and_partial_edges(
    since: str, until: str | None, periods: list[str], partial: list[tuple[str, str]]
) -> None:
    route = rollups.plan(_at(since), _at(until) if until else None, NOW)
    assert route.periods == periods
    assert route.partial == [(_at(a), _at(b)) for a, b in partial]


def test_plan_never_walks_past_now() -> None:
    """A far-future end (valid input) costs no more than an open one."""
    far = rollups.plan(_at("2026-04-30T00:00:00Z"), _at("9999-12-31T00:00:00Z"), NOW)
    assert far == rollups.plan(_at("2026-04-30T00:00:00Z"), None, NOW)
    assert rollups.plan(_at("2026-06-01T00:00:00Z"), None, NOW).periods == []


def test_plan_of_everything_is_a_month_per_month() -> None:
    route = rollups.plan(None, None, NOW)
    assert route.periods == [f"M#2026-{m:02d}" for m in range(1, 6)] and not route.partial
    assert rollups._runs(["D#2026-02-28", "M#2026-03", "M#2026-04", "D#2026-05-01"]) == [
        ("D#2026-02-28", "D#2026-02-28"),
        ("M#2026-03", "M#2026-04"),
        ("D#2026-05-01", "D#2026-05-01"),
    ]


# on moto: the stream keeps the rollups -----------------------------------------------------------

DATES = [
    "2026-02-27T10:00:00.000Z",
    "2026-02-28T23:59:59.999Z",
    "2026-03-01T00:00:00.000Z",
    "2026-03-15T12:30:00.000Z",
    "2026-03-31T23:00:00.000Z",
    "2026-04-01T00:00:00.500Z",
    "2026-04-02T08:00:00.000Z",
    "2026-06-10T00:00:00.000Z",
]
TAGS = [["web"], [], ["web", "mobile"], ["mobile"], ["web"], [], ["mobile"], ["web"]]
RANGES = [
    (None, None),
    ("2026-03-01T00:00:00Z", None),
    ("2026-02-28T12:00:00Z", "2026-04-01T12:00:00Z"),
    ("2026-03-15T12:29:00Z", "2026-03-15T12:31:00Z"),
    (None, "2026-04-01T00:00:00Z"),
    ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
]


def _put_image(image_id: str, created_at: str, tags: list[str], summary: dict[str, Any]) -> None:
    """An analysed image record as the analysis function leaves it (the fields rollups read)."""
    client("dynamodb").put_item(
        TableName=get_settings().images_table,
        Item=serialize(
            {
                "image_id": image_id,
                "user_id": "usr_someone",
                "user_status": "usr_someone#analyzed",
                "status": "analyzed",
                "tags": tags,
                "created_at": created_at,
                "created_month": created_at[:7],
                "findings": json.dumps(summary, separators=(",", ":")),
            }
        ),
    )


def _expected(
    images: dict[str, tuple[str, list[str], dict[str, Any]]],
    since: str | None,
    until: str | None,
    tag: str | None,
) -> dict[str, Any]:
    lo = _at(since) if since else None
    hi = _at(until) if until else None
    chosen = [
        (image_id, summary)
        for image_id, (created, tags, summary) in sorted(images.items())
        if (lo is None or _at(created) >= lo)
        and (hi is None or _at(created) < hi)
        and (tag is None or tag in tags)
    ]
    figures = aggregate(chosen, scope={}).model_dump()
    del figures["scope"]
    return figures


def _everyone(api: Api, who: Session, since: str | None, until: str | None, tag: str | None) -> Any:
    query = "user_id=all" + "".join(
        f"&{k}={v}" for k, v in (("since", since), ("until", until), ("tag", tag)) if v
    )
    figures = dict(api.get(f"/v1/analytics/summary?{query}", token=who.access_token).data)
    del figures["scope"]
    return figures


def _check_all(api: Api, who: Session, images: dict[str, Any]) -> None:
    for since, until in RANGES:
        for tag in (None, "web", "mobile"):
            assert _everyone(api, who, since, until, tag) == _expected(images, since, until, tag), (
                since,
                until,
                tag,
            )


def test_rollups_follow_every_change_and_agree_with_a_direct_sum(api: Api) -> None:
    rng = random.Random(2026)
    images = {
        f"img_{n:02d}": (created, tags, _summary(rng))
        for n, (created, tags) in enumerate(zip(DATES, TAGS, strict=True))
    }
    for image_id, (created, tags, summary) in images.items():
        _put_image(image_id, created, tags, summary)
    moderator = api.admin("moderator")
    assert drain_stream(api) >= len(images)
    _check_all(api, moderator, images)

    ddb, table = client("dynamodb"), get_settings().images_table
    # retag, re-analysis requested (leaves 'analyzed'), deletion (a tombstone replaces it),
    # and a re-analysis that finished with new findings
    ddb.update_item(
        TableName=table,
        Key=serialize({"image_id": "img_00"}),
        UpdateExpression="SET tags = :t",
        ExpressionAttributeValues=serialize({":t": ["mobile"]}),
    )
    images["img_00"] = (images["img_00"][0], ["mobile"], images["img_00"][2])
    ddb.update_item(
        TableName=table,
        Key=serialize({"image_id": "img_03"}),
        UpdateExpression="SET #s = :q",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=serialize({":q": "queued"}),
    )
    del images["img_03"]
    ddb.put_item(TableName=table, Item=serialize({"image_id": "img_05", "status": "deleted"}))
    del images["img_05"]
    renewed = _summary(rng)
    _put_image("img_02", DATES[2], ["web", "mobile"], renewed)
    images["img_02"] = (DATES[2], ["web", "mobile"], renewed)
    drain_stream(api)
    _check_all(api, moderator, images)


def test_a_replayed_stream_changes_nothing(api: Api) -> None:
    rng = random.Random(1)
    for n in range(3):
        _put_image(f"img_{n}", DATES[n], ["web"], _summary(rng))
    assert drain_stream(api) == 3
    before = list(rollup_store.query("all", "D#", "M#~"))
    assert before
    assert drain_stream(api) == 3  # the same records again, as after a Lambda retry
    assert list(rollup_store.query("all", "D#", "M#~")) == before


def test_an_image_with_many_tags_spans_several_transactions(api: Api) -> None:
    tags = [f"t{n:02d}" for n in range(20)]
    summary = _summary(random.Random(4))
    _put_image("img_tags", DATES[0], tags, summary)
    drain_stream(api)
    moderator = api.admin("moderator")
    for tag in (tags[0], tags[-1]):
        assert _everyone(api, moderator, None, None, tag)["images_analysed"] == 1


def test_a_concurrent_writer_makes_the_other_read_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two rollup functions on one bucket: the slower one's stale write is refused and redone."""
    rng = random.Random(9)
    first, second = _summary(rng), _summary(rng)
    record = {
        "eventID": "evt-slow",
        "dynamodb": {"NewImage": _image("img_a", first)},
    }
    other = {"eventID": "evt-fast", "dynamodb": {"NewImage": _image("img_b", second)}}
    real_read = rollup_store.read_for_update
    interleaved = []

    def read_then_lose_the_race(keys: list[tuple[str, str]]) -> Any:
        found = real_read(keys)
        if not interleaved:
            interleaved.append(True)
            assert rollups.apply_record(other) == 2  # lands between this read and its write
        return found

    monkeypatch.setattr(rollup_store, "read_for_update", read_then_lose_the_race)
    assert rollups.apply_record(record) == 2  # day and month of "all", after one retry
    totals, _ = rollups.everyone(tag=None, since=None, until=None, max_images=10)
    assert (
        _figures(totals) | {"scope": {}}
        == aggregate([("img_a", first), ("img_b", second)], scope={}).model_dump()
    )


def _image(image_id: str, summary: dict[str, Any]) -> dict[str, Any]:
    return serialize(
        {
            "image_id": image_id,
            "status": "analyzed",
            "tags": [],
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "findings": json.dumps(summary, separators=(",", ":")),
        }
    )
