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


@dataclass
class _Pair:
    findings: int = 0
    images: int = 0
    worst: float = float("inf")


@dataclass
class _Totals:
    images: int = 0
    images_passing: int = 0
    text: int = 0
    text_passing: int = 0
    images_with_cvd: int = 0
    pairs: dict[tuple[str, str], _Pair] = field(default_factory=dict)
    worst: list[WorstFinding] = field(default_factory=list)
    colour_images: dict[str, int] = field(default_factory=dict)
    colour_share: dict[str, float] = field(default_factory=dict)
    cvd_images: dict[str, int] = field(default_factory=dict)
    cvd_pairs: dict[str, int] = field(default_factory=dict)

    def add(self, image_id: str, summary: dict[str, Any]) -> None:
        self.images += 1
        self.text += int(summary["text_findings"])
        self.text_passing += int(summary["text_passing_aa"])
        if summary["text_passing_aa"] == summary["text_findings"]:
            self.images_passing += 1
        for p in summary["failing_pairs"]:
            pair = self.pairs.setdefault((p["fg"], p["bg"]), _Pair())
            pair.findings += int(p["n"])
            pair.images += 1
            pair.worst = min(pair.worst, float(p["worst"]))
        for w in summary["worst"]:
            self.worst.append(
                WorstFinding(
                    image_id=image_id,
                    foreground=w["fg"],
                    background=w["bg"],
                    ratio=float(w["ratio"]),
                    bbox=[int(v) for v in w["bbox"]],
                    large_text=w["large_text"],
                )
            )
        self.worst = sorted(self.worst, key=lambda w: (w.ratio, w.image_id))[:TOP_WORST]
        for c in summary["palette"]:
            self.colour_images[c["hex"]] = self.colour_images.get(c["hex"], 0) + 1
            self.colour_share[c["hex"]] = self.colour_share.get(c["hex"], 0.0) + float(
                c["fraction"]
            )
        any_cvd = False
        for name, count in summary["cvd"].items():
            self.cvd_pairs[name] = self.cvd_pairs.get(name, 0) + int(count)
            self.cvd_images.setdefault(name, 0)
            if count:
                self.cvd_images[name] += 1
                any_cvd = True
        self.images_with_cvd += any_cvd


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def aggregate(
    images: Iterable[tuple[str, dict[str, Any]]],
    *,
    scope: dict[str, str | None],
    truncated: bool = False,
) -> FindingsSummary:
    """Add up ``(image_id, findings summary)`` pairs into the figures of a set of images."""
    t = _Totals()
    for image_id, summary in images:
        t.add(image_id, summary)
    pairs = sorted(
        t.pairs.items(), key=lambda kv: (-kv[1].findings, -kv[1].images, kv[1].worst, kv[0])
    )[:TOP_PAIRS]
    colours = sorted(t.colour_images, key=lambda h: (-t.colour_images[h], -t.colour_share[h], h))[
        :TOP_COLOURS
    ]
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
            CvdStat(deficiency=name, images=t.cvd_images[name], pairs=t.cvd_pairs[name])
            for name in sorted(t.cvd_pairs)
        ],
        most_frequent_failing_pairs=[
            ColourPairStat(
                foreground=fg,
                background=bg,
                findings=p.findings,
                images=p.images,
                worst_ratio=p.worst,
            )
            for (fg, bg), p in pairs
        ],
        worst_ratios=t.worst,
        most_used_colours=[
            ColourStat(
                hex=h, images=t.colour_images[h], share=round(t.colour_share[h] / t.images, 4)
            )
            for h in colours
        ],
        truncated=truncated,
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
