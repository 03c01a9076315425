"""Text-region search on synthetic words."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.text import find_text_regions


def test_blurred_word_of_capitals_is_not_an_outline() -> None:
    """A downscaled word of capitals merges into one edge blob reaching its four sides, like
    a ring, but fills its middle: it is still text."""
    im = Image.new("RGB", (300, 60), (255, 255, 255))
    ImageDraw.Draw(im).text(
        (20, 20), "NUMBER", fill=(0, 137, 123), font=ImageFont.load_default(size=22)
    )
    small = np.asarray(im.resize((180, 36), Image.Resampling.LANCZOS))
    regions = find_text_regions(small)
    assert len(regions) == 1
    assert regions[0].w > 4 * regions[0].h


def test_empty_ring_is_not_text() -> None:
    im = Image.new("RGB", (200, 60), (255, 255, 255))
    ImageDraw.Draw(im).rounded_rectangle((20, 15, 110, 40), radius=6, outline=(120, 120, 120))
    assert find_text_regions(np.asarray(im)) == []


def _blurred_line(text: str) -> np.ndarray:
    """One line of 18 px grey helper text, downscaled to 60 % with Lanczos."""
    im = Image.new("RGB", (700, 60), (255, 255, 255))
    ImageDraw.Draw(im).text(
        (20, 20), text, fill=(137, 147, 164), font=ImageFont.load_default(size=18)
    )
    return np.asarray(im.resize((420, 36), Image.Resampling.LANCZOS))


def test_blurred_line_of_small_text_is_not_a_band() -> None:
    """Downscaled, a long run of small letters merges into one edge blob longer than twelve
    times its height, like a bar's edge, but it fills its middle: it is still text."""
    regions = find_text_regions(_blurred_line("Maximumcharacterslimitreachedsoon"))
    assert len(regions) == 1
    assert regions[0].w > 12 * regions[0].h


def test_progress_bar_outline_is_not_text() -> None:
    im = Image.new("RGB", (400, 60), (255, 255, 255))
    ImageDraw.Draw(im).rounded_rectangle((20, 20, 300, 30), radius=4, outline=(90, 90, 90))
    small = np.asarray(im.resize((240, 36), Image.Resampling.LANCZOS))
    assert find_text_regions(small) == []


def test_blurred_line_is_cut_at_its_word_spaces() -> None:
    """Two words merged by blur into one band are two findings: each text element of a line
    (a sentence, then a link) must get its own."""
    regions = find_text_regions(_blurred_line("Datarefreshesevery fifteenminutes"))
    assert len(regions) == 2
    assert regions[0].x + regions[0].w < regions[1].x


def test_line_touching_an_input_border_is_its_own_word() -> None:
    """Downscaled, an error line set just under an input touches the input's bottom border:
    the line is cut off the ring's side and found, the ring itself is not."""
    im = Image.new("RGB", (700, 90), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rounded_rectangle((20, 10, 660, 50), radius=6, outline=(255, 77, 79))
    draw.text(
        (22, 47),  # the glyphs start one pixel under the border
        "Onlylettersnumbersandhyphens",
        fill=(255, 77, 79),
        font=ImageFont.load_default(size=18),
    )
    small = np.asarray(im.resize((420, 54), Image.Resampling.LANCZOS))
    regions = find_text_regions(small)
    assert len(regions) == 1
    assert regions[0].y >= 30 and regions[0].w < 300


def test_coloured_mark_next_to_a_grey_label_is_its_own_word() -> None:
    """A red required-field asterisk set against a grey label is a text element of its own;
    joined with the label, its finding would report only the label's ink."""
    im = Image.new("RGB", (400, 60), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=18)
    draw.text((20, 20), "*", fill=(255, 77, 79), font=font)
    x = draw.textbbox((20, 20), "*", font=font)[2] + 2
    draw.text((x, 20), "Projectname", fill=(89, 89, 89), font=font)
    small = np.asarray(im.resize((240, 36), Image.Resampling.LANCZOS))
    regions = find_text_regions(small)
    assert len(regions) == 2
    mark, label = sorted(regions, key=lambda r: r.x)
    assert mark.w <= mark.h and mark.x + mark.w <= label.x


@pytest.mark.parametrize("gap", [1, 2, 3])
def test_a_faint_line_fused_under_a_dark_one_by_a_downscale_is_its_own_region(gap: int) -> None:
    """At 60 % a grey reference line set a pixel or two under a dark payee line touches it
    once edges widen, and the two became one region reported with the payee's ink (passing):
    the gap rows are cut, so the grey line (#98a3a3 on white, 2.6:1) is found failing."""
    im = Image.new("RGB", (400, 240), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    big, small = ImageFont.load_default(size=15), ImageFont.load_default(size=12)
    for k in range(3):
        y = 20 + 60 * k
        draw.text((20, y), "SALARY NORTHWIND LTD", fill=(36, 48, 48), font=big)
        bottom = draw.textbbox((20, y), "SALARY NORTHWIND LTD", font=big)[3]
        draw.text((20, bottom + gap), "Ref: OCT PAYROLL", fill=(152, 163, 163), font=small)
        draw.text((250, y), "Oct 24   1,250.00", fill=(36, 48, 48), font=big)
    small_page = im.resize((240, 144), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small_page.save(buf, "PNG")
    findings = analyze_bytes(buf.getvalue()).contrast.findings
    failing = [f for f in findings if not f.passes.aa]
    assert len(failing) == 3  # one grey line under each payee
    for f in failing:
        assert f.ratio < 3.0 and f.bbox[3] <= 10  # the grey line alone
    assert all(f.passes.aa for f in findings if f not in failing)


def test_a_grey_count_after_a_dark_label_is_its_own_region() -> None:
    """Small text is joined across its word spaces, so at 60 % a grey count set after a dark
    label (#8f8f8f on white, 3.2:1) became one region with the label, reported with the
    label's ink (passing): the box is cut at the word space where the inks differ."""
    im = Image.new("RGB", (400, 120), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    ends = []
    for k, (label, count) in enumerate([("Winter", "(118)"), ("Graduate", "(154)")]):
        y = 20 + 40 * k
        draw.text((20, y), label, fill=(46, 45, 41), font=font)
        ends.append(draw.textbbox((20, y), label, font=font)[2] * 0.6)
        draw.text((ends[-1] / 0.6 + 4, y), count, fill=(143, 143, 143), font=font)
    buf = io.BytesIO()
    im.resize((240, 72), Image.Resampling.LANCZOS).save(buf, "PNG")
    findings = analyze_bytes(buf.getvalue()).contrast.findings
    failing = sorted((f for f in findings if not f.passes.aa), key=lambda f: f.bbox[1])
    assert len(failing) == 2  # one count on each line, on its own
    for f, end in zip(failing, ends, strict=True):
        assert f.ratio < 4.5 and f.bbox[0] >= end
    assert all(f.ratio > 10 for f in findings if f not in failing)  # the labels alone
