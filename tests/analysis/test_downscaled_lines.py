"""Line colours of downscaled screenshots: a table drawn by Pillow with 1-px rules of a known
colour, shrunk with known filters, so the rules' colour is known exactly though no pixel of
the downscale shows it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.colour import delta_e_2000, srgb_to_cielab
from chalicelib.analysis.downscaled_lines import css_px, line_colours

RGB = tuple[int, int, int]
RULE: RGB = (0xDE, 0xE2, 0xE6)  # Bootstrap's table border
INK: RGB = (0x21, 0x25, 0x29)
FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "box": Image.Resampling.BOX,
}


def _table() -> Image.Image:
    """A white page with a table: rows of words between 1-px horizontal rules, and 1-px column
    rules, at 1x."""
    im = Image.new("RGB", (1200, 760), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    cells = ("Invoice", "Customer", "Amount due", "Status")
    for row in range(16):
        y = 60 + 40 * row
        draw.line([(40, y), (1160, y)], fill=RULE, width=1)
        for col, word in enumerate(cells):
            draw.text((60 + 280 * col, y + 12), f"{word} {row + 1}", fill=INK, font=font)
    for x in (40, 320, 600, 880, 1160):
        draw.line([(x, 60), (x, 700)], fill=RULE, width=1)
    return im


def _de(a: RGB, b: RGB) -> float:
    lab = srgb_to_cielab(np.array([a, b], dtype=np.float64))
    return float(delta_e_2000(lab[0], lab[1]))


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _assert_rule_colour_not_blends(small: Image.Image) -> None:
    """The engine's palette holds the rule's colour, and nothing paler than the rule on the
    way to the white page, as the blends it was drawn in are."""
    palette: list[RGB] = []
    for entry in analyze_bytes(_png(small)).palette:
        r, g, b = (int(entry.hex[k : k + 2], 16) for k in (1, 3, 5))
        palette.append((r, g, b))
    assert min(_de(c, RULE) for c in palette) < 3.0
    white = (255, 255, 255)
    paler = [c for c in palette if _de(c, RULE) >= 3.0 and 2.0 <= _de(c, white) < _de(RULE, white)]
    assert paler == []


def test_a_crisp_line_reads_as_its_own_colour() -> None:
    rgb = np.asarray(_table())
    found = line_colours(rgb, 1.0, 0.002)
    assert found[0].rgb == RULE
    # 16 rules 1120 px long and 5 of 640 px, over 1200 x 760 px (read every 4th px: +-1 %)
    assert found[0].fraction == pytest.approx((16 * 1120 + 5 * 640) / (1200 * 760), rel=0.05)


# Pillow's BOX weighs whole source pixels by whether their centres fall in the box, so at 75 %
# a rule can land whole in one output pixel and no longer keeps its ink times the scale.
@pytest.mark.parametrize(
    ("scale", "resample"),
    [
        (s, f)
        for s in (0.5, 0.6, 0.75)
        for f in FILTERS.values()
        if (s, f) != (0.75, FILTERS["box"])
    ],
)
def test_a_downscaled_rule_is_read_back_from_its_blends(
    resample: Image.Resampling, scale: float
) -> None:
    im = _table()
    small = np.asarray(im.resize((round(im.width * scale), round(im.height * scale)), resample))
    if scale <= 0.6:  # no pixel of a rule keeps its colour: the downscale drew paler blends
        rows = small[round(60 * scale) - 2 : round(60 * scale) + 3, round(400 * scale)]
        assert min(_de(tuple(int(v) for v in p), RULE) for p in rows) > 3.0
    found = line_colours(small, scale, 0.002)
    assert found, "no line found"
    assert _de(found[0].rgb, RULE) < 2.0  # 8-bit blends: +-1 code / scale


def test_the_width_of_a_css_pixel_comes_from_the_median_word() -> None:
    assert css_px([7.8, 7.0, 9.1]) == pytest.approx(7.8 / 13.0)
    assert css_px([]) is None


# Not "box": the engine does not take this table's box-filtered downscale for a resampled image
# (it has no ringing and its words are few), so its palette keeps the drawn blends.
@pytest.mark.parametrize("resample", list(FILTERS.values())[:3], ids=list(FILTERS)[:3])
def test_the_palette_of_a_downscaled_table_holds_its_rule_colour_not_the_blends(
    resample: Image.Resampling,
) -> None:
    im = _table()
    _assert_rule_colour_not_blends(
        im.resize((round(im.width * 0.6), round(im.height * 0.6)), resample)
    )


def test_the_borders_of_small_staggered_boxes_replace_the_blend_they_were_drawn_in() -> None:
    """Sixty bordered chips at staggered heights: each border is too short to be measured
    for long and lies at its own phase, so the measured share is small, while their blends
    together are a prominent palette colour; that colour is the borders', read back."""
    im = Image.new("RGB", (1200, 760), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    draw.line([(40, 30), (700, 30)], fill=RULE, width=1)
    for k in range(60):
        x, y = 40 + 110 * (k % 10), 60 + 110 * (k // 10) + (k * 7) % 23
        draw.rectangle((x, y, x + 60, y + 26), outline=RULE, width=1)
        draw.text((x + 8, y + 6), f"Day {k + 1}", fill=INK, font=font)
    _assert_rule_colour_not_blends(im.resize((720, 456), Image.Resampling.LANCZOS))
