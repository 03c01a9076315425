"""Aggregate findings: what one analysis contributes, and what a set of analyses adds up to.

``of_analysis`` runs in the analysis function when an image becomes ``analyzed``: it boils the
AnalysisResult down to a small, fixed-size summary that is stored on the image record (attribute
``findings``). ``aggregate`` runs in the API over the summaries a Query returns. Pure Python (no
numpy): both functions load it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.models.analytics import (
    ColourPairStat,
    ColourStat,
    CvdStat,
    FindingsSummary,
    WorstFinding,
)

SCHEMA = 1
PALETTE_PER_IMAGE = 8
WORST_PER_IMAGE = 5
TOP_PAIRS = 10
TOP_WORST = 10
TOP_COLOURS = 12


def of_analysis(document: dict[str, Any]) -> dict[str, Any]:
    """The per-image findings summary of an AnalysisResult (JSON-shaped dict)."""
    findings = document["contrast"]["findings"]
    failing = [f for f in findings if not f["passes"]["aa"]]
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for f in failing:
        pair = pairs.setdefault(
            (f["foreground"], f["background"]),
            {"fg": f["foreground"], "bg": f["background"], "n": 0, "worst": f["ratio"]},
        )
        pair["n"] += 1
        pair["worst"] = min(pair["worst"], f["ratio"])
    worst = sorted(failing, key=lambda f: f["ratio"])[:WORST_PER_IMAGE]
    confusable = document.get("cvd", {}).get("confusable_pairs", {})
    return {
        "v": SCHEMA,
        "text_findings": len(findings),
        "text_passing_aa": len(findings) - len(failing),
        "failing_pairs": sorted(pairs.values(), key=lambda p: (-p["n"], p["worst"])),
        "worst": [
            {
                "fg": f["foreground"],
                "bg": f["background"],
                "ratio": f["ratio"],
                "bbox": list(f["bbox"]),
                "large_text": f["large_text"],
            }
            for f in worst
        ],
        "palette": [
            {"hex": p["hex"], "fraction": p["fraction"]}
            for p in document["palette"][:PALETTE_PER_IMAGE]
        ],
        "cvd": {name: len(found) for name, found in sorted(confusable.items())},
    }


def stored(document: dict[str, Any]) -> str:
    """``of_analysis`` as the compact JSON text kept on the image record (attribute ``findings``).

    A string rather than a DynamoDB map: it is read whole, never queried into, and a flat string
    is cheaper to store, project and deserialise than hundreds of nested attribute values.
    """
    return json.dumps(of_analysis(document), separators=(",", ":"))


def loaded(value: str | dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return result


def _pair_key(fg: str, bg: str) -> str:
    return f"{fg} {bg}"


@dataclass
class Totals:
    """The mergeable figures of a set of analysed images: added to, taken from, merged.

    The same structure is the API's in-memory sum over a Query and the body of a stored rollup
    (``to_json``), which the rollup function changes as images come and go. Counters are exact
    under both add and remove. Three parts cannot be subtracted exactly once cut, and say so:
    the worst findings keep the ``keep_worst`` lowest ratios (``worst_floor``: ratios at or
    above it may be missing), and pairs and colours are kept to ``keep_entries`` each
    (``evicted``: some rare ones were dropped to keep a rollup inside DynamoDB's item size).
    """

    images: int = 0
    images_passing: int = 0
    text: int = 0
    text_passing: int = 0
    images_with_cvd: int = 0
    # "fg bg" -> [failing findings, images, ratio]: the engine computes a finding's ratio from
    # its two 8-bit colours, so one pair has one ratio and keeping the lowest stays exact.
    pairs: dict[str, list[Any]] = field(default_factory=dict)
    # [ratio, image_id, fg, bg, bbox, large_text], lowest ratio first
    worst: list[list[Any]] = field(default_factory=list)
    worst_floor: float | None = None
    # hex -> [images, summed fraction]
    colours: dict[str, list[Any]] = field(default_factory=dict)
    # deficiency -> [images with a confusable pair, pairs]
    cvd: dict[str, list[int]] = field(default_factory=dict)
    evicted: bool = False
    keep_worst: int = TOP_WORST
    keep_entries: int | None = None

    def add(self, image_id: str, summary: dict[str, Any]) -> None:
        self._count(image_id, summary, 1)

    def remove(self, image_id: str, summary: dict[str, Any]) -> None:
        """Take back what ``add`` put in for this image (the rollup function on delete/change)."""
        self._count(image_id, summary, -1)

    def _count(self, image_id: str, summary: dict[str, Any], sign: int) -> None:
        self.images += sign
        self.text += sign * int(summary["text_findings"])
        self.text_passing += sign * int(summary["text_passing_aa"])
        if summary["text_passing_aa"] == summary["text_findings"]:
            self.images_passing += sign
        for p in summary["failing_pairs"]:
            key = _pair_key(p["fg"], p["bg"])
            if sign > 0:
                self.pairs.setdefault(key, [0, 0, float(p["worst"])])
                self.pairs[key][2] = min(self.pairs[key][2], float(p["worst"]))
            self._bump(self.pairs, key, [int(p["n"]), 1], sign)
        for c in summary["palette"]:
            if sign > 0:
                self.colours.setdefault(c["hex"], [0, 0.0])
            self._bump(self.colours, c["hex"], [1, float(c["fraction"])], sign)
        any_cvd = False
        for name, count in summary["cvd"].items():
            counts = self.cvd.setdefault(name, [0, 0])
            counts[0] += sign * bool(count)
            counts[1] += sign * int(count)
            any_cvd = any_cvd or bool(count)
        self.images_with_cvd += sign * any_cvd
        if sign > 0:
            self.worst.extend(
                [float(w["ratio"]), image_id, w["fg"], w["bg"], list(w["bbox"]), w["large_text"]]
                for w in summary["worst"]
            )
            self._cut()
        else:
            self.worst = [w for w in self.worst if w[1] != image_id]

    def _bump(self, table: dict[str, list[Any]], key: str, amounts: list[Any], sign: int) -> None:
        """Change the leading counters of an entry; it goes when its image count reaches 0."""
        entry = table.get(key)
        if entry is None:  # evicted earlier: nothing left to take back
            return
        for i, amount in enumerate(amounts):
            entry[i] = round(entry[i] + sign * amount, 6)
        images = entry[0] if table is self.colours else entry[1]
        if images <= 0:
            del table[key]

    def _cut(self) -> None:
        self.worst.sort(key=lambda w: (w[0], w[1]))
        if len(self.worst) > self.keep_worst:
            dropped = float(self.worst[self.keep_worst][0])
            self.worst_floor = (
                dropped if self.worst_floor is None else min(self.worst_floor, dropped)
            )
            del self.worst[self.keep_worst :]
        if self.keep_entries is not None:
            for table in (self.pairs, self.colours):
                if len(table) > self.keep_entries:
                    ranked = sorted(table, key=lambda k: (-table[k][0], -table[k][1], k))
                    for key in ranked[self.keep_entries :]:
                        del table[key]
                    self.evicted = True

    def merge(self, other: Totals) -> None:
        """Add a whole other set (another rollup bucket) into this one."""
        self.images += other.images
        self.images_passing += other.images_passing
        self.text += other.text
        self.text_passing += other.text_passing
        self.images_with_cvd += other.images_with_cvd
        for key, (findings, images, worst) in other.pairs.items():
            mine = self.pairs.setdefault(key, [0, 0, worst])
            mine[0] += findings
            mine[1] += images
            mine[2] = min(mine[2], worst)
        for key, (images, share) in other.colours.items():
            mine = self.colours.setdefault(key, [0, 0.0])
            mine[0] += images
            mine[1] = round(mine[1] + share, 6)
        for name, (images, pairs) in other.cvd.items():
            counts = self.cvd.setdefault(name, [0, 0])
            counts[0] += images
            counts[1] += pairs
        self.worst.extend(other.worst)
        if other.worst_floor is not None:
            self.worst_floor = (
                other.worst_floor
                if self.worst_floor is None
                else min(self.worst_floor, other.worst_floor)
            )
        self.evicted = self.evicted or other.evicted
        self._cut()

    def worst_complete(self) -> bool:
        """Whether the top ``TOP_WORST`` are exact: nothing that could belong there was cut."""
        if self.worst_floor is None:
            return True
        top = self.worst[:TOP_WORST]
        # At equality a missing finding has the same ratio: only which image is named could differ.
        return len(top) == TOP_WORST and float(top[-1][0]) <= self.worst_floor

    def to_json(self) -> str:
        body = {
            "v": SCHEMA,
            "n": [self.images, self.images_passing, self.text, self.text_passing],
            "cvd_images": self.images_with_cvd,
            "pairs": self.pairs,
            "worst": self.worst,
            "worst_floor": self.worst_floor,
            "colours": self.colours,
            "cvd": self.cvd,
            "evicted": self.evicted,
        }
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, **limits: Any) -> Totals:
        body = json.loads(text)
        images, passing, text_n, text_passing = body["n"]
        return cls(
            images=images,
            images_passing=passing,
            text=text_n,
            text_passing=text_passing,
            images_with_cvd=body["cvd_images"],
            pairs=body["pairs"],
            worst=body["worst"],
            worst_floor=body["worst_floor"],
            colours=body["colours"],
            cvd=body["cvd"],
            evicted=body["evicted"],
            **limits,
        )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def aggregate(
    images: Iterable[tuple[str, dict[str, Any]]],
    *,
    scope: dict[str, str | None],
    truncated: bool = False,
) -> FindingsSummary:
    """Add up ``(image_id, findings summary)`` pairs into the figures of a set of images."""
    totals = Totals()
    for image_id, summary in images:
        totals.add(image_id, summary)
    return summarise(totals, scope=scope, truncated=truncated)


def summarise(
    t: Totals, *, scope: dict[str, str | None], truncated: bool = False
) -> FindingsSummary:
    """The figures users read, from a set's totals."""
    pairs = sorted(t.pairs.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2], kv[0]))[
        :TOP_PAIRS
    ]
    colours = sorted(t.colours, key=lambda h: (-t.colours[h][0], -t.colours[h][1], h))[:TOP_COLOURS]
    return FindingsSummary(
        scope=scope,
        images_analysed=t.images,
        images_passing_aa=t.images_passing,
        share_images_passing_aa=_share(t.images_passing, t.images),
        text_findings=t.text,
        text_findings_passing_aa=t.text_passing,
        share_text_passing_aa=_share(t.text_passing, t.text),
        images_with_cvd_risk=t.images_with_cvd,
        cvd_risks=[
            CvdStat(deficiency=name, images=images, pairs=pairs_n)
            for name, (images, pairs_n) in sorted(t.cvd.items())
            if images or pairs_n or t.images
        ],
        most_frequent_failing_pairs=[
            ColourPairStat(
                foreground=key.split(" ")[0],
                background=key.split(" ")[1],
                findings=findings,
                images=images,
                worst_ratio=worst,
            )
            for key, (findings, images, worst) in pairs
        ],
        worst_ratios=[
            WorstFinding(
                image_id=image_id,
                foreground=fg,
                background=bg,
                ratio=ratio,
                bbox=[int(v) for v in bbox],
                large_text=large,
            )
            for ratio, image_id, fg, bg, bbox, large in t.worst[:TOP_WORST]
        ],
        most_used_colours=[
            ColourStat(hex=h, images=t.colours[h][0], share=round(t.colours[h][1] / t.images, 4))
            for h in colours
        ],
        truncated=truncated,
        approximate=t.evicted or not t.worst_complete(),
    )


class _SafeWriter:
    """A CSV writer that defuses text a spreadsheet would run as a formula (``=``, ``+``, ...)."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow(
            [
                "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                for v in row
            ]
        )


def to_csv(summary: FindingsSummary) -> str:
    """Long format, one figure per row: ``section, rank, subject, metric, value``."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "rank", "subject", "metric", "value"])
    for key, value in summary.scope.items():
        writer.writerow(["scope", "", "", key, "" if value is None else value])
    for metric in (
        "images_analysed",
        "images_passing_aa",
        "share_images_passing_aa",
        "text_findings",
        "text_findings_passing_aa",
        "share_text_passing_aa",
        "images_with_cvd_risk",
        "truncated",
        "approximate",
    ):
        value = getattr(summary, metric)
        writer.writerow(["totals", "", "", metric, "" if value is None else value])
    for rank, pair in enumerate(summary.most_frequent_failing_pairs, 1):
        subject = f"{pair.foreground} on {pair.background}"
        for metric in ("findings", "images", "worst_ratio"):
            writer.writerow(["failing_pair", rank, subject, metric, getattr(pair, metric)])
    for rank, worst in enumerate(summary.worst_ratios, 1):
        subject = f"{worst.foreground} on {worst.background} in {worst.image_id}"
        writer.writerow(["worst_ratio", rank, subject, "ratio", worst.ratio])
        writer.writerow(["worst_ratio", rank, subject, "bbox", " ".join(map(str, worst.bbox))])
    for rank, colour in enumerate(summary.most_used_colours, 1):
        writer.writerow(["colour", rank, colour.hex, "images", colour.images])
        writer.writerow(["colour", rank, colour.hex, "share", colour.share])
    for cvd in summary.cvd_risks:
        writer.writerow(["cvd", "", cvd.deficiency, "images", cvd.images])
        writer.writerow(["cvd", "", cvd.deficiency, "pairs", cvd.pairs])
    return out.getvalue()
