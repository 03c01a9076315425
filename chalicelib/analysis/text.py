"""Text-region detection from pixels alone.

Glyphs are small connected components of strong local contrast (edges) sitting on a flat
background. Long straight edges (borders, rules) and rectangle outlines (inputs, cards) are
removed, the remaining glyph components are joined horizontally into lines with a gap scaled to
their height, and each line's ink box becomes a text region.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage  # type: ignore[import-untyped]

RGBArray = npt.NDArray[np.uint8]
_EIGHT = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class TextRegion:
    x: int
    y: int
    w: int
    h: int
    glyph_height: float  # median height of the glyph components in the line (px)
    glyphs: int


def edge_mask(rgb: RGBArray, noise: float) -> npt.NDArray[np.bool_]:
    """Pixels whose colour differs strongly from the right or lower neighbour.

    Works per channel on contiguous uint8 planes (|a - b| as max - min), which is several
    times faster than widening the whole image to int16.
    """
    thr = np.uint8(min(255, int(14 + 4 * noise)))
    mask = np.zeros(rgb.shape[:2], dtype=bool)
    for c in range(3):
        plane = np.ascontiguousarray(rgb[..., c])
        a, b = plane[:, 1:], plane[:, :-1]
        dx = (np.maximum(a, b) - np.minimum(a, b)) > thr
        mask[:, 1:] |= dx
        mask[:, :-1] |= dx
        a, b = plane[1:], plane[:-1]
        dy = (np.maximum(a, b) - np.minimum(a, b)) > thr
        mask[1:] |= dy
        mask[:-1] |= dy
    return mask


def _is_outline(comp: npt.NDArray[np.bool_]) -> bool:
    """A (rounded) rectangle outline: an input, card, badge or button border.

    Such a ring covers its four sides, or keeps nearly all its pixels in a thin band along
    its box, while glyphs and words cross their interior.
    """
    h, w = comp.shape
    total = int(comp.sum())
    if w >= 16 and h >= 10 and total:
        interior = int(comp[3:-3, 3:-3].sum())
        if interior <= 0.08 * total:
            return True
    side_cover = min(
        comp[:2].any(0).mean(),
        comp[-2:].any(0).mean(),
        comp[:, :2].any(1).mean(),
        comp[:, -2:].any(1).mean(),
    )
    return bool(side_cover > 0.85)


def find_text_regions(rgb: RGBArray, noise: float = 0.0) -> list[TextRegion]:
    """Boxes (x, y, w, h) of text lines in the image, in reading order."""
    height = rgb.shape[0]
    edges = edge_mask(rgb, noise)
    labels, n = ndimage.label(edges, structure=_EIGHT)
    if n == 0:
        return []
    slices = ndimage.find_objects(labels)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    keep = np.zeros(n + 1, dtype=bool)
    heights = np.zeros(n + 1, dtype=np.float64)
    max_glyph = max(24, min(int(0.25 * height), 320))
    for i, sl in enumerate(slices, start=1):
        if sl is None:
            continue
        h = sl[0].stop - sl[0].start
        w = sl[1].stop - sl[1].start
        if h < 3 or sizes[i] < 4:
            continue
        if h > max_glyph:
            continue
        if w > 6 * h and h <= 4:  # horizontal rule, underline-free border
            continue
        if w <= 4 and h > 40:  # vertical rule
            continue
        if h >= 10 and w >= 10 and _is_outline(labels[sl] == i):
            continue
        if w > 12 * h and h > 6:  # a long band: photo edge, progress bar
            continue
        keep[i] = True
        heights[i] = h
    if not keep.any():
        return []
    glyph = keep[labels]
    med_h = float(np.median(heights[keep]))
    # Join letters into words, not words into lines: a page's text elements are often single
    # words (labels, cells, nav links) and a finding must fall inside the element it reports.
    # Edges are two pixels wider than ink, so a word space of small text is a 1-2 px edge gap.
    size = max(2, round(0.12 * med_h))
    grown = ndimage.maximum_filter1d(glyph, size=size, axis=1)
    line_labels, _m = ndimage.label(grown, structure=_EIGHT)
    regions: list[TextRegion] = []
    for j, sl in enumerate(ndimage.find_objects(line_labels), start=1):
        if sl is None:
            continue
        inside = glyph[sl] & (line_labels[sl] == j)
        rows = np.nonzero(inside.any(axis=1))[0]
        cols = np.nonzero(inside.any(axis=0))[0]
        if rows.size == 0:
            continue
        y0 = sl[0].start + int(rows[0])
        y1 = sl[0].start + int(rows[-1]) + 1
        x0 = sl[1].start + int(cols[0])
        x1 = sl[1].start + int(cols[-1]) + 1
        h = y1 - y0
        w = x1 - x0
        if h < max(5, 0.4 * med_h) or w < 2:
            continue
        if w < 0.25 * h and h > 2.5 * med_h:  # a box side or rule, not a line of text
            continue
        comp_ids = np.unique(labels[sl][inside])
        comp_ids = comp_ids[comp_ids > 0]
        if w <= 6 and h > 3.5 * w and comp_ids.size == 1:  # a piece of a box side
            continue
        gh = float(np.median(heights[comp_ids])) if comp_ids.size else float(h)
        regions.append(TextRegion(x0, y0, w, h, gh, int(comp_ids.size)))
    regions.sort(key=lambda r: (r.y, r.x))
    return regions
