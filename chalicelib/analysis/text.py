"""Text-region detection from pixels alone (no OCR).

Glyphs are small connected components of strong local contrast (edges) sitting on a flat
background. Long straight edges (borders, rules) and rectangle outlines (inputs, cards,
badges) are removed, and the remaining glyph components are joined horizontally into words,
with a gap scaled to their height: a page's text elements are often single words (labels,
cells, links), so a finding must not straddle two of them. Each word's ink box is a region.
Large screenshots are searched at half resolution when their glyphs are big enough, and long
pages in overlapping strips, so memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import components

RGBArray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class TextRegion:
    """The ink box of one word, in pixels of the image searched."""

    x: int
    y: int
    w: int
    h: int


def _edge_threshold(noise: float) -> int:
    return min(255, int(14 + 4 * noise))


def edge_mask(rgb: RGBArray, noise: float) -> npt.NDArray[np.bool_]:
    """Pixels whose colour differs strongly from the right or lower neighbour.

    Works per channel on contiguous uint8 planes (|a - b| as max - min), several times
    faster than widening the whole image to int16.
    """
    thr = np.uint8(_edge_threshold(noise))
    height, width = rgb.shape[:2]
    dx = np.zeros((height, max(width - 1, 0)), dtype=np.uint8)
    dy = np.zeros((max(height - 1, 0), width), dtype=np.uint8)
    for plane in np.ascontiguousarray(np.moveaxis(rgb, -1, 0)):
        a, b = plane[:, 1:], plane[:, :-1]
        np.maximum(dx, np.maximum(a, b) - np.minimum(a, b), out=dx)
        a, b = plane[1:], plane[:-1]
        np.maximum(dy, np.maximum(a, b) - np.minimum(a, b), out=dy)
    mask = np.zeros((height, width), dtype=bool)
    ex, ey = dx > thr, dy > thr
    mask[:, 1:] |= ex
    mask[:, :-1] |= ex
    mask[1:] |= ey
    mask[:-1] |= ey
    return mask


def _is_outline(comp: npt.NDArray[np.bool_]) -> bool:
    """A (rounded) rectangle outline: an input, card, badge or button border.

    Such a ring covers its four sides, or keeps nearly all its pixels in a thin band along
    its box, while glyphs and words cross their interior.
    """
    h, w = comp.shape
    total = int(np.count_nonzero(comp))
    if w >= 16 and h >= 10 and total:
        # Inset by the ring's own thickness (lossy files widen edges to 3-4 px).
        inset = max(3, round(1.5 * total / (2 * (h + w))))
        if h - 2 * inset >= 0.4 * h and w - 2 * inset >= 0.4 * w:
            interior = int(np.count_nonzero(comp[inset:-inset, inset:-inset]))
            if interior <= 0.08 * total:
                return True
    # Cheapest side first; most glyphs fail at once.
    for side in (comp[:, :2].any(1), comp[:2].any(0), comp[-2:].any(0), comp[:, -2:].any(1)):
        if np.count_nonzero(side) <= 0.85 * side.size:
            return False
    # A ring is hollow; a blurred word of capitals or digits (a downscale, a small bold
    # label) reaches its four sides too but fills its middle.
    return not _filled_middle(comp)


def _filled_middle(comp: npt.NDArray[np.bool_]) -> bool:
    """Most of the component's central box is set: blurred glyphs merged into one blob.

    Rings, rules and bar outlines leave their middle empty (measured: at most 0.6 of it set);
    words and lines of downscaled small text, whose letters and spaces blur together, fill
    0.75-1.0 of it.
    """
    h, w = comp.shape
    middle = comp[h // 3 : h - h // 3, w // 4 : w - w // 4]
    return bool(np.count_nonzero(middle) >= 0.5 * middle.size)


def _word_spaces(box: RGBArray) -> npt.NDArray[np.bool_]:
    """Columns of a blurred line of text that hold (almost) no ink: its word spaces.

    The edge box's top and bottom rows are background. Blur leaves a faint trace in a space
    (measured: at most ~10 % of a column's ink, against 25-100 % in letters).
    """
    b = box.astype(np.float64)
    bg = np.median(np.concatenate([b[0], b[-1]]), axis=0)
    ink = np.sqrt(((b - bg) ** 2).sum(-1)).max(axis=0)
    spaces: npt.NDArray[np.bool_] = ink < 0.15 * float(np.median(ink))
    return spaces


def _strokes_cross(box: RGBArray, thr: int) -> bool:
    """Colour changes along the middle rows of a long band: glyph strokes.

    A bar (filled or outlined, crisp or blurred) is uniform along its length, so its middle
    rows change colour only at its ends (measured: under 4 % of their pixels); a line of text,
    however blurred, changes at every stroke (60-86 %).
    """
    h = box.shape[0]
    middle = box[h // 3 : h - h // 3].astype(np.int16)
    changes = np.abs(np.diff(middle, axis=1)).max(axis=-1) > thr
    return bool(np.count_nonzero(changes) >= 0.25 * max(changes.size, 1))


# Above this size, words are first searched for at half resolution: large screenshots are
# mostly high-DPR captures whose glyphs stay well above the detection limit when halved.
HALF_RES_MIN_PIXELS = 2_500_000
_HALF_RES_MIN_WORD_HEIGHT = 9


def find_text_regions(rgb: RGBArray, noise: float = 0.0) -> list[TextRegion]:
    """Boxes (x, y, w, h) of words in the image, in reading order."""
    h, w = rgb.shape[:2]
    if h * w >= HALF_RES_MIN_PIXELS:
        half = _find_words_in_strips(rgb[::2, ::2], noise)
        heights = [r.h for r in half]
        if heights and float(np.median(heights)) >= _HALF_RES_MIN_WORD_HEIGHT:
            # Back to full resolution, one pixel of margin for the halving.
            return [
                TextRegion(
                    max(0, 2 * r.x - 1),
                    max(0, 2 * r.y - 1),
                    min(w, 2 * (r.x + r.w) + 1) - max(0, 2 * r.x - 1),
                    min(h, 2 * (r.y + r.h) + 1) - max(0, 2 * r.y - 1),
                )
                for r in half
            ]
    return _find_words_in_strips(rgb, noise)


# Long pages are searched in horizontal strips so that the label images (about 20 bytes per
# pixel) stay small; strips overlap by more than the tallest glyph and a word belongs to the
# strip that holds its centre.
STRIP_PIXELS = 4_000_000
_STRIP_OVERLAP = 400


def _find_words_in_strips(rgb: RGBArray, noise: float) -> list[TextRegion]:
    h, w = rgb.shape[:2]
    rows = max(1024, STRIP_PIXELS // max(w, 1))
    if h <= rows + _STRIP_OVERLAP:
        return _find_words(rgb, noise)
    out: list[TextRegion] = []
    for start in range(0, h, rows):
        lo = max(0, start - _STRIP_OVERLAP)
        hi = min(h, start + rows + _STRIP_OVERLAP)
        for r in _find_words(rgb[lo:hi], noise):
            centre = lo + r.y + r.h / 2
            if start <= centre < start + rows:
                out.append(TextRegion(r.x, lo + r.y, r.w, r.h))
    out.sort(key=lambda r: (r.y, r.x))
    return out


def _find_words(rgb: RGBArray, noise: float) -> list[TextRegion]:
    height = rgb.shape[0]
    edges = edge_mask(rgb, noise)
    comps = components.label(edges)
    if comps.count == 0:
        return []
    labels, box = comps.labels, comps.boxes
    hs = box[:, 1] - box[:, 0]
    ws = box[:, 3] - box[:, 2]
    max_glyph = max(24, min(int(0.25 * height), 320))
    ok = (hs >= 3) & (ws + hs >= 5) & (hs <= max_glyph)
    ok &= ~((ws > 6 * hs) & (hs <= 4))  # horizontal rules and borders
    ok &= ~((ws <= 4) & (hs > 40))  # vertical rules
    # Long bands: photo edges, progress bars; a line of blurred small text (its letters and
    # spaces merged) is as long but fills its middle, and strokes cross it.
    lines = []
    for i in np.flatnonzero(ok & (ws > 12 * hs) & (hs > 6)):
        y0, y1, x0, x1 = (int(v) for v in box[i])
        ok[i] = _filled_middle(labels[y0:y1, x0:x1] == i + 1) and _strokes_cross(
            rgb[y0:y1, x0:x1], _edge_threshold(noise)
        )
        if ok[i]:
            lines.append(i)
    for i in np.flatnonzero(ok & (hs >= 10) & (ws >= 10)):
        y0, y1, x0, x1 = (int(v) for v in box[i])
        if _is_outline(labels[y0:y1, x0:x1] == i + 1):
            ok[i] = False
    if not ok.any():
        return []
    keep = np.concatenate(([False], ok))
    glyph = keep[labels]
    for i in lines:  # blurred lines: cut at their word spaces
        y0, y1, x0, x1 = (int(v) for v in box[i])
        spaces = _word_spaces(rgb[y0:y1, x0:x1])
        glyph[y0:y1, x0:x1][:, spaces] &= labels[y0:y1, x0:x1][:, spaces] != i + 1
    med_h = float(np.median(hs[ok]))
    # Join letters into words, not words into lines: a page's text elements are often single
    # words (labels, cells, nav links) and a finding must fall inside the element it reports.
    # Edges are two pixels wider than ink, so a word space of small text is a 1-2 px edge gap.
    size = max(2, round(0.12 * med_h))
    words = components.label(components.dilate_rows(glyph, size))
    # Exact ink boxes of each word: the boxes of its glyph runs, not of the dilated mask.
    ink = components.runs_of(glyph)
    ink_boxes = components.boxes_of(
        ink, words.labels[ink.row, ink.start].astype(np.int64), words.count
    )
    regions: list[TextRegion] = []
    for y0, y1, x0, x1 in ink_boxes.tolist():
        h = y1 - y0
        w = x1 - x0
        if h < max(5, 0.4 * med_h) or w < 2:
            continue
        if w < 0.25 * h and h > 2.5 * med_h:  # a box side or rule, not a line of text
            continue
        if w <= 6 and h > 3.5 * w:  # a sliver: a piece of a box side, not a word
            continue
        regions.append(TextRegion(int(x0), int(y0), int(w), int(h)))
    regions.sort(key=lambda r: (r.y, r.x))
    return regions
