"""Hairlines: how thick a screenshot draws its thinnest borders, which tells its device-pixel ratio.

Text size alone cannot tell 1.5x from 2x: a page of 11 px labels at 2x looks like a page of
15 px body text at 1.5x. Layout can: borders and dividers are whole CSS pixels, so a 1-CSS-px
line is one image pixel thick at 1x, two at 2x and three at 3x (at 1.5x Chromium draws it over
two rows, one of them a blend: no clean line). A line here is a run of one to three rows (or
columns) of one flat colour, darker or lighter than both sides, between flat areas at least
two rows deep: the darkest row of a soft shadow and the rows of a gradient are not lines, and
glyphs are too short to be flat over the window checked on either side of a sampled pixel.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RGBArray = npt.NDArray[np.uint8]

_STEP = 8  # the flat-window test looks this far, and twice this far, along the line
_MAX_THICKNESS = 3
_MIN_STEP = 6  # luma codes by which a line stands out from both sides


def _keys(rgb: RGBArray, tol: int) -> npt.NDArray[np.int32]:
    """One number per pixel: the exact colour for lossless files (equality is the test), the
    luma for lossy ones, whose chroma wanders further than the codec keeps luma."""
    r, g, b = (rgb[..., c].astype(np.int32) for c in range(3))
    if tol == 0:
        return np.asarray((r << 16) | (g << 8) | b, dtype=np.int32)
    return np.asarray((299 * r + 587 * g + 114 * b + 500) // 1000, dtype=np.int32)


def _same(a: npt.NDArray[np.int32], b: npt.NDArray[np.int32], tol: int) -> npt.NDArray[np.bool_]:
    """Keys within `tol` of each other: equal ones for a lossless file's exact colours (one
    comparison, not a difference, its absolute value and a comparison)."""
    if tol == 0:
        return np.asarray(a == b)
    return np.asarray(np.abs(a - b) <= tol)


def _lines_across(keys: npt.NDArray[np.int32], sub: RGBArray, tol: int) -> set[int]:
    """Lines crossing the columns of `keys` (the keys of `sub`, every `_STEP`-th column of the
    image): thin runs down the even columns that stand out from both sides, with the columns
    one and two steps either side equal, as (first row) * 4 + thickness."""
    h, n = keys.shape
    if n < 5 or h < 5:
        return set()
    ref = keys[:, 2:-2:2]
    flat = np.ones(ref.shape, dtype=bool)
    for d in (-2, -1, 1, 2):  # slices, not a gather of the columns
        flat &= _same(keys[:, 2 + d : n - 2 + d : 2], ref, tol)
    changed = np.ones(ref.shape, dtype=bool)
    changed[1:] = ~_same(ref[1:], ref[:-1], tol)
    col_changed = changed.T.ravel()
    starts = np.flatnonzero(col_changed)
    ends = np.append(starts[1:], col_changed.size)
    col, y0 = np.divmod(starts, h)
    t = ends - starts
    y1 = y0 + t
    keep = (t <= _MAX_THICKNESS) & (y0 > 1) & (y1 < h - 1)
    col, y0, y1, t = col[keep], y0[keep], y1[keep], t[keep]
    if col.size == 0:
        return set()
    # The sides are flat areas two rows deep: the darkest row of a soft shadow is not a line.
    ok = flat[y0, col] & flat[y1 - 1, col] & flat[y0 - 1, col] & flat[y1, col]
    ok &= _same(ref[y0 - 2, col], ref[y0 - 1, col], tol)
    ok &= _same(ref[y1 + 1, col], ref[y1, col], tol)
    # Luma only where the sides are flat: a lossless file's keys are exact colours, and the
    # luma of a few hundred candidates is far cheaper than of the whole sample.
    col, y0, y1, t = col[ok], y0[ok], y1[ok], t[ok]
    x = 2 * col + 2
    if tol:
        line, above, below = keys[y0, x], keys[y0 - 1, x], keys[y1, x]
    else:
        line, above, below = (_keys(sub[rows, x], 1) for rows in (y0, y0 - 1, y1))
    step = max(_MIN_STEP, 4 * tol)
    darker = (line <= above - step) & (line <= below - step)
    lighter = (line >= above + step) & (line >= below + step)
    ok = darker | lighter
    return set((y0[ok] * (_MAX_THICKNESS + 1) + t[ok]).tolist())


def line_thickness_counts(rgb: RGBArray, noise: float = 0.0) -> tuple[int, int, int]:
    """How many distinct horizontal and vertical lines are 1, 2 and 3 pixels thick. `noise` (the
    palette's per-channel estimate, for lossy files) sets how far a flat colour may wander."""
    tol = int(min(8, round(2.5 * noise))) if noise > 0 else 0
    counts = [0] * (_MAX_THICKNESS + 1)
    for sub in (rgb[:, ::_STEP], rgb[::_STEP, :].transpose(1, 0, 2)):
        for code in _lines_across(_keys(sub, tol), sub, tol):
            counts[code % (_MAX_THICKNESS + 1)] += 1
    return counts[1], counts[2], counts[3]


def thinnest_line(counts: tuple[int, int, int]) -> int | None:
    """The thickness of the page's thinnest common lines (1, 2 or 3 pixels), or None when too
    few lines are seen to tell. A thickness is common with three lines and a fifth of all;
    a thicker one counts only where thinner lines are all but absent (a quarter of its
    count: JPEG ringing makes a stray one)."""
    total = sum(counts)
    for thickness, n in enumerate(counts, start=1):
        if n >= max(3, 0.2 * total):
            thinner = sum(counts[: thickness - 1])
            return thickness if thinner <= 0.25 * n else None
    return None
