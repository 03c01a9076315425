"""Palette: exact flat colours, blends excluded, noise modelled, photos handled."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from chalicelib.analysis.colour import delta_e_2000, srgb_to_cielab, to_hex
from chalicelib.analysis.decode import decode_image
from chalicelib.analysis.palette import extract_palette


def _blocks() -> Image.Image:
    im = Image.new("RGB", (400, 300), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 399, 59), fill=(30, 41, 59))  # 20 % header
    d.rectangle((40, 100, 199, 249), fill=(253, 230, 138))  # 20 %
    d.rectangle((240, 100, 359, 174), fill=(34, 197, 94))  # 7.5 %
    return im


def test_flat_colours_are_found_exactly_with_fractions() -> None:
    pal = extract_palette(np.asarray(_blocks()))
    found = {to_hex(c.rgb): c.fraction for c in pal.colours}
    assert set(found) == {"#ffffff", "#1e293b", "#fde68a", "#22c55e"}
    assert abs(found["#1e293b"] - 0.20) < 0.02
    assert abs(found["#22c55e"] - 0.075) < 0.01
    assert pal.kind == "flat"


def test_anti_aliasing_blends_are_not_colours() -> None:
    im = Image.new("RGB", (600, 400), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for i in range(12):  # many anti-aliased circles: blends of blue and white on their edges
        d.ellipse((20 + 45 * i, 50, 60 + 45 * i, 90), fill=(13, 110, 253))
    big = im.resize((1200, 800), Image.Resampling.LANCZOS).resize((600, 400), Image.Resampling.BOX)
    pal = extract_palette(np.asarray(big))
    hexes = [to_hex(c.rgb) for c in pal.colours]
    assert hexes[0] == "#ffffff"
    lab = srgb_to_cielab(np.array([c.rgb for c in pal.colours], dtype=float))
    blue = srgb_to_cielab(np.array([13, 110, 253], dtype=float))
    white = srgb_to_cielab(np.array([255, 255, 255], dtype=float))
    for colour_lab in lab:  # every colour reported is one of the two design colours
        assert min(delta_e_2000(colour_lab, blue), delta_e_2000(colour_lab, white)) < 3


def test_jpeg_noise_is_clustered_back_to_the_design_colours(encode: Callable[..., bytes]) -> None:
    decoded = decode_image(encode(_blocks(), "JPEG", quality=80))
    pal = extract_palette(decoded.rgb)
    truth = srgb_to_cielab(
        np.array([(255, 255, 255), (30, 41, 59), (253, 230, 138), (34, 197, 94)], dtype=float)
    )
    got = srgb_to_cielab(np.array([c.rgb for c in pal.colours], dtype=float))
    de = delta_e_2000(truth[:, None], got[None])
    assert (de.min(axis=1) <= 3).all()  # recall
    assert (de.min(axis=0) <= 3).all()  # precision


def test_near_identical_colours_are_merged() -> None:
    im = Image.new("RGB", (200, 100), (250, 250, 250))
    im.paste((251, 250, 249), (100, 0, 200, 100))  # dE2000 well below 2
    pal = extract_palette(np.asarray(im))
    assert len(pal.colours) == 1


def test_gradient_is_not_reported_as_many_design_colours() -> None:
    x = np.linspace(0, 1, 800)[None, :, None]
    grad = (np.array([111, 66, 193]) * (1 - x) + np.array([13, 202, 240]) * x).repeat(200, axis=0)
    page = np.full((600, 800, 3), 255, dtype=np.uint8)
    page[:200] = np.rint(grad).astype(np.uint8)
    pal = extract_palette(page)
    assert [to_hex(c.rgb) for c in pal.colours] == ["#ffffff"]


_SKY_STOPS = (  # a photo-like backdrop: a vertical CSS-style gradient through five stops
    (0.0, (223, 233, 239)),
    (0.35, (168, 198, 216)),
    (0.52, (63, 125, 154)),
    (0.70, (29, 86, 112)),
    (0.86, (227, 211, 180)),
    (1.0, (205, 180, 140)),
)
_SKY_FILLS = ((245, 241, 234), (31, 42, 46), (255, 255, 255))


def _page_with_a_sky() -> Image.Image:
    page = np.empty((500, 700, 3), dtype=np.uint8)
    page[:] = _SKY_FILLS[0]
    t = np.linspace(0, 1, 250)
    stops = np.array([s[0] for s in _SKY_STOPS])
    cols = np.array([s[1] for s in _SKY_STOPS], dtype=float)
    sky = np.stack([np.interp(t, stops, cols[:, c]) for c in range(3)], axis=-1)
    page[30:280, 30:450] = np.rint(sky)[:, None, :]
    page[30:280, 480:680] = _SKY_FILLS[1]
    page[320:480, 30:680] = _SKY_FILLS[2]
    page[350:370, 60:300] = _SKY_FILLS[1]
    return Image.fromarray(page)


@pytest.mark.parametrize("kind", ["png", "jpeg q85", "downscaled 60 %"])
def test_a_slow_gradient_is_not_reported_as_the_codes_it_repeats(
    kind: str, encode: Callable[..., bytes]
) -> None:
    """Between its stops a slow gradient holds each code for a row or two across its width,
    so its codes repeat like fills (0.4.5 reported 7-9 of them here); its pixels sit on a
    steady slope, which a fill's never do. Its stop colours, where the slope turns or ends,
    may still show."""
    im = _page_with_a_sky()
    if kind == "jpeg q85":
        data = encode(im, "JPEG", quality=85)
    elif kind == "downscaled 60 %":
        data = encode(im.resize((420, 300), Image.Resampling.LANCZOS), "PNG")
    else:
        data = encode(im, "PNG")
    decoded = decode_image(data)
    pal = extract_palette(decoded.rgb, lossy=decoded.lossy)
    reported = [c.rgb for c in pal.colours]
    assert all(_found(reported, fill) <= 3 for fill in _SKY_FILLS)
    known = [*_SKY_FILLS, *(s[1] for s in _SKY_STOPS)]
    between_stops = [to_hex(rgb) for rgb in reported if _found(known, rgb) > 5]
    assert len(between_stops) <= (0 if kind == "png" else 1), between_stops


def test_photographic_content_gets_a_perceptual_palette() -> None:
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    photo = Image.fromarray(base).resize((640, 480), Image.Resampling.BICUBIC)
    photo = photo.filter(ImageFilter.GaussianBlur(1))
    pal = extract_palette(np.asarray(photo))
    assert pal.kind == "photographic"
    assert 3 <= len(pal.colours) <= 8
    assert abs(sum(c.fraction for c in pal.colours) - 1.0) < 1e-6


def test_a_fill_near_thin_divider_greys_is_still_a_design_colour() -> None:
    """Grey chips (#e0e0e0) on a page with 1-px dividers in nearby greys: the chips' cluster
    also gathers the dividers, which are flat in one direction only, but the chip colour's own
    pixels are flat both ways, so it is a fill and not an anti-aliasing blend between white
    and the dark app bar (a Material page lost its chips this way)."""
    im = Image.new("RGB", (1000, 700), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 1000, 100), fill=(51, 51, 51))
    dividers = [(216, 216, 216), (220, 220, 220), (232, 232, 232)]
    for k in range(9):
        draw.line((0, 120 + 22 * k, 1000, 120 + 22 * k), fill=dividers[k % 3])
    for k in range(4):
        draw.rectangle((20 + 200 * k, 660, 150 + 200 * k, 690), fill=(224, 224, 224))
    palette = extract_palette(np.asarray(im))
    assert (224, 224, 224) in [c.rgb for c in palette.colours]


@pytest.mark.parametrize("jpeg", [False, True])
def test_pale_tinted_surfaces_are_not_folded_into_white(
    encode: Callable[..., bytes], jpeg: bool
) -> None:
    """Pale tints beside white (Material 3's #fef7ff surface, Chakra's #fffaf0 and #e6fffa
    sections) are 5-8 dE2000 from white though close in OKLab: each is its own design colour,
    in a crisp render and in a JPEG of it."""
    tints = [(254, 247, 255), (255, 250, 240), (230, 255, 250)]
    im = Image.new("RGB", (900, 600), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for k, tint in enumerate(tints):
        draw.rectangle((0, 150 * k, 900, 150 * k + 120), fill=tint)
    data = encode(im, "JPEG", quality=85) if jpeg else encode(im)
    reported = [c.rgb for c in extract_palette(decode_image(data).rgb).colours]
    lab = srgb_to_cielab(np.array(reported, dtype=float))
    for colour in [*tints, (255, 255, 255)]:
        de = delta_e_2000(lab, srgb_to_cielab(np.array(colour, dtype=float)))
        assert float(de.min()) <= 1.5, (colour, reported)


def test_a_border_beside_an_anti_aliasing_fringe_is_no_gradient_leftover() -> None:
    """Short strokes of many light inks leave a fringe of blend codes with no dominant one,
    which the palette search takes for a gradient; the 1-px `#c9c9c9` borders of the cards
    beside it hold many times its samples and are a design colour, not a gradient leftover
    (a CRM page lost its card and input borders this way)."""
    scale = 8  # strokes 1 px wide at subpixel offsets: drawn large, then box-averaged
    big = Image.new("RGB", (1000 * scale, 700 * scale), (255, 255, 255))
    draw = ImageDraw.Draw(big)
    rng = np.random.default_rng(3)
    for _ in range(200):
        x, y = rng.integers(40 * scale, 960 * scale), rng.integers(40 * scale, 640 * scale)
        ink = tuple(int(v) for v in rng.integers(180, 220, 3))
        draw.rectangle((x, y, x + scale - 1, y + 12 * scale - 1), fill=ink)
    im = big.resize((1000, 700), Image.Resampling.BOX)
    draw = ImageDraw.Draw(im)
    for k in range(4):
        box = (20 + 245 * k, 20, 240 + 245 * k, 680)
        draw.rounded_rectangle(box, radius=6, outline=(201, 201, 201))
    palette = extract_palette(np.asarray(im))
    assert (201, 201, 201) in [c.rgb for c in palette.colours]


def test_a_pale_band_in_a_noisy_jpeg_is_not_folded_into_white(
    encode: Callable[..., bytes],
) -> None:
    """Text makes a JPEG's estimated noise high enough (3) that white's cluster reaches 8.5
    dE2000; Chakra's #fffaf0 band (4.9 from white) is a fill of its own, not noise of white."""
    im = Image.new("RGB", (1000, 700), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 500, 999, 560), fill=(255, 250, 240))
    font = ImageFont.load_default(size=14)
    for row in range(20):
        line = "Quarterly revenue report and open invoices " * 3
        draw.text((30, 20 + 22 * row), line, font=font, fill=(50, 49, 48))
    palette = extract_palette(decode_image(encode(im, "JPEG", quality=85)).rgb)
    lab = srgb_to_cielab(np.array([c.rgb for c in palette.colours], dtype=float))
    de = delta_e_2000(lab, srgb_to_cielab(np.array((255, 250, 240), dtype=float)))
    assert float(de.min()) <= 1.5


def _grid(line: tuple[int, int, int]) -> Image.Image:
    """A spreadsheet: 1-px grid lines every 20 px over white, a dark header, some dark cells."""
    im = Image.new("RGB", (800, 600), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for y in range(60, 600, 20):
        d.line((0, y, 799, y), fill=line)
    for x in range(0, 800, 100):
        d.line((x, 60, x, 599), fill=line)
    d.rectangle((0, 0, 799, 39), fill=(30, 41, 59))
    for k in range(10):  # dark blocks: their JPEG ringing must not become colours
        d.rectangle((20 + 70 * k, 450, 60 + 70 * k, 500), fill=(30, 41, 59))
    return im


def _found(pal_rgb: list[tuple[int, int, int]], colour: tuple[int, int, int]) -> float:
    got = srgb_to_cielab(np.array(pal_rgb, dtype=float))
    return float(delta_e_2000(got, srgb_to_cielab(np.array(colour, dtype=float))).min())


def test_thin_grid_line_colours_of_a_jpeg_are_design_colours(
    encode: Callable[..., bytes],
) -> None:
    """A 1-px line is never flat both ways, like JPEG ringing, but it stands out from both of
    its sides: its colour is reported from a JPEG as from the PNG, and the ringing beside
    the dark blocks' edges is not."""
    grey = (225, 225, 225)
    crisp = extract_palette(np.asarray(_grid(grey)))
    assert _found([c.rgb for c in crisp.colours], grey) <= 3
    decoded = decode_image(encode(_grid(grey), "JPEG", quality=85))
    assert decoded.lossy
    pal = extract_palette(decoded.rgb, lossy=True)
    reported = [c.rgb for c in pal.colours]
    assert _found(reported, grey) <= 3
    truth = [(255, 255, 255), (30, 41, 59), grey]
    for rgb in reported:  # nothing else: no ringing colours
        assert _found(truth, rgb) <= 3
    # without the file's being lossy (a downscale's lines are blends), the line is left out
    assert _found([c.rgb for c in extract_palette(decoded.rgb).colours], grey) > 3


def test_jpeg_line_colour_between_white_and_a_grey_text_ink_is_no_blend(
    encode: Callable[..., bytes],
) -> None:
    """Bootstrap's #dee2e6 table rules lie on the line from white to its #212529 text, as an
    anti-aliasing blend would; but they stand out from both their sides, which a blend never
    does, so they are kept (0.4.5 dropped them as a blend: 4 % of this page, 1.8 % of a
    Bootstrap admin page)."""
    rule, ink = (222, 226, 230), (33, 37, 41)
    im = Image.new("RGB", (800, 600), (255, 255, 255))
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=13)
    for y in range(100, 600, 60):
        d.line((0, y, 799, y), fill=rule)
    for x in range(0, 800, 200):
        d.line((x, 60, x, 599), fill=rule)
    d.rectangle((0, 0, 799, 79), fill=ink)
    for y in range(106, 590, 30):
        for x in range(8, 800, 200):
            d.text((x, y), f"Invoice 2024-{y * 7 % 97} paid", fill=ink, font=font)
    decoded = decode_image(encode(im, "JPEG", quality=85))
    pal = extract_palette(decoded.rgb, lossy=True)
    assert pal.noise > 0  # the text's ringing makes this a noisy file, where lines are tested
    reported = [c.rgb for c in pal.colours]
    assert _found(reported, rule) <= 3
    for rgb in reported:
        assert _found([(255, 255, 255), ink, rule], rgb) <= 3


def test_jpeg_line_colour_beside_a_fringe_of_blends_is_no_gradient_leftover() -> None:
    """A dark page's 1-px row dividers (#2e3135 on #18191b) sit near the blend codes that the
    anti-aliased outlines of its rounded chips spread between the two, which the search takes
    for a gradient. The dividers stand out from both their sides, which no gradient does:
    they are a design colour, not a leftover of it (a dark deployments list lost its border
    colour this way in its JPEG)."""
    rng = np.random.default_rng(0)
    bg, line = np.array([24, 25, 27]), np.array([46, 49, 53])
    img = np.empty((600, 800, 3))
    img[:] = bg
    img[20::80] = line
    img[500:580, 600:700] = bg + rng.uniform(0.2, 0.8, size=(80, 100, 1)) * (line - bg)
    img += rng.normal(0, 1.2, img.shape)  # codec noise over every fill
    rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    reported = [c.rgb for c in extract_palette(rgb, lossy=True).colours]
    assert _found(reported, (46, 49, 53)) <= 1.5
    assert _found(reported, (24, 25, 27)) <= 1.5
