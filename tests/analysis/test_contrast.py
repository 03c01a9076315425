"""Contrast: WCAG maths, recovery of glyph and background colours, fixes, pair matrix."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.colour import contrast_ratio, delta_e_2000, srgb_to_cielab
from chalicelib.analysis.contrast import (
    classify_size,
    estimate_dpr,
    pair_matrix,
    suggest_passing_colour,
)
from chalicelib.analysis.ink_measure import (
    Measured,
    _channel_max,
    _channel_sum,
    _mode_and_count,
)
from chalicelib.analysis.text import TextRegion

Card = Callable[..., tuple[Image.Image, tuple[int, int, int, int]]]


def test_wcag_ratio_reference_values() -> None:
    assert float(contrast_ratio([0, 0, 0], [255, 255, 255])) == pytest.approx(21.0)
    assert float(contrast_ratio([255, 255, 255], [255, 255, 255])) == pytest.approx(1.0)
    # Bootstrap's secondary grey on white: 4.69 (as browsers and axe-core report it)
    assert float(contrast_ratio([0x6C, 0x75, 0x7D], [255, 255, 255])) == pytest.approx(
        4.69, abs=0.01
    )


def test_ciede2000_matches_sharma_reference_pairs() -> None:
    # Pairs 1 and 17 of Sharma, Wu & Dalal (2005), Table 1.
    assert float(delta_e_2000([50, 2.6772, -79.7751], [50, 0, -82.7485])) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert float(delta_e_2000([50, 2.5, 0], [73, 25, -18])) == pytest.approx(27.1492, abs=1e-4)
    assert float(delta_e_2000(srgb_to_cielab([10, 20, 30]), srgb_to_cielab([10, 20, 30]))) == 0


# Sharma, Wu & Dalal (2005), Table 1: all 34 pairs (L1, a1, b1, L2, a2, b2, dE00). They test
# the hue wrap-around, achromatic colours and the rotation term.
_SHARMA = [
    (50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425),
    (50, 3.1571, -77.2803, 50, 0, -82.7485, 2.8615),
    (50, 2.8361, -74.0200, 50, 0, -82.7485, 3.4412),
    (50, -1.3802, -84.2814, 50, 0, -82.7485, 1.0000),
    (50, -1.1848, -84.8006, 50, 0, -82.7485, 1.0000),
    (50, -0.9009, -85.5211, 50, 0, -82.7485, 1.0000),
    (50, 0, 0, 50, -1, 2, 2.3669),
    (50, -1, 2, 50, 0, 0, 2.3669),
    (50, 2.49, -0.001, 50, -2.49, 0.0009, 7.1792),
    (50, 2.49, -0.001, 50, -2.49, 0.0010, 7.1792),
    (50, 2.49, -0.001, 50, -2.49, 0.0011, 7.2195),
    (50, 2.49, -0.001, 50, -2.49, 0.0012, 7.2195),
    (50, -0.001, 2.49, 50, 0.0009, -2.49, 4.8045),
    (50, -0.001, 2.49, 50, 0.0010, -2.49, 4.8045),
    (50, -0.001, 2.49, 50, 0.0011, -2.49, 4.7461),
    (50, 2.5, 0, 50, 0, -2.5, 4.3065),
    (50, 2.5, 0, 73, 25, -18, 27.1492),
    (50, 2.5, 0, 61, -5, 29, 22.8977),
    (50, 2.5, 0, 56, -27, -3, 31.9030),
    (50, 2.5, 0, 58, 24, 15, 19.4535),
    (50, 2.5, 0, 50, 3.1736, 0.5854, 1.0000),
    (50, 2.5, 0, 50, 3.2972, 0, 1.0000),
    (50, 2.5, 0, 50, 1.8634, 0.5757, 1.0000),
    (50, 2.5, 0, 50, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_all_sharma_pairs_one_at_a_time_and_together() -> None:
    """Few pairs are computed in Python floats, many in numpy arrays: both give the table."""
    table = np.array(_SHARMA, dtype=np.float64)
    one_by_one = [float(delta_e_2000(row[:3], row[3:6])) for row in table]
    together = delta_e_2000(table[:, :3], table[:, 3:6])
    assert one_by_one == pytest.approx(table[:, 6].tolist(), abs=1e-4)
    assert together.tolist() == pytest.approx(table[:, 6].tolist(), abs=1e-4)
    # a few pairs at once, broadcast against one colour, keep the shape numpy gives
    few = delta_e_2000(table[:5, :3], table[0, 3:6])
    assert few.shape == (5,)
    assert few.tolist() == pytest.approx(together[:5].tolist(), abs=1e-4)


def test_ciede2000_paths_agree_on_random_colours() -> None:
    rng = np.random.default_rng(3)
    lab1 = np.column_stack([rng.uniform(0, 100, 400), rng.normal(0, 40, (400, 2))])
    lab2 = lab1 + rng.normal(0, 3, (400, 3))
    lab2[::5, 1:] = 0.0  # achromatic partners: no hue
    together = delta_e_2000(lab1, lab2)
    one_by_one = np.array([float(delta_e_2000(a, b)) for a, b in zip(lab1, lab2, strict=True)])
    assert np.abs(together - one_by_one).max() < 1e-9


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        ((100, 116, 139), (255, 255, 255)),  # slate-500 on white: 4.76, passes narrowly
        ((148, 163, 184), (30, 41, 59)),  # light text on a dark card
        ((255, 255, 255), (34, 197, 94)),  # white on green: fails
        ((203, 213, 225), (255, 255, 255)),  # very light grey on white: fails badly
    ],
)
def test_text_colours_are_recovered_exactly(
    text_card: Card,
    encode: Callable[..., bytes],
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
) -> None:
    im, card = text_card(fg, bg, size=18)
    result = analyze_bytes(encode(im), dpr=1.0)
    inside = [
        f
        for f in result.contrast.findings
        if card[0] < f.bbox[0] and f.bbox[0] + f.bbox[2] < card[2] and card[1] < f.bbox[1] < card[3]
    ]
    assert inside, "the text on the card was not found"
    expected = float(contrast_ratio(fg, bg))
    fg_hex = "#{:02x}{:02x}{:02x}".format(*fg)
    bg_hex = "#{:02x}{:02x}{:02x}".format(*bg)
    for f in inside:
        assert f.background == bg_hex
        assert f.foreground == fg_hex
        assert f.ratio == pytest.approx(expected, abs=0.01)
        assert f.passes.aa == (expected >= 4.5)
        assert f.large_text is False


def test_large_bold_heading_is_large_text(text_card: Card, encode: Callable[..., bytes]) -> None:
    im, _ = text_card((30, 41, 59), (255, 255, 255), size=40, text="Ship faster")
    result = analyze_bytes(encode(im), dpr=1.0)
    sizes = [f.font_size_px for f in result.contrast.findings]
    assert any(30 <= s <= 50 for s in sizes)
    assert any(f.large_text for f in result.contrast.findings)


def test_dpr_hint_changes_the_size_class(text_card: Card, encode: Callable[..., bytes]) -> None:
    im, _ = text_card((30, 41, 59), (255, 255, 255), size=40, text="Ship faster")
    data = encode(im)
    assert any(f.large_text for f in analyze_bytes(data, dpr=1.0).contrast.findings)
    assert not any(f.large_text for f in analyze_bytes(data, dpr=3.0).contrast.findings)


def test_size_near_the_threshold_is_unknown() -> None:
    assert classify_size(24.0, bold=False) is None
    assert classify_size(30.0, bold=False) is True
    assert classify_size(16.0, bold=False) is False
    assert classify_size(19.0, bold=True) is None
    assert classify_size(22.0, bold=True) is True


def test_suggested_colour_keeps_hue_and_passes() -> None:
    fg, bg = (34, 197, 94), (255, 255, 255)
    fixed = suggest_passing_colour(fg, bg, 4.5)
    assert fixed is not None
    assert float(contrast_ratio(fixed, bg)) >= 4.5
    assert float(contrast_ratio(fixed, bg)) < 5.2  # the nearest, not just any dark colour
    assert fixed[1] > fixed[0]
    assert fixed[1] > fixed[2]


def test_failing_findings_carry_a_fix(text_card: Card, encode: Callable[..., bytes]) -> None:
    im, _ = text_card((255, 255, 255), (34, 197, 94), size=18)
    result = analyze_bytes(encode(im), dpr=1.0)
    failing = [f for f in result.contrast.findings if not f.passes.aa]
    assert failing
    for f in failing:
        assert f.suggested_foreground is not None


def test_pair_matrix_levels() -> None:
    pairs = {
        (p.foreground, p.background): p
        for p in pair_matrix([(0, 0, 0), (255, 255, 255), (118, 118, 118)])
    }
    assert len(pairs) == 6
    black_white = pairs[((0, 0, 0), (255, 255, 255))]
    assert black_white.aaa_normal
    assert black_white.ratio == pytest.approx(21.0)
    grey_white = pairs[((118, 118, 118), (255, 255, 255))]
    assert grey_white.aa_normal
    assert not grey_white.aaa_normal


def test_blank_image_has_no_findings(encode: Callable[..., bytes]) -> None:
    result = analyze_bytes(encode(Image.new("RGB", (300, 200), (240, 240, 240))))
    assert result.contrast.findings == []
    assert [p.hex for p in result.palette] == ["#f0f0f0"]
    assert np.isclose(result.palette[0].fraction, 1.0, atol=0.02)


def _measured(font_px: float) -> Measured:
    return Measured(
        region=TextRegion(0, 0, 40, 12),
        fg=(0, 0, 0),
        bg=(255, 255, 255),
        ratio=21.0,
        font_px=font_px,
        stem_ratio=0.09,
        ink_pixels=100,
        fg_estimate=(0.0, 0.0, 0.0),
    )


def test_dpr_estimate_uses_text_size_and_viewport_width() -> None:
    assert estimate_dpr([_measured(14)] * 5, 1280) == 1.0
    assert estimate_dpr([_measured(28)] * 5, 2560) == 2.0
    # 1170 px: a 390 px phone at 3x, even though its text alone suggests about 2x
    assert estimate_dpr([_measured(30)] * 5, 1170) == 3.0
    # a downscaled screenshot: fractional ratio from the text
    assert estimate_dpr([_measured(8.4)] * 5, 768) == pytest.approx(0.6, abs=0.02)
    assert estimate_dpr([], 1000) == 1.0
    # a crisp 1280 px screenshot of mostly 10 px labels: still 1x, as no device renders at 0.71x
    assert estimate_dpr([_measured(10)] * 5, 1280, rescaled=False) == 1.0
    assert estimate_dpr([_measured(10)] * 5, 1280) == pytest.approx(0.71, abs=0.01)


def test_dpr_estimate_takes_the_ratio_that_the_hairlines_fit() -> None:
    """22 px words alone say 1.5x (15 CSS px words), 2 px lines say 2x (11 px labels); clean
    1 px lines rule out 1.5x, which draws a 1-CSS-px border over two rows. A clear text size
    still outvotes the lines (a 1x page framed in 2 px borders)."""
    assert estimate_dpr([_measured(22)] * 5, 1920, rescaled=False) == 1.5
    assert estimate_dpr([_measured(22)] * 5, 1920, rescaled=False, thinnest_line=2) == 2.0
    assert estimate_dpr([_measured(18.5)] * 5, 1280, rescaled=False) == 1.5
    assert estimate_dpr([_measured(18.5)] * 5, 1280, rescaled=False, thinnest_line=1) == 1.0
    assert estimate_dpr([_measured(13)] * 5, 1280, rescaled=False, thinnest_line=2) == 1.0


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (1, 300), (300, 1)])
def test_degenerate_images_are_analysed(
    encode: Callable[..., bytes], size: tuple[int, int]
) -> None:
    result = analyze_bytes(encode(Image.new("RGB", size, (10, 20, 30))))
    assert [p.hex for p in result.palette] == ["#0a141e"]
    assert result.contrast.findings == []


def test_strip_search_finds_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageDraw, ImageFont

    from chalicelib.analysis import text

    im = Image.new("RGB", (400, 3000), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=16)
    for y in range(20, 2980, 37):  # lines everywhere, some across every strip boundary
        draw.text((20, y), "Strips keep memory bounded", fill=(40, 40, 40), font=font)
    rgb = np.asarray(im)
    whole = text.find_text_regions(rgb)
    monkeypatch.setattr(text, "STRIP_PIXELS", 400 * 1024)
    striped = text.find_text_regions(rgb)
    assert len(whole) > 200
    assert striped == whole


def test_resampled_screenshots_are_recognised(text_card: Card) -> None:
    from chalicelib.analysis.downscaled_ink import looks_resampled
    from chalicelib.analysis.ink_measure import measure_region
    from chalicelib.analysis.ink_snap import ColourSnapper
    from chalicelib.analysis.palette import extract_palette
    from chalicelib.analysis.text import find_text_regions

    im, _ = text_card((33, 37, 41), (255, 255, 255), size=16, text="Many words " * 6)
    lines = Image.new("RGB", (im.width, im.height * 4), (255, 255, 255))
    for k in range(4):  # several lines, so that there are words enough to judge
        lines.paste(im, (0, k * im.height))
    im = lines

    def judged(img: Image.Image) -> bool:
        rgb = np.asarray(img.convert("RGB"))
        pal = extract_palette(rgb)
        snap = ColourSnapper(pal.modes, pal.noise)
        found = [measure_region(rgb, r, pal.noise, snap) for r in find_text_regions(rgb)]
        return looks_resampled([m for m in found if m is not None])

    assert not judged(im)
    small = im.resize((im.width * 3 // 5, im.height * 3 // 5), Image.Resampling.LANCZOS)
    assert judged(small)


def test_photo_texture_is_not_text(encode: Callable[..., bytes]) -> None:
    rng = np.random.default_rng(0)
    small = Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8))
    photo = np.asarray(small.resize((800, 600), Image.Resampling.BICUBIC)).astype(np.int16)
    photo = np.clip(photo + rng.integers(-20, 20, photo.shape), 0, 255).astype(np.uint8)
    result = analyze_bytes(encode(Image.fromarray(photo), "JPEG", quality=90))
    assert result.palette_kind == "photographic"
    assert result.contrast.findings == []


def _buttons_under_an_alert(ink: tuple[int, int, int], tint: tuple[int, int, int]) -> Image.Image:
    """Four primary buttons (#0d6efd) with 16 px labels in `ink`, under a wide alert box
    filled with `tint`: a page whose flat colours include a pale tint near white."""
    im = Image.new("RGB", (640, 360), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((20, 20, 620, 120), fill=tint)
    draw.text(
        (40, 50), "Your trial ends in three days", (102, 77, 3), ImageFont.load_default(size=20)
    )
    labels = ("Sign in", "Continue", "Save draft", "Publish")
    for label, (x, y) in zip(labels, [(40, 180), (240, 180), (40, 260), (240, 260)], strict=True):
        draw.rectangle((x, y, x + 170, y + 44), fill=(13, 110, 253))
        draw.text((x + 22, y + 12), label, ink, ImageFont.load_default(size=16))
    return im


@pytest.mark.parametrize("quality", [85, 70])
def test_white_labels_on_saturated_buttons_in_a_jpeg_are_read_as_white(
    encode: Callable[..., bytes], quality: int
) -> None:
    """JPEG clips the white strokes at 255 and leaves them short in luma, so a pale tint of
    the page (an alert's #fff3cd) explains them about as well as white: white is taken, and
    Bootstrap's primary button keeps its 4.5:1 pass instead of a false 4.06 failure."""
    im = _buttons_under_an_alert((255, 255, 255), (255, 243, 205))
    findings = analyze_bytes(encode(im, "JPEG", quality=quality)).contrast.findings
    labels = [f for f in findings if f.bbox[1] > 150]
    assert len(labels) >= 4
    assert all(f.foreground == "#ffffff" and f.background == "#0d6efd" for f in labels)
    assert all(f.passes.aa for f in labels)


def test_tinted_labels_on_saturated_buttons_keep_their_tint(encode: Callable[..., bytes]) -> None:
    """A clearly yellow label is no white one: its chroma rules white out."""
    ink = (255, 230, 150)
    im = _buttons_under_an_alert(ink, ink)
    findings = analyze_bytes(encode(im, "JPEG", quality=85)).contrast.findings
    labels = [f for f in findings if f.bbox[1] > 150]
    assert len(labels) >= 4
    truth = float(contrast_ratio(np.array(ink, float), np.array((13, 110, 253), float)))
    assert all(f.foreground != "#ffffff" and abs(f.ratio - truth) < 0.1 for f in labels)


def test_close_shades_that_words_show_whole_are_not_pooled(encode: Callable[..., bytes]) -> None:
    """Tailwind's slate-800 body (#1e293b) under a slate-900 heading (#0f172a) lies on the
    same blend ray from white, 7 % short of it; but its words show a plateau of whole stem
    pixels at exactly #1e293b, so it is an ink of its own, not a blend that fell short."""
    im = Image.new("RGB", (640, 200), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.text((20, 20), "Revenue by week", (15, 23, 42), ImageFont.load_default(size=30))
    draw.text((20, 90), "Orders shipped on time", (30, 41, 59), ImageFont.load_default(size=20))
    draw.text((20, 130), "Returns handled", (30, 41, 59), ImageFont.load_default(size=20))
    findings = analyze_bytes(encode(im)).contrast.findings
    body = [f for f in findings if f.bbox[1] > 80]
    assert len(body) >= 4
    assert all(f.foreground == "#1e293b" for f in body)
    assert all(f.foreground == "#0f172a" for f in findings if f.bbox[1] < 80)


def test_a_lone_word_short_of_its_ink_takes_the_ink_its_line_shows(
    encode: Callable[..., bytes],
) -> None:
    """`xv` has no vertical stem: its diagonals never cover a whole pixel, so its extreme is
    #818181, 9.5 % short of the #757575 the other words reach (4.61:1 read as 3.90). A colour
    no other word shares is no evidence of an ink of its own: it joins the nearest ink
    beyond it on its ray within `_LONE_WINDOW`."""
    ink = (117, 117, 117)
    im = Image.new("RGB", (640, 120), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=13)
    draw.text((20, 20), "Rows per page: 8 Page of", ink, font)
    draw.text((20, 60), "Shown here", ink, font)
    draw.text((300, 60), "xv", ink, font)
    findings = analyze_bytes(encode(im)).contrast.findings
    assert any(f.bbox[0] >= 295 for f in findings)
    assert {f.foreground for f in findings} == {"#757575"}


def test_one_pixel_stems_in_a_jpeg_keep_their_ink(encode: Callable[..., bytes]) -> None:
    """The top of a 1-px stem's ink rings less beyond the ink than thick strokes do (median
    1.010 against 1.029 for cored words at JPEG quality 85), so undoing the image's full
    overshoot reads #757575 small print (4.61:1) as #777777, a false AA failure."""
    im = Image.new("RGB", (640, 260), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for k in range(3):
        draw.text(
            (20, 20 + 40 * k), "Quarterly numbers", (40, 40, 40), ImageFont.load_default(size=32)
        )
    for k in range(4):
        draw.text(
            (20, 150 + 24 * k),
            "Rows per page: 8 - page 1 of 27",
            (117, 117, 117),
            ImageFont.load_default(size=12),
        )
    findings = analyze_bytes(encode(im, "JPEG", quality=85)).contrast.findings
    small = [f for f in findings if f.bbox[1] > 140]
    assert len(small) >= 20
    assert sum(f.passes.aa for f in small) >= len(small) / 2


def _card_under_a_gradient(
    fill: tuple[int, int, int], ink: tuple[int, int, int], words: str
) -> Image.Image:
    """A lossless page with a gradient hero (so it has a noise level) over a flat card with
    three lines of 24 px text."""
    im = Image.new("RGB", (640, 400), (255, 255, 255))
    hero = np.linspace(0, 1, 640)[None, :, None] * np.array([60.0, 90.0, 200.0])
    im.paste(Image.fromarray((40 + hero.repeat(150, 0)).astype(np.uint8)), (0, 0))
    draw = ImageDraw.Draw(im)
    draw.rectangle((20, 200, 620, 380), fill=fill)
    for k in range(3):
        draw.text((40, 220 + 50 * k), words, ink, ImageFont.load_default(size=24))
    return im


def test_off_white_cards_beside_a_gradient_keep_their_exact_fill(
    encode: Callable[..., bytes],
) -> None:
    """A gradient hero gives a lossless page a noise level, but its flat fills stay exact:
    text on a #fbfaf8 card stands on #fbfaf8, not on the white page within the snap radius."""
    im = _card_under_a_gradient((251, 250, 248), (47, 43, 38), "Questions and answers")
    findings = analyze_bytes(encode(im)).contrast.findings
    card = [f for f in findings if f.bbox[1] > 200]
    assert len(card) >= 6
    assert all(f.background == "#fbfaf8" for f in card)


def test_off_white_text_beside_a_gradient_keeps_its_exact_ink(
    encode: Callable[..., bytes],
) -> None:
    """Such a page renders its glyphs crisply too: #fbfaf8 text on a dark button is read as
    a crisp render's ink (the exact mode of its extreme pixels), not snapped to white."""
    im = _card_under_a_gradient((61, 58, 53), (251, 250, 248), "Monthly or yearly")
    findings = analyze_bytes(encode(im)).contrast.findings
    card = [f for f in findings if f.bbox[1] > 200]
    assert len(card) >= 6
    assert all(f.foreground == "#fbfaf8" and f.background == "#3d3a35" for f in card)


def test_a_crisp_page_of_small_labels_is_read_at_a_device_ratio(
    encode: Callable[..., bytes],
) -> None:
    """A crisp 1280 px screenshot whose words are all small labels: the ratio is 1x (no device
    renders below it), so the labels are small text, not read half as large again."""
    im = Image.new("RGB", (1280, 800), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for k in range(20):
        draw.text(
            (40, 30 + 35 * k),
            "Label  value  status  updated  owner",
            (118, 118, 118),
            font=ImageFont.load_default(size=11),
        )
    contrast = analyze_bytes(encode(im)).contrast
    assert contrast.dpr == 1.0
    assert contrast.findings and all(f.large_text is False for f in contrast.findings)


@pytest.mark.parametrize(
    ("ink", "fill", "page"),
    [
        ((27, 94, 32), (200, 230, 201), (255, 255, 255)),
        ((255, 255, 255), (211, 47, 47), (224, 242, 241)),
    ],
)
def test_label_of_a_tight_pill_is_read_on_the_pill(
    encode: Callable[..., bytes],
    ink: tuple[int, int, int],
    fill: tuple[int, int, int],
    page: tuple[int, int, int],
) -> None:
    """With 1 px of vertical padding the label's edges join the pill's and the region is the
    whole pill: the label sits on the pill's fill, not on the page around it."""
    im = Image.new("RGB", (200, 60), page)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    left, top, right, bottom = draw.textbbox((60, 20), "Paid", font=font)
    draw.rounded_rectangle(
        (left - 8, top - 1, right + 8, bottom + 1), radius=(bottom - top) // 2 + 1, fill=fill
    )
    draw.text((60, 20), "Paid", fill=ink, font=font)
    findings = analyze_bytes(encode(im)).contrast.findings
    assert findings
    for f in findings:
        assert f.background == "#{:02x}{:02x}{:02x}".format(*fill)
        assert f.foreground == "#{:02x}{:02x}{:02x}".format(*ink)
        assert left - 2 <= f.bbox[0] and f.bbox[0] + f.bbox[2] <= right + 2  # the label's box


def test_labels_of_downscaled_badges_are_read_on_their_fill(
    encode: Callable[..., bytes],
) -> None:
    """At 60 % Lanczos a badge's fill rings just inside its edge (a row or column some ten
    codes beyond the fill) and the page shows a halo just outside it: the fill is the
    innermost flat row from each side, the four sides agree within the ringing, and the halo
    is page, not ink. Each white label is then read on its badge's fill, inside the badge."""
    fill = (96, 165, 250)
    im = Image.new("RGB", (480, 120), (245, 245, 245))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=14)
    badges = []
    for k, word in enumerate(("NEW", "SALE", "ONLY 3 LEFT", "LIMITED")):
        left, top, right, bottom = draw.textbbox((30 + 110 * k, 40), word, font=font)
        badge = (left - 6, top - 4, right + 6, bottom + 4)
        draw.rounded_rectangle(badge, radius=4, fill=fill)
        draw.text((30 + 110 * k, 40), word, fill=(255, 255, 255), font=font)
        badges.append(tuple(round(0.6 * v) for v in badge))
    small = im.resize((round(0.6 * im.width), round(0.6 * im.height)), Image.Resampling.LANCZOS)
    findings = analyze_bytes(encode(small)).contrast.findings
    assert len(findings) == 4
    for f, (x0, y0, x1, y1) in zip(sorted(findings, key=lambda f: f.bbox[0]), badges, strict=True):
        bg = tuple(int(f.background[i : i + 2], 16) for i in (1, 3, 5))
        assert max(abs(a - b) for a, b in zip(bg, fill, strict=True)) <= 8
        assert not f.passes.aa  # white on #60a5fa is 2.54:1
        x, y, w, h = f.bbox
        assert x0 < x and x + w < x1 and y0 < y and y + h < y1  # the label, not the badge


def test_lossy_verdicts_at_the_threshold_are_flagged_uncertain(
    encode: Callable[..., bytes],
) -> None:
    """White on #0d6efd is 4.50:1, exactly AA: a codec moves a background by a code and an
    ink by a few, so a JPEG finding reports the ratios its colours allow within that error,
    and the verdict, whichever way it falls, is flagged as one the pixels cannot settle."""
    im = _buttons_under_an_alert((255, 255, 255), (255, 243, 205))
    findings = analyze_bytes(encode(im, "JPEG", quality=85)).contrast.findings
    labels = [f for f in findings if f.bbox[1] > 150]
    assert len(labels) >= 4
    for f in labels:
        assert f.ratio_range is not None
        assert f.ratio_range[0] <= 4.50 <= f.ratio_range[1]
        assert f.aa_uncertain
    # Far from the threshold, the verdict stands: the dark alert text is not flagged.
    alert = [f for f in findings if f.bbox[1] < 120]
    assert alert and not any(f.aa_uncertain for f in alert)


def test_initials_on_an_avatar_circle_are_read_on_the_circle(
    encode: Callable[..., bytes],
) -> None:
    """An avatar's region is the whole circle: its first rows are only blends of the rounded
    edge, the flat fill comes a few rows in, and the white initials (the page's colour) are
    enclosed by it, so they stay ink."""
    fill = (130, 112, 219)
    big = Image.new("RGB", (960, 320), (255, 255, 255))
    for k in range(3):  # anti-aliased circles, drawn at 4x and reduced as a browser blends
        cx = 4 * (40 + 70 * k)
        ImageDraw.Draw(big).ellipse((cx - 40, 120, cx + 39, 199), fill=fill)
    im = big.resize((240, 80), Image.Resampling.BOX)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=10)
    for k, word in enumerate(("MA", "JK", "SL")):
        draw.text((40 + 70 * k, 40), word, fill=(255, 255, 255), font=font, anchor="mm")
    findings = analyze_bytes(encode(im)).contrast.findings
    assert len(findings) >= 2
    for f in findings:
        assert min(bytes.fromhex(f.foreground[1:])) >= 240  # thin strokes fall a little short
        assert (
            max(abs(a - b) for a, b in zip(bytes.fromhex(f.background[1:]), fill, strict=True)) <= 6
        )
        assert f.bbox[3] <= 14  # the initials' box, not the circle's


def test_mode_and_count_majority_ties_and_spread() -> None:
    """The exact colour mode: a majority colour; on a tie the smallest code (as np.unique)."""
    red, blue, grey = [255, 0, 0], [0, 0, 255], [128, 128, 128]
    mode, count = _mode_and_count(np.array([red, blue, red], dtype=np.int32))
    assert (mode.tolist(), count) == (red, 2)
    mode, count = _mode_and_count(np.array([red, blue, blue, red], dtype=np.int32))
    assert (mode.tolist(), count) == (blue, 2)
    mode, count = _mode_and_count(np.array([red, grey, blue, grey, red, grey], dtype=np.int32))
    assert (mode.tolist(), count) == (grey, 3)
    assert mode.dtype == np.int32


def test_channel_reductions_equal_numpy_bit_for_bit() -> None:
    """The per-plane forms give exactly numpy's axis=-1 max and sum, floats included."""
    rng = np.random.default_rng(3)
    for a in (rng.normal(0, 100, (7, 11, 3)), rng.integers(-255, 256, (50, 3)).astype(np.int32)):
        assert np.array_equal(_channel_max(a), a.max(axis=-1))
        assert np.array_equal(_channel_sum(a * a), (a * a).sum(-1))
