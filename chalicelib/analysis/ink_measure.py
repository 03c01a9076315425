"""Reading one text region's glyph and background colours, and its glyph size, from pixels.

The background is the mode of the ring just outside the region's ink box, or a badge's fill
where the region is the whole badge. Glyph edges are blends of glyph and background, so the
foreground is the extreme cluster of the ink (the pixels furthest from the background), not
an average. A crisp lossless render keeps its ink exactly; lossy and resampled files need the
corrections of `lossy_ink` and `downscaled_ink`, which start from what is measured here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import components
from .colour import ratio_of
from .ink_snap import RGB, ColourSnapper
from .lossy_chroma import unmixed
from .text import TextRegion

RGBArray = npt.NDArray[np.uint8]

# Typical sans-serif proportions of the em: x-height and cap height.
_X_HEIGHT = 0.54
_CAP_HEIGHT = 0.72
# Stroke-core pixels needed before their median is trusted as a word's ink (a dozen: about
# one letter of 3-px strokes).
_CORE_MIN_PIXELS = 12
_DEEP_MIN_PIXELS = 6
# Share of a resampled word's ink pixels that must be exactly black (or white) before that is
# taken as its ink: ringing clips a few pixels of dark grey (or near-white) strokes too, while
# pure black or white ink that reaches its value clips a median 29 % (corpus downscales).
_CLIPPED_SHARE = 0.05
# A lossy word's background is the median of dozens of ring pixels of a flat fill, which
# JPEG and VP8 keep within a code or two: it is snapped to a flat colour of the image only
# within 1 dE2000 (about one code near white), not the 3+ of a single noisy estimate, which
# took light button fills (#f8f9fa, #f6f8fa) for the white page around them.
_BG_SNAP_DE = 1.0
# A region whose ink fills this share of its own ink box, at least this many pixels both
# ways and at most this much longer one way than the other, is a filled shape if its core
# survives erosion (`_solid_shape`).
_SOLID_FILL = 0.7
_SOLID_MIN_PX = 8
_SOLID_ASPECT = 1.6
# Stems of 2 px and more (median run at >= 50 % of the extreme) are wide enough to reach the
# ink, so such a word's extreme is never short of it (`downscaled_ink`); it may have whole
# stroke cores (`lossy_ink`), and its size is also read from stroke crossings.
WIDE_STEM_PX = 2.0


@dataclass(frozen=True)
class Measured:
    """Colours and geometry of one text region, before the DPR is known."""

    region: TextRegion
    fg: RGB
    bg: RGB
    ratio: float
    font_px: float
    stem_ratio: float
    ink_pixels: int
    fg_estimate: tuple[float, float, float]
    # Share of the ink pixels that have exactly the recovered colour: crisp renders keep whole
    # stems at the ink colour (median 0.17-0.72 per corpus page), resampled images hardly
    # ever (0.01-0.09 on the corpus's 60 % variants).
    exact_support: float = 0.0
    # Font size from the rows crossed by the most strokes rather than holding the most ink:
    # strokes ~2 px wide make a word's horizontal strokes (tops of e, o, bars of t) outweigh
    # its stems in the ink profile, narrowing the dense band, so `font_px` reads 18 px words
    # at 9-17 px; a row's count of stroke crossings does not depend on stroke width.
    stroke_font_px: float = 0.0
    # Lossy only: the estimate's chroma was rebuilt from the word's chroma-to-luma balance.
    restored: bool = False
    # Where the ink could not be read from the pixels (`downscaled_ink.thin_ratio_range`): the
    # ratios the ink's plausible places on the blend ray give, lowest first; in lossy files,
    # the ratios within the codec's colour error (`lossy_ink.lossy_ratio_range`).
    ratio_range: tuple[float, float] | None = None
    # The ink was extrapolated along its blend ray (`downscaled_ink.thin_ratio_range`), not read.
    extrapolated: bool = False
    # The exact colour of at least half the ring around the region (a flat fill), if any.
    ring_fill: RGB | None = None
    # Lossless files with a noise level only: the exact mode of the pixels within 10 % of
    # the extreme, as a crisp render's ink is read, and its share of the ink pixels.
    crisp_fg: RGB | None = None
    crisp_support: float = 0.0


_PACK = np.array([1 << 16, 1 << 8, 1], dtype=np.int32)


def _mode_and_count(pixels: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32], int]:
    """The most frequent exact colour of a pixel list, and how often it occurs."""
    n = pixels.shape[0]
    keys = pixels @ _PACK
    count = int(np.count_nonzero(keys == keys[0]))
    if 2 * count > n:  # the common case: one colour holds most pixels, so it is the mode
        return np.asarray(pixels[0], dtype=np.int32), count
    keys.sort()
    first = np.empty(n, dtype=np.bool_)  # where a run of equal keys starts
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty_like(starts)  # np.diff(starts, append=n), without its overhead
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = n - starts[-1]
    best = int(np.argmax(counts))  # the first of equal counts: the smallest key, as np.unique
    k = int(keys[starts[best]])
    return np.array([(k >> 16) & 255, (k >> 8) & 255, k & 255], dtype=np.int32), int(counts[best])


def _channel_max(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """`a.max(axis=-1)` over the three channels: numpy reduces a length-3 axis several times
    slower than it takes the elementwise maximum of the channel planes."""
    out: npt.NDArray[Any] = np.maximum(np.maximum(a[..., 0], a[..., 1]), a[..., 2])
    return out


def _channel_sum(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """`a.sum(axis=-1)` over the three channels (the same sums, in the same order), faster."""
    out: npt.NDArray[Any] = a[..., 0] + a[..., 1] + a[..., 2]
    return out


def _edge_fill(
    rows: npt.NDArray[np.int32], bg: npt.NDArray[np.float64], noise: float, tol: float
) -> npt.NDArray[np.float64] | None:
    """The first flat colour met going in from one edge of the box (`rows`, edge first): the
    rows a rounded shape (a circle, a pill's ends) crosses only as anti-aliased blends are
    passed over, and so are the rows a downscale rings beyond the fill just inside its edge
    (Lanczos: some ten codes), so the innermost flat row is the fill; a flat row of the page
    colour ends the search (a lossy image's box may take in one such row outside a badge's
    edge)."""
    best = None
    for i, row in enumerate(rows):
        if noise == 0:
            mode, count = _mode_and_count(row)
            centre = mode.astype(np.float64)
            if count >= 0.6 * row.shape[0]:  # flat, with the mode its fill: no distances needed
                if max(abs(float(centre[c]) - float(bg[c])) for c in range(3)) <= tol:
                    break
                best = centre
                continue
            near = _channel_max(np.abs(row - mode)) <= tol  # exact in integers
        else:
            centre, count = np.median(row, axis=0), 0
            near = _channel_max(np.abs(row - centre)) <= tol
        n_near = int(np.count_nonzero(near))
        flat = n_near >= 0.6 * row.shape[0]
        # A resampled fill rings by a few codes along a row: its exact mode is one of them,
        # and the median of the codes near it the fill (the mode itself, where it holds most).
        fill = (
            centre if noise > 0 or 2 * count > n_near or not flat else np.median(row[near], axis=0)
        )
        d = float(np.abs(fill - bg).max())
        if flat and d <= tol and (i > 0 or noise == 0):
            break  # the page inside the box: a word, or the space under a badge
        if flat and d > tol:  # blurred edge rows are flat too: the innermost flat row wins
            best = fill
    return best


def _badge_fill(
    inner: npt.NDArray[np.int32], bg: npt.NDArray[np.float64], noise: float
) -> npt.NDArray[np.float64] | None:
    """The fill of a badge, pill or avatar circle whose box is the region, when it differs
    from the page.

    With tight padding the label's edges join the badge's, and the region is the whole badge:
    the text then sits on the flat colour just inside the box's top and bottom edges (the
    rows next to the box's own, which the edge search takes one pixel outside the badge;
    on a circle, the first rows its rounded top and bottom cross as more than blends), which
    also covers much of the box; a word on the page has the page colour there.
    """
    h, w = inner.shape[:2]
    if h < 10 or w < 10:
        return None
    tol = 3 * noise + 8
    mid = inner[:, w // 4 : w - w // 4]
    side = inner[h // 4 : h - h // 4].transpose(1, 0, 2)  # columns of the middle rows
    depth = max(3, h // 4)
    ends = []
    for rows in (
        mid[1 : 1 + depth],
        mid[h - 2 : h - 2 - depth : -1],
        side[1 : 1 + depth],
        side[w - 2 : w - 2 - depth : -1],
    ):
        end = _edge_fill(rows, bg, noise, tol)
        if end is None:
            return None  # the fill must close round the label: a bold glyph's strokes do not
        ends.append(end)
    top, bottom = ends[0], ends[1]
    # JPEG drifts a saturated fill's chroma by up to twice the edge tolerance between rows,
    # and a resampled one rings by as much near its edges.
    agree = 2 * tol
    if max(float(np.abs(e - top).max()) for e in ends) > agree:
        return None
    near_all = _channel_max(np.abs(inner - (top + bottom) / 2)) <= agree
    if near_all.mean() < 0.35:
        return None
    fill: npt.NDArray[np.float64] = np.median(inner[near_all], axis=0)
    return fill


def _inside_badge(
    inner: npt.NDArray[np.int32],
    page: npt.NDArray[np.float64],
    fill: npt.NDArray[np.float64],
    noise: float,
) -> npt.NDArray[np.int32]:
    """The badge's pixels, with the page showing around it (page colour or its anti-aliased
    blends with the fill, reached from the box's border without crossing the fill) painted
    with the fill, so they are not ink: a label in the page's colour (white on a badge on a
    white page) is enclosed by the fill and stays ink."""
    axis = fill - page
    # A tenth of the way beyond the page: the halo a ringing downscale leaves outside a badge.
    t = np.clip(((inner - page) @ axis) / max(float(axis @ axis), 1.0), -0.1, 1.0)
    tol = 3 * noise + 8 if noise == 0 else 6 * noise + 16  # JPEG rings round a shape's edge
    outside = _channel_max(np.abs(inner - (page + t[..., None] * axis))) <= tol
    outside &= _channel_max(np.abs(inner - fill)) > tol  # the fill encloses the label
    comps = components.label(outside)
    border = np.concatenate(
        [comps.labels[0], comps.labels[-1], comps.labels[:, 0], comps.labels[:, -1]]
    )
    reached = np.isin(comps.labels, border[border > 0])
    out = inner.copy()
    out[reached] = np.round(fill).astype(np.int32)
    return out


def _solid_shape(ink: npt.NDArray[np.bool_], *, badge: bool) -> bool:
    """Whether a region's ink is a filled shape rather than glyphs: a status dot, a legend
    square, a coloured avatar or icon tile, which text search takes in whole. Glyphs fill at
    most about half of their own ink box, a dot or square over `_SOLID_FILL` of it (a disc
    0.79), once the box is larger than a glyph's stroke (`_SOLID_MIN_PX` both ways) and
    about as tall as wide (a lone `l` or `I` is a filled bar too). Inside a
    badge the label sits in the middle: a fill whose only ink is the blended rim of its
    rounded corners (a photo placeholder, a plain avatar circle) holds no label."""
    h, w = ink.shape
    if badge and not ink[h // 4 : h - h // 4, w // 4 : w - w // 4].any():
        return True
    ink_count = int(np.count_nonzero(ink))
    if ink_count < _SOLID_FILL * _SOLID_MIN_PX * _SOLID_MIN_PX:
        return False
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    ih, iw = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    if (
        min(ih, iw) >= _SOLID_MIN_PX
        and max(ih, iw) <= _SOLID_ASPECT * min(ih, iw)
        and ink_count >= _SOLID_FILL * ih * iw
    ):
        # Blurred bold glyphs can fill their box as well (JPEG and downscales close the
        # counters of a `B`), but their strokes are narrower than half the box: only a shape
        # survives eroding a quarter of its size from every side.
        core = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        for _ in range(min(ih, iw) // 4):
            core = _eroded(core)
        return bool(core.any())
    return False


def measure_region(
    rgb: RGBArray, region: TextRegion, noise: float, snap: ColourSnapper
) -> Measured | None:
    """Foreground, background and glyph geometry of one text region."""
    height, width = rgb.shape[:2]
    pad = 2
    y0, y1 = max(0, region.y - pad), min(height, region.y + region.h + pad)
    x0, x1 = max(0, region.x - pad), min(width, region.x + region.w + pad)
    crop = rgb[y0:y1, x0:x1].astype(np.int32)
    ring = np.concatenate([crop[0], crop[-1], crop[1:-1, 0], crop[1:-1, -1]])
    ring_mode, ring_count = _mode_and_count(ring)
    bg = ring_mode.astype(np.float64)
    ring_flat = ring_count >= 0.5 * ring.shape[0]
    # A ring half of one colour is flat enough; otherwise its colours must stay near the mode.
    if not ring_flat:
        close = _channel_max(np.abs(ring - bg)) <= 3 * noise + 8
        if np.count_nonzero(close) < 0.5 * ring.shape[0]:
            return None  # no flat (or smoothly varying) surround: texture or photo, not text
    if noise > 0:
        near = ring[_channel_max(np.abs(ring - bg)) <= 3 * noise + 3]
        if near.shape[0]:
            bg = np.median(near, axis=0)
    inner = crop[region.y - y0 : region.y - y0 + region.h, region.x - x0 : region.x - x0 + region.w]
    fill = _badge_fill(inner, bg, noise)
    if fill is not None:
        inner = _inside_badge(inner, bg, fill, noise)
        bg = fill
        ring_flat = False  # the label's background is the badge's fill, not the ring
    diff = inner - bg.astype(np.int32) if noise == 0 else inner - bg
    dist2 = _channel_sum(diff * diff)  # squared distances: every threshold below is on squares
    dmax2 = float(dist2.max(initial=0))
    if dmax2 < 144.0:
        return None
    ink = dist2 >= 0.25 * dmax2
    ink_count = int(np.count_nonzero(ink))
    if fill is not None:  # report the label, not the badge around it
        rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
        region = TextRegion(
            region.x + int(cols[0]),
            region.y + int(rows[0]),
            int(cols[-1] - cols[0] + 1),
            int(rows[-1] - rows[0] + 1),
        )
    if ink_count > 0.6 * ink.size or _solid_shape(ink, badge=fill is not None):
        return None  # a filled shape (button, bar, badge, dot, icon), not glyphs
    # Crisp: the pixels within 10 % of the extreme. Noisy: the top 15 % of the ink, robust
    # to ringing overshoot and to blends.
    strong = dist2 >= (0.81 * dmax2 if noise == 0 else np.quantile(dist2[ink], 0.85))
    strong_px = inner[strong]
    mode, mode_count = _mode_and_count(strong_px)
    fg = mode.astype(np.float64) if noise == 0 else np.median(strong_px, axis=0)
    crisp_fg, crisp_count = None, 0
    if noise > 0 and not snap.lossy:
        top, crisp_count = _mode_and_count(inner[dist2 >= 0.81 * dmax2])
        crisp_fg = (int(top[0]), int(top[1]), int(top[2]))
    restored = None if not snap.lossy else unmixed(fg, crop, bg)
    if restored is not None:
        fg = restored
    if noise == 0:  # exact colours of a lossless image: nothing to snap
        bg_rgb = (int(bg[0]), int(bg[1]), int(bg[2]))
        fg_rgb = (int(fg[0]), int(fg[1]), int(fg[2]))
    elif snap.lossy:  # the ink is snapped by `lossy_ink.pool_lossy_lines`, once overshoot is known
        bg_rgb = snap.nearest(bg, _BG_SNAP_DE)
        fg_rgb = ColourSnapper.round(fg)
    else:
        bg_rgb = snap(bg)
        fg_rgb = snap.ink(fg, np.array(bg_rgb, dtype=np.float64))
    if fill is not None and sum((a - b) ** 2 for a, b in zip(fg_rgb, bg_rgb, strict=True)) < 144:
        return None  # no label of its own colour: a glyph's counter, ringed by its stroke
    ratio = ratio_of(fg_rgb, bg_rgb)

    # Glyph geometry: the dense band of the row profile is the x-height (or cap height).
    prof = ink.sum(axis=1).astype(np.float64)
    rows = np.nonzero(prof > 0)[0]
    full = float(rows[-1] - rows[0] + 1) if rows.size else float(region.h)
    band_rows = prof >= 0.45 * prof.max(initial=0.0)
    band = float(band_rows.sum())
    # No ascenders sticking out of the band: capitals or digits, so the band is the cap height.
    font_px = band / _CAP_HEIGHT if full <= 1.2 * band else band / _X_HEIGHT
    runs = np.sort(_run_lengths(ink[band_rows]))
    # the median (np.median's, exact on integers) without its overhead on a few dozen values
    stem = float(runs[(runs.size - 1) // 2] + runs[runs.size // 2]) / 2 if runs.size else 1.0
    stroke_font = 0.0
    if stem >= WIDE_STEM_PX:  # only wide stems use it (`downscaled_ink._thin_reach`)
        crossings = ink[:, 0] + (ink[:, 1:] & ~ink[:, :-1]).sum(axis=1)
        cross_band = float(np.count_nonzero(crossings >= 0.45 * crossings.max(initial=0)))
        stroke_font = cross_band / (_CAP_HEIGHT if full <= 1.2 * cross_band else _X_HEIGHT)
    return Measured(
        region=region,
        fg=fg_rgb,
        bg=bg_rgb,
        ratio=ratio,
        font_px=font_px,
        stem_ratio=stem / max(font_px, 1.0),
        ink_pixels=ink_count,
        fg_estimate=(float(fg[0]), float(fg[1]), float(fg[2])),
        exact_support=mode_count / max(ink_count, 1),
        stroke_font_px=stroke_font,
        restored=restored is not None,
        ring_fill=(int(ring_mode[0]), int(ring_mode[1]), int(ring_mode[2])) if ring_flat else None,
        crisp_fg=crisp_fg,
        crisp_support=crisp_count / max(ink_count, 1),
    )


def _run_lengths(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Lengths of horizontal runs of True in each row (row after row)."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.bool_)  # a False column either side of every row
    padded[:, 1:-1] = mask
    changes = np.flatnonzero(padded[:, 1:] != padded[:, :-1])  # starts and ends alternate
    return np.asarray(changes[1::2] - changes[0::2], dtype=np.int64)


@dataclass(frozen=True)
class StrokeCores:
    """What a resampled word's pixels say of its ink beyond the extreme estimate.

    `fg` is the median colour of the stroke cores (pixels at >= 70 % of the extreme whose
    four neighbours are too), when there are at least `_CORE_MIN_PIXELS` of them: resampling
    blurs only a pixel or so into a stroke, so where whole cores survive (headings, bold or
    large text) they keep the ink colour to within ~2 % whatever the filter (Lanczos,
    bicubic, bilinear), while the extreme pixels overshoot it or fall short. Without cores,
    `clipped` holds pure black and/or white where many ink pixels are exactly that: strokes
    of pure black or white ink that reach it clip to it, while ringing of a grey's strokes
    clips only a few pixels.
    """

    fg: tuple[float, float, float] | None
    clipped: tuple[RGB, ...]


def stroke_cores(rgb: RGBArray, m: Measured) -> StrokeCores:
    """Stroke cores and clipped extremes of one measured region (see `StrokeCores`)."""
    r = m.region
    inner = rgb[r.y : r.y + r.h, r.x : r.x + r.w].astype(np.int32)
    diff = inner - np.array(m.bg, dtype=np.int32)
    dist2 = _channel_sum(diff * diff)
    dmax2 = int(dist2.max(initial=0))
    core = _eroded(dist2 >= 0.49 * dmax2)
    deep = _eroded(core)  # further from the edges: ringing has died down there
    fg = None
    for pixels, need in ((deep, _DEEP_MIN_PIXELS), (core, _CORE_MIN_PIXELS)):
        if np.count_nonzero(pixels) >= need:
            med = np.median(inner[pixels], axis=0)
            fg = (float(med[0]), float(med[1]), float(med[2]))
            break
    clipped: tuple[RGB, ...] = ()
    if fg is None:
        ink = inner[dist2 >= 0.25 * dmax2]
        share = _CLIPPED_SHARE * ink.shape[0]
        clipped = tuple((e, e, e) for e in (0, 255) if np.count_nonzero((ink == e).all(-1)) > share)
    return StrokeCores(fg, clipped)


def _eroded(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Pixels of `mask` whose four neighbours are in it too (the border counts as outside)."""
    out = np.zeros_like(mask)
    if mask.shape[0] > 2 and mask.shape[1] > 2:
        c = mask[1:-1, 1:-1]
        out[1:-1, 1:-1] = c & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    return out
