"""Quality benchmark of the analysis engine on a corpus folder with browser ground truth.

    python benchmarks/analysis_quality.py [CORPUS_DIR] [-v]     (default: ../shared/corpus)
    python benchmarks/analysis_quality.py --make-variants CORPUS_DIR OUT_DIR
    python benchmarks/analysis_quality.py --make-box-variants CORPUS_DIR OUT_DIR
    python benchmarks/analysis_quality.py --errors FOLDER     (covered elements, worst ratio first)

Scoring (issue 3):
- Palette: design colours are ground-truth colours covering >= 0.5 % of the page. Recall is the
  share of design colours matched by a reported colour at CIEDE2000 <= 3; precision is the share
  of reported colours within CIEDE2000 <= 3 of any ground-truth colour. Micro-averaged over
  pages. Every peer runs in the same process on the same images: an exact-colour histogram
  (colours covering >= 0.5 %), Pillow FASTOCTREE (16 colours, those covering >= 0.5 %), and
  Pylette (KMeans, 10 colours) and ColorThief (10 colours) when installed.
- Contrast: a finding counts for a text element when at least half of the finding's box lies
  inside the element's box. Recall: of the text elements failing AA in the ground truth (not
  disabled, background certain), the share overlapped by a failing finding. Precision: of the
  failing findings, the share lying on a text element whose ground-truth ratio fails its AA
  threshold (a failing finding on no element counts against; findings on background-uncertain
  elements are left out). Ratio error: per covered element (background certain), |median ratio
  of its findings - true ratio|. Coverage: share of all text elements with at least one finding.
  Verdicts (not an issue figure): findings lying on exactly one element (background certain,
  not disabled) whose AA verdict disagrees with the truth, and how many of them the engine
  flags `aa_uncertain`.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.analysis import analyze_bytes  # noqa: E402
from chalicelib.analysis.colour import delta_e_2000, from_hex, srgb_to_cielab  # noqa: E402

DESIGN_MIN_FRACTION = 0.005
MATCH_DE = 3.0


def _lab(hexes: list[str]) -> np.ndarray:
    return srgb_to_cielab(np.array([from_hex(h) for h in hexes], dtype=np.float64).reshape(-1, 3))


def palette_counts(reported: list[str], truth: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    design = [t["hex"] for t in truth if t["fraction"] >= DESIGN_MIN_FRACTION]
    all_truth = [t["hex"] for t in truth]
    if not reported:
        return 0, len(design), 0, 0
    rl = _lab(reported)
    de_rec = delta_e_2000(_lab(design)[:, None], rl[None])
    de_prec = delta_e_2000(rl[:, None], _lab(all_truth)[None])
    return (
        int((de_rec.min(axis=1) <= MATCH_DE).sum()),
        len(design),
        int((de_prec.min(axis=1) <= MATCH_DE).sum()),
        len(reported),
    )


# ---- peers ----------------------------------------------------------------------------------


def _hex(rgb: Any) -> str:
    r, g, b = (int(v) for v in rgb[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def peer_exact_histogram(data: bytes) -> list[str]:
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).reshape(-1, 3)
    keys = (rgb[:, 0].astype(np.int32) << 16) | (rgb[:, 1].astype(np.int32) << 8) | rgb[:, 2]
    uniq, counts = np.unique(keys, return_counts=True)
    order = np.argsort(-counts)
    out = []
    for k, c in zip(uniq[order], counts[order], strict=True):
        if c / keys.size < DESIGN_MIN_FRACTION:
            break
        out.append(_hex(((k >> 16) & 255, (k >> 8) & 255, k & 255)))
    return out


def peer_fastoctree(data: bytes) -> list[str]:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    q = im.quantize(colors=16, method=Image.Quantize.FASTOCTREE)
    pal = q.getpalette() or []
    counts = q.getcolors() or []
    total = im.width * im.height
    out = []
    for count, idx in sorted(counts, reverse=True):
        if count / total >= DESIGN_MIN_FRACTION:
            out.append(_hex(pal[3 * idx : 3 * idx + 3]))
    return out


def peer_pylette(data: bytes) -> list[str]:
    import pylette

    pal = pylette.extract_colors(image=data, palette_size=10)
    return [_hex(c.rgb) for c in pal.colors]


def peer_colorthief(data: bytes) -> list[str]:
    from colorthief import ColorThief

    return [_hex(c) for c in ColorThief(io.BytesIO(data)).get_palette(color_count=10)]


PEERS = {
    "exact-histogram": peer_exact_histogram,
    "pillow-fastoctree": peer_fastoctree,
    "pylette": peer_pylette,
    "colorthief": peer_colorthief,
}


# ---- contrast --------------------------------------------------------------------------------


def _inside_half(f: list[int], e: list[int]) -> bool:
    ix = max(0, min(f[0] + f[2], e[0] + e[2]) - max(f[0], e[0]))
    iy = max(0, min(f[1] + f[3], e[1] + e[3]) - max(f[1], e[1]))
    return ix * iy >= 0.5 * f[2] * f[3]


def _fails(e: dict[str, Any]) -> bool:
    return bool(e["ratio"] < (3.0 if e["large_text"] else 4.5))


def contrast_scores(
    findings: list[dict[str, Any]], elements: list[dict[str, Any]]
) -> dict[str, Any]:
    on: list[list[int]] = [[] for _ in findings]
    for i, f in enumerate(findings):
        for j, e in enumerate(elements):
            if _inside_half(f["bbox"], e["bbox"]):
                on[i].append(j)
    covered = [any(j in o for o in on) for j in range(len(elements))]
    truth_fail = [
        j
        for j, e in enumerate(elements)
        if _fails(e) and not e["disabled"] and not e["bg_uncertain"]
    ]
    failing = [i for i, f in enumerate(findings) if not f["passes"]["aa"]]
    hit = sum(any(j in on[i] for i in failing) for j in truth_fail)
    tp = fp = 0
    for i in failing:
        if not on[i]:
            fp += 1
            continue
        els = [elements[j] for j in on[i]]
        if all(e["bg_uncertain"] for e in els):
            continue
        if any(_fails(e) for e in els if not e["bg_uncertain"]):
            tp += 1
        else:
            fp += 1
    errors = []
    ranged = in_range = 0
    for j, e in enumerate(elements):
        if not covered[j] or e["bg_uncertain"]:
            continue
        ratios = [findings[i]["ratio"] for i in range(len(findings)) if j in on[i]]
        errors.append(abs(float(np.median(ratios)) - e["ratio"]))
        spans = [findings[i]["ratio_range"] for i in range(len(findings)) if j in on[i]]
        spans = [r for r in spans if r]
        if spans:  # the element's ink could not be read: does the range hold the truth?
            low, high = min(r[0] for r in spans), max(r[1] for r in spans)
            ranged += 1
            in_range += int(low - 0.05 <= e["ratio"] <= high + 0.05)
    # AA verdicts per finding on one element (background certain, not disabled): how many are
    # wrong, and how many of those say the verdict is not certain (`aa_uncertain`).
    wrong = wrong_flagged = flagged = 0
    for i, f in enumerate(findings):
        els = [elements[j] for j in on[i] if not elements[j]["bg_uncertain"]]
        if len(els) != 1 or els[0]["disabled"]:
            continue
        flagged += int(f["aa_uncertain"])
        if (not f["passes"]["aa"]) != _fails(els[0]):
            wrong += 1
            wrong_flagged += int(f["aa_uncertain"])
    return {
        "verdicts_wrong": wrong,
        "verdicts_wrong_flagged": wrong_flagged,
        "verdicts_flagged": flagged,
        "recall_hit": hit,
        "recall_n": len(truth_fail),
        "prec_tp": tp,
        "prec_n": tp + fp,
        "errors": errors,
        "covered": sum(covered),
        "elements": len(elements),
        "ranged": ranged,
        "in_range": in_range,
    }


def _pages(corpus: Path) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
    sets: dict[str, list[tuple[Path, dict[str, Any]]]] = {"pages": [], "variants": []}
    for jf in sorted(corpus.glob("*.json")):
        sets["pages"].append((corpus / (jf.stem + ".png"), json.loads(jf.read_text())))
    vdir = corpus / "variants"
    for jf in sorted(vdir.glob("*.json")) if vdir.is_dir() else []:
        meta = json.loads(jf.read_text())
        sets["variants"].append((vdir / meta["image_file"], meta))
    return sets


def run(corpus: Path, verbose: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for set_name, pages in _pages(corpus).items():
        if not pages:
            continue
        pal: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in ["janus", *PEERS]}
        skipped: set[str] = set()
        agg = {
            "recall_hit": 0,
            "recall_n": 0,
            "prec_tp": 0,
            "prec_n": 0,
            "covered": 0,
            "elements": 0,
            "ranged": 0,
            "in_range": 0,
            "verdicts_wrong": 0,
            "verdicts_wrong_flagged": 0,
            "verdicts_flagged": 0,
        }
        errors: list[float] = []
        errors_by_kind: dict[str, list[float]] = {}
        for image, meta in pages:
            data = image.read_bytes()
            t0 = time.perf_counter()
            result = analyze_bytes(data).model_dump(mode="json")
            dt = time.perf_counter() - t0
            truth = meta["palette_truth"]
            counts = palette_counts([p["hex"] for p in result["palette"]], truth)
            pal["janus"] = [a + b for a, b in zip(pal["janus"], counts, strict=True)]
            for name, peer in PEERS.items():
                try:
                    reported = peer(data)
                except ImportError:
                    skipped.add(name)
                    continue
                pc = palette_counts(reported, truth)
                pal[name] = [a + b for a, b in zip(pal[name], pc, strict=True)]
            cs = contrast_scores(result["contrast"]["findings"], meta["text_elements"])
            for k in agg:
                agg[k] += cs[k]
            errors.extend(cs["errors"])
            if set_name == "variants":  # NAME-q85.jpg -> q85
                kind = image.stem.rsplit("-", 1)[-1]
                errors_by_kind.setdefault(kind, []).extend(cs["errors"])
            if verbose:
                print(
                    f"  {image.name:30s} palette {counts[0]}/{counts[1]} {counts[2]}/{counts[3]}"
                    f"  fail-recall {cs['recall_hit']}/{cs['recall_n']}"
                    f"  fail-precision {cs['prec_tp']}/{cs['prec_n']}"
                    f"  coverage {cs['covered']}/{cs['elements']}"
                    f"  ratio-err p50 {np.median(cs['errors']) if cs['errors'] else 0:.3f}"
                    f" p90 {np.percentile(cs['errors'], 90) if cs['errors'] else 0:.3f}"
                    f"  {dt * 1000:.0f} ms"
                )
        set_result: dict[str, Any] = {"images": len(pages), "palette": {}}
        for name, (rh, rn, ph, pn) in pal.items():
            if name in skipped:
                set_result["palette"][name] = "not installed"
                continue
            set_result["palette"][name] = {
                "recall": round(rh / max(rn, 1), 3),
                "precision": round(ph / max(pn, 1), 3),
            }
        set_result["contrast"] = {
            "fail_recall": round(agg["recall_hit"] / max(agg["recall_n"], 1), 3),
            "fail_recall_n": agg["recall_n"],
            "fail_precision": round(agg["prec_tp"] / max(agg["prec_n"], 1), 3),
            "fail_precision_n": agg["prec_n"],
            "ratio_error_p50": round(float(np.median(errors)), 3) if errors else None,
            "ratio_error_p90": round(float(np.percentile(errors, 90)), 3) if errors else None,
            "ratio_error_above_1": sum(e > 1.0 for e in errors),
            "coverage": round(agg["covered"] / max(agg["elements"], 1), 3),
            "elements": agg["elements"],
            # Elements whose findings give a ratio range (ink not readable), and the share of
            # them whose true ratio lies in it (to within rounding, 0.05).
            "ratio_range_elements": agg["ranged"],
            "ratio_range_holds_truth": round(agg["in_range"] / max(agg["ranged"], 1), 3),
            # Findings whose AA verdict disagrees with the truth, those of them flagged
            # `aa_uncertain`, and all flagged findings (the flag's cost).
            "aa_verdicts_wrong": agg["verdicts_wrong"],
            "aa_verdicts_wrong_flagged": agg["verdicts_wrong_flagged"],
            "aa_uncertain_findings": agg["verdicts_flagged"],
        }
        if errors_by_kind:
            set_result["ratio_error_by_kind"] = {
                kind: {
                    "elements": len(errs),
                    "p50": round(float(np.median(errs)), 3),
                    "p90": round(float(np.percentile(errs, 90)), 3),
                }
                for kind, errs in sorted(errors_by_kind.items())
                if errs
            }
        results[set_name] = set_result
    return results


# Downscales written by --make-variants: (suffix, scale, filter). Browsers, operating systems
# and chat apps resample with different filters, so the engine is checked on more than one.
DOWNSCALES = (
    ("s75", 0.75, Image.Resampling.LANCZOS),
    ("s50", 0.5, Image.Resampling.LANCZOS),
    ("b67", 0.67, Image.Resampling.BICUBIC),
    ("l60", 0.6, Image.Resampling.BILINEAR),
)


# Box averaging (OS thumbnailers, browsers): a second check set, written on its own
# (`--make-box-variants`) so that the further variants' figures stay comparable across rounds.
BOX_DOWNSCALES = (
    ("x60", 0.6, Image.Resampling.BOX),
    ("x75", 0.75, Image.Resampling.BOX),
)


def make_variants(corpus: Path, out: Path) -> None:
    """Write further upload-like variants of the corpus pages (not used for tuning): JPEG at
    quality 70, lossy WebP at quality 80, and downscales (`DOWNSCALES`: 75 % and 50 % Lanczos,
    67 % bicubic, 60 % bilinear), each with its ground truth (boxes scaled like the corpus's
    own variants)."""
    vdir = out / "variants"
    vdir.mkdir(parents=True, exist_ok=True)
    for jf in sorted(corpus.glob("*.json")):
        meta = json.loads(jf.read_text())
        name = jf.stem
        im = Image.open(corpus / f"{name}.png").convert("RGB")
        for suffix, fmt, options in (
            ("q70.jpg", "JPEG", {"quality": 70}),
            ("w80.webp", "WEBP", {"quality": 80}),
        ):
            im.save(vdir / f"{name}-{suffix}", fmt, **options)
            (vdir / f"{name}-{suffix.split('.')[0]}.json").write_text(
                json.dumps({**meta, "image_file": f"{name}-{suffix}"})
            )
        _write_downscales(im, name, meta, DOWNSCALES, vdir)


def make_box_variants(corpus: Path, out: Path) -> None:
    """Write box-averaged downscales of the corpus pages (`BOX_DOWNSCALES`) into `out` itself,
    where `python benchmarks/analysis_quality.py OUT` scores them (as its "pages")."""
    out.mkdir(parents=True, exist_ok=True)
    for jf in sorted(corpus.glob("*.json")):
        im = Image.open(corpus / f"{jf.stem}.png").convert("RGB")
        _write_downscales(im, jf.stem, json.loads(jf.read_text()), BOX_DOWNSCALES, out)


def _write_downscales(
    im: Image.Image,
    name: str,
    meta: dict[str, Any],
    downscales: tuple[tuple[str, float, Image.Resampling], ...],
    folder: Path,
) -> None:
    for kind, scale, resample in downscales:
        small = im.resize((round(im.width * scale), round(im.height * scale)), resample)
        small.save(folder / f"{name}-{kind}.png")
        scaled = json.loads(json.dumps(meta))
        scaled["image_file"] = f"{name}-{kind}.png"
        for element in scaled["text_elements"]:
            element["bbox"] = [round(v * scale) for v in element["bbox"]]
        (folder / f"{name}-{kind}.json").write_text(json.dumps(scaled))


def list_errors(folder: Path) -> None:
    """Every covered text element (background certain) of a folder's images, worst ratio error
    first, with the truth and what the engine reported: where engine work should look next."""
    rows = []
    for jf in sorted(folder.glob("*.json")):
        meta = json.loads(jf.read_text())
        image = folder / meta.get("image_file", jf.stem + ".png")
        findings = analyze_bytes(image.read_bytes()).model_dump(mode="json")["contrast"]["findings"]
        for e in meta["text_elements"]:
            on = [f for f in findings if _inside_half(f["bbox"], e["bbox"])]
            if e["bg_uncertain"] or not on:
                continue
            got = float(np.median([f["ratio"] for f in on]))
            pairs = sorted({f"{f['foreground']} on {f['background']}" for f in on})
            rows.append((abs(got - e["ratio"]), got - e["ratio"], image.name, e, pairs))
    rows.sort(key=lambda r: -r[0])
    above = [r for r in rows if r[0] > 1.0]
    print(
        f"{len(rows)} covered elements; {len(above)} off by more than 1.0 "
        f"({sum(r[1] > 0 for r in above)} over, {sum(r[1] < 0 for r in above)} under)"
    )
    for _, signed, name, e, pairs in rows:
        print(
            f"{signed:+7.2f} {name:30s} {e['text'][:24]!r:27s} truth {e['fg']} on {e['bg']}"
            f" {e['ratio']:5.2f}  got {', '.join(pairs)}  {e['font_size_px']}px w{e['font_weight']}"
        )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if "--make-variants" in sys.argv:
        make_variants(Path(args[0]), Path(args[1]))
        return
    if "--make-box-variants" in sys.argv:
        make_box_variants(Path(args[0]), Path(args[1]))
        return
    if "--errors" in sys.argv:
        list_errors(Path(args[0]))
        return
    corpus = Path(args[0]) if args else ROOT / ".." / "shared" / "corpus"
    verbose = "-v" in sys.argv
    results = run(corpus.resolve(), verbose)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
