"""Text-region detection from pixels alone (no OCR).

Glyphs are small connected components of strong local contrast (edges) sitting on a flat
background. Long straight edges (borders, rules) and rectangle outlines (inputs, cards,
badges; `outlines.py`) are removed, and the remaining glyph components are joined into words,
with a gap scaled to their height: a page's text elements are often single words (labels,
cells, links), so a finding must not straddle two of them. Each word's ink box is a region.
Large screenshots are searched at half resolution when their glyphs are big enough, and long
pages in overlapping strips, so memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import components, outlines

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
        # One copy of the halved image: every step below slices and reshapes it, which on
        # a strided view would copy again and again.
        half = _find_words_in_strips(np.ascontiguousarray(rgb[::2, ::2]), noise)
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
    cuts = outlines.side_cuts(comps)
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
        if outlines.filled_middle(labels[y0:y1, x0:x1] == i + 1) and _strokes_cross(
            rgb[y0:y1, x0:x1], _edge_threshold(noise)
        ):
            ok[i], structure[i] = True, False
            lines.append(i)
    for i in np.flatnonzero(ok & (hs >= 10) & (ws >= 10)):
        y0, y1, x0, x1 = (int(v) for v in box[i])
        if outlines.is_outline(labels[y0:y1, x0:x1] == i + 1):
            ok[i] = False
            structure[i] = True
    structure |= hs > max_glyph
    ok &= ~outlines.broken_outline_pieces(edges, comps, ok, structure)
    ok &= ~outlines.lone_corners(comps, ok)
    if not ok.any():
        return []
    glyph = components.mask_of(comps, ok)
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
    boxes: list[tuple[int, int, int, int]] = []
    for y0, y1, x0, x1 in ink_boxes.tolist():
        lines = (
            _stacked_lines(rgb, glyph, (y0, y1, x0, x1), med_h)
            if y1 - y0 >= _STACKED_MIN_HEIGHT * med_h
            else [(y0, y1, x0, x1)]
        )
        for line in lines:
            boxes.extend(_ink_parts(rgb, glyph, line))
    regions: list[TextRegion] = []
    for y0, y1, x0, x1 in boxes:
        h = y1 - y0
        w = x1 - x0
        if (h < max(5, 0.4 * med_h) or w < 2) and not _lone_dash(glyph, (y0, y1, x0, x1), med_h):
            continue
        if w < 0.25 * h and h > 2.5 * med_h:  # a box side or rule, not a line of text
            continue
        if w <= 6 and h > 3.5 * w:  # a sliver: a piece of a box side, not a word
            continue
        regions.append(TextRegion(int(x0), int(y0), int(w), int(h)))
    regions.sort(key=lambda r: (r.y, r.x))
    return regions


def _lone_dash(glyph: npt.NDArray[np.bool_], box: tuple[int, int, int, int], med_h: float) -> bool:
    """A flat bar a dash wide with nothing else near it: the "—" of an empty table cell.

    A dash is far shorter than a glyph, so the size floor of words drops it, yet a page's
    "no value" dashes are text, and grey ones fail AA. A bar as wide as half to one and a
    half glyph heights and about a stroke thick, with no other glyph within a glyph height
    of it, is taken as a word: underlines, menu bars and rule pieces have ink beside them.
    """
    y0, y1, x0, x1 = box
    h, w = y1 - y0, x1 - x0
    if not (h <= 2 + _DASH_THICKNESS * med_h and 0.5 * med_h <= w <= 1.5 * med_h):
        return False
    reach = round(med_h)
    ya, yb = max(0, y0 - reach), min(glyph.shape[0], y1 + reach)
    xa, xb = max(0, x0 - reach), min(glyph.shape[1], x1 + reach)
    return int(glyph[ya:yb, xa:xb].sum()) == int(glyph[y0:y1, x0:x1].sum())


# A dash's edge box is its stroke (about a fifth of a glyph height at most) plus the edge's
# pixel on each side.
_DASH_THICKNESS = 0.2


# A word box this many median glyph heights tall may be two lines of text whose edges touch.
_STACKED_MIN_HEIGHT = 1.5
# Lines whose strongest pixels are this close are one ink: one region reports it as well as
# two (and cutting paragraphs of thin grey lines apart only multiplies their reach errors).
_STACKED_SAME_INK = 0.7


def _stacked_lines(
    rgb: RGBArray, glyph: npt.NDArray[np.bool_], box: tuple[int, int, int, int], med_h: float
) -> list[tuple[int, int, int, int]]:
    """A word box (y0, y1, x0, x1) cut into the lines of text it stacks.

    A downscale widens edges until a line set a pixel or two under another (a caption under
    a label, a reference under a payee) touches it, and the two become one word, reported
    with the stronger line's ink. The pixels still show the gap: rows whose strongest pixel
    hardly differs from the background (measured at 60 %: at most 5 % of the box's strongest
    pixel, against 30-100 % in text rows, faint lines included). Each band of text rows at
    least half a glyph tall is a line of its own, with its own ink columns, when the lines
    differ in ink (the fainter one's strongest pixel under `_STACKED_SAME_INK` of the other's).
    """
    y0, y1, x0, x1 = box
    height = rgb.shape[0]
    outside = [rgb[y, x0:x1] for y in (y0 - 1, y1) if 0 <= y < height]
    if not outside:
        return [box]
    b = rgb[y0:y1, x0:x1].astype(np.float64)
    bg = np.median(np.concatenate(outside), axis=0)
    strength = np.sqrt(((b - bg) ** 2).sum(-1)).max(axis=1)
    text_rows = strength > max(12.0, 0.1 * float(strength.max(initial=0.0)))
    row_runs = components.runs_of(text_rows[None, :])  # the bands of text rows
    bands = list(zip(row_runs.start.tolist(), row_runs.end.tolist(), strict=True))
    lines = [(a, e) for a, e in bands if e - a >= max(4.0, 0.5 * med_h)]
    peaks = [float(strength[a:e].max()) for a, e in lines]
    if len(lines) < 2 or min(peaks) > _STACKED_SAME_INK * max(peaks):
        return [box]
    out = []
    for k, (a, e) in enumerate(lines):
        # Each line takes the rows up to the gap before the next one (its blurred margin).
        top = 0 if k == 0 else (lines[k - 1][1] + a) // 2
        bottom = y1 - y0 if k == len(lines) - 1 else (e + lines[k + 1][0] + 1) // 2
        cols = np.flatnonzero(glyph[y0 + top : y0 + bottom, x0:x1].any(axis=0))
        if cols.size:
            out.append((y0 + top, y0 + bottom, x0 + int(cols[0]), x0 + int(cols[-1]) + 1))
    return out


# Two parts of a word box are set in different inks when the weaker one's strongest pixels
# (the top decile of its glyph pixels' distance from the background) reach under this share
# of the other's, and its single strongest pixel under `_PART_PEAK` of it. Measured on the
# development sets' cut candidates: words beside a count or link in another ink 0.49-0.62
# and 0.60-0.79; one-ink words cut at a word space reach that low only where one side is a
# thin mark (a dot, a parenthesis, a slash: 1-px strokes blend to half their ink), which a
# part at least `_PART_MIN_WIDTH` box heights wide never is.
_PART_SAME_INK = 0.7
_PART_PEAK = 0.85
_PART_MIN_WIDTH = 0.6


def _ink_parts(
    rgb: RGBArray, glyph: npt.NDArray[np.bool_], box: tuple[int, int, int, int]
) -> list[tuple[int, int, int, int]]:
    """A word box (y0, y1, x0, x1) cut at its column gaps where the inks either side differ.

    Small text is joined across its word spaces (edges are two pixels wider than ink), so a
    grey count after a dark label (`Music (118)`), a breadcrumb's grey current page after its
    dark links, become one region reported with the stronger ink, and the failing grey is
    missed. The cut taken is the one whose sides differ most; each side is cut again.
    """
    y0, y1, x0, x1 = box
    min_width = _PART_MIN_WIDTH * (y1 - y0)
    if x1 - x0 < 2 * min_width:  # too short for two parts (most words of a page)
        return [box]
    mask = glyph[y0:y1, x0:x1]
    # The runs of columns holding glyph pixels: where the padded column profile changes.
    profile = np.zeros(x1 - x0 + 2, dtype=np.bool_)
    profile[1:-1] = mask.any(axis=0)
    changes = np.flatnonzero(profile[1:] != profile[:-1])
    starts, ends = changes[0::2], changes[1::2]
    if starts.size < 2 or ends[-1] - starts[0] < 2 * min_width:
        return [box]
    height, width = rgb.shape[:2]
    ring = [rgb[y, x0:x1] for y in (y0 - 1, y1) if 0 <= y < height]
    ring += [rgb[y0:y1, x] for x in (x0 - 1, x1) if 0 <= x < width]
    if not ring:
        return [box]
    bg = np.median(np.concatenate(ring), axis=0).astype(np.int32)
    crop = rgb[y0:y1, x0:x1].astype(np.int32) - bg
    dist2 = crop[..., 0] ** 2 + crop[..., 1] ** 2 + crop[..., 2] ** 2
    dist2[~mask] = 0
    # The weaker side of a cut starts at one end of the box, and its strongest pixel must stay
    # under `_PART_PEAK` of the other side's top decile, itself at most the box's strongest.
    peaks = np.maximum.reduceat(dist2.max(axis=0), starts)
    reach = _PART_PEAK**2 * float(peaks.max())
    if peaks[0] >= reach and peaks[-1] >= reach:
        return [box]
    dist = np.sqrt(dist2)
    segs = [dist[:, a:e][mask[:, a:e]] for a, e in zip(starts, ends, strict=True)]

    def parts(lo: int, hi: int) -> list[tuple[int, int]]:
        best, at = _PART_SAME_INK, -1
        for k in range(lo + 1, hi):
            if ends[k - 1] - starts[lo] < min_width or ends[hi - 1] - starts[k] < min_width:
                continue
            left, right = np.concatenate(segs[lo:k]), np.concatenate(segs[k:hi])
            ql, qr = float(np.quantile(left, 0.9)), float(np.quantile(right, 0.9))
            strong, weak = (ql, right) if ql >= qr else (qr, left)
            share = min(ql, qr) / max(strong, 1e-9)
            if share < best and float(weak.max()) < _PART_PEAK * strong:
                best, at = share, k
        if at < 0:
            return [(lo, hi)]
        return parts(lo, at) + parts(at, hi)

    out = []
    for lo, hi in parts(0, len(segs)):
        a, e = int(starts[lo]), int(ends[hi - 1])
        rows = np.flatnonzero(mask[:, a:e].any(axis=1))
        out.append((y0 + int(rows[0]), y0 + int(rows[-1]) + 1, x0 + a, x0 + e))
    return out


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
    n_words = words.count
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
            ids[sel] = np.where(local == 1, w, n_words + local - 1) if kind else n_words + local
            n_words += sub.count - 1 if kind else sub.count
    return ids, n_words
