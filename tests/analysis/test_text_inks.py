"""Text colours recovered from glyphs join the palette."""

from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.contrast import Finding
from chalicelib.analysis.engine import _drop_edge_blends, _merge_text_colours
from chalicelib.analysis.palette import Palette, PaletteColour

_FONT = ImageFont.load_default(size=14)


def _finding(
    fg: tuple[int, int, int], ink: int, ratio_range: tuple[float, float] | None = None
) -> Finding:
    """A finding on white; one with a `ratio_range` here had its ink extrapolated."""
    return Finding(
        bbox=(0, 0, 10, 10),
        fg=fg,
        bg=(255, 255, 255),
        ratio=10.0,
        large_text=False,
        aa=True,
        aaa=True,
        borderline=False,
        font_size_css_px=14.0,
        bold=False,
        suggested_fg=None,
        ink_pixels=ink,
        ratio_range=ratio_range,
        extrapolated=ratio_range is not None,
    )


def test_one_ink_measured_a_unit_apart_is_one_text_colour() -> None:
    """A lossy file gives body text #212121 as #202020, #212121 and #222222 in different
    lines: each too rare alone, together a design colour."""
    palette = Palette(colours=[PaletteColour((255, 255, 255), 0.9, 1.0)], kind="flat", noise=1.0)
    findings = [_finding((32 + i % 3, 32 + i % 3, 32 + i % 3), 70) for i in range(6)]
    colours = _merge_text_colours(palette, findings, 100_000)
    assert len(colours) == 2
    ink, as_text = colours[1]
    assert as_text and abs(ink.rgb[0] - 33) <= 1
    assert ink.fraction == 420 / 100_000


def test_distinct_inks_stay_apart() -> None:
    palette = Palette(colours=[PaletteColour((255, 255, 255), 0.9, 1.0)], kind="flat", noise=1.0)
    findings = [_finding((33, 33, 33), 150) for _ in range(2)]
    findings += [_finding((102, 102, 102), 150) for _ in range(2)]
    colours = _merge_text_colours(palette, findings, 100_000)
    assert [c.rgb for c, _ in colours[1:]] == [(33, 33, 33), (102, 102, 102)]


def test_extrapolated_ink_clipped_at_the_gamut_is_no_colour() -> None:
    """A downscale blurs thin #212121 strokes; extrapolating their ink overshoots to #000000
    (clipped): that value was never read from the pixels. A read ink there is kept."""
    palette = Palette(colours=[PaletteColour((255, 255, 255), 0.9, 1.0)], kind="flat", noise=1.0)
    clipped = [_finding((0, 0, 0), 300, (12.0, 21.0)) for _ in range(3)]
    assert len(_merge_text_colours(palette, clipped, 100_000)) == 1
    inside = [_finding((40, 40, 40), 300, (9.0, 16.0)) for _ in range(3)]
    assert [c.rgb for c, _ in _merge_text_colours(palette, inside, 100_000)[1:]] == [(40, 40, 40)]
    read = [_finding((0, 0, 0), 300) for _ in range(3)]
    assert [c.rgb for c, _ in _merge_text_colours(palette, read, 100_000)[1:]] == [(0, 0, 0)]


def test_a_lossy_ink_with_a_precision_range_is_still_a_colour(
    encode: Callable[..., bytes],
) -> None:
    """A JPEG's findings carry the codec's precision as a range, but their ink was read from
    the pixels: white text on a dark page is a text colour even though it sits at 255."""
    im = Image.new("RGB", (800, 400), (33, 37, 41))
    draw = ImageDraw.Draw(im)
    for k in range(14):  # 14 px: too thin for the palette search, so white comes from glyphs
        line = "Study results by cohort and month of enrolment"
        draw.text((30, 15 + 27 * k), line, (255, 255, 255), _FONT)
    result = analyze_bytes(encode(im, "JPEG", quality=85))
    assert result.contrast.findings and all(f.ratio_range for f in result.contrast.findings)
    assert "#ffffff" in [p.hex for p in result.palette]


def test_never_flat_rare_colour_of_a_downscale_is_an_edge_blend() -> None:
    """Downscaled tags leave a pink blend (0.2 %, no pixel flat both ways): not a design
    colour. A never-flat border with a larger share, a flat chip and a text ink stay."""
    colours = [
        (PaletteColour((255, 255, 255), 0.9, 1.0), False),
        (PaletteColour((255, 148, 149), 0.0021, 0.0), False),
        (PaletteColour((233, 235, 238), 0.02, 0.0), False),
        (PaletteColour((224, 224, 224), 0.0025, 0.6), False),
        (PaletteColour((33, 33, 33), 0.003, 0.0), True),
    ]
    kept = [c.rgb for c, _ in _drop_edge_blends(colours)]
    assert kept == [(255, 255, 255), (233, 235, 238), (224, 224, 224), (33, 33, 33)]


def test_a_downscale_keeps_a_text_ink_read_in_four_regions(encode: Callable[..., bytes]) -> None:
    """A 60 % downscale thins the strokes of four bold #172b4d labels until their measured
    ink is under the 0.2 % a text colour needs; read in four separate regions, it is still a
    design colour."""
    bold, body = ImageFont.load_default(size=20), ImageFont.load_default(size=16)
    im = Image.new("RGB", (1200, 800), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 1199, 90), fill=(0, 82, 204))
    navy = (23, 43, 77)
    for k in range(4):
        draw.text(
            (40 + 280 * k, 130), "Done", font=bold, fill=navy, stroke_width=1, stroke_fill=navy
        )
    for k in range(9):
        xy = (40 + 380 * (k % 3), 200 + 60 * (k // 3))
        draw.text(xy, "Sprint review notes", font=body, fill=(94, 108, 132))
    small = im.resize((720, 480), Image.Resampling.LANCZOS)
    palette = analyze_bytes(encode(small)).palette
    assert "#162a4c" in [p.hex for p in palette]  # #172b4d within one code


def test_a_downscale_needs_four_regions_for_a_text_ink() -> None:
    """On a downscale, blurred edges give inks that two regions share by chance."""
    palette = Palette(colours=[PaletteColour((255, 255, 255), 0.9, 1.0)], kind="flat", noise=0.0)
    findings = [_finding((40, 40, 90), 150) for _ in range(2)]
    assert len(_merge_text_colours(palette, findings, 100_000)) == 2
    assert len(_merge_text_colours(palette, findings, 100_000, downscaled=True)) == 1
