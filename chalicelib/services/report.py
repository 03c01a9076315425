"""The visual accessibility report of an analysed image: one self-contained HTML page.

Everything the page shows is inside it: CSS and the copy-button script inline (allowed by a
per-response CSP nonce), images as ``data:`` URIs of display-sized WebP renders that the analysis
function stored next to the analysis. The page therefore makes no request of its own (its CSP
forbids any), works the same on a phone, can be saved, and never hands out S3 URLs.

Access: the owner's (or an administrator's) token, or a short-lived signed link the owner asks
for. A link is ``/v1/shared/reports/<image>?expires=<epoch>&signature=<mac>``; the MAC (HMAC-SHA256
under a key derived from the signing secret) covers the image, its owner and the expiry, so it
cannot be moved to another image or extended, and it dies with the image.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.auth.guards import Principal
from chalicelib.auth.keys import derived_key
from chalicelib.core import request_context
from chalicelib.core.errors import AppError, Conflict, Forbidden, NotFound
from chalicelib.core.ids import epoch_seconds, iso
from chalicelib.core.settings import get_settings
from chalicelib.models.images import ImageRecord
from chalicelib.store import images as image_store
from chalicelib.store import objects

LINK_PURPOSE = "report-link-v1"
VIEWS = ("original", "original-small", "protanopia", "deuteranopia", "tritanopia", "achromatopsia")
CVD_VIEWS = {
    "protanopia": "Protanopia: no working red cones (about 1 % of men)",
    "deuteranopia": "Deuteranopia: no working green cones (about 1 % of men)",
    "tritanopia": "Tritanopia: no working blue cones (rare)",
    "achromatopsia": "Achromatopsia: no colour vision, luminance only",
}
TOKEN_FORMATS = {
    "css": "CSS custom properties",
    "scss": "SCSS variables",
    "tailwind": "Tailwind theme",
    "dtcg": "Design Tokens (DTCG JSON)",
    "legacy": "Tokens (legacy JSON)",
}
AA_NORMAL = 4.5
DENSE_FINDINGS = 25  # past this many regions, only failing ones are numbered until asked
AA_LARGE = 3.0
_HEX = re.compile(r"^#[0-9a-f]{6}$")


class LinkExpired(AppError):
    status_code = 410
    error_code = "REPORT_LINK_EXPIRED"


def _not_found() -> NotFound:
    return NotFound("No such image", error_code="IMAGE_NOT_FOUND")


# colour arithmetic (WCAG 2.x), in pure Python: the API function never loads numpy -------------


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def suggested_fix(fg: str, bg: str, target: float = AA_NORMAL) -> str | None:
    """The text colour closest to ``fg`` (mixed toward black or white) that reaches ``target``."""
    best: tuple[float, str] | None = None
    for end in ((0, 0, 0), (255, 255, 255)):
        for step in range(1, 101):
            t = step / 100
            mixed = _hex(c + (e - c) * t for c, e in zip(_rgb(fg), end, strict=True))
            if contrast_ratio(mixed, bg) >= target:
                if best is None or t < best[0]:
                    best = (t, mixed)
                break
    return best[1] if best else None


# what the report reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInputs:
    record: ImageRecord
    document: dict[str, Any]
    views: dict[str, bytes]
    thumbnail: bytes | None
    tokens: dict[str, str]


def _load(record: ImageRecord) -> ReportInputs:
    if record.analysis_key is None:
        raise Conflict(
            f"The image is {record.status}; there is no analysis yet",
            error_code="ANALYSIS_NOT_READY",
        )
    prefix = objects.analysis_prefix(record.user_id, record.image_id)
    keys = {
        "document": record.analysis_key,
        **{f"view:{v}": f"{prefix}report/{v}.webp" for v in VIEWS},
        **{f"tokens:{t}": f"{prefix}tokens.{t}" for t in TOKEN_FORMATS},
    }
    if record.thumbnail_key:
        keys["thumbnail"] = record.thumbnail_key
    with ThreadPoolExecutor(max_workers=8) as pool:
        fetched = dict(zip(keys, pool.map(objects.get_bytes, keys.values()), strict=True))
    raw = fetched.pop("document")
    if raw is None:
        raise Conflict(
            "The analysis is being rewritten; try again", error_code="ANALYSIS_NOT_READY"
        )
    return ReportInputs(
        record=record,
        document=json.loads(raw),
        views={k[5:]: v for k, v in fetched.items() if k.startswith("view:") and v},
        thumbnail=fetched.get("thumbnail"),
        tokens={k[7:]: v.decode() for k, v in fetched.items() if k.startswith("tokens:") and v},
    )


def for_viewer(principal: Principal, image_id: str) -> ReportInputs:
    record = image_store.get(image_id)
    if record is None or (record.user_id != principal.user_id and not principal.is_admin):
        raise _not_found()
    return _load(record)


# signed links ---------------------------------------------------------------------------------


def _signature(image_id: str, owner_id: str, expires: int) -> str:
    message = f"{image_id}|{owner_id}|{expires}".encode()
    mac = hmac.new(derived_key(LINK_PURPOSE), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def shared_path(image_id: str, owner_id: str, expires: int) -> str:
    return (
        f"/v1/shared/reports/{image_id}?expires={expires}"
        f"&signature={_signature(image_id, owner_id, expires)}"
    )


def create_link(
    principal: Principal, image_id: str, ttl_seconds: int | None
) -> tuple[str, int, int]:
    """A signed path to the report for the owner to share: (path, expires epoch, ttl)."""
    settings = get_settings()
    record = image_store.get(image_id)
    if record is None or record.user_id != principal.user_id:
        raise _not_found()
    if record.analysis_key is None:
        raise Conflict(
            f"The image is {record.status}; there is no analysis yet",
            error_code="ANALYSIS_NOT_READY",
        )
    ttl = min(ttl_seconds or settings.report_link_ttl_seconds, settings.report_link_max_ttl_seconds)
    expires = epoch_seconds() + ttl
    request_context.add_audit_detail(image_id=image_id, expires=expires)
    return shared_path(image_id, record.user_id, expires), expires, ttl


def for_link(image_id: str, expires: int, signature: str) -> ReportInputs:
    record = image_store.get(image_id)
    if record is None:
        raise _not_found()
    expected = _signature(image_id, record.user_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Forbidden("This report link is not valid", error_code="REPORT_LINK_INVALID")
    if expires < epoch_seconds():
        raise LinkExpired("This report link has expired; ask the owner for a new one")
    return _load(record)


def expires_iso(expires: int) -> str:
    return iso(datetime.fromtimestamp(expires, UTC))


# the page -------------------------------------------------------------------------------------


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'none'; img-src data:; "
        f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _colour(value: Any) -> str:
    text = str(value).lower()
    return text if _HEX.match(text) else "#000000"


def _data_uri(media_type: str, body: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(body).decode()}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.3f}%" if whole else "0%"


class _Page:
    """Collects the CSS classes the page needs (colours, box positions) while writing HTML."""

    def __init__(self) -> None:
        self.colours: set[str] = set()
        self.boxes: list[str] = []

    def swatch(self, hex_colour: str) -> str:
        colour = _colour(hex_colour)
        self.colours.add(colour)
        return f'<span class="sw c{colour[1:]}" aria-hidden="true"></span>'

    def chip(self, hex_colour: str) -> str:
        colour = _colour(hex_colour)
        return f'<span class="chip">{self.swatch(colour)}<code>{colour}</code></span>'


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.2f}:1"


def _summary_section(inputs: ReportInputs) -> str:
    doc = inputs.document
    findings = doc["contrast"]["findings"]
    failing = [f for f in findings if not f["passes"]["aa"]]
    worst = min((f["ratio"] for f in findings), default=None)
    cvd = sum(len(p) for p in doc["cvd"]["confusable_pairs"].values())
    rows = [
        ("Text regions found", str(len(findings))),
        ("Failing WCAG AA", str(len(failing))),
        ("Passing WCAG AA", str(len(findings) - len(failing))),
        ("Worst contrast", _ratio_text(worst) if worst is not None else "none"),
        ("Colours in the palette", str(len(doc["palette"]))),
        ("Colour pairs at risk for colour-blind people", str(cvd)),
        ("Image size", f"{doc['image']['width']} \u00d7 {doc['image']['height']} px"),
        ("Analysed", inputs.record.analyzed_at or "unknown"),
        ("Engine version", doc.get("engine_version", "")),
    ]
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in rows)
    return (
        '<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>'
        f'<dl class="facts">{items}</dl></section>'
    )


def _main_image(inputs: ReportInputs) -> tuple[str, str]:
    if "original" in inputs.views:
        return _data_uri("image/webp", inputs.views["original"]), ""
    if inputs.thumbnail:
        note = (
            '<p class="note">This image was analysed before reports existed: a small preview is '
            "shown. Re-analyse it for a sharp image and colour-blindness simulations.</p>"
        )
        return _data_uri("image/jpeg", inputs.thumbnail), note
    return "", '<p class="note">The image preview is not available; re-analyse the image.</p>'


def _range_note(span: list[float] | None) -> str:
    """What a finding's ratio may really be when the image's pixels cannot show its text colour
    exactly (thin strokes of a resized screenshot, JPEG or WebP colour error): the reader
    should not take it as exact."""
    if not span:
        return ""
    low, high = (float(v) for v in span)
    return (
        f" <span class='small'>(between {low:.2f} and {high:.2f}: thin text in a resized image, "
        "or text in a compressed one, does not show its exact colour)</span>"
    )


def _finding_row(number: int, f: dict[str, Any], page: _Page) -> str:
    fg, bg = _colour(f["foreground"]), _colour(f["background"])
    passes = bool(f["passes"]["aa"])
    needed = AA_LARGE if f.get("large_text") else AA_NORMAL
    fix = f.get("suggested_foreground") or (None if passes else suggested_fix(fg, bg, needed))
    fix_cell = (
        f"{page.chip(fix)} <span class='small'>{_ratio_text(contrast_ratio(_colour(fix), bg))}"
        "</span>"
        if fix and not passes
        else "—"
    )
    large = f.get("large_text")
    size = "unknown" if large is None else "large" if large else "normal"
    result = (
        '<span class="verdict pass">✓ Passes AA</span>'
        if passes
        else '<span class="verdict fail">✗ Fails AA</span>'
    )
    if f.get("aa_uncertain"):
        result += (
            f" <span class='small'>(not certain: its range crosses {needed:g}; the screenshot "
            "at its rendered size would tell)</span>"
        )
    return (
        f'<th scope="row">{number}</th><td>{result}</td>'
        f"<td>{page.chip(fg)}</td><td>{page.chip(bg)}</td>"
        f"<td>{_ratio_text(float(f['ratio']))}{_range_note(f.get('ratio_range'))}</td><td>{size} "
        f"<span class='small'>({_e(round(float(f.get('font_size_px', 0)), 1))} px)</span></td>"
        f"<td>{fix_cell}</td>"
    )


def _findings_table(key: str, caption: str, rows: list[str]) -> str:
    body = "".join(f'<tr class="finding-row">{row}</tr>' for row in rows)
    return (
        f'<div class="scroll" role="region" aria-labelledby="cap-{key}" tabindex="0">'
        f'<table><caption id="cap-{key}">{_e(caption)}</caption>'
        '<thead><tr><th scope="col">No.</th><th scope="col">Result</th>'
        '<th scope="col">Text colour</th><th scope="col">Background</th>'
        '<th scope="col">Contrast</th><th scope="col">Text size</th>'
        '<th scope="col">Suggested text colour</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _image_section(inputs: ReportInputs, page: _Page) -> str:
    doc = inputs.document
    width, height = int(doc["image"]["width"]), int(doc["image"]["height"])
    findings = doc["contrast"]["findings"]
    failing = sum(1 for f in findings if not f["passes"]["aa"])
    src, note = _main_image(inputs)
    boxes = []
    for number, f in enumerate(findings, 1):
        x, y, w, h = (int(v) for v in f["bbox"])
        status = "pass" if f["passes"]["aa"] else "fail"
        page.boxes.append(
            f".b{number}{{left:{_pct(x, width)};top:{_pct(y, height)};"
            f"width:{_pct(w, width)};height:{_pct(h, height)}}}"
        )
        mark = "✓" if status == "pass" else "✗"
        boxes.append(
            f'<span class="box {status} b{number}" data-finding="{number}" '
            f'data-status="{status}" data-bbox="{x},{y},{w},{h}" aria-hidden="true">'
            f'<span class="tag">{mark}&#8239;{number}</span></span>'
        )
    alt = (
        f"The analysed image, {inputs.record.filename}, with {len(findings)} text regions "
        f"outlined: {failing} failing WCAG AA (dashed outline, marked ✗) and "
        f"{len(findings) - failing} passing (solid outline, marked ✓). "
        "The table below lists each one by number."
    )
    image = f'<img src="{src}" alt="{_e(alt)}" width="{width}" height="{height}">' if src else ""
    rows: dict[int, str] = {}
    for number, f in enumerate(findings, 1):
        rows[number] = _finding_row(number, f, page)
    failing_numbers = [n for n, f in enumerate(findings, 1) if not f["passes"]["aa"]]
    tables = (
        _findings_table(
            "failing",
            f"The {len(failing_numbers)} text regions that fail WCAG AA",
            [rows[n] for n in failing_numbers],
        )
        if failing_numbers
        else "<p>No text region fails WCAG AA.</p>"
    )
    if rows:
        tables += (
            f"<details><summary>All {len(rows)} text regions</summary>"
            + _findings_table("all", "Every text region found, by number", list(rows.values()))
            + "</details>"
        )
    else:
        tables = "<p>No text was found in this image.</p>"
    legend = (
        '<ul class="legend" aria-label="Outline styles">'
        '<li><span class="key fail" aria-hidden="true"></span>Dashed outline and ✗: '
        "fails WCAG AA</li>"
        '<li><span class="key pass" aria-hidden="true"></span>Solid outline and ✓: '
        "passes WCAG AA</li></ul>"
    )
    many = len(findings) > DENSE_FINDINGS
    controls = (
        '<div class="controls">'
        '<label><input type="checkbox" id="show-outlines" checked> Show the outlines</label>'
        f'<label><input type="checkbox" id="show-pass-numbers"{"" if many else " checked"}> '
        "Number the passing regions too</label></div>"
    )
    return (
        '<section aria-labelledby="h-image"><h2 id="h-image">Text contrast on the image</h2>'
        f'{note}<figure class="annotated">{controls}<div class="stage">{image}{"".join(boxes)}'
        f"</div><figcaption>{legend}</figcaption></figure>{tables}</section>"
    )


def _palette_section(inputs: ReportInputs, page: _Page) -> str:
    items = []
    for entry in inputs.document["palette"]:
        share = f"{100 * float(entry['fraction']):.1f} %"
        role = entry.get("role") or "no role"
        items.append(
            f"<li>{page.swatch(entry['hex'])}<span><code>{_colour(entry['hex'])}</code>"
            f"<span class='small'>{_e(role)} · {share} of the image</span></span></li>"
        )
    return (
        '<section aria-labelledby="h-palette"><h2 id="h-palette">Palette</h2>'
        f'<ul class="palette">{"".join(items)}</ul></section>'
    )


def _matrix_section(inputs: ReportInputs, page: _Page) -> str:
    pairs = inputs.document["contrast"].get("pairs") or []
    fixes = {
        (f["foreground"], f["background"]): f["suggested_foreground"]
        for f in inputs.document["contrast"]["findings"]
        if f.get("suggested_foreground")
    }
    if not pairs:
        return (
            '<section aria-labelledby="h-matrix"><h2 id="h-matrix">Text on background</h2>'
            "<p>No text colour pairs were found.</p></section>"
        )
    in_image = {
        (_colour(f["foreground"]), _colour(f["background"]))
        for f in inputs.document["contrast"]["findings"]
    }
    texts = list(dict.fromkeys(_colour(p["foreground"]) for p in pairs))
    grounds = list(dict.fromkeys(_colour(p["background"]) for p in pairs))
    by_pair = {(_colour(p["foreground"]), _colour(p["background"])): p for p in pairs}
    head = "".join(f'<th scope="col">on {page.chip(bg)}</th>' for bg in grounds)
    body = []
    for fg in texts:
        cells = []
        for bg in grounds:
            pair = by_pair.get((fg, bg))
            if pair is None:
                cells.append('<td class="none">same colour</td>' if fg == bg else "<td>—</td>")
                continue
            ratio = _ratio_text(float(pair["ratio"]))
            if (fg, bg) in in_image:
                ratio += ' <span class="found">text in the image</span>'
            if pair["aa_normal"]:
                cells.append(f'<td class="ok"><span class="verdict pass">✓ AA</span> {ratio}</td>')
                continue
            fix = fixes.get((pair["foreground"], pair["background"])) or suggested_fix(fg, bg)
            label = (
                '<span class="verdict large">◐ AA large text only</span>'
                if pair["aa_large"]
                else '<span class="verdict fail">✗ Fails AA</span>'
            )
            suggestion = (
                f"<br><span class='small'>try</span> {page.chip(fix)} "
                f"<span class='small'>{_ratio_text(contrast_ratio(_colour(fix), bg))}</span>"
                if fix
                else ""
            )
            cells.append(f'<td class="bad">{label} {ratio}{suggestion}</td>')
        body.append(f'<tr><th scope="row">{page.chip(fg)} text</th>{"".join(cells)}</tr>')
    return (
        '<section aria-labelledby="h-matrix"><h2 id="h-matrix">Text on background</h2>'
        "<p>The main palette colours as text (rows) on each other as backgrounds (columns), "
        "with the WCAG 2 contrast ratio: AA needs 4.5:1, or 3:1 for large text. Pairs the "
        "image actually uses for text are marked; failing pairs come with the nearest text "
        "colour that passes.</p>"
        '<div class="scroll" role="region" aria-labelledby="cap-matrix" tabindex="0">'
        '<table class="matrix"><caption id="cap-matrix">Text colours (rows) on backgrounds '
        f"(columns)</caption><thead><tr><td></td>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _cvd_section(inputs: ReportInputs, page: _Page) -> str:
    doc = inputs.document
    name = inputs.record.filename
    figures = []
    if "original-small" in inputs.views:
        views = [("original-small", "Typical colour vision")] + [
            (k, v) for k, v in CVD_VIEWS.items() if k in inputs.views
        ]
        for key, caption in views:
            src = _data_uri("image/webp", inputs.views[key])
            alt = f"{name} as seen with {caption.split(':')[0].lower()}"
            figures.append(
                f'<figure class="view"><img src="{src}" alt="{_e(alt)}" '
                f'width="{doc["image"]["width"]}" height="{doc["image"]["height"]}">'
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
    views_html = (
        f'<div class="views">{"".join(figures)}</div>'
        if figures
        else '<p class="note">Simulations are not available for this analysis; re-analyse the '
        "image to see them.</p>"
    )
    risks = []
    for deficiency, pairs in sorted(doc["cvd"]["confusable_pairs"].items()):
        if not pairs:
            continue
        items = "".join(
            f"<li>{page.chip(p['a'])} and {page.chip(p['b'])} look alike "
            f"<span class='small'>(ΔE {float(p['delta_e_simulated']):.1f}, "
            f"normally {float(p['delta_e_normal']):.1f})</span></li>"
            for p in pairs
        )
        risks.append(f"<h3>{_e(deficiency.capitalize())}</h3><ul class='pairs'>{items}</ul>")
    risk_html = "".join(risks) or "<p>No palette colours become confusable.</p>"
    return (
        '<section aria-labelledby="h-cvd"><h2 id="h-cvd">Colour-vision deficiencies</h2>'
        f"{views_html}{risk_html}</section>"
    )


def _tokens_section(inputs: ReportInputs) -> str:
    blocks = []
    for fmt, title in TOKEN_FORMATS.items():
        text = inputs.tokens.get(fmt)
        if text is None:
            continue
        blocks.append(
            f'<div class="tokens"><h3 id="tok-{fmt}">{_e(title)}</h3>'
            f'<pre id="code-{fmt}" tabindex="0" aria-labelledby="tok-{fmt}"><code>{_e(text)}'
            f'</code></pre><p class="copy"><button type="button" hidden data-copy="code-{fmt}" '
            f'data-status="status-{fmt}">Copy {_e(title)}</button> '
            f'<span id="status-{fmt}" role="status"></span></p></div>'
        )
    body = "".join(blocks) or "<p>The token files are not available; re-analyse the image.</p>"
    return (
        f'<section aria-labelledby="h-tokens"><h2 id="h-tokens">Design tokens</h2>{body}</section>'
    )


_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
background:#fff}
a{color:#0b57d0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header,main,footer{max-width:75rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem;border-bottom:1px solid #d0d0d0}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.3rem;margin:2rem 0 .75rem;border-bottom:2px solid #1b1b1b;padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0 1rem}
.small{font-size:.85rem;color:#4a4a4a}
.note{background:#fff4ce;border-left:4px solid #8a6100;padding:.5rem .75rem}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.5rem;margin:0}
.facts div{border:1px solid #d0d0d0;border-radius:6px;padding:.5rem .75rem}
.facts dt{font-size:.85rem;color:#4a4a4a}.facts dd{margin:0;font-weight:600;font-size:1.1rem}
figure{margin:0}
.stage{position:relative;margin-top:1.5rem;line-height:0;outline:1px solid #767676}
.stage img{display:block;width:100%;height:auto}
.box{position:absolute;display:block;box-shadow:0 0 0 1px #fff}
.box.fail{border:3px dashed #b3261e}
.box.pass{border:2px solid #146c2e}
.tag{position:absolute;left:-3px;bottom:100%;font:700 11px/1.3 system-ui,sans-serif;
padding:0 3px;border-radius:3px 3px 0 0;white-space:nowrap;color:#fff}
.fail .tag{background:#b3261e}.pass .tag{background:#146c2e}
.controls{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:.5rem 0 0}
.controls input{width:1.1rem;height:1.1rem;vertical-align:-.15rem;margin-right:.35rem}
.annotated:has(#show-outlines:not(:checked)) .box{display:none}
.annotated:has(#show-pass-numbers:not(:checked)) .pass .tag{display:none}
.legend{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
.key{display:inline-block;width:2rem;height:1rem;margin-right:.5rem;vertical-align:middle}
.key.fail{border:3px dashed #b3261e}.key.pass{border:2px solid #146c2e}
details{margin:1rem 0}summary{cursor:pointer;color:#0b57d0;font-weight:600}
.scroll{overflow-x:auto;margin:1rem 0;border:1px solid #d0d0d0}
.scroll:focus{outline:3px solid #0b57d0}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.5rem}
th,td{border-top:1px solid #d0d0d0;padding:.4rem .6rem;text-align:left;vertical-align:top}
thead th{background:#f2f2f2}
.verdict{font-weight:700;white-space:nowrap}
.verdict.fail{color:#b3261e}.verdict.pass{color:#146c2e}.verdict.large{color:#7a4d00}
td.bad{background:#fdf1f0}td.ok{background:#f1f8f3}td.none{color:#4a4a4a}
.found{display:inline-block;font-size:.8rem;border:1px solid #1b1b1b;border-radius:3px;
padding:0 .25rem;background:#fff}
.chip{display:inline-flex;align-items:center;gap:.3rem;white-space:nowrap}
.sw{display:inline-block;width:1.1rem;height:1.1rem;border:1px solid #555;border-radius:3px;
flex:none}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.palette{list-style:none;padding:0;display:grid;gap:.5rem;
grid-template-columns:repeat(auto-fill,minmax(12rem,1fr))}
.palette li{display:flex;gap:.6rem;align-items:center;border:1px solid #d0d0d0;border-radius:6px;
padding:.4rem}
.palette .sw{width:2.75rem;height:2.75rem}
.palette li>span:last-child{display:flex;flex-direction:column}
.views{display:grid;gap:1rem .75rem;
grid-template-columns:repeat(auto-fill,minmax(min(45%,16rem),1fr))}
.view img{width:100%;height:auto;border:1px solid #767676}
.view figcaption{font-size:.9rem;margin-top:.25rem}
.pairs{padding-left:1.25rem}.pairs li{margin:.25rem 0}
pre{background:#f6f6f6;border:1px solid #d0d0d0;padding:.75rem;overflow:auto;max-height:22rem;
margin:0}
pre:focus{outline:3px solid #0b57d0}
button{font:inherit;padding:.4rem .9rem;border:2px solid #0b57d0;background:#0b57d0;color:#fff;
border-radius:6px;cursor:pointer}
button:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
footer{margin-top:3rem;padding:1rem;border-top:1px solid #d0d0d0}
@media (max-width:40rem){h1{font-size:1.3rem}th,td{padding:.3rem .4rem}}
"""

_SCRIPT = """
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const code = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.status);
    try {
      await navigator.clipboard.writeText(code.textContent);
      status.textContent = 'Copied.';
    } catch (err) {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = 'Selected: press Ctrl+C (or Cmd+C) to copy.';
    }
  });
}
"""


def render(inputs: ReportInputs, *, nonce: str) -> str:
    """The report page. Every user-provided string is escaped; colours are validated hex."""
    page = _Page()
    record = inputs.record
    name = record.title or record.filename
    sections = [
        _summary_section(inputs),
        _image_section(inputs, page),
        _palette_section(inputs, page),
        _matrix_section(inputs, page),
        _cvd_section(inputs, page),
        _tokens_section(inputs),
    ]
    colour_css = "".join(f".c{c[1:]}{{background:{c}}}" for c in sorted(page.colours))
    tags = ", ".join(record.tags)
    nav = "".join(
        f'<li><a href="#{anchor}">{label}</a></li>'
        for anchor, label in (
            ("h-summary", "Summary"),
            ("h-image", "Text contrast"),
            ("h-palette", "Palette"),
            ("h-matrix", "Text on background"),
            ("h-cvd", "Colour vision"),
            ("h-tokens", "Tokens"),
        )
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<link rel="icon" href="data:,">'
        f"<title>Accessibility report: {_e(name)}</title>"
        f'<style nonce="{nonce}">{_CSS}{colour_css}{"".join(page.boxes)}</style></head>'
        '<body><header><a class="skip" href="#main">Skip to the report</a>'
        f"<h1>Accessibility report: {_e(name)}</h1>"
        f'<p class="small">{_e(record.filename)}{" · tags: " + _e(tags) if tags else ""}'
        f" · image {_e(record.image_id)}</p>"
        f'<nav aria-label="Report sections"><ul>{nav}</ul></nav></header>'
        f'<main id="main">{"".join(sections)}</main>'
        "<footer><p class='small'>Made by Janus from the stored analysis. Contrast ratios follow "
        "WCAG 2.x; colour-vision simulations use Viénot 1999 and Brettel 1997.</p></footer>"
        f'<script nonce="{nonce}">{_SCRIPT}</script></body></html>\n'
    )
