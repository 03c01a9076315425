"""Inks of resampled screenshots, whose glyphs have almost no pixel of exactly one colour.

Thin strokes never reach the ink and thick ones overshoot it, so the ink is taken from the
cores of thick strokes (headings, bold, large text) and shared, along the blend ray, with
thin words on the same background, whose own estimate is extrapolated by the reach typical
of their font size (see `resnap_downscaled`); box-averaged images, which keep the ink in
plateaus, are not extrapolated (`_box_averaged`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from .colour import ratio_of
from .ink_measure import WIDE_STEM_PX, Measured, RGBArray, StrokeCores, stroke_cores
from .ink_snap import RGB, ColourSnapper

# Share of the way from background to ink that the extreme estimate of a downscaled word
# without stroke cores reaches, by its font size in output pixels (strokes scale with it).
# Measured with browser ground truth (`benchmarks/page_reach.py`) over 5,400 coreless words of
# the corpus and the four development page sets (`heldout`..`heldout_d`) downscaled to 50-75 %
# with Lanczos, bicubic and bilinear filters: where the image rings (Lanczos, bicubic),
# medians 0.81 below 9 px, 0.87 at 9-10, 0.95 at 10-12 and 1.01 at 12-15; where it does not
# (bilinear), 0.74-0.80 at every size under 15 px. Each band spreads about +-0.1, mostly
# between pages (font family and weight). The tables sit at or a little under those medians:
# a grey extrapolated too far lands on black, one extrapolated too little fails AA when it
# passes (most failing findings on passing text were such small words).
_THIN_REACH = ((9.0, 0.80), (10.0, 0.86), (12.0, 0.93), (15.0, 0.98))
_SMOOTH_REACH = ((15.0, 0.78),)
# An ink on the blend ray within this share of the extrapolation's distance from the
# background (short of it, beyond it) may be the word's: the reach spreads about +-0.1.
_RAY_LOW, _RAY_HIGH = 0.85, 1.2
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
# A region this many times the page's median region height is no word (a page's largest
# headings are 3-5 times its body), but a row of photos that text search joined: the flat
# fills inside it make stroke cores that are no ink. heldout_f's real-estate page at 60 %:
# a 161-px row of listing photos (the median word is 11 px) lent its houses' brown to the
# #2a2a33 addresses; 4 to 8 give the same figures.
_ANCHOR_MAX_HEIGHTS = 6.0


# Large words (15 px and more) whose stems are 2 px or wider but have no whole cores: their
# extreme pixels overshoot the ink (Lanczos, bicubic ringing), by a median 1.10 on the
# corpus's 60 % downscales and 1.02 over the further 50-75 % variants (25th percentile 1.0),
# so their estimate is pulled back by 4 % rather than taken as it is.
_THICK_OVERSHOOT = 1.04
# A word with stems of `WIDE_STEM_PX` or more (wide enough to reach the ink) that is also
# large by either size estimate: its extreme pixels are the ringing overshoot of the stroke
# (Lanczos: ~10 % at 2-px strokes, the median of the corpus's 60 % downscales), undone rather
# than taken for darker ink. Smaller words keep the table: their "2-px" stems are mostly blends.
_WIDE_STEM_OVERSHOOT = 1.10


def _thin_reach(
    font_px: float, stem_px: float, stroke_font_px: float = 0.0, rings: bool = True
) -> float:
    """Share of the way from background to ink that a coreless resampled word's extreme
    estimate reaches, by font size and stem width (output pixels) and whether the filter
    rang (a smoothing one blurs small words further); above 1 it overshoots.
    `stroke_font_px` is the size read from stroke crossings (see `Measured`), which thick
    strokes do not shrink; `rings` is False where the image shows no ringing (`_rings`), so
    there is no overshoot to undo."""
    if rings and max(font_px, stroke_font_px) >= 15.0 and stem_px >= WIDE_STEM_PX:
        return _WIDE_STEM_OVERSHOOT
    if rings and font_px >= 15.0 and stem_px >= 1.5:
        return _THICK_OVERSHOOT
    table = _THIN_REACH if rings else _SMOOTH_REACH
    return next((r for limit, r in table if font_px < limit), 1.0)


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
        ink = ColourSnapper.round(b + u * min(1.0 / reach, room))
        ratios.append(ratio_of(ink, bg))
    if room < 1.0 / _REACH_SPREAD[0]:
        # The ray leaves the cube near its corner: pure black or white is as plausible an
        # ink as the face point, whose ratio falls a little short of the corner's.
        face = b + u * room
        corner = np.full(3, 255.0 if float(face.mean()) > 127.5 else 0.0)
        if float(np.abs(face - corner).max()) <= _CORNER_CODES:
            ratios.append(ratio_of(ColourSnapper.round(corner), bg))
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
    the core ink of another word on the same background, or the pure black or white the
    word's own pixels clipped to (a page sets its text in a few colours, and headings, bold
    or large words show them); else black or white where another word clipped to it; else a
    flat colour of the image; else the extrapolation itself.
    A thin word's own pixels cannot tell a thin dark stroke from a thicker lighter one, so an
    ink seen elsewhere on the page is the only exact source. Regions far taller than the
    page's words (`_ANCHOR_MAX_HEIGHTS`) lend no core ink.
    """
    cores = [stroke_cores(rgb, m) for m in measured]
    anchors: dict[RGB, list[tuple[float, float, float]]] = {}
    tallest = _ANCHOR_MAX_HEIGHTS * float(np.median([m.region.h for m in measured] or [0]))
    for m, c in zip(measured, cores, strict=True):
        if c.fg is not None and m.region.h <= tallest:
            anchors.setdefault(m.bg, []).append(c.fg)
    # Pure black or white clipped anywhere is an ink of the page's, whatever it was set on
    # (white labels on coloured badges and white words on a dark page are one ink), but a
    # weaker witness than a core: the ringing of a bold #151515 or #edeef0 clips too, so
    # another word's clipping is a candidate only where no core ink on the ray explains the
    # word (on the development sets a third of the clipped coreless words were such greys).
    clipped = {(float(e[0]), float(e[1]), float(e[2])) for c in cores for e in c.clipped}
    page_clipped = np.array(sorted(clipped), dtype=np.float64).reshape(-1, 3)
    anchor_arrays = {bg: np.array(v, dtype=np.float64) for bg, v in anchors.items() if v}
    settled: dict[tuple[RGB, RGB], RGB] = {}  # words of one colour repeat: pool once
    rings = _rings(measured, rgb)
    boxed = not rings and _box_averaged(measured, cores)

    def settle(ink: RGB, bg: RGB) -> RGB:
        key = (bg, ink)
        if key not in settled:
            b = np.array(bg, dtype=np.float64)
            seen = anchor_arrays.get(bg)
            pooled = np.array(ink, dtype=np.float64)
            if seen is not None:
                pooled = _pooled(pooled, seen, b)
            settled[key] = snap.nearest(pooled, limit=1.5)
        return settled[key]

    out = []
    for m, c in zip(measured, cores, strict=True):
        if c.fg is not None:
            fg = settle(ColourSnapper.round(np.array(c.fg)), m.bg)
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
        if c.clipped:  # its own pixels clipped: as good a witness as a core
            own = np.array(c.clipped, dtype=np.float64)
            seen = own if seen is None else np.vstack([seen, own])
        hit = None
        if seen is not None:
            hit = snap.on_ray(est, bg, low=_RAY_LOW, high=_RAY_HIGH, targets=seen)
        if hit is None and page_clipped.shape[0]:
            hit = snap.on_ray(est, bg, low=_RAY_LOW, high=_RAY_HIGH, targets=page_clipped)
        fg = (
            (settle(hit, m.bg) if hit else None)
            or snap.on_ray(est, bg, low=_RAY_LOW, high=_RAY_HIGH)
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
