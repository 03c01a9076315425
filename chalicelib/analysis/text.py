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


def _side_cuts(comps: components.Components) -> list[tuple[int, int, int, int]]:
    """Rows (y, x0, x1, label) where a line of text hangs off a box's side: cut them.

    A helper or error line set a few pixels under an input (over it, for a label) touches the
    input's border once edges widen it (downscales, JPEG): the line and the ring become one
    component, too large for a glyph, and the line is lost with the outline. A box side is a
    thin band of full rows (measured: at most 4 rows of >= 90 % of the width) with the hollow
    of the box on one side (rows holding only its walls); glyphs beyond the band's other side
    belong to a line of their own. A blurred line of text alone fills its middle rows too, but
    its ascenders and descenders above and below are not a hollow of bare walls.
    """
    cuts: list[tuple[int, int, int, int]] = []
    hs = comps.boxes[:, 1] - comps.boxes[:, 0]
    ws = comps.boxes[:, 3] - comps.boxes[:, 2]
    longest = np.zeros(comps.count, dtype=np.int64)
    np.maximum.at(longest, comps.run_labels - 1, comps.runs.end - comps.runs.start)
    # A box side is one long run; most large components (photos, merged words) have none.
    for i in np.flatnonzero((hs >= 14) & (ws >= 16) & (longest >= 0.8 * ws)).tolist():
        y0, y1, x0, x1 = (int(v) for v in comps.boxes[i])
        counts = np.count_nonzero(comps.labels[y0:y1, x0:x1] == i + 1, axis=1)
        full = np.flatnonzero(counts >= 0.9 * (x1 - x0))
        if full.size == 0:
            continue
        bare = counts <= 0.15 * (x1 - x0)
        full_rows = set(full.tolist())  # five lookups per side: np.isin costs more than a set
        # Bottom side then top side: walk from the box's outermost full row inwards.
        for edge, step in ((int(full[-1]), -1), (int(full[0]), 1)):
            band = [edge + k * step in full_rows for k in range(5)]
            thick = band.index(False) if not all(band) else 5
            hollow = np.arange(edge + thick * step, edge + (thick + 4) * step, step)
            if (
                thick > 4
                or hollow.min() < 0
                or hollow.max() >= counts.size
                or not bare[hollow].all()
            ):
                continue
            if not 0 <= edge - step < counts.size:
                continue
            beyond = counts[edge - step :: -step]
            hanging = int(np.argmin(beyond > 0)) if not (beyond > 0).all() else beyond.size
            if hanging >= 3:
                cuts.append((y0 + edge, x0, x1, i + 1))
    return cuts


def _is_round_ring(comp: npt.NDArray[np.bool_]) -> bool:
    """A closed ring of any rounded shape (pill, circle, card with large radii).

    The box inset of `_is_outline` cuts through the arcs of a pill; here a pixel is interior
    when it lies further than the ring's thickness inside the shape's own extent along its row
    and along its column. A ring keeps (nearly) nothing there and encloses an area at least as
    large as itself; a word crosses its interior.
    """
    h, w = comp.shape
    total = int(np.count_nonzero(comp))
    inset = max(3, round(1.5 * total / (2 * (h + w))))
    rows: npt.NDArray[np.bool_] = np.any(comp, axis=1)[:, None]
    cols: npt.NDArray[np.bool_] = np.any(comp, axis=0)[None, :]
    if rows.mean() < 0.8 or cols.mean() < 0.8:  # a ring spans its box (gaps at broken arcs)
        return False
    left = np.argmax(comp, 1)[:, None]
    right = (w - 1 - np.argmax(comp[:, ::-1], 1))[:, None]
    top = np.argmax(comp, 0)[None, :]
    bottom = (h - 1 - np.argmax(comp[::-1], 0))[None, :]
    x = np.arange(w)[None, :]
    y = np.arange(h)[:, None]
    inside = (x > left + inset) & (x < right - inset) & (y > top + inset) & (y < bottom - inset)
    inside &= rows & cols
    area = int(np.count_nonzero(inside))
    return area >= total and int(np.count_nonzero(comp & inside)) <= 0.08 * total


def _broken_outline_pieces(
    edges: npt.NDArray[np.bool_],
    comps: components.Components,
    ok: npt.NDArray[np.bool_],
    structure: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Glyph-sized pieces of a box outline whose edge broke apart.

    A faint border or fill (#e5e7eb on white) steps by less than the edge threshold where
    anti-aliasing spreads it over two pixels, i.e. along rounded corners: the outline falls
    apart into straight sides (removed as rules) and corner arcs the size of glyphs. Bridging
    gaps of up to two pixels joins the pieces again. The pieces that form the joined shape's
    outer contour (the first or last edge pixel of one of its rows or columns) are border
    where that contour holds a side and is a ring, and the piece is a stretch of its wall (a
    side, mostly inside the rest's box, or one simple stroke). Text inside the box, however
    close to the border, is enclosed by it and never on the contour.
    """
    piece = np.zeros(comps.count, dtype=bool)
    hs = comps.boxes[:, 1] - comps.boxes[:, 0]
    ws = comps.boxes[:, 3] - comps.boxes[:, 2]
    flat = ((ws > 4 * hs) & (ws >= 16)) | ((hs > 4 * ws) & (hs >= 16))
    if not ok.any() or not (structure | flat).any():
        return piece
    grown = edges.copy()
    grown[1:] |= edges[:-1]
    grown[:-1] |= edges[1:]
    bridged = components.label(components.dilate_rows(grown, 3))
    # Each component lies in one bridged component: read it at the first pixel of its first run.
    first = np.unique(comps.run_labels, return_index=True)[1]
    of = bridged.labels[comps.runs.row[first], comps.runs.start[first]].astype(np.int64) - 1
    for b in np.intersect1d(of[ok], of[structure | flat]).tolist():
        y0, y1, x0, x1 = (int(v) for v in bridged.boxes[b])
        if y1 - y0 < 10 or x1 - x0 < 10:
            continue
        own = comps.labels[y0:y1, x0:x1] * (bridged.labels[y0:y1, x0:x1] == b + 1)
        contour = np.unique(np.concatenate([_extremes(own), _extremes(own.T)]))
        contour = contour[contour > 0] - 1
        pieces = contour[ok[contour]]
        # A side: a removed rule, or (lossy files widen a 1-px border to a 6-px edge) a flat
        # piece spanning half the shape.
        spans = (ws[contour] >= 0.5 * (x1 - x0)) | (hs[contour] >= 0.5 * (y1 - y0))
        side = structure[contour] | (flat[contour] & spans)
        if pieces.size == 0 or contour.size < 2 or not side.any():
            continue
        ring = np.isin(own, contour + 1)
        if not (_is_outline(ring) or _is_round_ring(ring)):
            continue
        boxes = comps.boxes[contour]
        for k in np.flatnonzero(ok[contour]).tolist():
            y0_, y1_, x0_, x1_ = (int(v) for v in boxes[k])
            shape = comps.labels[y0_:y1_, x0_:x1_] == contour[k] + 1
            piece[contour[k]] = (
                bool(side[k]) or _within(boxes[k], np.delete(boxes, k, axis=0)) or _is_stroke(shape)
            )
    return piece


def _lone_corners(comps: components.Components, ok: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Four small pieces, mirror images of each other, at the corners of one rectangle.

    Where a box's border is fainter than the edge threshold along its straight sides (a
    downscaled #22272e card on #0d1117), only its corner arcs show. Glyphs are not set as
    mirror images of each other in both directions; shapes that are their own mirror image
    (dashes, bars, dots) are left alone.
    """
    corner = np.zeros(comps.count, dtype=bool)
    b = comps.boxes
    hs, ws = b[:, 1] - b[:, 0], b[:, 3] - b[:, 2]
    idx = np.flatnonzero(ok & (hs >= 3) & (ws >= 3) & (hs <= 12) & (ws <= 12))
    if idx.size < 4:
        return corner
    # A corner has a partner of its size on its row and one on its column.
    for side in (0, 2):
        key = np.stack((b[idx, side], ws[idx], hs[idx]), 1)
        _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
        idx = idx[counts[inv.ravel()] >= 2]
        if idx.size < 4:
            return corner
    masks: dict[tuple[int, int, int, int], tuple[int, npt.NDArray[np.bool_]]] = {}
    rows: dict[tuple[int, int, int], list[int]] = {}
    cols: dict[tuple[int, int, int], list[int]] = {}
    for i in idx.tolist():
        y0, y1, x0, x1 = (int(v) for v in b[i])
        masks[(y0, x0, x1 - x0, y1 - y0)] = (i, comps.labels[y0:y1, x0:x1] == i + 1)
        rows.setdefault((y0, x1 - x0, y1 - y0), []).append(x0)
        cols.setdefault((x0, x1 - x0, y1 - y0), []).append(y0)
    for (y0, x0, w, h), (i, m) in masks.items():
        if np.array_equal(m, m[:, ::-1]) or np.array_equal(m, m[::-1]):
            continue
        for tx0 in rows[(y0, w, h)]:
            j, tm = masks[(y0, tx0, w, h)]
            if tx0 < x0 + 2 * w or not np.array_equal(tm, m[:, ::-1]):
                continue
            for by0 in cols[(x0, w, h)]:
                k, bm = masks[(by0, x0, w, h)]
                if by0 < y0 + 2 * h or not np.array_equal(bm, m[::-1]):
                    continue
                last = masks.get((by0, tx0, w, h))
                if last is not None and np.array_equal(last[1], m[::-1, ::-1]):
                    corner[[i, j, k, last[0]]] = True
    return corner


def _within(box: npt.NDArray[np.int64], rest: npt.NDArray[np.int64]) -> bool:
    """Whether at least half of a box (y0, y1, x0, x1) lies in the box of the rest, give or
    take the bridged gap.

    A stretch of a ring's wall does (an end arc sticks out by a few pixels); a word set
    against the box (a label over an input, within the bridged gap) lies outside it.
    """
    lo = np.maximum(box[[0, 2]], rest[:, [0, 2]].min(0) - 2)
    hi = np.minimum(box[[1, 3]], rest[:, [1, 3]].max(0) + 2)
    overlap = np.prod(np.maximum(hi - lo, 0))
    return bool(2 * overlap >= np.prod(box[[1, 3]] - box[[0, 2]]))


def _is_stroke(comp: npt.NDArray[np.bool_]) -> bool:
    """One simple stroke (a stretch of arc or side): its rows and columns each cross it once.

    A word set against a box (a label over an input, within the bridged gap) crosses its
    rows several times, letter by letter.
    """
    return bool(
        np.mean(_runs_per_line(comp) <= 1) >= 0.8 and np.mean(_runs_per_line(comp.T) <= 1) >= 0.8
    )


def _runs_per_line(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """How many runs of set pixels each row holds."""
    starts = np.count_nonzero(mask[:, 1:] & ~mask[:, :-1], 1) + mask[:, 0]
    return np.asarray(starts, dtype=np.int64)


def _extremes(labels: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """The labels at the first and last set pixel of every row."""
    set_ = labels > 0
    rows = np.flatnonzero(set_.any(1))
    w = labels.shape[1]
    left = np.argmax(set_[rows], 1)
    right = w - 1 - np.argmax(set_[rows, ::-1], 1)
    return np.concatenate([labels[rows, left], labels[rows, right]])


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
    cuts = _side_cuts(comps)
    if cuts:
        for y, x0, x1, lab in cuts:
            edges[y, x0:x1] &= comps.labels[y, x0:x1] != lab
        comps = components.label(edges)
    labels, box = comps.labels, comps.boxes
    hs = box[:, 1] - box[:, 0]
    ws = box[:, 3] - box[:, 2]
    max_glyph = max(24, min(int(0.25 * height), 320))
    ok = (hs >= 3) & (ws + hs >= 5) & (hs <= max_glyph)
    structure = (ws > 6 * hs) & (hs <= 4)  # horizontal rules and borders
    structure |= (ws <= 4) & (hs > 40)  # vertical rules
    # Long bands: photo edges, progress bars; a line of blurred small text (its letters and
    # spaces merged) is as long but fills its middle, and strokes cross it.
    bands = ok & (ws > 12 * hs) & (hs > 6)
    structure |= bands
    ok &= ~structure
    lines = []
    for i in np.flatnonzero(bands):
        y0, y1, x0, x1 = (int(v) for v in box[i])
        if _filled_middle(labels[y0:y1, x0:x1] == i + 1) and _strokes_cross(
            rgb[y0:y1, x0:x1], _edge_threshold(noise)
        ):
            ok[i], structure[i] = True, False
            lines.append(i)
    for i in np.flatnonzero(ok & (hs >= 10) & (ws >= 10)):
        y0, y1, x0, x1 = (int(v) for v in box[i])
        if _is_outline(labels[y0:y1, x0:x1] == i + 1):
            ok[i] = False
            structure[i] = True
    structure |= hs > max_glyph
    ok &= ~_broken_outline_pieces(edges, comps, ok, structure)
    ok &= ~_lone_corners(comps, ok)
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
    # Exact ink boxes of each word: the boxes of its glyph runs, not of the dilated mask.
    ink = components.runs_of(glyph)
    ink_boxes = components.boxes_of(ink, *_join_words(rgb, glyph, labels, comps.count, size, ink))
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


# A glyph whose most saturated edge pixel has this chroma (max - min channel) is set in a
# colour (or on a coloured fill, which its neighbours then share). Not fitted: it lies between
# the few tens that JPEG colour bleed gives grey ink and the 170-230 of UI reds, greens,
# oranges and blues (#ff4d4f, #52c41a, #faad14, #1677ff), which blur halves at most.
_COLOURED_CHROMA = 80


def _join_words(
    rgb: RGBArray,
    glyph: npt.NDArray[np.bool_],
    labels: npt.NDArray[np.int32],
    count: int,
    size: int,
    ink: components.Runs,
) -> tuple[npt.NDArray[np.int64], int]:
    """The word of each glyph run: glyphs joined across gaps of up to `size` pixels.

    Coloured and neutral glyphs are joined separately: a red required-field asterisk before
    a grey label, a grey struck-through price after a red one, are different text elements
    set close together, and one region over both reports only the stronger ink.
    """
    at = labels[ink.row, ink.start]
    on = np.flatnonzero(glyph)  # flat indices: np.nonzero on a 2-D mask is several times slower
    px = rgb.reshape(-1, 3)
    r, g, b = px[on, 0], px[on, 1], px[on, 2]  # planes: no length-3 reductions
    chroma = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    top = np.zeros(count + 1, dtype=np.uint8)
    np.maximum.at(top, labels.ravel()[on], chroma)
    coloured = top >= _COLOURED_CHROMA
    words = components.label(components.dilate_rows(glyph, size))
    ids = words.labels[ink.row, ink.start].astype(np.int64)
    run_coloured = coloured[at]
    has = np.zeros((2, words.count + 1), dtype=bool)
    has[run_coloured.astype(np.intp), ids] = True
    count = words.count
    # Only the words holding both kinds are joined again, each kind on its own, within the
    # word's box: connected coloured (or neutral) glyphs are always within one word.
    for w in np.flatnonzero(has[0] & has[1]):
        y0, y1, x0, x1 = (int(v) for v in words.boxes[w - 1])
        mine = glyph[y0:y1, x0:x1] & (words.labels[y0:y1, x0:x1] == w)
        tinted = mine & coloured[labels[y0:y1, x0:x1]]
        for kind, part in ((True, tinted), (False, mine & ~tinted)):
            sub = components.label(components.dilate_rows(part, size))
            sel = np.flatnonzero((ids == w) & (run_coloured == kind))
            local = sub.labels[ink.row[sel] - y0, ink.start[sel] - x0].astype(np.int64)
            # the coloured part keeps the word's id; every other piece gets a new one
            ids[sel] = np.where(local == 1, w, count + local - 1) if kind else count + local
            count += sub.count - 1 if kind else sub.count
    return ids, count
