"""Connected components in numpy: the same answers as scipy.ndimage, which is too big to ship."""

from __future__ import annotations

import numpy as np
import pytest

from chalicelib.analysis import components


def test_two_blobs_and_a_diagonal_link() -> None:
    mask = np.zeros((6, 8), dtype=bool)
    mask[0:2, 0:2] = True  # blob 1
    mask[2, 2] = True  # touches blob 1 diagonally: same component
    mask[4:6, 5:8] = True  # blob 2
    comps = components.label(mask)
    assert comps.count == 2
    assert comps.labels[2, 2] == comps.labels[0, 0] == 1
    assert comps.labels[5, 7] == 2
    assert comps.boxes.tolist() == [[0, 3, 0, 3], [4, 6, 5, 8]]


def test_empty_mask() -> None:
    comps = components.label(np.zeros((3, 3), dtype=bool))
    assert comps.count == 0
    assert not comps.labels.any()


def test_u_shape_joins_through_the_bottom() -> None:
    mask = np.zeros((5, 5), dtype=bool)
    mask[:, 0] = mask[:, 4] = mask[4, :] = True
    assert components.label(mask).count == 1


def test_dilate_rows() -> None:
    mask = np.zeros((1, 7), dtype=bool)
    mask[0, 3] = True
    assert components.dilate_rows(mask, 3)[0].tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert components.dilate_rows(mask, 2)[0].tolist() == [0, 0, 0, 1, 1, 0, 0]


def test_matches_scipy_on_random_masks() -> None:
    ndimage = pytest.importorskip("scipy.ndimage", reason="scipy (dev only) not installed")
    rng = np.random.default_rng(0)
    for _ in range(150):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        mask = rng.random((h, w)) < rng.uniform(0.05, 0.7)
        ref, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
        comps = components.label(mask)
        assert comps.count == n
        assert (comps.labels == ref).all()
        boxes = [(s[0].start, s[0].stop, s[1].start, s[1].stop) for s in ndimage.find_objects(ref)]
        assert comps.boxes.tolist() == [list(b) for b in boxes]
        chosen = rng.random(comps.count) < 0.5
        lookup = np.concatenate(([False], chosen))[comps.labels]
        assert (components.mask_of(comps, chosen) == lookup).all()
        for size in (2, 3, 5):
            assert (
                components.dilate_rows(mask, size) == ndimage.maximum_filter1d(mask, size, axis=1)
            ).all()


def test_runs_touching_both_sides_and_single_columns() -> None:
    mask = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]], dtype=bool)
    runs = components.runs_of(mask)
    assert runs.row.tolist() == [0, 0, 2, 3, 3]
    assert runs.start.tolist() == [0, 3, 0, 1, 3]
    assert runs.end.tolist() == [2, 4, 4, 2, 4]
    column = components.runs_of(np.array([[1], [0], [1]], dtype=bool))
    assert (column.row.tolist(), column.start.tolist(), column.end.tolist()) == (
        [0, 2],
        [0, 0],
        [1, 1],
    )
