"""Border and divider colours of downscaled screenshots.

A 1-CSS-px line shrunk below a pixel is never drawn in its own colour: the downscale spreads it
over two or three rows of blends (a spreadsheet's `#e1e1e1` grid at 60 % becomes rows of
`#f6f6f6` and `#f2f2f2`), which the palette would take for a pale colour of its own. The
resampling filter keeps a line's ink, though: summed across the line, the rows' departures from
the background are (colour - background) times the line's width in image pixels, whatever the
filter (box, bilinear, Lanczos) and wherever the line falls between pixels. With the width of a
CSS pixel in the image, the line's own colour follows from its blends.

A line here runs straight along one axis, between flat runs of one background colour, with
one profile (first row, rows, background and summed departure) in `_MIN_LENGTH` read columns
or more, in one piece or several (a dashed rule, a row of chips' borders); glyphs and the
edges of shapes do neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .colour import delta_e_2000, srgb_to_cielab
from .palette import pack_rgb

RGBArray = npt.NDArray[np.uint8]

# Median size of a UI screenshot's words as `Measured.font_px` reads them, in CSS px, over the
# crisp pages of the corpus and the held-out sets (11-17 px a page); the width of a CSS pixel
# in a downscale is its median word over this. (The DPR estimate divides by 14 and snaps to
# device ratios, which suits text sizes but is 10-40 % off for the scale of a downscale.)
MEDIAN_WORD_CSS_PX = 13.0
_STEP = 4  # every 4th column (row) is read across for horizontal (vertical) lines
_MIN_FLAT = 2  # pixels of the background on either side of a line
_MAX_BLUR = 8  # pixels a blurred line spreads over, ringing included
_MIN_LENGTH = 10  # read columns with the same profile: 40 image px of line
_MIN_INK = 6  # channel sum of the summed departure: weaker profiles are rounding noise
_SAME_DE = 2.0  # estimates within this CIEDE2000 are one line colour


@dataclass(frozen=True)
class LineColour:
    rgb: tuple[int, int, int]
    fraction: float  # of the image: the lines' length times the width of a CSS pixel
    blends: tuple[tuple[int, int, int], ...]  # the deepest drawn blend of each of its lines


def css_px(font_px: list[float]) -> float | None:
    """The width of a CSS pixel in image pixels, from the sizes of the image's words."""
    return float(np.median(font_px)) / MEDIAN_WORD_CSS_PX if font_px else None


def _ink_key(ink: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """A summed departure (each channel within +-2040: 8 rows of 255) as one integer."""
    v = ink + 2048
    return np.asarray((v[:, 0] << 24) | (v[:, 1] << 12) | v[:, 2])


def _profiles(
    rgb: RGBArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], RGBArray]:
    """Horizontal lines, read down every `_STEP`-th column: for each profile seen in
    `_MIN_LENGTH` columns or more, how many, its background, its summed departure from it,
    and its deepest blend."""
    sub = np.ascontiguousarray(rgb[:, ::_STEP].transpose(1, 0, 2))
    h = sub.shape[1]
    empty = np.zeros((0, 3), dtype=np.int64)
    if h < 2 * _MIN_FLAT + 1 or sub.shape[0] < _MIN_LENGTH:
        return np.zeros(0, dtype=np.int64), empty, empty, np.zeros((0, 3), dtype=np.uint8)
    px = sub.reshape(-1, 3)
    keys = pack_rgb(px)
    change = np.ones(keys.size, dtype=bool)
    change[1:] = keys[1:] != keys[:-1]
    change[::h] = True  # each column starts a run
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], keys.size)
    flat = (ends - starts) >= _MIN_FLAT
    s, e = starts[flat], ends[flat]
    gap = s[1:] - e[:-1]
    line = (s[1:] // h == s[:-1] // h) & (gap >= 1) & (gap <= _MAX_BLUR)
    line &= keys[s[1:]] == keys[e[:-1] - 1]
    g0, gap = e[:-1][line], gap[line]
    background = px[g0 - 1].astype(np.int64)
    ink = np.zeros_like(background)
    deepest = np.zeros_like(background)
    depth = np.full(g0.size, -1, dtype=np.int64)
    for k in range(_MAX_BLUR):
        inside = k < gap
        here = px[np.minimum(g0 + k, keys.size - 1)].astype(np.int64)
        off = np.where(inside[:, None], here - background, 0)
        ink += off
        d = np.abs(off).sum(1)
        deeper = d > depth
        depth = np.where(deeper, d, depth)
        deepest[deeper] = here[deeper]
    strong = np.abs(ink).sum(1) >= _MIN_INK
    table = np.column_stack([g0 % h, gap, background, ink, deepest])[strong]
    if table.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), empty, empty, np.zeros((0, 3), dtype=np.uint8)
    # One line seen in several columns: the same first row, rows, background and ink. Two
    # int64 keys sorted together (np.unique over the rows of a table is several times slower).
    where = (table[:, 0] << 28) | (table[:, 1] << 24) | pack_rgb(table[:, 2:5])
    what = _ink_key(table[:, 5:8])
    order = np.lexsort((what, where))
    where, what = where[order], what[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (where[1:] != where[:-1]) | (what[1:] != what[:-1])
    first = np.flatnonzero(new)
    counts = np.diff(np.append(first, order.size))
    keep = counts >= _MIN_LENGTH
    rows = table[order[first[keep]]]
    counts = counts[keep]
    blends = rows[:, 8:].astype(np.uint8)
    return counts.astype(np.int64), rows[:, 2:5], rows[:, 5:8], blends


def line_colours(rgb: RGBArray, css_px: float, min_fraction: float) -> list[LineColour]:
    """The colours of a downscaled image's thin axis-aligned lines covering `min_fraction` of
    it or more, largest first, with `css_px` the width of one CSS pixel in image pixels."""
    found: list[tuple[npt.NDArray[np.float64], float, tuple[int, int, int]]] = []
    for image in (rgb, rgb.transpose(1, 0, 2)):
        counts, background, ink, drawn = _profiles(image)
        colour = background + ink / css_px
        # Beyond the gamut: a line wider than a CSS pixel, or no line at all.
        fits = (colour.min(1) >= -0.5) & (colour.max(1) <= 255.5)
        for c, n, (r, g, b) in zip(colour[fits], counts[fits], drawn[fits].tolist(), strict=True):
            found.append((np.clip(c, 0, 255), float(n * _STEP * css_px), (r, g, b)))
    total = float(rgb.shape[0] * rgb.shape[1])
    sums: list[npt.NDArray[np.float64]] = []  # colour times weight, per line colour
    weights: list[float] = []
    blends: list[set[tuple[int, int, int]]] = []
    labs: list[npt.NDArray[np.float64]] = []
    for colour, weight, blend in sorted(found, key=lambda f: -f[1]):
        lab = srgb_to_cielab(colour)
        if labs:
            de = delta_e_2000(np.array(labs), lab)
            j = int(np.argmin(de))
            if de[j] < _SAME_DE:
                sums[j] = sums[j] + colour * weight
                weights[j] += weight
                blends[j].add(blend)
                continue
        sums.append(colour * weight)
        weights.append(weight)
        blends.append({blend})
        labs.append(lab)
    out = []
    for summed, weight, seen in zip(sums, weights, blends, strict=True):
        if weight / total >= min_fraction:
            r, g, b = (round(float(v)) for v in summed / weight)
            out.append(LineColour((r, g, b), weight / total, tuple(sorted(seen))))
    return sorted(out, key=lambda lc: -lc.fraction)
