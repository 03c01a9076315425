"""Text contrast: recover each text region's glyph and background colours, rate them (WCAG 2.x).

The background is the mode of the ring just outside the region's ink box. Glyph edges are
blends of glyph and background, so the foreground is the extreme cluster of the ink (the
pixels furthest from the background), not an average. What happens next depends on the file:

- crisp lossless renders: the exact mode of the extreme pixels is the ink; words on one
  background whose inks lie on one blend ray a little apart share the most extreme one;
- lossy files (JPEG, lossy WebP): the top of the ink is noisy and chroma is subsampled, so
  the estimate gets its chroma back from the word's chroma-to-luma balance (`_unmixed`), is
  pooled over its line, and is snapped to a flat colour of the image that explains it (same
  place on the blend ray, or same luma with chroma pulled towards the background), or else
  has the image's ringing overshoot undone (`lossy_overshoot`);
- resampled screenshots (glyphs with almost no pixel of exactly one colour): thin strokes
  never reach the ink and thick ones overshoot it, so the ink is taken from the cores of
  thick strokes (headings, bold, large text) and shared, along the blend ray, with thin words
  on the same background, whose own estimate is extrapolated by the reach typical of their
  font size (see `resnap_downscaled`); box-averaged images, which keep the ink in plateaus,
  are not extrapolated (`_box_averaged`).

Text size is estimated from the x-height or cap height of the glyphs and boldness from their
stem width; sizes too close to the WCAG large-text boundary are reported as unknown.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from . import components
from .colour import (
    contrast_ratio,
    delta_e_2000,
    oklab_in_gamut,
    oklab_to_oklch,
    oklab_to_srgb,
    oklch_to_oklab,
    srgb_to_cielab,
    srgb_to_oklab,
)
from .palette import PaletteColour
from .text import TextRegion

RGBArray = npt.NDArray[np.uint8]
RGB = tuple[int, int, int]

AA_NORMAL, AA_LARGE, AAA_NORMAL, AAA_LARGE = 4.5, 3.0, 7.0, 4.5
_BODY_CSS_PX = 16.0
_STANDARD_DPRS = (1.0, 1.5, 2.0, 3.0)
# Typical sans-serif proportions of the em: x-height and cap height.
_X_HEIGHT = 0.54
_CAP_HEIGHT = 0.72
_BOLD_STEM = 0.125  # stem width / font size above which a face reads as bold
_SIZE_MARGIN = 0.08  # relative band around a WCAG size threshold where size is "unknown"
# The top 15 % of a lossy glyph's ink lies this far beyond the true ink (ringing), as a share
# of the way from the background (corpus medians: 1.02 at JPEG quality 85, 1.04 at 70).
_LOSSY_OVERSHOOT = 1.02
# Per image (`lossy_overshoot`): cored words' estimates count only away from 0 and 255 (by
# 8 codes) and 60 luma codes from their background; words as a whole ring 0.65 as far
# beyond the ink as cored ones; at most 6 % is undone.
_OVERSHOOT_CLIP = 8.0
_OVERSHOOT_MIN_LUMA = 60.0
_THIN_RINGING = 0.65
_MAX_LOSSY_OVERSHOOT = 1.06
# Words with 1-px stems (median run) ring about half as far beyond their ink as the image's
# words as a whole: at JPEG quality 85 their median excess is 1.010 against the 1.019 undone
# (0.65 of cored words' 1.029), over the corpus, further and held-out q85 variants.
_ONE_PX_RINGING = 0.5
# Stroke-core pixels needed before their median is trusted as a word's ink (a dozen: about
# one letter of 3-px strokes).
_CORE_MIN_PIXELS = 12
_DEEP_MIN_PIXELS = 6
# Share of a resampled word's ink pixels that must be exactly black (or white) before that is
# taken as its ink: ringing clips a few pixels of dark grey (or near-white) strokes too, while
# pure black or white ink that reaches its value clips a median 29 % (corpus downscales).
_CLIPPED_SHARE = 0.05
# Chroma is rebuilt only for inks this many luma codes from their background (below, the
# chroma-to-luma balance divides by little more than block noise), and not from estimates
# within this many codes of 0 or 255 in any channel (clipped on decoding).
_UNMIX_MIN_LUMA = 20.0
_CLIP_CODES = 2.0
# Decoded values above 255 are clipped: a rebuilt channel is taken where it exceeds 255 by
# more than twice the lossy noise floor of flat fills (1-2 codes).
_CLIP_NOISE = 4.0
# A lossy word's background is the median of dozens of ring pixels of a flat fill, which
# JPEG and VP8 keep within a code or two: it is snapped to a flat colour of the image only
# within 1 dE2000 (about one code near white), not the 3+ of a single noisy estimate, which
# took light button fills (#f8f9fa, #f6f8fa) for the white page around them.
_BG_SNAP_DE = 1.0


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
    # Where the ink could not be read from the pixels (`thin_ratio_range`): the ratios the
    # ink's plausible places on the blend ray give, lowest first; in lossy files, the ratios
    # within the codec's colour error (`lossy_ratio_range`).
    ratio_range: tuple[float, float] | None = None
    # The ink was extrapolated along its blend ray (`thin_ratio_range`), not read.
    extrapolated: bool = False
    # The exact colour of at least half the ring around the region (a flat fill), if any.
    ring_fill: RGB | None = None
    # Lossless files with a noise level only: the exact mode of the pixels within 10 % of
    # the extreme, as a crisp render's ink is read, and its share of the ink pixels.
    crisp_fg: RGB | None = None
    crisp_support: float = 0.0


@dataclass(frozen=True)
class Finding:
    bbox: tuple[int, int, int, int]
    fg: RGB
    bg: RGB
    ratio: float
    large_text: bool | None
    aa: bool
    aaa: bool
    borderline: bool  # size unknown and 3.0 <= ratio < 4.5: passes only if the text is large
    font_size_css_px: float
    bold: bool
    suggested_fg: RGB | None  # nearest same-hue colour that passes AA, for failing text
    ink_pixels: int
    ratio_range: tuple[float, float] | None = None  # see `Measured.ratio_range`
    extrapolated: bool = False  # see `Measured.extrapolated`
    aa_uncertain: bool = False  # `ratio_range` straddles the AA threshold that applies


_LINEAR = [
    (c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
    for c in range(256)
]


def ratio_of(fg: RGB, bg: RGB) -> float:
    """WCAG 2.x contrast ratio of two 8-bit colours (scalar fast path of contrast_ratio)."""
    la = 0.2126 * _LINEAR[fg[0]] + 0.7152 * _LINEAR[fg[1]] + 0.0722 * _LINEAR[fg[2]]
    lb = 0.2126 * _LINEAR[bg[0]] + 0.7152 * _LINEAR[bg[1]] + 0.0722 * _LINEAR[bg[2]]
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _mode_rgb(pixels: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    return _mode_and_count(pixels)[0]


_PACK = np.array([1 << 16, 1 << 8, 1], dtype=np.int32)


def _mode_and_count(pixels: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32], int]:
    """The most frequent exact colour of a pixel list, and how often it occurs."""
    n = pixels.shape[0]
    same = pixels == pixels[0]
    count = int(np.count_nonzero(same[:, 0] & same[:, 1] & same[:, 2]))
    if 2 * count > n:  # the common case: one colour holds most pixels, so it is the mode
        return np.asarray(pixels[0], dtype=np.int32), count
    keys = np.sort(pixels @ _PACK)
    first = np.empty(n, dtype=np.bool_)  # where a run of equal keys starts
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=n)
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


def _ycc(rgb: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """JPEG's YCbCr (BT.601 full range): luma and the (Cb, Cr) chroma pair."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, np.stack([cb, cr], axis=-1)


class ColourSnapper:
    """Snaps a noisy colour estimate to a flat colour of the image when perceptually equal."""

    def __init__(self, modes: list[PaletteColour], noise: float, lossy: bool = False) -> None:
        self.noise = noise
        self.lossy = lossy
        if noise > 0:  # with noise, never-flat modes are ringing artefacts, not colours
            modes = [m for m in modes if m.flatness >= 0.08]
        self.rgb = np.array([m.rgb for m in modes], dtype=np.float64).reshape(-1, 3)
        self.lab = srgb_to_cielab(self.rgb) if len(modes) else np.zeros((0, 3))
        # Black and white text need not appear as fills to be an image's ink.
        self.extremes = np.array([(0.0, 0.0, 0.0), (255.0, 255.0, 255.0)])
        self.limit = 0.0 if noise == 0 else 3.0 + 0.5 * noise

    def __call__(self, rgb: npt.NDArray[np.float64]) -> RGB:
        if self.limit > 0 and self.lab.shape[0]:
            de = delta_e_2000(self.lab, srgb_to_cielab(rgb))
            j = int(np.argmin(de))
            if de[j] <= self.limit:
                rgb = self.rgb[j]
        r, g, b = (int(v) for v in np.clip(np.rint(rgb), 0, 255))
        return (r, g, b)

    def ink(
        self,
        est: npt.NDArray[np.float64],
        bg: npt.NDArray[np.float64],
        restored: bool = False,
        overshoot: float = _LOSSY_OVERSHOOT,
    ) -> RGB:
        """Glyph colour from the most extreme ink estimate.

        Glyph pixels are mixtures of ink and background, so the true ink lies on the ray from
        the background through the estimate. With compression noise, a flat colour of the
        image at (about) the estimate's place on that ray, or one that explains the estimate
        as luma kept and chroma pulled towards the background, is taken as the ink; the latter
        not when the estimate's chroma was `restored` already (`_unmixed`). Otherwise a lossy
        estimate has the image's ringing `overshoot` undone (`lossy_overshoot`).
        """
        if self.noise > 0:
            hit = None if restored else self._chroma_subsampled(est, bg)
            if hit is None:
                # The top of noisy ink lies ~2 % beyond the ink (ringing): a flat colour
                # more than 2.5 % short of the estimate is another colour of the page (dark
                # text a few codes lighter than the true ink moves a ratio of 15 by 1).
                hit = self.on_ray(est, bg, low=0.975, high=1.04, tube=4.0 + 2.0 * self.noise)
            if hit is None and self.lossy:  # pure black or white, only when almost reached
                hit = self.on_ray(
                    est, bg, low=1 / 1.03, high=1 / 0.97, tube=4.0, targets=self.extremes
                )
            if hit is not None:
                return hit
        if self.lossy:
            # No image colour explains it: undo the ringing overshoot of the top of the ink,
            # and keep the result rather than snap it within a dE radius, which on dark text
            # can move the ratio by more than the estimate's own error.
            return self._round(bg + (est - bg) / overshoot)
        return self(est)

    def _chroma_subsampled(
        self, est: npt.NDArray[np.float64], bg: npt.NDArray[np.float64]
    ) -> RGB | None:
        """JPEG keeps luma at full resolution but averages chroma over 2x2 blocks, so thin
        coloured glyphs keep their luma while their chroma is pulled towards the background's.
        A flat colour with the same luma whose chroma lies on that pull is the ink."""
        targets = np.vstack([self.rgb, self.extremes]) if self.lossy else self.rgb
        if not targets.shape[0]:
            return None
        y_est, c_est = _ycc(est)
        y_bg, c_bg = _ycc(bg)
        y_m, c_m = _ycc(targets)
        v = c_m - c_bg
        vv = (v * v).sum(-1)
        u = c_est - c_bg
        beta = np.where(vv > 1e-6, (v @ u) / np.maximum(vv, 1e-6), 1.0)
        resid = np.sqrt(np.maximum((u * u).sum() - beta * beta * vv, 0.0))
        dy = np.abs(y_m - y_est)
        # Subsampled chroma also drags luma a little where the chroma step is large.
        tol_y = 6.0 + 2.0 * self.noise + 0.1 * np.sqrt(vv)
        ok = (
            (dy <= tol_y)
            & (resid <= 8.0 + 2.0 * self.noise + 0.05 * np.sqrt(vv))
            & (beta >= 0.35)
            & (beta <= 1.2)
        )
        ok &= np.abs(y_m - y_bg) > 2 * tol_y
        if not ok.any():
            return None
        score = np.where(ok, dy + resid, np.inf)
        if self.lossy and ok[-2:].any():
            # Black or white explaining the estimate wins over a pale or deep tint of the
            # page that explains it as well: white text on a saturated button clips at 255
            # and falls short in luma, so a tinted fill (an alert's #fff3cd) a few codes
            # darker fits as closely, and text is set in black or white far more often.
            score[: len(score) - 2] = np.inf
        return self._round(targets[int(np.argmin(score))])

    def on_ray(
        self,
        est: npt.NDArray[np.float64],
        bg: npt.NDArray[np.float64],
        low: float,
        high: float,
        tube: float = 4.0,
        targets: npt.NDArray[np.float64] | None = None,
    ) -> RGB | None:
        """The flat colour on the blend ray from `bg` through `est` whose distance from the
        background is `low`..`high` times the estimate's (the nearest such), if any."""
        cands = self.rgb if targets is None else targets
        if not cands.shape[0]:
            return None
        u = est - bg
        nu = float(np.sqrt((u * u).sum()))
        v = cands - bg
        vv = np.maximum((v * v).sum(-1), 1e-9)
        t = (v @ u) / vv
        perp = np.sqrt(np.maximum((u * u).sum() - t * t * vv, 0.0))
        near = (perp <= tube + 0.08 * nu) & (t >= 1 / high) & (t <= 1 / low)
        if not near.any():
            return None
        return self._round(cands[int(np.argmin(np.where(near, np.abs(t - 1), np.inf)))])

    def nearest(self, rgb: npt.NDArray[np.float64], limit: float) -> RGB:
        """The flat colour within `limit` dE2000 of `rgb`, else `rgb` itself."""
        if self.lab.shape[0]:
            de = delta_e_2000(self.lab, srgb_to_cielab(rgb))
            j = int(np.argmin(de))
            if de[j] <= limit:
                return self._round(self.rgb[j])
        return self._round(rgb)

    @staticmethod
    def _round(rgb: npt.NDArray[np.float64]) -> RGB:
        r, g, b = (int(v) for v in np.clip(np.rint(rgb), 0, 255))
        return (r, g, b)


def _from_ycc(y: float, c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Inverse of `_ycc` for one colour."""
    cb, cr = float(c[0]), float(c[1])
    return np.array([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb])


def _chroma_per_luma(offset: npt.NDArray[np.float64], dy: float) -> npt.NDArray[np.float64] | None:
    """Chroma over luma of a summed colour offset from the background; None when the luma
    offsets do not add up to the side of the background the ink is on (`dy`)."""
    y_d, c_d = _ycc(offset)
    sy = float(y_d)
    return None if sy * dy <= 0 else np.asarray(c_d / sy)


def _clipped_offset(
    px: npt.NDArray[np.int32], bg: npt.NDArray[np.float64], ink: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """What clipping at 255 took from the summed offset of pixels `px` (n x 3), in channels
    where the background is at 255: around a red glyph on white, the smeared chroma pushes
    red above 255 and the decoder clips it, losing part of the chroma sum. Each pixel with
    one such channel at 255 is modelled as the background plus a share of the ink's luma
    offset and a share of its chroma offset (per pixel, as chroma is smeared further than
    luma), solved from its two other channels; the loss counts where the model exceeds 255
    by more than the noise."""
    at_top = bg >= 255 - _CLIP_CODES
    none = np.zeros(3)
    if not at_top.any():
        return none
    top = (px >= 255 - _CLIP_CODES) & at_top
    one = np.nonzero(top.sum(-1) == 1)[0]
    if not one.size:
        return none
    top = top[one]
    dy = float(_ycc(ink - bg)[0])
    lum = np.full(3, dy)
    chroma = ink - bg - lum
    free = np.argsort(top, axis=1, kind="stable")[:, :2]  # the two unclipped channels
    d = np.take_along_axis(px[one] - bg, free, axis=1)
    lf, cf = lum[free], chroma[free]
    det = lf[:, 0] * cf[:, 1] - lf[:, 1] * cf[:, 0]
    # Solve only where the two offsets point apart in those channels (sine >= 0.3).
    ok = np.abs(det) >= 0.3 * np.linalg.norm(lf, axis=1) * np.linalg.norm(cf, axis=1)
    safe = np.where(ok, det, 1.0)
    a = (d[:, 0] * cf[:, 1] - d[:, 1] * cf[:, 0]) / safe
    b = (lf[:, 0] * d[:, 1] - lf[:, 1] * d[:, 0]) / safe
    model = bg + a[:, None] * lum + b[:, None] * chroma
    lost = top & ok[:, None] & (model > 255 + _CLIP_NOISE)
    return np.asarray(np.where(lost, model - px[one], 0.0).sum(0))


def _unmixed(
    est: npt.NDArray[np.float64], crop: npt.NDArray[np.int32], bg: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    """Ink of a lossy word with its chroma restored from the word's chroma-to-luma balance.

    Every glyph pixel is a blend of ink and background, so its luma and chroma offsets from
    the background are both the ink's times its coverage. JPEG (and VP8) average chroma
    over 2x2 blocks and smear it further on upsampling, pulling a thin stroke's chroma
    towards the background's, but keep luma per pixel, and averaging and smearing both keep
    sums: over the word, total chroma offset / total luma offset is the ink's own, whatever
    the coverage. The estimate's luma (full resolution) is kept and its chroma rebuilt, once
    more after adding back what clipping at 255 took (`_clipped_offset`). None where this
    does not hold: an estimate with a channel at 0 or 255 was itself clipped on decoding
    (black text on yellow), which breaks the sums."""
    y_est, c_est = _ycc(est)
    y_bg, c_bg = _ycc(bg)
    dy = float(y_est - y_bg)
    if est.min() <= _CLIP_CODES or est.max() >= 255 - _CLIP_CODES or abs(dy) < _UNMIX_MIN_LUMA:
        return None
    px = crop.reshape(-1, 3)
    offset = px.sum(0) - px.shape[0] * bg
    k = _chroma_per_luma(offset, dy)
    if k is not None:
        lost = _clipped_offset(px, bg, _from_ycc(float(y_est), c_bg + k * dy))
        k = _chroma_per_luma(offset + lost, dy)
    if k is None:
        return None
    c_ink = c_bg + k * dy
    if float(np.linalg.norm(c_ink - c_bg)) <= float(np.linalg.norm(c_est - c_bg)):
        return est  # subsampling only ever pulls chroma in: nothing was lost
    return np.clip(_from_ycc(float(y_est), c_ink), 0, 255)


def _edge_fill(
    rows: npt.NDArray[np.int32], bg: npt.NDArray[np.float64], noise: float, tol: float
) -> npt.NDArray[np.float64] | None:
    """The first flat colour met going in from one edge of the box (`rows`, edge first): the
    rows a rounded shape (a circle, a pill's ends) crosses only as anti-aliased blends are
    passed over; a flat row of the page colour ends the search (a lossy image's box may take
    in one such row outside a badge's edge)."""
    best, best_d = None, tol
    for i, row in enumerate(rows):
        fill = np.median(row, axis=0) if noise > 0 else _mode_rgb(row).astype(np.float64)
        flat = np.count_nonzero(_channel_max(np.abs(row - fill)) <= tol) >= 0.6 * row.shape[0]
        d = float(np.abs(fill - bg).max())
        if flat and d <= tol and (i > 0 or noise == 0):
            break  # the page inside the box: a word, or the space under a badge
        if flat and d > best_d:  # blurred edge rows are flat too, but nearer the page
            best, best_d = fill, d
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
    # JPEG drifts a saturated fill's chroma by up to twice the edge tolerance between rows.
    agree = tol if noise == 0 else 2 * tol
    if max(float(np.abs(e - top).max()) for e in ends) > agree:
        return None
    near_all = _channel_max(np.abs(inner - (top + bottom) / 2)) <= agree
    if near_all.mean() < 0.35:
        return None
    return top if noise == 0 else np.median(inner[near_all], axis=0)


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
    t = np.clip(((inner - page) @ axis) / max(float(axis @ axis), 1.0), 0.0, 1.0)
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
    if ink_count > 0.6 * ink.size:  # a filled shape (button, bar, badge), not glyphs
        return None
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
    restored = None if not snap.lossy else _unmixed(fg, crop, bg)
    if restored is not None:
        fg = restored
    if noise == 0:  # exact colours of a lossless image: nothing to snap
        bg_rgb = (int(bg[0]), int(bg[1]), int(bg[2]))
        fg_rgb = (int(fg[0]), int(fg[1]), int(fg[2]))
    elif snap.lossy:  # the ink is snapped by `pool_lossy_lines`, once the overshoot is known
        bg_rgb = snap.nearest(bg, _BG_SNAP_DE)
        fg_rgb = ColourSnapper._round(fg)
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
    if stem >= _WIDE_STEM_PX:  # only wide stems use it (`_thin_reach`)
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


# An ink that words on one background show on at least this share of their ink pixels
# (and on `_PLATEAU_MIN_PIXELS` of them) is a plateau of whole stem pixels, not a blend that
# fell short: words whose strokes straddle pixels keep at most 0.27 of their ink pixels at
# their extreme colour (corpus and held-out pages), words that reach their ink 0.29-0.57.
_PLATEAU_SHARE = 0.28
_PLATEAU_MIN_PIXELS = 30.0
# Crisp words whose extreme is a blend fall up to 8 % short of their ink; a word without a
# vertical stem (`Avg.`, `xv`, a lone `1` straddling two columns) up to 10.5 % (held-out
# pages). A colour that only one word on its background shows as its extreme is no evidence
# of an ink of its own, so such a word looks that much further along its ray; colours that
# several words share are inks a page uses (#333333 nav links 8 % short of #222222 body).
_LONE_WINDOW = 1.12
_SHORT_WINDOW = 1.08


def keep_exact_fills(measured: list[Measured]) -> list[Measured]:
    """A lossless, unscaled image keeps flat fills exact even where gradients or photos
    elsewhere give it a noise level: a region whose ring is mostly one exact colour stands on
    that colour, not on a palette colour within the noise's snapping radius (off-white
    cards, #fbfaf8 or a tab bar's #f9f9f9, were read as the white page). Its glyphs are
    crisp too, so such a region's ink is read as on a noiseless render (`crisp_fg`) and
    pooled like one (`pool_same_ink`): #fbfaf8 text was snapped to white."""
    out = []
    for m in measured:
        if m.ring_fill is None or m.crisp_fg is None:
            out.append(m)
        else:
            fg, bg = m.crisp_fg, m.ring_fill
            out.append(
                replace(m, fg=fg, bg=bg, ratio=ratio_of(fg, bg), exact_support=m.crisp_support)
            )
    return pool_same_ink(out)


def pool_same_ink(measured: list[Measured]) -> list[Measured]:
    """Words set in one colour on one background share their ink.

    In a crisp render, some words of a paragraph never reach full ink (no stem falls on a
    whole pixel), so their extreme is a light blend. Regions whose estimates lie on the same
    blend ray from the same background, a little short of one another, take the most extreme
    colour of the group, which some word did reach. An ink that its words show as a plateau
    (`_PLATEAU_SHARE`) was reached and keeps its place: design systems set body text a shade
    lighter than headings on the same ray (Tailwind slate-800 under slate-900); a colour
    that only one word shows may be further short (`_LONE_WINDOW`).
    """
    by_bg: dict[RGB, set[RGB]] = {}
    exact: dict[tuple[RGB, RGB], list[float]] = {}
    for m in measured:
        by_bg.setdefault(m.bg, set()).add(m.fg)
        tally = exact.setdefault((m.bg, m.fg), [0.0, 0.0, 0.0])
        tally[0] += m.exact_support * m.ink_pixels
        tally[1] += m.ink_pixels
        tally[2] += 1
    # Decide per distinct (background, ink) pair: pages repeat a handful of colours.
    better: dict[tuple[RGB, RGB], RGB] = {}
    for bg, fgs in by_bg.items():
        if len(fgs) < 2:
            continue
        inks = sorted(fgs)
        b = np.array(bg, dtype=np.float64)
        vecs = np.array(inks, dtype=np.float64) - b
        norms = np.sqrt((vecs * vecs).sum(-1))
        for k, ink in enumerate(inks):
            held, total, words = exact[(bg, ink)]
            if norms[k] < 1 or (held >= _PLATEAU_MIN_PIXELS and held >= _PLATEAU_SHARE * total):
                continue
            cos = (vecs @ vecs[k]) / np.maximum(norms * norms[k], 1e-9)
            same = (
                (cos > 0.999)
                & (norms >= norms[k])
                & (norms <= norms[k] * (_LONE_WINDOW if words == 1 else _SHORT_WINDOW))
            )
            j = int(np.argmax(np.where(same, norms, -1.0)))
            if j != k and same[j]:
                better[(bg, ink)] = inks[j]
    out = []
    for m in measured:
        fg = better.get((m.bg, m.fg))
        out.append(m if fg is None else replace(m, fg=fg, ratio=ratio_of(fg, m.bg)))
    return out


# Share of the way from background to ink that the extreme estimate of a downscaled word
# without stroke cores reaches, by its font size in output pixels (strokes scale with it):
# medians 0.80 below 9 px, 0.86 at 9-10, 0.91 at 10-12, 0.94 at 12-15 and ~1 above, over the
# corpus pages downscaled to 50-75 % with Lanczos, bicubic and bilinear filters, each with a
# wide spread (+-0.15). The table stays a little under those medians: a grey extrapolated
# too far lands on black.
_THIN_REACH = ((9.0, 0.85), (10.0, 0.88), (12.0, 0.92), (15.0, 0.95))
# Box averaging (OS thumbnailers, browsers) keeps a stroke's ink wherever the stroke spans an
# output pixel, where bilinear and Lanczos blend or ring every pixel: a word whose strongest
# pixels share one exact colour (at least `_PLATEAU_SUPPORT` of its ink pixels,
# `Measured.exact_support`) shows a plateau of unblended ink. On synthetic text rendered by
# Chromium and downscaled to 50-80 % (`benchmarks/thin_reach.py`), 83 % of the coreless words
# have one under box averaging, 5 % under bilinear, none under Lanczos and bicubic; box
# averaging's coreless words reach their ink (median 1.00 of the way in every size band), so
# they are not extrapolated. An image is taken as box-averaged when it does not ring and at
# least `_BOX_PLATEAU_SHARE` of its coreless words show a plateau (per page, 32-88 % on the
# corpus pages box-averaged to 60 %, 0-16 % on the bilinear ones, read without ground truth).
_PLATEAU_SUPPORT = 0.1
_BOX_PLATEAU_SHARE = 0.25


# Large words (15 px and more) whose stems are 2 px or wider but have no whole cores: their
# extreme pixels overshoot the ink (Lanczos, bicubic ringing), by a median 1.10 on the
# corpus's 60 % downscales and 1.02 over the further 50-75 % variants (25th percentile 1.0),
# so their estimate is pulled back by 4 % rather than taken as it is.
_THICK_OVERSHOOT = 1.04
# Stems of 2 px and more (median run at >= 50 % of the extreme) are wide enough to reach the
# ink, so such a word's extreme is never short of it: when the word is also large by either
# size estimate, its extreme pixels are the ringing overshoot of the stroke (Lanczos: ~10 %
# at 2-px strokes, the median of the corpus's 60 % downscales), undone rather than taken
# for darker ink. Smaller words keep the table: their "2-px" stems are mostly blends.
_WIDE_STEM_PX = 2.0
_WIDE_STEM_OVERSHOOT = 1.10


def _thin_reach(
    font_px: float, stem_px: float, stroke_font_px: float = 0.0, rings: bool = True
) -> float:
    """Share of the way from background to ink that a coreless resampled word's extreme
    estimate reaches, by font size and stem width (output pixels); above 1 it overshoots.
    `stroke_font_px` is the size read from stroke crossings (see `Measured`), which thick
    strokes do not shrink; `rings` is False where the image shows no ringing (`_rings`), so
    there is no overshoot to undo."""
    if rings and max(font_px, stroke_font_px) >= 15.0 and stem_px >= _WIDE_STEM_PX:
        return _WIDE_STEM_OVERSHOOT
    if rings and font_px >= 15.0 and stem_px >= 1.5:
        return _THICK_OVERSHOOT
    return next((r for limit, r in _THIN_REACH if font_px < limit), 1.0)


# Spread of that reach over the coreless words of the corpus's downscales (Lanczos, bicubic,
# bilinear at 50-75 %; ground truth used offline): its 10th and 90th percentiles lie at about
# 0.7 and 1.1 of the way, mostly from font weight (light faces 0.66, bold 1.03-1.07 of the
# table), which a stroke thinner than the resampling kernel does not show. The range a finding
# reports spans 0.65-1.15, which holds the true ratio of 90 % of such elements on the corpus's
# 60 % downscales and 87 % on further ones (benchmarks/README.md).
_REACH_SPREAD = (0.65, 1.15)
# Codes a channel of a word's estimate may differ from its background by rounding and
# resampling alone.
_STILL_CODES = 3.0
# How near (codes per channel) the ray's exit from the sRGB cube must pass its black or white
# corner for that extreme to count as a possible ink.
_CORNER_CODES = 16.0


def thin_ratio_range(
    estimate: tuple[float, float, float], bg: RGB, reported: float
) -> tuple[float, float]:
    """The ratios of the inks a coreless word's extreme `estimate` allows: the estimate
    extrapolated along the blend ray by the reach spread (kept inside the sRGB cube), with the
    `reported` ratio included. What a user can rely on when the pixels cannot tell."""
    b = np.array(bg, dtype=np.float64)
    u = np.array(estimate) - b
    # A channel that hardly moves (white text on #0d6efd: blue 253 -> 255) gives the ray no
    # direction there, only rounding: it must not stop the others at the cube's face.
    moving = np.abs(u) > _STILL_CODES
    with np.errstate(divide="ignore", invalid="ignore"):
        room = float(
            np.where(moving, np.where(u > 0, (255.0 - b) / u, -b / u), np.inf).min(initial=np.inf)
        )
    ratios = [reported]
    for reach in _REACH_SPREAD:
        ink = ColourSnapper._round(b + u * min(1.0 / reach, room))
        ratios.append(ratio_of(ink, bg))
    if room < 1.0 / _REACH_SPREAD[0]:
        # The ray leaves the cube near its corner: pure black or white is as plausible an
        # ink as the face point, whose ratio falls a little short of the corner's.
        face = b + u * room
        corner = np.full(3, 255.0 if float(face.mean()) > 127.5 else 0.0)
        if float(np.abs(face - corner).max()) <= _CORNER_CODES:
            ratios.append(ratio_of(ColourSnapper._round(corner), bg))
    return (min(ratios), max(ratios))


# Ringing filters (Lanczos, bicubic) leave a halo beyond the background around glyphs: on the
# corpus's downscales, 5-19 % of the pixels of words on mid-tone backgrounds lie more than 6
# codes beyond their background (away from the ink), against 0-0.1 % under bilinear. On white
# or black backgrounds the halo clips, so only mid-tone ones can tell.
_HALO_CODES = 6.0
_HALO_MIN_PIXELS = 400


def _rings(measured: list[Measured], rgb: RGBArray) -> bool:
    """Whether the image's resampling rang: False only when enough words on mid-tone
    backgrounds show (almost) no halo beyond their background; True when they do or when
    nothing can tell (the overshoot corrections then apply as before)."""
    beyond = seen = 0
    for m in measured:
        bg = np.array(m.bg, dtype=np.float64)
        if bool((bg > 250).all() or (bg < 5).all()):
            continue
        away = bg - np.array(m.fg_estimate)
        norm = float(np.linalg.norm(away))
        if norm < 40.0:
            continue
        r = m.region
        crop = rgb[r.y : r.y + r.h, r.x : r.x + r.w].astype(np.float64)
        beyond += int(np.count_nonzero((crop - bg) @ (away / norm) > _HALO_CODES))
        seen += crop.shape[0] * crop.shape[1]
    return seen < _HALO_MIN_PIXELS or beyond > 0.005 * seen


def _box_averaged(measured: list[Measured], cores: list[StrokeCores]) -> bool:
    """Whether a non-ringing image was downscaled by box averaging: at least
    `_BOX_PLATEAU_SHARE` of its coreless words show their ink as a plateau."""
    flat = [
        m.exact_support >= _PLATEAU_SUPPORT
        for m, c in zip(measured, cores, strict=True)
        if c.fg is None
    ]
    return bool(flat) and sum(flat) >= _BOX_PLATEAU_SHARE * len(flat)


def _line_mates(measured: list[Measured]) -> list[list[int]]:
    """For each word, the other words of its text line on the same background: vertically
    overlapping by 60 % and at most three line heights apart. Words are visited in order of
    their top edge, so only a window of nearby words is compared (pages have thousands)."""
    order = sorted(range(len(measured)), key=lambda i: measured[i].region.y)
    tops = [measured[i].region.y for i in order]
    mates: list[list[int]] = [[] for _ in measured]
    for pos, i in enumerate(order):
        r = measured[i].region
        # A mate overlapping r vertically starts above r's bottom edge.
        end = bisect.bisect_left(tops, r.y + r.h, lo=pos)
        for j in order[pos + 1 : end]:
            q = measured[j].region
            if measured[j].bg != measured[i].bg:
                continue
            overlap = min(r.y + r.h, q.y + q.h) - max(r.y, q.y)
            gap = max(q.x - (r.x + r.w), r.x - (q.x + q.w))
            if overlap >= 0.6 * min(r.h, q.h) and gap <= 3 * max(r.h, q.h):
                mates[i].append(j)
                mates[j].append(i)
    return mates


def lossy_overshoot(measured: list[Measured], rgb: RGBArray) -> float:
    """How far beyond the ink the top of a lossy word's ink lies in this image, as a share of
    the way from the background (see `_LOSSY_OVERSHOOT`).

    Luma ringing grows with the quantisation step, so it depends on the file's quality: the
    corpus's per-image medians are 1.01-1.03 at JPEG quality 85, 1.03-1.05 at 70 and
    0.99-1.02 for WebP at 80. Words with whole stroke cores show both their ink (the cores)
    and their overshoot; the image's words as a whole ring less beyond the ink than its cored
    words (per image, their median excess over 1 is 0.65 of the cored words' on the q85,
    q70 and w80 files, 0.45-0.9 by file), so 0.65 of the cored words' median excess is
    taken. Inks at 0 or 255 clip their overshoot and are left out; with fewer than three
    cored words the corpus median stands."""
    ratios = []
    for m in measured:
        est = np.array(m.fg_estimate)
        if est.min() <= _OVERSHOOT_CLIP or est.max() >= 255 - _OVERSHOOT_CLIP:
            continue
        if m.stem_ratio * m.font_px < _WIDE_STEM_PX:  # no whole cores in 1-px stems
            continue
        cores = stroke_cores(rgb, m)
        if cores.fg is None:
            continue
        bg = np.array(m.bg, dtype=np.float64)
        y_core = float(_ycc(np.array(cores.fg) - bg)[0])
        if abs(y_core) > _OVERSHOOT_MIN_LUMA:
            ratios.append(float(_ycc(est - bg)[0]) / y_core)
    if len(ratios) < 3:
        return _LOSSY_OVERSHOOT
    excess = _THIN_RINGING * (float(np.median(ratios)) - 1.0)
    return float(np.clip(1.0 + excess, 1.0, _MAX_LOSSY_OVERSHOOT))


def pool_lossy_lines(
    measured: list[Measured], snap: ColourSnapper, overshoot: float = _LOSSY_OVERSHOOT
) -> list[Measured]:
    """In lossy files each word's ink estimate carries its own block noise; the words of a
    line on one background share their ink, so each takes the median of its line's estimates
    before snapping, with the image's own `overshoot` undone (`lossy_overshoot`), half of it
    for words with 1-px stems (`_ONE_PX_RINGING`)."""
    out = []
    for m, mates in zip(measured, _line_mates(measured), strict=True):
        bg = np.array(m.bg, dtype=np.float64)
        u = np.array(m.fg_estimate) - bg
        nu = float(np.linalg.norm(u))
        group = [m.fg_estimate]
        for j in mates if nu > 0 else []:
            o = measured[j]
            v = np.array(o.fg_estimate) - bg
            nv = float(np.linalg.norm(v))
            if nv > 0 and float(u @ v) / (nu * nv) > 0.99 and 0.8 < nv / nu < 1.25:
                group.append(o.fg_estimate)
        est = np.median(np.array(group), axis=0)
        if m.stem_ratio * m.font_px <= 1.0:
            overshoot_m = 1.0 + _ONE_PX_RINGING * (overshoot - 1.0)
        else:
            overshoot_m = overshoot
        fg = snap.ink(est, bg, m.restored, overshoot_m)
        ratio = ratio_of(fg, m.bg)
        out.append(replace(m, fg=fg, ratio=ratio, ratio_range=lossy_ratio_range(fg, m.bg, ratio)))
    return out


# Codec colour error of lossy findings (JPEG q70/q85, WebP w80 on the corpus pages, ground
# truth used offline): backgrounds are within 1 code of their colour in 91-94 % of findings,
# text colours (snapped or not) are off by a median 3-5 codes, so a lossy verdict carries
# that much uncertainty whatever the estimate.
_LOSSY_BG_CODES = 1.0
_LOSSY_INK_CODES = 4.0


def lossy_ratio_range(fg: RGB, bg: RGB, reported: float) -> tuple[float, float]:
    """The ratios a lossy finding's colours allow within the codec's typical error: every
    channel of the ink moved by `_LOSSY_INK_CODES` and of the background by
    `_LOSSY_BG_CODES`, lighter and darker (the luminance extremes), with `reported`."""
    f = np.array(fg, dtype=np.float64)
    b = np.array(bg, dtype=np.float64)
    ratios = [reported]
    for df in (-_LOSSY_INK_CODES, _LOSSY_INK_CODES):
        for db in (-_LOSSY_BG_CODES, _LOSSY_BG_CODES):
            ink = ColourSnapper._round(np.clip(f + df, 0, 255))
            back = ColourSnapper._round(np.clip(b + db, 0, 255))
            ratios.append(ratio_of(ink, back))
    return (min(ratios), max(ratios))


def looks_resampled(measured: list[Measured]) -> bool:
    """Whether a lossless image was scaled after rendering: its glyphs have (almost) no pixel
    of exactly the ink colour. Decided on the median word; needs a few words to judge."""
    if len(measured) < 5:
        return False
    return float(np.median([m.exact_support for m in measured])) < 0.09


def resnap_downscaled(
    measured: list[Measured], snap: ColourSnapper, rgb: RGBArray
) -> list[Measured]:
    """Ink colours of a downscaled screenshot, where blurred thin strokes never reach the ink
    and thicker ones overshoot it (Lanczos, bicubic).

    A word with whole stroke cores takes their median colour (pooled with the like cores of
    its background). The others extrapolate their extreme estimate along the blend ray by
    the typical reach for their font size, then take, nearest that extrapolation on the ray:
    the core ink of another word on the same background, or pure black or white where some
    word there clipped to it (a page sets its text in a few colours, and headings, bold or
    large words show them); else a flat colour of the image; else the extrapolation itself.
    A thin word's own pixels cannot tell a thin dark stroke from a thicker lighter one, so an
    ink seen elsewhere on the page is the only exact source.
    """
    cores = [stroke_cores(rgb, m) for m in measured]
    anchors: dict[RGB, list[tuple[float, float, float]]] = {}
    for m, c in zip(measured, cores, strict=True):
        found = ([c.fg] if c.fg is not None else []) + [
            (float(e[0]), float(e[1]), float(e[2])) for e in c.clipped
        ]
        anchors.setdefault(m.bg, []).extend(found)
    # Pure black or white clipped anywhere is an ink of the page's, whatever it was set on
    # (white labels on coloured badges and white words on a dark page are one ink).
    clipped = {(float(e[0]), float(e[1]), float(e[2])) for c in cores for e in c.clipped}
    for v in anchors.values():
        v.extend(e for e in clipped if e not in v)
    anchor_arrays = {bg: np.array(v, dtype=np.float64) for bg, v in anchors.items() if v}
    settled: dict[tuple[RGB, RGB], RGB] = {}  # words of one colour repeat: pool once
    rings = _rings(measured, rgb)
    boxed = not rings and _box_averaged(measured, cores)

    def settle(ink: RGB, bg: RGB) -> RGB:
        key = (bg, ink)
        if key not in settled:
            b = np.array(bg, dtype=np.float64)
            pooled = _pooled(np.array(ink, dtype=np.float64), anchor_arrays[bg], b)
            settled[key] = snap.nearest(pooled, limit=1.5)
        return settled[key]

    out = []
    for m, c in zip(measured, cores, strict=True):
        if c.fg is not None:
            fg = settle(ColourSnapper._round(np.array(c.fg)), m.bg)
            out.append(replace(m, fg=fg, ratio=ratio_of(fg, m.bg)))
            continue
        bg = np.array(m.bg, dtype=np.float64)
        seen = anchor_arrays.get(m.bg)
        reach = (
            1.0
            if boxed
            else _thin_reach(m.font_px, m.stem_ratio * m.font_px, m.stroke_font_px, rings)
        )
        est = np.clip(bg + (np.array(m.fg_estimate) - bg) / reach, 0, 255)
        hit = snap.on_ray(est, bg, low=0.85, high=1.2, targets=seen) if seen is not None else None
        fg = (
            (settle(hit, m.bg) if hit else None)
            or snap.on_ray(est, bg, low=0.85, high=1.2)
            or snap.nearest(est, limit=3.0)
        )
        ratio = ratio_of(fg, m.bg)
        spread = None if boxed else thin_ratio_range(m.fg_estimate, m.bg, ratio)
        out.append(
            replace(m, fg=fg, ratio=ratio, ratio_range=spread, extrapolated=spread is not None)
        )
    return out


def _pooled(
    ink: npt.NDArray[np.float64], seen: npt.NDArray[np.float64], bg: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The median of the inks seen on this background within 5 % (of the distance from the
    background) of `ink`: one word's cores can miss by a few per cent, a page's words of one
    colour together hardly."""
    reach = max(6.0, 0.05 * float(np.linalg.norm(ink - bg)))
    near = seen[np.linalg.norm(seen - ink, axis=1) <= reach]
    return np.median(near, axis=0) if near.shape[0] else ink


def _run_lengths(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Lengths of horizontal runs of True in each row."""
    if mask.size == 0:
        return np.zeros(0, dtype=np.int64)
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    starts = np.nonzero(d == 1)
    ends = np.nonzero(d == -1)
    return np.asarray(ends[1] - starts[1], dtype=np.int64)


def _plausible_viewport(css_width: float) -> bool:
    """Phones are 320-440 CSS px wide; tablets and desktop windows 700 px and more."""
    return 320 <= css_width <= 440 or 700 <= css_width <= 2600


def estimate_dpr(
    measured: list[Measured], image_width: int | None = None, rescaled: bool = True
) -> float:
    """Device-pixel ratio of a screenshot, from its text and its width.

    The text says how many image pixels a CSS pixel spans (body text is typically 16 CSS
    px: the median word size over 16); the width says which ratios give a real
    viewport (1170 px is a 390 px phone at 3x, not a 585 px window at 2x). A standard ratio
    is preferred when it is about as consistent with the text as the raw estimate. Only an
    image that may have been `rescaled` after capture can have a ratio no device uses: a
    crisp screenshot whose words are mostly small labels (a median of 11 px) is still 1x,
    not 0.69x with every size read half as large again.
    """
    if not measured:
        return 1.0
    median = float(np.median([m.font_px for m in measured]))
    est = float(np.clip(median / _BODY_CSS_PX, 0.5, 4.0))
    best, best_score = round(est, 2), np.inf
    for dpr in (*_STANDARD_DPRS, round(est, 2)) if rescaled else _STANDARD_DPRS:
        score = abs(np.log(dpr / est)) + (0.0 if dpr in _STANDARD_DPRS else 0.2)
        if image_width and not _plausible_viewport(image_width / dpr):
            score += 0.3
        if score < best_score:
            best, best_score = dpr, score
    return float(best)


def classify_size(size_css: float, bold: bool) -> bool | None:
    """WCAG large text (>= 24 px, or >= 18.66 px bold); None when too close to call."""
    threshold = 18.66 if bold else 24.0
    rel = size_css / threshold - 1
    if abs(rel) < _SIZE_MARGIN:
        return None
    return rel > 0


@functools.lru_cache(maxsize=1024)
def suggest_passing_colour(fg: RGB, bg: RGB, target: float) -> RGB | None:
    """Nearest colour to `fg` with the same OKLCH hue that reaches `target` on `bg`.

    Lightness moves away from the background (darker on light, lighter on dark); chroma is
    reduced only as far as needed to stay in the sRGB gamut.
    """
    lch = oklab_to_oklch(srgb_to_oklab(np.array(fg, dtype=np.float64)))
    best: RGB | None = None
    best_dl = np.inf
    for direction in (-1.0, 1.0):
        end = 0.0 if direction < 0 else 1.0
        ls = np.linspace(lch[0], end, 201)
        cand = np.stack([ls, np.full_like(ls, lch[1]), np.full_like(ls, lch[2])], axis=-1)
        lab = oklch_to_oklab(cand)
        chroma_scale: npt.NDArray[np.float64] = np.ones(ls.shape)
        for _ in range(12):  # pull chroma in until every candidate is inside the gamut
            inside = oklab_in_gamut(lab)
            if inside.all():
                break
            chroma_scale = np.asarray(np.where(inside, chroma_scale, chroma_scale * 0.85))
            cand[:, 1] = lch[1] * chroma_scale
            lab = oklch_to_oklab(cand)
        srgb = np.clip(np.rint(oklab_to_srgb(lab)), 0, 255)
        ratios = contrast_ratio(srgb, np.array(bg, dtype=np.float64))
        ok = np.nonzero(ratios >= target)[0]
        if ok.size:
            i = int(ok[0])
            dl = abs(ls[i] - lch[0])
            if dl < best_dl:
                best_dl = dl
                r, g, b = (int(v) for v in srgb[i])
                best = (r, g, b)
    return best


def rate(measured: list[Measured], dpr: float) -> list[Finding]:
    """Apply WCAG thresholds at the given device-pixel ratio."""
    findings = []
    for m in measured:
        size_css = m.font_px / dpr
        bold = m.stem_ratio >= _BOLD_STEM
        large = classify_size(size_css, bold)
        if large is None:
            aa = m.ratio >= AA_NORMAL
            aaa = m.ratio >= AAA_NORMAL
            borderline = AA_LARGE <= m.ratio < AA_NORMAL
        else:
            aa = m.ratio >= (AA_LARGE if large else AA_NORMAL)
            aaa = m.ratio >= (AAA_LARGE if large else AAA_NORMAL)
            borderline = False
        needed = AA_LARGE if large else AA_NORMAL
        fix = None if aa else suggest_passing_colour(m.fg, m.bg, needed)
        span = m.ratio_range
        r = m.region
        findings.append(
            Finding(
                bbox=(r.x, r.y, r.w, r.h),
                fg=m.fg,
                bg=m.bg,
                ratio=round(m.ratio, 3),
                large_text=large,
                aa=aa,
                aaa=aaa,
                borderline=borderline,
                font_size_css_px=round(size_css, 1),
                bold=bold,
                suggested_fg=fix,
                ink_pixels=m.ink_pixels,
                ratio_range=None if span is None else (round(span[0], 3), round(span[1], 3)),
                aa_uncertain=span is not None and span[0] < needed <= span[1],
                extrapolated=m.extrapolated,
            )
        )
    return findings


@dataclass(frozen=True)
class PairRating:
    foreground: RGB
    background: RGB
    ratio: float
    aa_normal: bool
    aa_large: bool
    aaa_normal: bool
    aaa_large: bool


def pair_matrix(colours: list[RGB]) -> list[PairRating]:
    """Every ordered pair of palette colours with the WCAG levels it reaches as text on bg."""
    if not colours:
        return []
    arr = np.array(colours, dtype=np.float64)
    ratios = contrast_ratio(arr[:, None, :], arr[None, :, :])
    out = []
    for i, fg in enumerate(colours):
        for j, bg in enumerate(colours):
            if i == j:
                continue
            r = float(ratios[i, j])
            out.append(
                PairRating(
                    fg,
                    bg,
                    round(r, 3),
                    r >= AA_NORMAL,
                    r >= AA_LARGE,
                    r >= AAA_NORMAL,
                    r >= AAA_LARGE,
                )
            )
    return out
