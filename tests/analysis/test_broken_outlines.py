"""Faint rounded boxes whose outline breaks apart at the corners are not text."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.text import TextRegion, find_text_regions

_INK = (17, 24, 39)


def _boxes(border: tuple[int, int, int]) -> Image.Image:
    """Three rounded boxes with a 1-px border, anti-aliased as a browser draws them, each
    with a word inside, and an input with its label set 2 px above it."""
    s = 4
    im = Image.new("RGB", (400 * s, 300 * s), "white")
    d = ImageDraw.Draw(im)
    for x0, y0, x1, y1, r in (
        (40, 40, 200, 80, 10),
        (220, 40, 360, 72, 16),
        (40, 140, 260, 180, 20),
        (40, 240, 260, 270, 6),
    ):
        d.rounded_rectangle((x0 * s, y0 * s, x1 * s, y1 * s), radius=r * s, outline=border, width=s)
    im = im.resize((400, 300), Image.Resampling.BOX)
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    d.text((60, 52), "Continue", fill=_INK, font=font)
    d.text((240, 48), "Filter", fill=_INK, font=font)
    d.text((60, 152), "Sign in with SSO", fill=_INK, font=font)
    d.text((44, 222), "Email", fill=_INK, font=font)
    return im


def _inside(r: TextRegion, x0: int, y0: int, x1: int, y1: int) -> bool:
    return x0 <= r.x and r.x + r.w <= x1 and y0 <= r.y and r.y + r.h <= y1


def test_corner_arcs_of_a_faint_border_are_not_words() -> None:
    # #e5e7eb on white steps by less than the edge threshold along the anti-aliased arcs:
    # the outline falls apart into sides (rules) and corner pieces the size of glyphs.
    regions = find_text_regions(np.asarray(_boxes((229, 231, 235))))
    words = [(55, 45, 140, 75), (235, 43, 300, 70), (55, 145, 200, 175), (40, 218, 100, 239)]
    stray = [r for r in regions if r.y < 200 and not any(_inside(r, *w) for w in words)]
    assert stray == []
    for w in words:  # the words, the one inside each box and the label over it, stay
        assert any(_inside(r, *w) for r in regions)


def test_outlined_chips_in_a_jpeg_are_not_words() -> None:
    # JPEG widens a 1-px #d1d1d1 border to a 6-px edge, too thick for a rule: the chips' flat
    # sides stand for the removed sides, and an end arc may stick out of them by a few pixels.
    s = 4
    chips = [(20, 40, 100, 72), (112, 40, 200, 72), (212, 40, 300, 72), (312, 40, 400, 72)]
    im = Image.new("RGB", (420 * s, 120 * s), "white")
    d = ImageDraw.Draw(im)
    for x0, y0, x1, y1 in chips:
        box = (x0 * s, y0 * s, x1 * s, y1 * s)
        d.rounded_rectangle(box, radius=16 * s, outline=(209, 209, 209), width=s)
    im = im.resize((420, 120), Image.Resampling.BOX)
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    for (x0, y0, _, _), word in zip(chips, ["Road", "Trail", "Racing", "Kids"], strict=True):
        d.text((x0 + 20, y0 + 8), word, fill=(51, 51, 51), font=font)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    findings = analyze_bytes(buf.getvalue()).contrast.findings
    assert len(findings) == 4
    assert all(f.ratio > 12 for f in findings)


def test_four_mirrored_corners_are_not_words() -> None:
    # A downscaled dark card (#22272e on #0d1117) whose straight sides fade below the edge
    # threshold: only its four corner arcs show, mirror images of each other.
    s, r = 4, 8
    tile = Image.new("RGB", (2 * r * s, 2 * r * s), (13, 17, 23))
    ImageDraw.Draw(tile).arc((0, 0, 2 * r * s, 2 * r * s), 180, 270, fill=(90, 96, 106), width=s)
    corner = tile.resize((2 * r, 2 * r), Image.Resampling.BOX).crop((0, 0, r, r))
    im = Image.new("RGB", (300, 120), (13, 17, 23))
    flips = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM)
    im.paste(corner, (20, 20))
    im.paste(corner.transpose(flips[0]), (272, 20))
    im.paste(corner.transpose(flips[1]), (20, 92))
    im.paste(corner.transpose(flips[0]).transpose(flips[1]), (272, 92))
    d = ImageDraw.Draw(im)
    d.text((40, 50), "( ) ( )", fill=(230, 237, 243), font=ImageFont.load_default(size=14))
    regions = find_text_regions(np.asarray(im))
    assert regions and all(_inside(r, 35, 45, 120, 70) for r in regions)
