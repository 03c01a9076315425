"""Filled shapes beside text (status dots, legend squares, plain tiles) are not words."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes

_INK = (31, 41, 55)
# (x0, y0, x1, y1) of each shape, and its fill, on a 2x page.
_DOTS = [((40, 40, 68, 68), (251, 188, 5)), ((40, 120, 68, 148), (234, 67, 53))]
_SQUARES = [((40, 200, 66, 226), (52, 168, 83)), ((40, 280, 66, 306), (66, 133, 244))]
_TILES = [((420, 40, 620, 240), (255, 216, 168)), ((420, 280, 620, 480), (195, 250, 232))]
_AVATAR = ((700, 40, 772, 112), (52, 168, 83))


def _page() -> Image.Image:
    """A 2x list page: coloured dots and squares before labels, pastel photo placeholders
    (rounded tiles with nothing in them), and an avatar circle with a white initial."""
    im = Image.new("RGB", (880, 520), "white")
    d = ImageDraw.Draw(im)
    for box, fill in _DOTS:
        d.ellipse(box, fill=fill)
    for box, fill in _SQUARES:
        d.rectangle(box, fill=fill)
    for box, fill in _TILES:
        d.rounded_rectangle(box, radius=24, fill=fill)
    d.ellipse(_AVATAR[0], fill=_AVATAR[1])
    font = ImageFont.load_default(size=28)
    for i, word in enumerate(("Inbox", "Starred", "Sent", "Drafts")):
        d.text((90, 36 + 80 * i), word, fill=_INK, font=font)
    d.text((640, 300), "Nonna's", fill=_INK, font=font)
    d.text((722, 56), "B", fill="white", font=ImageFont.load_default(size=40))
    return im


def _variant(kind: str) -> bytes:
    im = _page()
    buf = io.BytesIO()
    if kind == "q85":
        im.save(buf, format="JPEG", quality=85)
    else:
        size = (round(im.width * 0.6), round(im.height * 0.6))
        im.resize(size, Image.Resampling.LANCZOS).save(buf, format="PNG")
    return buf.getvalue()


def _on(bbox: tuple[int, int, int, int], box: tuple[int, int, int, int], scale: float) -> bool:
    x0, y0, x1, y1 = (v * scale for v in box)
    cx, cy = bbox[0] + bbox[2] / 2, bbox[1] + bbox[3] / 2
    return x0 - 2 <= cx <= x1 + 2 and y0 - 2 <= cy <= y1 + 2


@pytest.mark.parametrize("kind", ["q85", "s60"])
def test_dots_squares_and_empty_tiles_are_not_text(kind: str) -> None:
    scale = 1.0 if kind == "q85" else 0.6
    findings = analyze_bytes(_variant(kind)).contrast.findings
    shapes = [box for box, _ in _DOTS + _SQUARES + _TILES]
    on_shapes = [f for f in findings if any(_on(f.bbox, s, scale) for s in shapes)]
    assert on_shapes == []
    # The words stay, and so does the initial on its avatar, which fails AA (3.06).
    for y in (36, 116, 196, 276):
        assert any(_on(f.bbox, (90, y, 200, y + 30), scale) for f in findings)
    initial = [f for f in findings if _on(f.bbox, _AVATAR[0], scale)]
    assert initial and all(f.foreground == "#ffffff" for f in initial)
