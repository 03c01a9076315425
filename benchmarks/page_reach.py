"""Thin-word reach on real rendered pages, measured against the browser's ground truth.

    python benchmarks/page_reach.py FOLDER [FOLDER ...]

Where `thin_reach.py` measures synthetic words, this one takes the pages of benchmark folders
(the corpus's `variants/`, the further variants, the held-out sets' `variants/`, as
`all_sets.py` makes them) with the text colours the browser computed. Every lossless
downscale goes through the engine; for each word without stroke cores (those
`downscaled_ink.resnap_downscaled` extrapolates) lying on exactly one text element of certain
background, whose background the engine read within 4 codes and whose ink differs from it by
60 codes or more, the reach is the share of the way from the background to the true ink that
the word's extreme estimate gets, projected on the blend ray. It prints the quartiles and
median by whether the image rang (`downscaled_ink._rings`) and band of measured font size
(output pixels), per variant kind and over all: the figures `_THIN_REACH` and
`_SMOOTH_REACH` are set from.
"""

from __future__ import annotations

import bisect
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis_quality import _inside_half  # noqa: E402

from chalicelib.analysis import analyze_bytes, downscaled_ink  # noqa: E402
from chalicelib.analysis.colour import from_hex  # noqa: E402
from chalicelib.analysis.ink_measure import Measured, stroke_cores  # noqa: E402
from chalicelib.analysis.ink_snap import ColourSnapper  # noqa: E402

BANDS = (0.0, 7.0, 9.0, 10.0, 12.0, 15.0, 99.0)


def _words(image: Path) -> tuple[list[tuple[Measured, bool]], bool]:
    """The engine's coreless words of a downscale and whether the image rang."""
    seen: list[tuple[list[Measured], Any, bool]] = []
    resnap = downscaled_ink.resnap_downscaled

    def spy(measured: list[Measured], snap: ColourSnapper, rgb: Any) -> list[Measured]:
        cores = [stroke_cores(rgb, m) for m in measured]
        seen.append((measured, cores, downscaled_ink._rings(measured, rgb)))
        return resnap(measured, snap, rgb)

    downscaled_ink.resnap_downscaled = spy  # the engine calls it through the module
    try:
        analyze_bytes(image.read_bytes())
    finally:
        downscaled_ink.resnap_downscaled = resnap
    if not seen:
        return [], False
    measured, cores, rings = seen[0]
    return [(m, c.fg is None) for m, c in zip(measured, cores, strict=True)], rings


def reaches(folders: list[Path]) -> list[tuple[str, bool, float, float]]:
    """(variant kind, rang, measured font px, reach) of every usable coreless word."""
    rows = []
    for folder in folders:
        for jf in sorted(folder.glob("*.json")):
            meta = json.loads(jf.read_text())
            name = meta.get("image_file", jf.stem + ".png")
            if not name.endswith(".png"):
                continue
            kind = Path(name).stem.rsplit("-", 1)[-1]
            words, rings = _words(folder / name)
            for m, coreless in words:
                r = m.region
                box = [r.x, r.y, r.w, r.h]
                on = [e for e in meta["text_elements"] if _inside_half(box, e["bbox"])]
                if not coreless or len(on) != 1 or on[0]["bg_uncertain"]:
                    continue
                bg = np.array(from_hex(on[0]["bg"]), dtype=np.float64)
                ray = np.array(from_hex(on[0]["fg"]), dtype=np.float64) - bg
                if np.abs(np.array(m.bg) - bg).max() > 4 or np.linalg.norm(ray) < 60:
                    continue
                reach = float(np.dot(np.array(m.fg_estimate) - bg, ray) / np.dot(ray, ray))
                rows.append((kind, rings, m.font_px, reach))
    return rows


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]]
    if not folders:
        sys.exit(__doc__)
    groups: dict[tuple[bool, int, str], list[float]] = defaultdict(list)
    for kind, rings, font_px, reach in reaches(folders):
        band = bisect.bisect_right(BANDS, font_px) - 1
        groups[(rings, band, kind)].append(reach)
        groups[(rings, band, "all")].append(reach)
    for (rings, band, kind), values in sorted(groups.items(), key=lambda kv: str(kv[0])):
        v = np.array(values)
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        print(
            f"rings={rings!s:5} font {BANDS[band]:>4.0f}-{BANDS[band + 1]:<4.0f} {kind:5s} "
            f"n={len(v):4d}  p25 {q1:.2f}  median {med:.2f}  p75 {q3:.2f}"
        )


if __name__ == "__main__":
    main()
