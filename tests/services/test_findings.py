"""Per-image findings summaries and their aggregation, on hand-made inputs with known figures."""

from __future__ import annotations

from typing import Any

from chalicelib.services.findings import aggregate, of_analysis


def _finding(fg: str, bg: str, ratio: float, aa: bool) -> dict[str, Any]:
    return {
        "bbox": [1, 2, 3, 4],
        "foreground": fg,
        "background": bg,
        "ratio": ratio,
        "large_text": False,
        "passes": {"aa": aa, "aaa": False},
    }


def _document(
    findings: list[dict[str, Any]], palette: list[tuple[str, float]], cvd: int
) -> dict[str, Any]:
    pair = {"a": "#cc0000", "b": "#008000", "delta_e_normal": 40.0, "delta_e_simulated": 2.0}
    return {
        "contrast": {"findings": findings},
        "palette": [{"hex": h, "fraction": f, "role": None} for h, f in palette],
        "cvd": {"confusable_pairs": {"deuteranopia": [pair] * cvd, "protanopia": []}},
    }


def test_of_analysis_groups_failing_pairs() -> None:
    doc = _document(
        [
            _finding("#999999", "#ffffff", 2.8, False),
            _finding("#999999", "#ffffff", 2.5, False),
            _finding("#000000", "#ffffff", 21.0, True),
            _finding("#777777", "#eeeeee", 3.9, False),
        ],
        [("#ffffff", 0.8), ("#000000", 0.1)],
        cvd=2,
    )
    summary = of_analysis(doc)
    assert summary["text_findings"] == 4 and summary["text_passing_aa"] == 1
    assert summary["failing_pairs"] == [
        {"fg": "#999999", "bg": "#ffffff", "n": 2, "worst": 2.5},
        {"fg": "#777777", "bg": "#eeeeee", "n": 1, "worst": 3.9},
    ]
    assert [w["ratio"] for w in summary["worst"]] == [2.5, 2.8, 3.9]
    assert summary["cvd"] == {"deuteranopia": 2, "protanopia": 0}


def test_aggregate_known_figures() -> None:
    a = of_analysis(
        _document(
            [_finding("#999999", "#ffffff", 2.8, False), _finding("#000000", "#ffffff", 21, True)],
            [("#ffffff", 0.8), ("#000000", 0.1)],
            cvd=0,
        )
    )
    b = of_analysis(
        _document(
            [
                _finding("#999999", "#ffffff", 2.2, False),
                _finding("#999999", "#ffffff", 2.6, False),
            ],
            [("#ffffff", 0.6), ("#cc0000", 0.2)],
            cvd=1,
        )
    )
    c = of_analysis(
        _document([_finding("#111111", "#ffffff", 18, True)], [("#111111", 0.5)], cvd=0)
    )
    result = aggregate([("img_a", a), ("img_b", b), ("img_c", c)], scope={"user_id": "u"})
    assert result.images_analysed == 3
    assert result.images_passing_aa == 1 and result.share_images_passing_aa == 0.3333
    assert result.text_findings == 5 and result.text_findings_passing_aa == 2
    assert result.share_text_passing_aa == 0.4
    [pair] = result.most_frequent_failing_pairs
    assert (pair.foreground, pair.background, pair.findings, pair.images, pair.worst_ratio) == (
        "#999999",
        "#ffffff",
        3,
        2,
        2.2,
    )
    assert [(w.ratio, w.image_id) for w in result.worst_ratios] == [
        (2.2, "img_b"),
        (2.6, "img_b"),
        (2.8, "img_a"),
    ]
    colours = [(c.hex, c.images, c.share) for c in result.most_used_colours]
    assert colours[0] == ("#ffffff", 2, round((0.8 + 0.6) / 3, 4))
    assert {c.deficiency: (c.images, c.pairs) for c in result.cvd_risks} == {
        "deuteranopia": (1, 1),
        "protanopia": (0, 0),
    }
    assert result.images_with_cvd_risk == 1


def test_aggregate_of_nothing() -> None:
    result = aggregate([], scope={})
    assert result.images_analysed == 0 and result.share_images_passing_aa is None
    assert result.most_used_colours == [] and result.worst_ratios == []


def test_months_of_a_range() -> None:
    from chalicelib.store.analytics import _months

    assert _months("2026-11-03T00:00:00.000Z", "2027-02-01T00:00:00.000Z") == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    assert _months("2026-05-01T00:00:00.000Z", "2026-05-09T00:00:00.000Z") == ["2026-05"]


def test_csv_defuses_spreadsheet_formulas() -> None:
    from chalicelib.services.findings import to_csv

    text = to_csv(aggregate([], scope={"tag": '=HYPERLINK("x")', "user_id": "u"}))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
