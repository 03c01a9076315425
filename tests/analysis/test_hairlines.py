"""Hairlines: the thickness of a screenshot's thinnest borders tells its device-pixel ratio."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.hairlines import line_thickness_counts, thinnest_line


def _settings_page(
    dpr: int, *, css_font: int = 13, borders: bool = True, shadows: bool = False
) -> Image.Image:
    """Nine cards of labels on a grey page, as a browser draws them at `dpr`: 1-CSS-px
    borders and dividers `dpr` pixels thick, text `css_font` CSS px; or, for `shadows`, the
    cards lifted by a soft shadow and no border at all."""
    im = Image.new("RGB", (1280 * dpr, 700 * dpr), (246, 247, 249))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=css_font * dpr)
    for row in range(3):
        for col in range(3):
            x0, y0 = (40 + col * 400) * dpr, (40 + row * 210) * dpr
            x1, y1 = x0 + 360 * dpr - 1, y0 + 180 * dpr - 1
            if shadows:
                for k in range(1, 7 * dpr):
                    grey = 246 - max(0, 30 - 4 * k // dpr)
                    draw.line([(x0, y1 + k), (x1, y1 + k)], fill=(grey, grey, grey + 2))
            outline = (208, 213, 221) if borders else None
            draw.rectangle([x0, y0, x1, y1], fill=(255, 255, 255), outline=outline, width=dpr)
            if borders:
                divider = [x0, y0 + 48 * dpr, x1, y0 + 49 * dpr - 1]
                draw.rectangle(divider, fill=(228, 231, 236))
            draw.text((x0 + 16 * dpr, y0 + 16 * dpr), "Billing owner", (33, 37, 41), font)
            draw.text((x0 + 16 * dpr, y0 + 64 * dpr), "Updated 3 days ago", (108, 117, 125), font)
            draw.text((x0 + 16 * dpr, y0 + 96 * dpr), "Status active", (73, 80, 87), font)
    return im


@pytest.mark.parametrize("dpr", [1, 2, 3])
def test_the_thinnest_lines_are_as_thick_as_the_device_ratio(dpr: int) -> None:
    counts = line_thickness_counts(np.asarray(_settings_page(dpr)))
    assert counts[dpr - 1] >= 10
    assert sum(counts) == counts[dpr - 1]
    assert thinnest_line(counts) == dpr


@pytest.mark.parametrize("dpr", [1, 2])
def test_soft_shadows_are_not_lines(dpr: int) -> None:
    """The darkest row of a shadow under a card stands out from the card above it, but the
    shadow below changes row by row: it is no flat area, so that row is no hairline."""
    page = _settings_page(dpr, borders=False, shadows=True)
    assert line_thickness_counts(np.asarray(page)) == (0, 0, 0)


def test_a_thicker_line_counts_only_where_thinner_ones_are_all_but_absent() -> None:
    assert thinnest_line((12, 4, 0)) == 1
    assert thinnest_line((0, 5, 0)) == 2
    assert thinnest_line((1, 0, 9)) == 3
    assert thinnest_line((2, 3, 0)) is None  # JPEG ringing or a 1x page of 2 px borders
    assert thinnest_line((2, 0, 0)) is None  # too few to tell


def test_a_2x_screenshot_of_small_labels_is_read_at_2x(encode: Callable[..., bytes]) -> None:
    """12 CSS px labels at 2x are 24 px, which text size alone reads as 1.5x; the 2-pixel
    borders say 2x, so the labels are not read as 16 px (close to large when bold)."""
    contrast = analyze_bytes(encode(_settings_page(2, css_font=12))).contrast
    assert contrast.dpr == 2.0
    assert contrast.findings
    assert all(f.font_size_px < 14 and f.large_text is False for f in contrast.findings)


def test_a_1x_page_of_large_labels_is_read_at_1x(encode: Callable[..., bytes]) -> None:
    """18 px labels alone look like a 1.5x page of 12 px ones; its clean 1-pixel lines fit
    no ratio but 1x (at 1.5x a 1-CSS-px border is drawn over two rows, one a blend)."""
    contrast = analyze_bytes(encode(_settings_page(1, css_font=18))).contrast
    assert contrast.dpr == 1.0
