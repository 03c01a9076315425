"""Connected components of a binary mask, in numpy alone.

Text search needs 8-connected labelling, bounding boxes and a horizontal dilation. scipy's
ndimage does all three but brings 146 MB into a Lambda package capped at 250 MB, so this
module does them on horizontal runs instead: runs of set pixels are found per row, runs that
touch across neighbouring rows are joined with a vectorised union-find (hook and compress),
and boxes come from the runs. Labels are numbered in raster order, as scipy numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Runs:
    """Horizontal runs of set pixels: row, first column, end column (exclusive)."""

    row: IntArray
    start: IntArray
    end: IntArray


def runs_of(mask: BoolArray) -> Runs:
    h, w = mask.shape
    # One boolean per pixel boundary (w + 1 per row), set where the mask changes: starts and
    # ends of runs then alternate along each row. A boolean array is what nonzero scans fastest.
    changed = np.empty((h, w + 1), dtype=np.bool_)
    changed[:, 0] = mask[:, 0]
    changed[:, -1] = mask[:, -1]
    np.not_equal(mask[:, 1:], mask[:, :-1], out=changed[:, 1:-1])
    changes = np.flatnonzero(changed)
    rows, starts = np.divmod(changes[0::2], w + 1)
    ends = changes[1::2] % (w + 1)
    return Runs(
        rows.astype(np.int64, copy=False),
        starts.astype(np.int64, copy=False),
        ends.astype(np.int64, copy=False),
    )


def _touching_pairs(runs: Runs, width: int) -> tuple[IntArray, IntArray]:
    """Pairs (j, k) of runs where run k, one row above run j, touches it (8-connected)."""
    stride = width + 3  # keys of different rows never interleave
    start_key = runs.row * stride + runs.start
    end_key = runs.row * stride + runs.end
    above = (runs.row - 1) * stride
    # k touches j when start_k <= end_j and end_k >= start_j, with k on the row above.
    lo = np.searchsorted(end_key, above + runs.start - 1, side="right")
    hi = np.searchsorted(start_key, above + runs.end + 1, side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    j = np.repeat(np.arange(runs.row.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    k = np.repeat(lo, counts) + offsets
    return j, k


def _roots(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Union-find over n items and edges (a, b): each item's smallest connected item."""
    parent = np.arange(n)
    if a.size == 0:
        return parent
    while True:
        pa, pb = parent[a], parent[b]
        if bool((pa == pb).all()):
            return parent
        low = np.minimum(pa, pb)
        np.minimum.at(parent, pa, low)
        np.minimum.at(parent, pb, low)
        while True:  # compress every path to its root
            grand = parent[parent]
            if bool((grand == parent).all()):
                break
            parent = grand


@dataclass(frozen=True)
class Components:
    labels: npt.NDArray[np.int32]  # 0 = background, 1..count in raster order
    count: int
    boxes: IntArray  # count x 4: y0, y1, x0, x1 (ends exclusive)
    run_labels: IntArray  # the component of every run of `runs`
    runs: Runs


def label(mask: BoolArray) -> Components:
    """8-connected components of a binary mask (as scipy.ndimage.label with a 3x3 square)."""
    h, w = mask.shape
    runs = runs_of(mask)
    n = runs.row.size
    labels = np.zeros(h * w, dtype=np.int32)
    if n == 0:
        return Components(labels.reshape(h, w), 0, np.zeros((0, 4), np.int64), runs.row, runs)
    j, k = _touching_pairs(runs, w)
    roots = _roots(n, j, k)
    # A root is the component's first run, so numbering the roots in run order numbers the
    # components in raster order (np.unique's, without its sort).
    numbers = np.cumsum(roots == np.arange(n))
    run_labels = numbers[roots]
    count = int(numbers[-1])
    labels[_pixels_of(runs, w)] = np.repeat(run_labels, runs.end - runs.start)
    return Components(
        labels.reshape(h, w), count, boxes_of(runs, run_labels, count), run_labels, runs
    )


def _pixels_of(runs: Runs, width: int) -> IntArray:
    """Flat indices of every pixel of the runs, run after run."""
    lengths = runs.end - runs.start
    first = runs.row * width + runs.start
    return np.asarray(
        np.repeat(first, lengths)
        + (np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)),
        dtype=np.int64,
    )


def mask_of(comps: Components, chosen: BoolArray) -> BoolArray:
    """The pixels of the components `chosen` selects (one flag per component), painted from
    their runs: `chosen` looked up through the label image costs a gather over every pixel,
    this only the pixels kept."""
    h, w = comps.labels.shape
    mask = np.zeros(h * w, dtype=np.bool_)
    runs = comps.runs
    on = chosen[comps.run_labels - 1]
    mask[_pixels_of(Runs(runs.row[on], runs.start[on], runs.end[on]), w)] = True
    return mask.reshape(h, w)


def boxes_of(runs: Runs, run_labels: IntArray, count: int) -> IntArray:
    """Bounding box (y0, y1, x0, x1) of every label 1..count from its runs."""
    big = np.iinfo(np.int64).max
    boxes = np.empty((count, 4), dtype=np.int64)
    boxes[:, 0] = big
    boxes[:, 1] = -1
    boxes[:, 2] = big
    boxes[:, 3] = -1
    i = run_labels - 1
    np.minimum.at(boxes[:, 0], i, runs.row)
    np.maximum.at(boxes[:, 1], i, runs.row + 1)
    np.minimum.at(boxes[:, 2], i, runs.start)
    np.maximum.at(boxes[:, 3], i, runs.end)
    return boxes


def dilate_rows(mask: BoolArray, size: int) -> BoolArray:
    """Horizontal maximum filter of `size` pixels (as scipy.ndimage.maximum_filter1d)."""
    out = mask.copy()
    w = mask.shape[1]
    for offset in range(-(size // 2), size - size // 2):
        if offset == 0 or abs(offset) >= w:
            continue
        if offset < 0:  # out[x] |= mask[x + offset]
            out[:, -offset:] |= mask[:, : w + offset]
        else:
            out[:, : w - offset] |= mask[:, offset:]
    return out
