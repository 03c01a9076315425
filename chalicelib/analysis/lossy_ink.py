"""Inks of lossy files (JPEG, lossy WebP), whose glyphs carry block noise and ringing.

The top of a word's ink is noisy and lies beyond the true ink, by an amount that depends on
the file's quality, so each estimate is pooled with its line's and snapped, or else has the
image's own overshoot undone (`lossy_overshoot`); the codec's colour error leaves each
finding a range of ratios (`lossy_ratio_range`).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import numpy as np

from .colour import ratio_of
from .ink_measure import WIDE_STEM_PX, Measured, RGBArray, stroke_cores
from .ink_snap import LOSSY_OVERSHOOT, RGB, ColourSnapper
from .lossy_chroma import ycc

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
    the way from the background (see `ink_snap.LOSSY_OVERSHOOT`).

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
        if m.stem_ratio * m.font_px < WIDE_STEM_PX:  # no whole cores in 1-px stems
            continue
        cores = stroke_cores(rgb, m)
        if cores.fg is None:
            continue
        bg = np.array(m.bg, dtype=np.float64)
        y_core = float(ycc(np.array(cores.fg) - bg)[0])
        if abs(y_core) > _OVERSHOOT_MIN_LUMA:
            ratios.append(float(ycc(est - bg)[0]) / y_core)
    if len(ratios) < 3:
        return LOSSY_OVERSHOOT
    excess = _THIN_RINGING * (float(np.median(ratios)) - 1.0)
    return float(np.clip(1.0 + excess, 1.0, _MAX_LOSSY_OVERSHOOT))


def pool_lossy_lines(
    measured: list[Measured], snap: ColourSnapper, overshoot: float = LOSSY_OVERSHOOT
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
            ink = ColourSnapper.round(np.clip(f + df, 0, 255))
            back = ColourSnapper.round(np.clip(b + db, 0, 255))
            ratios.append(ratio_of(ink, back))
    return (min(ratios), max(ratios))
