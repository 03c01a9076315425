"""Every benchmark set of the analysis engine, scored in one run, one line per set and kind.

    python benchmarks/all_sets.py [--sets corpus,heldout_b,...] [--cache DIR]

An engine change is judged on all of them, not on the corpus alone: the shared corpus (pages
and its q85 / s60 variants), its further variants (q70, WebP, Lanczos 75 % / 50 %, bicubic
67 %, bilinear 60 %), its box-averaged downscales, and the held-out page sets of
`benchmarks/heldout*/` with their variants. Sets not yet on disk are made first, in `--cache`
(default `/tmp/janus-sets`): the further and box variants from the corpus
(`analysis_quality.py --make-variants / --make-box-variants`), the held-out sets rendered with
headless Chromium (`heldout_pages.py`, which says what it needs). `heldout_d` (the judging set
of session 12) is a development set since session 13 and is scored by default, as is `heldout_f`
(made in session 18); `heldout_e` is for judging a session's result once at its end: it is
scored only when named in `--sets`.

Columns: palette recall / precision; failing-text recall and precision (with their counts);
median and 90th percentile of the ratio error and the count of covered elements off by more
than 1.0; coverage (of all text elements); wrong AA verdicts (of them flagged `aa_uncertain`)
and all flagged findings. The scoring rules are those of `analysis_quality.py`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import analysis_quality  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpus"
DEFAULT_SETS = (
    "corpus",
    "further",
    "box",
    "heldout",
    "heldout_b",
    "heldout_c",
    "heldout_d",
    "heldout_f",
)


def _folder(name: str, cache: Path) -> Path:
    """The set's folder, made first if it is not on disk yet."""
    if name == "corpus":
        return CORPUS.resolve()
    folder = cache / name
    if any(folder.glob("*.json")) or (folder / "variants").is_dir():
        return folder
    script = ROOT / "benchmarks"
    if name == "further":
        cmd = [str(script / "analysis_quality.py"), "--make-variants", str(CORPUS), str(folder)]
    elif name == "box":
        cmd = [str(script / "analysis_quality.py"), "--make-box-variants", str(CORPUS), str(folder)]
    else:
        cmd = [str(script / "heldout_pages.py"), str(folder), "--set", name, "--no-axe"]
    subprocess.run([sys.executable, *cmd], check=True, stdout=subprocess.DEVNULL)
    return folder


def line(name: str, result: dict[str, object]) -> str:
    c: dict[str, object] = result["contrast"]  # type: ignore[assignment]
    p: dict[str, float] = result["palette"]["janus"]  # type: ignore[index]
    return (
        f"{name:20s} pal {p['recall']:.3f}/{p['precision']:.3f}  "
        f"rec {c['fail_recall']:.3f}({c['fail_recall_n']}) "
        f"prec {c['fail_precision']:.3f}({c['fail_precision_n']})  "
        f"p50 {c['ratio_error_p50']} p90 {c['ratio_error_p90']} off>1 {c['ratio_error_above_1']}  "
        f"cov {c['coverage']:.3f}({c['elements']})  "
        f"wrong {c['aa_verdicts_wrong']}({c['aa_verdicts_wrong_flagged']}) "
        f"flagged {c['aa_uncertain_findings']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(DEFAULT_SETS))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/janus-sets"))
    args = parser.parse_args()
    analysis_quality.PEERS = {}  # peers are compared by analysis_quality.py itself
    for name in args.sets.split(","):
        results = analysis_quality.run(_folder(name, args.cache))
        for kind, result in results.items():
            print(line(f"{name}/{kind}", result), flush=True)


if __name__ == "__main__":
    main()
