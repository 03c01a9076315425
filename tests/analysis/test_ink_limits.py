"""Ink recovery must not report more contrast than there is: synthetic pages drawn by Pillow
at a known ink, then Lanczos-downscaled or JPEG-compressed as users upload screenshots."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.colour import contrast_ratio, hex_of, oklab_to_oklch, srgb_to_oklab
from chalicelib.analysis.downscaled_ink import _box_averaged, _rings, _thin_reach
from chalicelib.analysis.ink_measure import Measured, measure_region, stroke_cores
from chalicelib.analysis.ink_snap import ColourSnapper
from chalicelib.analysis.lossy_ink import lossy_overshoot
from chalicelib.analysis.text import find_text_regions

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)


def _ratio(fg: RGB, bg: RGB) -> float:
    return float(contrast_ratio(np.array(fg, float), np.array(bg, float)))


def _jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _rgb(hex_: str) -> RGB:
    return (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16))


def _hue(rgb: RGB) -> float:
    return float(oklab_to_oklch(srgb_to_oklab(np.array(rgb, dtype=np.float64)))[2])


@pytest.mark.parametrize("ink", [(33, 37, 41), (54, 54, 54), (89, 92, 95)])
def test_lanczos_overshoot_of_thick_strokes_is_not_read_as_darker_ink(
    encode: Callable[..., bytes], ink: RGB
) -> None:
    """Large words whose strokes are a few pixels wide after a 60 % Lanczos downscale have no
    flat core, and their darkest pixels overshoot the ink (ringing). The recovered ink may
    fall short a little but must not be taken much darker than the real one."""
    im = Image.new("RGB", (900, 420), WHITE)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=30)
    for k in range(6):
        draw.text((40, 30 + 60 * k), "Pricing plans for every team", fill=ink, font=font)
    small = im.resize((540, 252), Image.Resampling.LANCZOS)
    truth = _ratio(ink, WHITE)
    found = analyze_bytes(encode(small)).contrast.findings
    assert len(found) >= 12
    over = sorted(f.ratio - truth for f in found)
    # Overestimates: the median word within 4 % of the ratio, none far beyond it.
    assert over[len(over) // 2] <= 0.04 * truth
    assert over[-1] <= 0.12 * truth


@pytest.mark.xfail(
    reason="known limit: 1-px strokes of 11 px words under Lanczos reach 95 % of the way to "
    "their ink; extrapolated by the reach typical of their size (0.93), they land within the snap "
    "window of the black heading's ink on the same background (15.4 read as 21); see "
    "benchmarks/README.md (water-doc, bs-login on s60)",
    strict=True,
)
def test_thin_words_that_reach_their_ink_are_not_snapped_to_a_black_heading() -> None:
    """Body text at 18 px under a black 48 px heading, downscaled 60 % with Lanczos: the
    body's strokes are ~1 px, and its ink must not be taken as the heading's black."""
    ink = (33, 37, 41)
    im = Image.new("RGB", (900, 500), WHITE)
    draw = ImageDraw.Draw(im)
    draw.text((40, 20), "Heading", fill=(0, 0, 0), font=ImageFont.load_default(size=48))
    font = ImageFont.load_default(size=18)
    for k in range(8):
        draw.text((40, 110 + 40 * k), "Design systems keep interfaces consistent", ink, font)
    small = im.resize((540, 300), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    truth = _ratio(ink, WHITE)
    found = [f for f in analyze_bytes(buf.getvalue()).contrast.findings if f.bbox[1] > 60]
    assert len(found) >= 8
    over = sorted(f.ratio - truth for f in found)
    assert over[len(over) // 2] <= 0.04 * truth


def test_large_coreless_thick_words_are_pulled_back_not_extrapolated() -> None:
    """Words of 15 px and more with 2-px stems overshoot the ink under Lanczos; thinner or
    smaller words fall short of it. The reach used to undo that says so."""
    assert _thin_reach(20.0, 2.0) > 1.0
    assert _thin_reach(20.0, 1.0) == 1.0
    assert _thin_reach(11.0, 2.0) < 1.0
    assert _thin_reach(8.0, 1.0) < _thin_reach(13.0, 1.0) < 1.0
    # 2-px stems of a word large by its stroke-crossing size (18 px read as 9 px from the ink
    # profile) overshoot by ringing, more than 1.5-px ones, and are not extrapolated as thin.
    assert _thin_reach(9.0, 2.0, 18.0) > _thin_reach(20.0, 1.5) > 1.0
    assert _thin_reach(9.0, 1.0, 18.0) < 1.0
    # Without ringing (bilinear, box) there is no overshoot to undo.
    assert _thin_reach(20.0, 1.5, rings=False) == _thin_reach(20.0, 2.0, 18.0, rings=False) == 1.0


def test_jpeg_dark_text_is_not_snapped_to_a_lighter_flat_colour_nearby() -> None:
    """A page with a flat #25292e header and #1f2328 body text (Primer's colours): after JPEG
    q85, the text's estimate lies between the two, and the header colour must not be taken
    as the text's ink (a ratio of 15.8 read as 14.8)."""
    ink, header = (31, 35, 40), (37, 41, 46)
    im = Image.new("RGB", (900, 600), WHITE)
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 900, 80), fill=header)
    font = ImageFont.load_default(size=16)
    for k in range(10):
        draw.text((40, 120 + 44 * k), "Issue title number one opened by octocat", ink, font)
    truth = _ratio(ink, WHITE)
    found = [f for f in analyze_bytes(_jpeg(im)).contrast.findings if f.bbox[1] > 100]
    assert len(found) >= 10
    assert sum(f.foreground == hex_of(header) for f in found) <= len(found) // 10
    errors = sorted(abs(f.ratio - truth) for f in found)
    assert errors[len(errors) // 2] <= 0.8


def test_jpeg_thin_red_text_keeps_its_hue() -> None:
    """JPEG averages chroma over 2x2 blocks, so thin red glyphs lose saturation while their
    luma survives; the recovered ink must stay red (hue within 15 degrees of the real one)
    and not report much more contrast than there is."""
    ink = (204, 0, 41)
    im = Image.new("RGB", (900, 420), WHITE)
    draw = ImageDraw.Draw(im)
    draw.rectangle((40, 20, 400, 70), fill=ink)  # a danger button: the ink shown flat
    font = ImageFont.load_default(size=14)
    for k in range(6):
        draw.text((40, 110 + 44 * k), "This email is invalid, try again", ink, font)
    truth = _ratio(ink, WHITE)
    found = [f for f in analyze_bytes(_jpeg(im)).contrast.findings if f.bbox[1] > 90]
    assert len(found) >= 6
    hues = [_hue(_rgb(f.foreground)) for f in found]
    miss = [abs((h - _hue(ink) + 180) % 360 - 180) for h in hues]
    assert float(np.median(miss)) <= 15
    assert float(np.median([f.ratio for f in found])) <= truth + 1.0


@pytest.mark.parametrize(
    ("resample", "rings"),
    [
        (Image.Resampling.LANCZOS, True),
        (Image.Resampling.BICUBIC, True),
        (Image.Resampling.BILINEAR, False),
        (Image.Resampling.BOX, False),
    ],
)
def test_ringing_is_told_from_the_halo_beyond_mid_tone_backgrounds(
    resample: Image.Resampling, rings: bool
) -> None:
    """Lanczos and bicubic downscales leave glyphs a halo lighter than a grey background;
    bilinear does not, and then there is no overshoot to undo. White backgrounds clip the
    halo, so a page with text only on white tells nothing (taken as ringing, as before)."""

    def measured(bg: RGB) -> tuple[list[Measured], npt.NDArray[np.uint8]]:
        im = Image.new("RGB", (900, 420), bg)
        draw = ImageDraw.Draw(im)
        font = ImageFont.load_default(size=30)
        for k in range(6):
            draw.text((40, 30 + 60 * k), "Pricing plans for every team", (33, 37, 41), font)
        rgb = np.asarray(im.resize((540, 252), resample))
        snap = ColourSnapper([], 0.0)
        found = [measure_region(rgb, r, 0.0, snap) for r in find_text_regions(rgb, 0.0)]
        return [m for m in found if m is not None], rgb

    assert _rings(*measured((200, 200, 200))) is rings
    assert _rings(*measured(WHITE)) is True


def _body_text_page(ink: RGB, resample: Image.Resampling, scale: float) -> bytes:
    """16 px body text in `ink` on white over a grey panel with text (so that ringing can be
    told), downscaled by `scale` with `resample`, as PNG."""
    im = Image.new("RGB", (900, 400), WHITE)
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 250, 900, 400), fill=(200, 200, 200))
    font = ImageFont.load_default(size=16)
    for k in range(6):
        draw.text((20, 20 + 36 * k), "Design systems keep interfaces consistent", ink, font)
    for k in range(3):
        draw.text((20, 270 + 36 * k), "Muted notes on a grey panel", (33, 37, 41), font)
    small = im.resize((round(900 * scale), round(400 * scale)), resample)
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("resample", "boxed"),
    [
        (Image.Resampling.BOX, True),
        (Image.Resampling.BILINEAR, False),
        (Image.Resampling.LANCZOS, False),
    ],
)
def test_box_averaging_is_told_from_the_plateaus_of_thin_words(
    resample: Image.Resampling, boxed: bool
) -> None:
    """Box averaging leaves many thin words a plateau of pixels of exactly their ink; bilinear
    and Lanczos blend (or ring) every pixel of them."""
    rgb = np.asarray(Image.open(io.BytesIO(_body_text_page((89, 92, 95), resample, 0.6))))
    snap = ColourSnapper([], 0.0)
    found = [measure_region(rgb, r, 0.0, snap) for r in find_text_regions(rgb, 0.0)]
    measured = [m for m in found if m is not None]
    cores = [stroke_cores(rgb, m) for m in measured]
    assert (not _rings(measured, rgb) and _box_averaged(measured, cores)) is boxed


def test_box_averaged_thin_words_are_not_extrapolated_past_their_ink() -> None:
    """Box-averaged thin words that reach their ink exactly must not be extrapolated by the
    reach of blurring filters (`#595c5f` read as far darker, +8.7)."""
    ink = (89, 92, 95)
    png = _body_text_page(ink, Image.Resampling.BOX, 0.6)
    truth = _ratio(ink, WHITE)
    found = [f for f in analyze_bytes(png, dpr=0.6).contrast.findings if f.background == "#ffffff"]
    assert len(found) >= 6
    assert max(abs(f.ratio - truth) for f in found) <= 1.0


def _webp(im: Image.Image, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="WEBP", quality=quality)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("ink", "bound"), [((204, 0, 41), 2.0), ((0, 118, 209), 0.6), ((28, 90, 62), 0.6)]
)
@pytest.mark.parametrize("lossy", [_jpeg, _webp])
def test_thin_coloured_text_keeps_its_chroma_without_a_flat_fill_of_its_ink(
    ink: RGB, bound: float, lossy: Callable[[Image.Image], bytes]
) -> None:
    """12 px coloured text and no flat colour of its hue anywhere: 4:2:0 chroma subsampling
    (JPEG q85, WebP 80) pulls the strokes' chroma towards white while keeping their luma, so
    the estimate reported too much contrast (#cc0029 at 5.8 read as 9.1-9.5, #0076d1 at 4.7
    as 5.6-6.0, #1c5a3e at 8.1 as 8.5-8.9). Rebuilding the chroma from the words'
    chroma-to-luma balance brings them to 7.1-7.5, 4.7-5.0 and 7.8-8.1; red on white keeps
    part of its error, as its chroma smears into pixels clipped at 255 in two channels."""
    im = Image.new("RGB", (700, 320), WHITE)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=12)
    for k in range(6):
        draw.text((30, 20 + 45 * k), "This email is invalid, try again", fill=ink, font=font)
    truth = _ratio(ink, WHITE)
    found = analyze_bytes(lossy(im)).contrast.findings
    assert len(found) >= 6
    assert abs(float(np.median([f.ratio for f in found])) - truth) <= bound


def test_lossy_light_button_fill_is_not_taken_for_the_white_page() -> None:
    """Black text on #f8f9fa buttons on a white page (Bootstrap's light button), JPEG q85: the
    button's fill is its background (19.9), not the page's white (21)."""
    fill = (248, 249, 250)
    im = Image.new("RGB", (700, 320), WHITE)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=16)
    for k in range(4):
        draw.rectangle((30, 20 + 70 * k, 230, 60 + 70 * k), fill=fill)
        draw.text((50, 30 + 70 * k), "Create account", fill=(0, 0, 0), font=font)
    found = analyze_bytes(_jpeg(im)).contrast.findings
    assert len(found) >= 4
    assert all(f.background != "#ffffff" for f in found)
    assert abs(float(np.median([f.ratio for f in found])) - _ratio((0, 0, 0), fill)) <= 0.3


def test_lossy_overshoot_is_measured_per_image_and_grows_with_compression() -> None:
    """The top of a lossy word's ink lies beyond the ink by an amount that grows with the
    quantisation step (corpus medians 1.02 at JPEG quality 85, 1.04 at 70): thick words show
    it against their stroke cores, so each image gets its own, and black ink, whose
    overshoot clips at 0, leaves the default."""

    def overshoot(quality: int, ink: RGB = (33, 37, 41)) -> float:
        im = Image.new("RGB", (900, 420), WHITE)
        draw = ImageDraw.Draw(im)
        font = ImageFont.load_default(size=40)
        for k in range(6):
            draw.text(
                (30, 20 + 65 * k), "Pricing plans", ink, font, stroke_width=1, stroke_fill=ink
            )
        rgb = np.asarray(Image.open(io.BytesIO(_jpeg(im, quality))).convert("RGB"))
        snap = ColourSnapper([], 1.0, lossy=True)
        found = [measure_region(rgb, r, 1.0, snap) for r in find_text_regions(rgb, 1.0)]
        return lossy_overshoot([m for m in found if m is not None], rgb)

    q95, q85, q70, q50 = (overshoot(q) for q in (95, 85, 70, 50))
    assert 1.0 <= q95 < q85 < q70 < q50 <= 1.06
    assert overshoot(70, (0, 0, 0)) == pytest.approx(1.02)
