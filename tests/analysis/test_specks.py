"""Faint specks of a JPEG (ringing where lines cross, fragments of faint borders) are not text;
faint words are."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes

_INK = (33, 37, 41)
_FAINT = (212, 212, 212)  # on white: 1.5, fails AA by far
_SPECKS = [(500 + 40 * k, 120) for k in range(6)]  # 3 x 8 px marks of the faint grey


def _page() -> Image.Image:
    im = Image.new("RGB", (800, 240), "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=16)
    d.text((40, 40), "Account settings", fill=_INK, font=font)
    d.text(
        (40, 120), "Drop files here to upload", fill=_FAINT, font=ImageFont.load_default(size=26)
    )
    for x, y in _SPECKS:
        d.rectangle((x, y, x + 2, y + 7), fill=_FAINT)
    return im


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _inside(box: list[int], x: int, y: int) -> bool:
    return box[0] <= x + 1 < box[0] + box[2] + 1 and box[1] <= y + 4 < box[1] + box[3] + 1


def test_faint_specks_of_a_jpeg_are_not_text_but_a_faint_word_is() -> None:
    findings = analyze_bytes(_jpeg(_page())).contrast.findings
    assert not [f for f in findings for x, y in _SPECKS if _inside(f.bbox, x, y)]
    faint = [
        f for f in findings if f.bbox[1] < 150 < f.bbox[1] + f.bbox[3] + 20 and f.bbox[0] < 400
    ]
    assert faint and all(not f.passes.aa and f.ratio < 1.6 for f in faint)  # as faint as a speck


def test_the_same_specks_of_a_crisp_png_are_still_reported() -> None:
    """Crisp renders carry no ringing: a mark there is what the page drew."""
    findings = analyze_bytes(_png(_page())).contrast.findings
    assert [f for f in findings for x, y in _SPECKS if _inside(f.bbox, x, y)]
