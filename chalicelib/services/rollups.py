"""Running aggregates of everyone's findings, kept at write time from the images table's stream.

Why a stream: an image enters or leaves the aggregate figures on many paths (analysis finishes,
re-analysis starts, a new upload replaces it, retagging, deletion, account removal). The stream
sees every one of them with the record before and after, so ``old contribution - new
contribution`` is applied to the buckets it touches, and no write path can forget to. An image
contributes while its status is ``analyzed`` and it holds a findings summary: the same rule the
per-image Query uses, so both readings of a set agree.

Buckets: for ``all`` and for each of the image's tags, its UTC day and its month. A summary over
any time range reads whole months, whole days, and only the images of the partial days at its
edges, so its cost no longer grows with the number of images.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.ids import iso
from chalicelib.services.findings import Totals, loaded
from chalicelib.store import analytics as analytics_store
from chalicelib.store import rollups as store
from chalicelib.store.dynamo import deserialize

log = logging.getLogger("janus.rollups")

EVERYONE = "all"
WORST_KEPT = 25
ENTRIES_KEPT = 600
BUCKETS_PER_WRITE = 24  # a transaction holds at most 100 items and 4 MB
MAX_ATTEMPTS = 8
FIRST_DAY = datetime.strptime(analytics_store.FIRST_MONTH, "%Y-%m").replace(tzinfo=UTC)


def _limits() -> dict[str, Any]:
    return {"keep_worst": WORST_KEPT, "keep_entries": ENTRIES_KEPT}


def scope_of(tag: str | None) -> str:
    return EVERYONE if tag is None else f"tag#{tag}"


@dataclass(frozen=True)
class Contribution:
    image_id: str
    created_at: str
    tags: tuple[str, ...]
    findings: str

    def buckets(self) -> list[tuple[str, str]]:
        periods = (f"D#{self.created_at[:10]}", f"M#{self.created_at[:7]}")
        scopes = [EVERYONE, *(scope_of(t) for t in self.tags)]
        return [(s, p) for s in scopes for p in periods]


def contribution(image: dict[str, Any] | None) -> Contribution | None:
    """What an image record adds to the aggregates: nothing unless analysed with findings."""
    if not image or image.get("status") != "analyzed" or "findings" not in image:
        return None
    return Contribution(
        image_id=str(image["image_id"]),
        created_at=str(image["created_at"]),
        tags=tuple(sorted(set(image.get("tags") or []))),
        findings=str(image["findings"]),
    )


Change = tuple[int, str, dict[str, Any]]  # (+1 add / -1 remove, image id, findings summary)


def changes_of(record: dict[str, Any]) -> dict[tuple[str, str], list[Change]]:
    """Bucket → what to take out and put in, for one stream record (Lambda's event shape)."""
    ddb = record.get("dynamodb", {})
    old = contribution(deserialize(ddb["OldImage"]) if "OldImage" in ddb else None)
    new = contribution(deserialize(ddb["NewImage"]) if "NewImage" in ddb else None)
    if old == new:  # a title edit, a status change outside 'analyzed', a tombstone's expiry
        return {}
    changes: dict[tuple[str, str], list[Change]] = {}
    if old is not None:
        for key in old.buckets():
            changes.setdefault(key, []).append((-1, old.image_id, loaded(old.findings)))
    if new is not None:
        for key in new.buckets():
            changes.setdefault(key, []).append((1, new.image_id, loaded(new.findings)))
    return changes


@dataclass
class _Entry:
    marker: str
    changes: dict[tuple[str, str], list[Change]]


def _entries(records: Iterable[dict[str, Any]]) -> list[_Entry]:
    """One entry per record, split when a record alone touches too many buckets."""
    out = []
    for record in records:
        changes = changes_of(record)
        keys = sorted(changes)
        for n, start in enumerate(range(0, len(keys), BUCKETS_PER_WRITE)):
            chunk = {k: changes[k] for k in keys[start : start + BUCKETS_PER_WRITE]}
            out.append(_Entry(f"{record['eventID']}#{n}", chunk))
    return out


def _groups(entries: list[_Entry]) -> list[list[_Entry]]:
    """Consecutive entries sharing one transaction: markers + buckets within its limits."""
    groups: list[list[_Entry]] = []
    keys: set[tuple[str, str]] = set()
    for entry in entries:
        merged = keys | set(entry.changes)
        if groups and (
            len(merged) <= BUCKETS_PER_WRITE and len(groups[-1]) + 1 + len(merged) <= 100
        ):
            groups[-1].append(entry)
            keys = merged
        else:
            groups.append([entry])
            keys = set(entry.changes)
    return groups


def _apply_group(group: list[_Entry]) -> int:
    """Apply the group's records exactly once: read, change, write if nobody wrote meanwhile."""
    for attempt in range(MAX_ATTEMPTS):
        if not group:
            return 0
        current = store.read_for_update(sorted({k for e in group for k in e.changes}))
        totals = {
            key: Totals.from_json(bucket.body, **_limits()) if bucket.body else Totals(**_limits())
            for key, bucket in current.items()
        }
        for entry in group:
            for key, changes in entry.changes.items():
                for sign, image_id, summary in changes:
                    if sign > 0:
                        totals[key].add(image_id, summary)
                    else:
                        totals[key].remove(image_id, summary)
        written = [(current[key], t.to_json()) for key, t in totals.items()]
        outcome = store.write([e.marker for e in group], written)
        if outcome is None:
            return len(written)
        if isinstance(outcome, store.AlreadyApplied):  # a retried batch: skip what was done
            group = [e for e in group if e.marker not in outcome.markers]
            continue
        # another writer won: read again after a jittered back-off (not security-relevant)
        time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311
    raise RuntimeError("rollup buckets stayed contended; Lambda will retry the batch")


def apply_record(record: dict[str, Any]) -> int:
    """Apply one stream record; returns the number of bucket writes."""
    return apply_stream([record])


def apply_stream(records: Iterable[dict[str, Any]]) -> int:
    """The stream handler's work: a batch of records (in stream order) with as few
    read-modify-writes as the transaction limits allow; the hot ``all`` buckets are written
    once per batch, not once per image."""
    changed = sum(_apply_group(group) for group in _groups(_entries(records)))
    if changed:
        log.info("rollups updated", extra={"buckets": changed})
    return changed


# reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How a time range is read: bucket periods in order, and the partial days' exact bounds."""

    periods: list[str]
    partial: list[tuple[datetime, datetime]]


def _next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def plan(since: datetime | None, until: datetime | None, now: datetime) -> Plan:
    """Cover [since, until) with whole months, whole days and (at its edges) partial days.

    An open end (until None) reads the current day and month buckets whole: they hold
    everything up to now.
    """
    cur = max(since.astimezone(UTC), FIRST_DAY) if since else FIRST_DAY
    end = until.astimezone(UTC) if until else None
    if end is not None and end > now:  # nothing is created after now: an open end reads less
        end = None
    periods: list[str] = []
    partial: list[tuple[datetime, datetime]] = []
    midnight = cur.replace(hour=0, minute=0, second=0, microsecond=0)
    if cur != midnight:
        day_end = midnight + timedelta(days=1)
        partial.append((cur, min(day_end, end) if end else day_end))
        cur = day_end
    while (cur < end) if end else (cur <= now):
        month_end = _next_month(cur)
        if cur.day == 1 and (end is None or month_end <= end):
            periods.append(f"M#{cur:%Y-%m}")
            cur = month_end
        elif end is None or cur + timedelta(days=1) <= end:
            periods.append(f"D#{cur:%Y-%m-%d}")
            cur += timedelta(days=1)
        else:
            partial.append((cur, end))
            break
    return Plan(periods=periods, partial=partial)


def _runs(periods: list[str]) -> list[tuple[str, str]]:
    """Consecutive periods of one kind as (first, last) ranges: one Query each (at most 3)."""
    runs: list[tuple[str, str]] = []
    for period in periods:
        if runs and runs[-1][0][:2] == period[:2] and _follows(runs[-1][1], period):
            runs[-1] = (runs[-1][0], period)
        else:
            runs.append((period, period))
    return runs


def _follows(previous: str, period: str) -> bool:
    if period.startswith("M#"):
        moment = datetime.strptime(previous[2:], "%Y-%m").replace(tzinfo=UTC)
        return f"M#{_next_month(moment):%Y-%m}" == period
    moment = datetime.strptime(previous[2:], "%Y-%m-%d").replace(tzinfo=UTC)
    return f"D#{moment + timedelta(days=1):%Y-%m-%d}" == period


def everyone(
    *, tag: str | None, since: datetime | None, until: datetime | None, max_images: int
) -> tuple[Totals, bool]:
    """Everyone's totals over a time range: rollups for whole days and months, images for the
    partial days at the edges (at most ``max_images`` of those; True when that cut the set)."""
    route = plan(since, until, datetime.now(UTC))
    totals = Totals()
    wanted = set(route.periods)
    for first, last in _runs(route.periods):
        for period, body in store.query(scope_of(tag), first, last):
            if period in wanted:
                totals.merge(Totals.from_json(body))
    truncated = False
    remaining = max_images
    for start, stop in route.partial:
        for item in analytics_store.analysed_images(
            user_id=None, tag=tag, since=iso(start), until=iso(stop), max_items=remaining
        ):
            if remaining == 0:
                truncated = True
                break
            totals.add(str(item["image_id"]), loaded(item["findings"]))
            remaining -= 1
    return totals, truncated
