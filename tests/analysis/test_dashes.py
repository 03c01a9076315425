"""A lone dash, the "no value" mark of an empty table cell, is text: a grey one fails AA."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes

_INK = (33, 37, 41)
_GREY = (158, 158, 158)  # #9e9e9e on white: 2.68, fails AA
_DASHES = [(300, 52), (300, 92)]  # (x, y) of each grey dash: 9 px wide, 1 px thick
_MENU = (560, 40)  # a hamburger icon: three bars, each with ink beside it


def _table() -> bytes:
    im = Image.new("RGB", (720, 160), "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=15)
    for i, (name, value) in enumerate((("Alpha", None), ("Beta", None), ("Gamma", "42"))):
        y = 44 + 40 * i
        d.text((40, y), name, fill=_INK, font=font)
        d.text((140, y), "Pending review", fill=_INK, font=font)
        if value:
            d.text((300, y), value, fill=_INK, font=font)
    for x, y in _DASHES:
        d.rectangle((x, y, x + 8, y), fill=_GREY)
    for k in range(3):
        y = _MENU[1] + 6 * k
        d.rectangle((_MENU[0], y, _MENU[0] + 12, y + 1), fill=_INK)
    return _encoded(im)


def _encoded(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _covers(bbox: tuple[int, int, int, int], x: int, y: int) -> bool:
    return bbox[0] <= x <= bbox[0] + bbox[2] and bbox[1] - 1 <= y <= bbox[1] + bbox[3]


def test_a_lone_grey_dash_is_a_failing_text_finding() -> None:
    findings = analyze_bytes(_table()).contrast.findings
    for x, y in _DASHES:
        on_dash = [f for f in findings if _covers(f.bbox, x + 4, y)]
        assert len(on_dash) == 1
        (dash,) = on_dash
        assert dash.passes.aa is False
        assert abs(dash.ratio - 2.68) < 0.15
        assert dash.bbox[2] <= 16  # the dash alone, not joined to anything


def test_bars_with_ink_beside_them_are_not_dashes() -> None:
    findings = analyze_bytes(_table()).contrast.findings
    menu = [f for f in findings if _covers(f.bbox, _MENU[0] + 6, _MENU[1] + 6)]
    assert menu == []
