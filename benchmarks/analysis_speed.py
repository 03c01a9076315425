"""Speed benchmark of the analysis engine, as ratios to PNG decoding in the same process.

    python benchmarks/analysis_speed.py [CORPUS_DIR] [--memory]

For every corpus page (PNG), the best of REPEATS runs of: PNG decode (Pillow open + load +
RGB array), palette alone on the decoded pixels, and the full analysis from bytes (decode
included). The headline ratios are of summed times over the corpus (large images weigh
more); the per-image medians are printed too. `--memory` also measures the peak RSS of child
processes analysing synthetic 40-megapixel UI screenshots (PNG): a high-DPR capture and a
long 1x page.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.analysis import analyze_bytes, decode_image  # noqa: E402
from chalicelib.analysis.palette import extract_palette  # noqa: E402

REPEATS = 7


def _best(fn: object, *args: object) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def _png_decode(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    im.load()
    return np.asarray(im.convert("RGB"))


def speed(corpus: Path) -> dict[str, object]:
    rows = []
    for png in sorted(corpus.glob("*.png")):
        data = png.read_bytes()
        rgb = decode_image(data).rgb
        analyze_bytes(data)  # warm caches and lazy imports
        dec = _best(_png_decode, data)
        pal = _best(extract_palette, rgb)
        full = _best(analyze_bytes, data)
        rows.append((png.name, rgb.shape[1] * rgb.shape[0], dec, pal, full))
    dec_sum = sum(r[2] for r in rows)
    return {
        "images": [
            {
                "image": name,
                "megapixels": round(px / 1e6, 2),
                "decode_ms": round(d * 1000, 1),
                "palette_ms": round(p * 1000, 1),
                "full_ms": round(f * 1000, 1),
            }
            for name, px, d, p, f in rows
        ],
        "palette_over_decode": round(sum(r[3] for r in rows) / dec_sum, 2),
        "palette_over_decode_median_per_image": round(
            float(np.median([r[3] / r[2] for r in rows])), 2
        ),
        "full_over_decode_median_per_image": round(
            float(np.median([r[4] / r[2] for r in rows])), 2
        ),
        "full_over_decode": round(sum(r[4] for r in rows) / dec_sum, 2),
        "full_minus_decode_over_decode": round((sum(r[4] for r in rows) - dec_sum) / dec_sum, 2),
    }


_CHILD = """
import io, resource, sys, time
sys.path.insert(0, {root!r})
from PIL import Image, ImageDraw
w, h, size, step = {w}, {h}, {size}, {step}
im = Image.new("RGB", (w, h), (255, 255, 255))
d = ImageDraw.Draw(im)
for y in range(0, h, 10 * step):
    d.rectangle((40, y + 20, w - 40, y + 9 * step), fill=(241, 245, 249), outline=(229, 231, 235))
    for k in range(7):
        line = "Design systems keep interfaces consistent " * (w // (25 * size))
        d.text((60, y + step + step * k), line, fill=(100, 116, 139), font_size=size)
buf = io.BytesIO(); im.save(buf, "PNG"); data = buf.getvalue(); del im, d, buf
from chalicelib.analysis import analyze_bytes
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter(); r = analyze_bytes(data); t = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(w * h, len(data), base // 1024, peak // 1024, round(t, 2), len(r.contrast.findings))
"""

# Two 40-megapixel screenshots: a high-DPR capture (large glyphs) and a long 1x page.
_SCENARIOS = {
    "hidpi_5000x8000": {"w": 5000, "h": 8000, "size": 28, "step": 40},
    "long_page_1280x31250": {"w": 1280, "h": 31250, "size": 15, "step": 28},
}


def memory() -> dict[str, object]:
    out: dict[str, object] = {}
    for name, params in _SCENARIOS.items():
        script = _CHILD.format(root=str(ROOT), **params)
        fields = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.split()
        px, size, base, peak, secs, findings = fields
        out[name] = {
            "pixels": int(px),
            "png_bytes": int(size),
            "peak_rss_mb_before_analysis": int(base),
            "peak_rss_mb": int(peak),
            "seconds": float(secs),
            "findings": int(findings),
        }
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    corpus = Path(args[0]) if args else ROOT / ".." / "shared" / "corpus"
    result: dict[str, object] = {"speed": speed(corpus.resolve())}
    if "--memory" in sys.argv:
        result["memory_40mp"] = memory()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
