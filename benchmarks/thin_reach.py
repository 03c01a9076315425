"""Thin-word reach by resampling filter, measured on synthetic text of known ink.

    python benchmarks/thin_reach.py [--pillow [--hinted]]

Text is rendered by Chromium (as the corpus's pages are; DejaVu Sans, Liberation Sans and
Serif, weights 400 and 700, 11-32 CSS px) in a dark ink on white, a mid grey on light grey and
a light ink on dark grey, then downscaled to 50-80 % with each of Pillow's Lanczos, bicubic,
bilinear and box filters. (`--pillow`: drawn by Pillow instead, unhinted at 4x and
box-averaged, or hinted.) Every word goes through the engine's own measurement
(`measure_region`, as `analyze_decoded` calls it); for the words without stroke cores
(`stroke_cores`), those `resnap_downscaled` extrapolates, the reach is the share of the way from
the background to the true ink that the extreme estimate gets, projected on the blend ray. It
prints, per filter, weight and band of measured font size (the bands of `_THIN_REACH`), the
median reach with its quartiles and word count; each filter's medians over both weights and
`_THIN_REACH` scaled by their ratio to Lanczos's; how many words show a plateau of exactly
one colour (`_PLATEAU_SUPPORT`) and how far those reach; and the reach by true output size.
"""

from __future__ import annotations

import bisect
import io
import itertools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.analysis import downscaled_ink, ink_measure, ink_snap  # noqa: E402
from chalicelib.analysis.decode import decode_image  # noqa: E402
from chalicelib.analysis.engine import _working_pixels  # noqa: E402
from chalicelib.analysis.palette import extract_palette  # noqa: E402
from chalicelib.analysis.text import find_text_regions  # noqa: E402

FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
RGB = tuple[int, int, int]
# (ink, background): body text on white, muted text on light grey, light text on dark. The
# reach is a share of the way, so it hardly depends on the pair (within 0.01 over eight).
PAIRS: tuple[tuple[RGB, RGB], ...] = (
    ((33, 37, 41), (255, 255, 255)),
    ((108, 117, 125), (233, 236, 239)),
    ((222, 226, 230), (33, 37, 41)),
)
FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "box": Image.Resampling.BOX,
}
SCALES = (0.5, 0.6, 0.67, 0.75, 0.8)
OUT_SIZES = (7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 24)  # target output font sizes, px
BANDS = (0.0, 9.0, 10.0, 12.0, 15.0, 99.0)
SUPER = 4
LINES = 3
TEXT = "Design systems keep interfaces consistent"
TEXT2 = "across every product team"
CSS_SIZES = (11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32)
FAMILIES = ("DejaVu Sans", "Liberation Sans", "Liberation Serif")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"


def page(font_path: str, ink: RGB, bg: RGB, scale: float, out: int, hinted: bool) -> Image.Image:
    """Pillow: `LINES` lines of text drawn at the size that lands at `out` px after `scale`.
    Unhinted, it is drawn at `SUPER` times the size and box-averaged down."""
    k = 1 if hinted else SUPER
    size = round(out / scale)
    line = round(size * 1.6)
    im = Image.new("RGB", (round(size * 26) * k, (LINES * line + 20) * k), bg)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(font_path, size * k)
    for i in range(LINES):
        draw.text((10 * k, (10 + i * line) * k), TEXT, fill=ink, font=font)
    return im if hinted else im.reduce(k)


def _hex(c: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def browser_page(family: str, weight: int, ink: RGB, bg: RGB) -> tuple[Image.Image, list[int]]:
    """Chromium's rendering (as the corpus's pages) of one line per CSS size in `CSS_SIZES`,
    and the top of each line."""
    tops, y, divs = [], 20, []
    for size in CSS_SIZES:
        tops.append(y)
        divs.append(
            f'<div style="position:absolute;left:20px;top:{y}px;font:{weight} {size}px '
            f"'{family}';white-space:nowrap;line-height:1.2\">{TEXT} {TEXT2}</div>"
        )
        y += round(size * 2)
    html = f'<html><body style="margin:0;background:{_hex(bg)};color:{_hex(ink)}">{"".join(divs)}'
    with tempfile.TemporaryDirectory() as tmp:
        src, png = Path(tmp) / "p.html", Path(tmp) / "p.png"
        src.write_text(html + "</body></html>")
        subprocess.run(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--window-size=1500,{y + 20}",
                f"--screenshot={png}",
                src.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return Image.open(png).convert("RGB"), tops


def reaches(png: bytes, ink: RGB) -> list[tuple[float, float, float, float]]:
    """(font size, reach, exact support, vertical centre) of each coreless word, measured as
    the engine does."""
    decoded = decode_image(png)
    rgb, _ = _working_pixels(decoded.rgb)
    palette = extract_palette(rgb)
    noise = palette.noise
    snap = ink_snap.ColourSnapper(palette.modes, noise, lossy=False)
    out = []
    for region in find_text_regions(rgb, noise):
        m = ink_measure.measure_region(rgb, region, noise, snap)
        if m is None or ink_measure.stroke_cores(rgb, m).fg is not None:
            continue
        bg = np.array(m.bg, dtype=np.float64)
        ray = np.array(ink, dtype=np.float64) - bg
        reach = float((np.array(m.fg_estimate) - bg) @ ray / (ray @ ray))
        out.append((m.font_px, reach, m.exact_support, region.y + region.h / 2))
    return out


def _table(rows: dict[str, list[tuple[float, ...]]], col: int, bands: tuple) -> None:
    """Median reach with quartiles and count per filter and band of column `col`."""
    print(
        f"{'filter':16s}"
        + "".join(f"{f'{lo:g}-{hi:g}':>20s}" for lo, hi in itertools.pairwise(bands))
    )
    for name, found in rows.items():
        arr = np.array(found)
        cells = []
        for lo, hi in itertools.pairwise(bands):
            r = arr[(arr[:, col] >= lo) & (arr[:, col] < hi), 2]
            if r.size < 5:
                cells.append(f"{'-':>20s}")
                continue
            q1, q2, q3 = np.quantile(r, (0.25, 0.5, 0.75))
            cells.append(f"{f'{q2:.2f} {q1:.2f}-{q3:.2f} {r.size}':>20s}")
        print(f"{name:16s}{''.join(cells)}")


def _derived(rows: dict[str, list[tuple[float, ...]]]) -> None:
    """The Lanczos-measured `_THIN_REACH` scaled, band by band, by each filter's median reach
    over Lanczos's (regular and bold pooled): synthetic text reaches a little further than a
    browser's under every filter (its Lanczos medians lie 0.0-0.1 above the table's), so the
    ratio carries over where the absolute level does not."""
    print("derived table: _THIN_REACH x (filter median / Lanczos median), by measured size")
    medians = {}
    for name in FILTERS:
        arr = np.array([r for key, v in rows.items() if key.split()[0] == name for r in v])
        medians[name] = [
            float(np.median(arr[(arr[:, 1] >= lo) & (arr[:, 1] < hi), 2]))
            for lo, hi in itertools.pairwise(BANDS)
        ]
    for name in FILTERS:
        print(f"{name:9s}absolute medians " + "  ".join(f"{m:.2f}" for m in medians[name]))
    for name in FILTERS:
        cells = [
            f"<{limit:g}: {table * m / lan:.2f}"
            for (limit, table), m, lan in zip(
                downscaled_ink._THIN_REACH, medians[name], medians["lanczos"], strict=False
            )
        ]
        print(f"{name:9s}" + "  ".join(cells))


def _plateaus(rows: dict[str, list[tuple[float, ...]]]) -> None:
    """Words whose strongest pixels share one exact colour (`_PLATEAU_SUPPORT`): how many
    there are per filter, and how far they reach."""
    support = downscaled_ink._PLATEAU_SUPPORT
    print(f"exact support (10th-90th pct.); words at >= {support}: share, reach")
    for name in FILTERS:
        arr = np.array([r for key, v in rows.items() if key.split()[0] == name for r in v])
        q10, q90 = np.quantile(arr[:, 3], (0.1, 0.9))
        flat = arr[arr[:, 3] >= support, 2]
        reach = f"{np.median(flat):.2f}" if flat.size else "-"
        print(f"{name:9s}{q10:.3f}-{q90:.3f}  {flat.size / len(arr):.2f}  {reach}")


def main() -> None:
    rows: dict[str, list[tuple[float, ...]]] = {
        f"{name} {weight}": [] for weight in ("regular", "bold") for name in FILTERS
    }
    if "--pillow" in sys.argv:
        hinted = "--hinted" in sys.argv
        for font_path in FONTS:
            weight = "bold" if "Bold" in font_path else "regular"
            for ink, bg in PAIRS:
                for scale, out in itertools.product(SCALES, OUT_SIZES):
                    im = page(font_path, ink, bg, scale, out, hinted)
                    size = (round(im.width * scale), round(im.height * scale))
                    for name, resample in FILTERS.items():
                        buf = io.BytesIO()
                        im.resize(size, resample).save(buf, format="PNG")
                        found = reaches(buf.getvalue(), ink)
                        rows[f"{name} {weight}"].extend((out, *r[:3]) for r in found)
    else:
        for family, weight, (ink, bg) in itertools.product(FAMILIES, (400, 700), PAIRS):
            im, tops = browser_page(family, weight, ink, bg)
            key = "bold" if weight == 700 else "regular"
            for scale in SCALES:
                size = (round(im.width * scale), round(im.height * scale))
                for name, resample in FILTERS.items():
                    buf = io.BytesIO()
                    im.resize(size, resample).save(buf, format="PNG")
                    for font_px, reach, support, centre in reaches(buf.getvalue(), ink):
                        line = bisect.bisect_right(tops, centre / scale) - 1
                        true_px = CSS_SIZES[max(line, 0)] * scale
                        rows[f"{name} {key}"].append((true_px, font_px, reach, support))
    print("median reach (25th-75th percentile, words) by measured font size (engine's), px")
    _table(rows, 1, BANDS)
    _derived(rows)
    _plateaus(rows)
    print("by true output font size, px")
    _table(rows, 0, (*OUT_SIZES, 99))


if __name__ == "__main__":
    main()
