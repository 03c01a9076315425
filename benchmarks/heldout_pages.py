"""A held-out page set with browser ground truth, in the shared corpus's schema (a generalisation
check for the analysis engine, which was developed on `../shared/corpus`).

    python benchmarks/heldout_pages.py OUT_DIR [--set SET] [--no-axe]

SET: heldout (the default), heldout_b, heldout_c, heldout_d, heldout_e or heldout_f.

A set is a folder `benchmarks/<set>/` holding its pages `NAME.html` and `pages.json` (NAME ->
framework, viewport [w, h], dpr, mobile; rendered in that order). `heldout` (the default):
design systems and page kinds not in the corpus: a Tailwind-style dashboard, a Material app at
DPR 2, a dark docs page, a serif news article, a settings form, a shop grid, a muted pricing page
with a gradient hero, a login card on a tinted background, a status page with alerts at DPR 2, a
zebra data table, a mobile page at DPR 3. `heldout_b`: a second set, kept for a final check only
(not for tuning): a Fluent-style admin centre, a Carbon-style usage page at DPR 2, an Ant-Design-
style form with validation states, a Chakra-like landing with a gradient hero, a dark music app
with coloured chips, a Notion-like document editor, a Kanban board, an email inbox at DPR 2,
travel search results, an Android settings screen at DPR 3. `heldout_c`: a third set, for a final
check only (not for tuning): a Polaris-style order page, a Lightning-style CRM, a GOV.UK-style
service form, a Stripe-like payments page at DPR 1.5, a serif recipe blog, a course catalogue, a
chat app, a dark-blue weather app at DPR 2, a bank statement, a product page at DPR 2.
`heldout_d`: a fourth set, the judging set of session 12 and a development set since session 13
(its errors may now be studied): an Adobe-Spectrum-like dark image editor, a Radix-colours dark
deployments list, a PatternFly-like VM inventory table at DPR 2, an NHS-style health content page
with care cards, a daisyUI-like landing with a gradient hero, an Elastic-EUI-like log explorer
(monospace), a marketplace checkout at DPR 1.5, a calendar week view with coloured events, a
spreadsheet grid, an Ionic-like order-tracking mobile screen at DPR 3.
`heldout_e`: a fifth set, for judging only (not for tuning; it is scored once, and its individual
errors are not to be studied): a USWDS-style benefits application form with an error state, a
SAP-Fiori-like procurement list at DPR 2, a Clarity-like dark cluster console, a Mantine-like
analytics page with small light-variant badges, a Foundation-like university event page with a
gradient hero, a Gestalt-like (Pinterest) masonry board with labels over photo-like gradients, an
iOS-style health summary at DPR 3, a Windows-11-like dark file explorer at DPR 1.25, an airline
mobile boarding pass at DPR 2 and a Gerrit-like code review diff (monospace, red/green lines).
`heldout_f`: a sixth development set (session 18): a photography portfolio with large photo-like
areas of layered radial and linear gradients beside solid panels, a real-estate listing grid at
DPR 1.25 (gradient thumbnails, price badges, a map pane), a Bootstrap-like helpdesk admin (cards
with box-shadows and 1px #dee2e6 borders, a table with row dividers), a Tailwind-UI-like pricing
page at DPR 2 (billing toggle, many small gray-400 texts), a dark crypto trading screen (small
green/red numbers, monospace, depth bars), a Substack-like newsletter post on a tablet at DPR 2
(serif body, pull quote), a job board at DPR 1.5 (chips in light tints), a clinic appointment
booking at DPR 1.25 (calendar, disabled slots), a dark streaming catalogue at DPR 1.5 (gradient
posters with titles over them) and a mobile insurance quote wizard at DPR 3 (focus ring, error
state, disabled button).

Writes `OUT_DIR/NAME.png|.json` for the set's pages, `OUT_DIR/variants/NAME-q85.jpg|.json`
(JPEG quality 85, same geometry) and `NAME-s60.png|.json` (Pillow Lanczos to 60 %, boxes scaled
and rounded, by `analysis_quality._write_downscales`), then prints a ground-truth self-check.

Needs `/usr/bin/chromium` (Debian's `chromium`). Fonts: the pages ask for Roboto, Roboto
Condensed, Open Sans, Lato, Noto Sans and Noto Serif (Debian: `fonts-roboto fonts-open-sans
fonts-lato fonts-noto-core`) and fall back to DejaVu / Liberation (always installed) when they
are missing; the JSON records what the browser computed either way, and the script prints which
requested families are not installed. axe-core (as the report tests install it into
`.test-tools/`) fills `axe_color_contrast`; without it (or with `--no-axe`) that field is empty.

Ground truth (computed in the page by JavaScript after `document.fonts.ready`):
- one text element per visible text node (bbox: union of its Range client rects, CSS px x dpr,
  floored/ceiled to image px) and one per empty text input / textarea with a placeholder, or per
  input with a value (bbox: content box start, text width by canvas measureText, font-box height
  centred in the content box - inputs only, an approximation of where Chromium puts the text);
- fg: the computed `color` (the `::placeholder` colour for placeholders), composited over bg when
  it has alpha; bg: the ancestors' background-colors from the text's element up to the first
  opaque one, composited bottom-up over the canvas white; `bg_uncertain` when one of those
  (up to the opaque one) has a background-image, or any ancestor has a filter, opacity < 1 or a
  blend mode;
- disabled: inside a `:disabled` element (button, input, disabled fieldset) or a label of a
  disabled control; large_text: >= 24 px, or >= 18.66 px and weight >= 700; ratio: WCAG 2.x.
- palette_truth: the page's boxes are repainted in Python on a CSS-px grid of the full document:
  canvas colour, then every element's background-color over its border box (document order,
  positioned elements after the rest; alpha composited), borders as strips of their colours (radii
  ignored, box-shadows ignored); areas painted by a gradient count as no colour (as in the corpus,
  whose gradient page lists none of its gradient's colours) but stay in the page area; then 15 %
  of each text box's area moves from its bg to its fg (glyph ink; on a gradient it is only added).
  Colours >= 0.02 % of the page (so that thin borders a palette may rightly report are known),
  as fractions of the page area. An approximation, like the corpus's.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.analysis_quality import _write_downscales  # noqa: E402
from tests.report.browser import (  # noqa: E402
    Browser,
    Page,
    Unavailable,
    ensure_axe,
    ensure_chromium,
)

SETS_DIR = Path(__file__).resolve().parent


def load_pages(page_set: str) -> dict[str, tuple[str, int, int, float, bool]]:
    """`benchmarks/<set>/pages.json`: name -> framework, viewport [w, h], dpr, mobile."""
    listed = json.loads((SETS_DIR / page_set / "pages.json").read_text())
    return {
        name: (p["framework"], p["viewport"][0], p["viewport"][1], p["dpr"], p["mobile"])
        for name, p in listed.items()
    }


S60 = (("s60", 0.6, Image.Resampling.LANCZOS),)
FONTS = ["Roboto", "Roboto Condensed", "Open Sans", "Lato", "Noto Sans", "Noto Serif"]
PALETTE_MIN = 0.0002
INK_SHARE = 0.15

GROUND_TRUTH_JS = r"""
(async () => {
  await document.fonts.ready;
  const dpr = window.devicePixelRatio;
  const parse = (s) => {
    const m = s && s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3]));
  const hex = (c) => '#' + c.slice(0, 3)
    .map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const lum = (c) => {
    const l = c.slice(0, 3).map((v) => { v = Math.round(v) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    const layers = []; let uncertain = false; let opaque = false;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.filter !== 'none' || parseFloat(cs.opacity) < 1 || cs.mixBlendMode !== 'normal')
        uncertain = true;
      if (opaque) continue;
      if (cs.backgroundImage !== 'none') uncertain = true;
      const c = parse(cs.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) opaque = true; }
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return [base.map(Math.round), uncertain];
  };
  const disabled = (el) => {
    if (el.closest(':disabled')) return true;
    const lab = el.closest('label');
    return !!(lab && lab.control && lab.control.disabled);
  };
  const sx = window.scrollX, sy = window.scrollY;
  const box = (l, t, r, b) => {
    const x0 = Math.floor((l + sx) * dpr), y0 = Math.floor((t + sy) * dpr);
    return [x0, y0, Math.ceil((r + sx) * dpr) - x0, Math.ceil((b + sy) * dpr) - y0];
  };
  const element = (text, tag, source, el, styleEl, pseudo, bbox) => {
    const cs = getComputedStyle(styleEl, pseudo);
    const [bg, uncertain] = background(el);
    let fg = parse(cs.color);
    fg = fg[3] < 1 ? over(fg, bg).map(Math.round) : fg.slice(0, 3);
    const size = Math.round(parseFloat(cs.fontSize) * 10000) / 10000;
    const weight = parseInt(cs.fontWeight, 10);
    return { text, tag, source, fg: hex(fg), bg: hex(bg), bg_uncertain: uncertain,
      font_size_px: size, font_weight: weight,
      large_text: size >= 24 || (size >= 18.66 && weight >= 700),
      disabled: disabled(el), ratio: Math.round(ratio(fg, bg) * 1000) / 1000, bbox,
      family: cs.fontFamily };
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement; const text = n.textContent.replace(/\s+/g, ' ').trim();
    if (!text || !el || ['SCRIPT', 'STYLE', 'TEXTAREA', 'TITLE'].includes(el.tagName)) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || parse(cs.color)[3] === 0) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
    if (!rects.length) continue;
    const l = Math.min(...rects.map((r) => r.left)), t = Math.min(...rects.map((r) => r.top));
    const r = Math.max(...rects.map((q) => q.right)), b = Math.max(...rects.map((q) => q.bottom));
    out.push(element(text, el.tagName.toLowerCase(), 'text', el, el, null, box(l, t, r, b)));
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('input, textarea')) {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (!['text', 'email', 'search', 'url', 'tel', 'number', 'password'].includes(type)) continue;
    const placeholder = !el.value;
    const text = placeholder ? el.placeholder : el.value;
    if (!text || (type === 'password' && !placeholder)) continue;
    const cs = getComputedStyle(el, placeholder ? '::placeholder' : null);
    const own = getComputedStyle(el);
    canvas.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const m = canvas.measureText(text);
    const h = m.fontBoundingBoxAscent + m.fontBoundingBoxDescent;
    const rc = el.getBoundingClientRect();
    const px = (p) => parseFloat(own[p]);
    const cl = rc.left + px('borderLeftWidth') + px('paddingLeft');
    const ct = rc.top + px('borderTopWidth') + px('paddingTop');
    const cw = rc.width - px('borderLeftWidth') - px('paddingLeft')
      - px('borderRightWidth') - px('paddingRight');
    const ch = rc.height - px('borderTopWidth') - px('paddingTop')
      - px('borderBottomWidth') - px('paddingBottom');
    const lh = own.lineHeight === 'normal' ? h : parseFloat(own.lineHeight);
    const top = el.tagName === 'TEXTAREA' ? ct + (lh - h) / 2 : ct + (ch - h) / 2;
    const w = Math.min(m.width, cw);
    out.push(element(text, el.tagName.toLowerCase(), placeholder ? 'placeholder' : 'text',
      el, el, placeholder ? '::placeholder' : null, box(cl, top, cl + w, top + h)));
  }
  // paint operations for palette_truth (CSS px, document coordinates)
  const ops = [];
  const htmlBg = parse(getComputedStyle(document.documentElement).backgroundColor);
  const bodyBg = parse(getComputedStyle(document.body).backgroundColor);
  const canvasBg = htmlBg && htmlBg[3] > 0 ? htmlBg : (bodyBg && bodyBg[3] > 0 ? bodyBg : null);
  const all = [...document.body.querySelectorAll('*')];
  const order = [...all.filter((e) => getComputedStyle(e).position === 'static'),
                 ...all.filter((e) => getComputedStyle(e).position !== 'static')];
  for (const e of order) {
    const cs = getComputedStyle(e);
    if (cs.visibility !== 'visible' || cs.display === 'none') continue;
    for (const rc of e.getClientRects()) {
      if (rc.width <= 0 || rc.height <= 0) continue;
      const rect = [rc.left + sx, rc.top + sy, rc.right + sx, rc.bottom + sy];
      const bg = parse(cs.backgroundColor);
      if (bg && bg[3] > 0) ops.push({ rect, colors: [bg] });
      if (cs.backgroundImage.includes('gradient')) {
        const stops = [...cs.backgroundImage.matchAll(/rgba?\([^)]+\)/g)].map((m) => parse(m[0]));
        if (stops.length) ops.push({ rect, colors: stops, gradient: true });
      }
      const sides = [['Top', (w) => [rect[0], rect[1], rect[2], rect[1] + w]],
                     ['Bottom', (w) => [rect[0], rect[3] - w, rect[2], rect[3]]],
                     ['Left', (w) => [rect[0], rect[1], rect[0] + w, rect[3]]],
                     ['Right', (w) => [rect[2] - w, rect[1], rect[2], rect[3]]]];
      for (const [side, strip] of sides) {
        const w = parseFloat(cs[`border${side}Width`]);
        const c = parse(cs[`border${side}Color`]);
        if (w > 0 && cs[`border${side}Style`] !== 'none' && c && c[3] > 0)
          ops.push({ rect: strip(w), colors: [c] });
      }
    }
  }
  const doc = document.documentElement;
  return { elements: out, ops, canvas: canvasBg, dpr,
           size: [Math.max(doc.scrollWidth, document.body.scrollWidth),
                  Math.max(doc.scrollHeight, document.body.scrollHeight)] };
})()
"""

AXE_JS = r"""
(async () => {
  const dpr = window.devicePixelRatio;
  const r = await axe.run(document, { runOnly: ['color-contrast'] });
  const nodes = (list) => list.flatMap((rule) => rule.nodes.map((n) => {
    const el = document.querySelector(n.target[0]);
    const rc = el ? el.getBoundingClientRect() : { left: 0, top: 0, width: 0, height: 0 };
    const d = (n.any[0] || {}).data || {};
    return { target: n.target, contrastRatio: d.contrastRatio, fgColor: d.fgColor,
      bgColor: d.bgColor, fontSize: d.fontSize, fontWeight: d.fontWeight,
      expectedContrastRatio: d.expectedContrastRatio,
      bbox: [rc.left, rc.top + window.scrollY, rc.width, rc.height]
        .map((v) => Math.round(v * dpr)) };
  }));
  return { violations: nodes(r.violations), passes: nodes(r.passes),
           incomplete: nodes(r.incomplete) };
})()
"""


def palette_truth(gt: dict[str, Any], elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Repaint the boxes on a CSS-px grid and count colours (see the module docstring)."""
    w, h = (int(np.ceil(v)) for v in gt["size"])
    canvas = gt["canvas"] or [255, 255, 255, 1]
    grid = np.empty((h, w, 3), np.float64)
    grid[:] = canvas[:3]
    unknown = np.zeros((h, w), bool)  # painted by a gradient: no single colour, left out
    for op in gt["ops"]:
        x0, y0, x1, y1 = (round(v) for v in op["rect"])
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        if op.get("gradient"):
            unknown[y0:y1, x0:x1] = True
            continue
        c = op["colors"][0]
        region = grid[y0:y1, x0:x1]
        region[:] = np.round(np.array(c[:3]) * c[3] + region * (1 - c[3]))
        unknown[y0:y1, x0:x1] &= c[3] < 1
    codes = (grid[..., 0].astype(np.int64) << 16) | (grid[..., 1].astype(np.int64) << 8)
    codes |= grid[..., 2].astype(np.int64)
    values, counts = np.unique(codes[~unknown], return_counts=True)
    area: dict[str, float] = {f"#{v:06x}": float(c) for v, c in zip(values, counts, strict=True)}
    dpr = gt["dpr"]
    for e in elements:
        ink = INK_SHARE * e["bbox"][2] * e["bbox"][3] / dpr / dpr
        if not e["bg_uncertain"]:  # on a gradient, the ink replaces no counted colour
            ink = min(ink, area.get(e["bg"], 0.0))
            area[e["bg"]] = area.get(e["bg"], 0.0) - ink
        area[e["fg"]] = area.get(e["fg"], 0.0) + ink
    total = float(w * h)
    rows = [
        {"hex": k, "fraction": round(v / total, 5)}
        for k, v in area.items()
        if v / total >= PALETTE_MIN
    ]
    return sorted(rows, key=lambda r: -r["fraction"])


def render(
    browser: Browser,
    name: str,
    spec: tuple[str, int, int, float, bool],
    html_dir: Path,
    axe: str | None,
    out: Path,
) -> dict[str, Any]:
    framework, width, height, dpr, mobile = spec
    page = Page(browser, width=width, height=height, mobile=mobile)
    page.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": dpr, "mobile": mobile},
    )
    page.open((html_dir / f"{name}.html").as_uri())
    gt = page.evaluate(GROUND_TRUTH_JS)
    doc_w, doc_h = gt["size"]
    shot = page.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": doc_w, "height": doc_h, "scale": 1},
        },
    )
    (out / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
    axe_result: dict[str, Any] = {"violations": [], "passes": [], "incomplete": []}
    if axe is not None:
        page.evaluate(axe + "\n;true")
        axe_result = page.evaluate(AXE_JS)
    families = sorted({e.pop("family") for e in gt["elements"]})
    image = Image.open(out / f"{name}.png")
    elements = gt["elements"]
    meta = {
        "name": name,
        "framework": framework,
        "viewport": [width, height],
        "dpr": dpr,
        "has_gradient": any(op.get("gradient") for op in gt["ops"]),
        "page_css": [doc_w, doc_h],
        "image_size": [image.width, image.height],
        "text_elements": elements,
        "axe_color_contrast": axe_result,
        "palette_truth": palette_truth(gt, elements),
    }
    (out / f"{name}.json").write_text(json.dumps(meta))
    page.send("Page.close")
    print(f"{name}: {len(elements)} text elements, image {image.width}x{image.height}, {families}")
    return meta


def _mode_colour(pixels: np.ndarray) -> np.ndarray:
    """The commonest colour of an N x 3 array of pixels."""
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return np.asarray(colours[counts.argmax()])


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


def check(out: Path, name: str, meta: dict[str, Any]) -> tuple[list[str], int, int]:
    """Sample the crisp PNG: the box's edge pixels should be mostly bg; for solid text >= 16 px
    and weight >= 600, the commonest non-bg colour inside the box should be fg. Returns the
    mismatches and how many boxes had their edge and their ink checked."""
    edges = inks = 0
    img = np.asarray(Image.open(out / f"{name}.png").convert("RGB")).astype(int)
    problems = []
    for e in meta["text_elements"]:
        if e["bg_uncertain"]:
            continue
        x, y, w, h = e["bbox"]
        box = img[y : y + h, x : x + w]
        if box.size == 0:
            problems.append(f"{name}: {e['text'][:30]!r} empty box")
            continue
        bg = np.array([int(e["bg"][i : i + 2], 16) for i in (1, 3, 5)])
        fg = np.array([int(e["fg"][i : i + 2], 16) for i in (1, 3, 5)])
        edges += 1
        ring = np.concatenate([box[0], box[-1], box[:, 0], box[:, -1]])
        mode = _mode_colour(ring)
        if np.abs(mode - bg).max() > 1:
            problems.append(f"{name}: {e['text'][:30]!r} edge mode {_hex(mode)} != bg {e['bg']}")
        if e["font_size_px"] >= 16 and e["font_weight"] >= 600:
            inks += 1
            flat = box.reshape(-1, 3)
            flat = flat[np.abs(flat - bg).max(axis=1) > 1]
            if not len(flat):
                problems.append(f"{name}: {e['text'][:30]!r} no ink")
                continue
            ink = _mode_colour(flat)
            if np.abs(ink - fg).max() > 1:
                problems.append(f"{name}: {e['text'][:30]!r} ink mode {_hex(ink)} != fg {e['fg']}")
    return problems, edges, inks


def write_variants(out: Path, name: str, meta: dict[str, Any]) -> None:
    vdir = out / "variants"
    vdir.mkdir(parents=True, exist_ok=True)
    im = Image.open(out / f"{name}.png").convert("RGB")
    im.save(vdir / f"{name}-q85.jpg", "JPEG", quality=85)
    (vdir / f"{name}-q85.json").write_text(json.dumps({**meta, "image_file": f"{name}-q85.jpg"}))
    _write_downscales(im, name, meta, S60, vdir)


def main() -> None:
    argv = sys.argv[1:]
    page_set = "heldout"
    if "--set" in argv:
        i = argv.index("--set")
        if i + 1 >= len(argv):
            sys.exit(__doc__)
        page_set = argv[i + 1]
        del argv[i : i + 2]
    args = [a for a in argv if not a.startswith("-")]
    if len(args) != 1 or not (SETS_DIR / page_set / "pages.json").is_file():
        sys.exit(__doc__)
    pages = load_pages(page_set)
    html_dir = SETS_DIR / page_set
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    missing = [f for f in FONTS if not re.search(rf"(^|,){re.escape(f)}(,|$)", listed, re.M)]
    if missing:
        print(f"fonts not installed (the pages fall back to DejaVu/Liberation): {missing}")
    axe = None
    if "--no-axe" not in sys.argv:
        try:
            axe = ensure_axe()
        except Unavailable as exc:
            print(f"axe-core unavailable, axe_color_contrast left empty: {exc}")
    browser = Browser(ensure_chromium())
    problems: list[str] = []
    edges = inks = 0
    try:
        for name, spec in pages.items():
            meta = render(browser, name, spec, html_dir, axe, out)
            write_variants(out, name, meta)
            found, e, i = check(out, name, meta)
            problems += found
            edges += e
            inks += i
    finally:
        browser.close()
    print(
        f"ground-truth check: {edges} box edges (bg) and {inks} solid inks (fg) sampled,"
        f" {len(problems)} mismatches"
    )
    for p in problems:
        print("  " + p)


if __name__ == "__main__":
    main()
