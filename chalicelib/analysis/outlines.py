"""Shapes that are not text: box outlines and what is left of them.

Text search (`text.py`) finds glyphs as small edge components; inputs, cards, badges, chips
and buttons give edge components too. Their outlines are rings (hollow, along their box), a
faint rounded border breaks apart at its corners into glyph-sized arcs, and a line of text set
just under a box can fuse with its side once edges widen. These tests tell such shapes from
glyphs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import components


def is_outline(comp: npt.NDArray[np.bool_]) -> bool:
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
    return not filled_middle(comp)


def filled_middle(comp: npt.NDArray[np.bool_]) -> bool:
    """Most of the component's central box is set: blurred glyphs merged into one blob.

    Rings, rules and bar outlines leave their middle empty (measured: at most 0.6 of it set);
    words and lines of downscaled small text, whose letters and spaces blur together, fill
    0.75-1.0 of it.
    """
    h, w = comp.shape
    middle = comp[h // 3 : h - h // 3, w // 4 : w - w // 4]
    return bool(np.count_nonzero(middle) >= 0.5 * middle.size)


def side_cuts(comps: components.Components) -> list[tuple[int, int, int, int]]:
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

    The box inset of `is_outline` cuts through the arcs of a pill; here a pixel is interior
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


def broken_outline_pieces(
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
        if not (is_outline(ring) or _is_round_ring(ring)):
            continue
        boxes = comps.boxes[contour]
        for k in np.flatnonzero(ok[contour]).tolist():
            y0_, y1_, x0_, x1_ = (int(v) for v in boxes[k])
            shape = comps.labels[y0_:y1_, x0_:x1_] == contour[k] + 1
            piece[contour[k]] = (
                bool(side[k]) or _within(boxes[k], np.delete(boxes, k, axis=0)) or _is_stroke(shape)
            )
    return piece


def lone_corners(comps: components.Components, ok: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
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
