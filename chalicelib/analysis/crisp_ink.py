"""Inks of lossless, unscaled renders: words of one colour on one background share their ink.

Such renders keep their ink exactly, but some words of a paragraph never reach it (no stem
falls on a whole pixel), and a lossless image with gradients or photos gets a noise level
that would snap its exact fills and inks away. Both are undone from the page's words
together, after each region is measured on its own (`ink_measure`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .colour import ratio_of
from .ink_measure import Measured

RGB = tuple[int, int, int]

# An ink that words on one background show on at least this share of their ink pixels
# (and on `_PLATEAU_MIN_PIXELS` of them) is a plateau of whole stem pixels, not a blend that
# fell short: words whose strokes straddle pixels keep at most 0.27 of their ink pixels at
# their extreme colour (corpus and held-out pages), words that reach their ink 0.29-0.57.
_PLATEAU_SHARE = 0.28
_PLATEAU_MIN_PIXELS = 30.0
# An extreme that this many words on one background reach exactly is an ink too, whatever
# its plateau share: a blend that falls short lands on a different code in each word, while
# 14 px body copy that straddles pixels (59 words of #3f3c30 at a 0.14 share, held-out
# pages) shows its ink in every word. Shortfalls repeat in at most four words there.
_SHARED_EXTREME_WORDS = 8
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
    lighter than headings on the same ray (Tailwind slate-800 under slate-900), and so does
    an extreme that many words share exactly (`_SHARED_EXTREME_WORDS`); a colour that only
    one word shows may be further short (`_LONE_WINDOW`).
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
            if norms[k] < 1 or (
                held >= _PLATEAU_MIN_PIXELS
                and (held >= _PLATEAU_SHARE * total or words >= _SHARED_EXTREME_WORDS)
            ):
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
