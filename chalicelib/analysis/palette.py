"""Design-colour extraction: the flat fills a designer picked, not the blends between them.

A UI's design colours are painted as flat runs: a pixel of a design colour usually equals its
right or lower neighbour. Anti-aliasing blends sit on glyph and shape edges, rarely repeat in
both directions, and lie on the RGB segment between two flat colours, so they are dropped as
mixtures. Compression noise and resampling spread one colour over many near codes, so the
flat samples are clustered around their modes in OKLab and snapped to the mode. A gradient
spreads over a continuum of codes with no dominant one, or (a slow one) repeats its codes on a
steady slope, and is not a design colour. Images with little flat area (photos) get a k-means
palette in OKLab instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .colour import delta_e_2000, srgb_to_cielab, srgb_to_oklab

RGBArray = npt.NDArray[np.uint8]

# Samples examined for the palette. Fractions of 0.5 % are estimated to within +-0.03 % at
# this size, and sampling keeps the search far cheaper than decoding the image.
_TARGET_SAMPLES = 120_000
_CLUSTER_RADIUS = 0.028  # OKLab: about 2.5 dE2000, a just-noticeable difference and a bit
_MERGE_DE2000 = 2.0
# The OKLab radius spans ~2.5 dE2000 for greys but 5-8 for pale tints next to white (#fef7ff,
# #fffaf0, #edf5ff: the surfaces of Material 3, Chakra, Carbon), which it would fold into
# white: members must also lie within this CIEDE2000 distance of the seed, widened by
# `_NOISE_DE2000` per unit of estimated noise (a code off by one near white is ~1 dE2000, and a
# noisy fill's codes wander by up to about twice the noise). Gradients are still taken whole.
_CLUSTER_DE2000 = 2.5
_NOISE_DE2000 = 2.0
_SURELY_NEAR = 0.006  # OKLab distance within which CIEDE2000 stays below ~2.5: not computed
_MAX_SEEDS = 96
_PHOTO_FLAT_SHARE = 0.35
# A gradient leftover holds at most this many times the samples of the continuum near it
# (measured: real gradient leftovers 0.01-1.7 times; fills and borders beside a text fringe
# 2.5-29 times; 2 or 3 also rescued a grey that text on a downscale then snapped to).
_LEFTOVER_RATIO = 4.0
# With compression noise a cluster gathers codes up to 2 dE2000 per unit of noise beyond
# `_CLUSTER_DE2000`; a code out there that alone holds this share of the samples is a fill of
# its own (a JPEG's #fffaf0 band is 4.9 dE2000 from white, inside white's widened reach).
_OWN_FILL_SHARE = 0.01
# A 1-px border or grid line is never flat both ways, so a lossy file's line colours fail
# the flatness test that drops ringing. A sample is on a line when it is flat along it and
# stands out from both sides across it by `_LINE_STEP` times the flat tolerance (in the sum
# of the channels: ringing beside an edge lies between the two sides, not beyond both); a
# mode with `_LINE_SHARE` of its samples on lines and `_LINE_MIN_FRACTION` of the page is a
# border colour. Measured on the variant sets: recall up on the corpus (0.939 -> 0.949), the
# further variants and heldout_d, precision down only on heldout_d (0.952 -> 0.946); smaller
# line modes were mostly tinted lines whose chroma the codec's subsampling had moved.
_LINE_STEP = 3
_LINE_SHARE = 0.3
_LINE_MIN_FRACTION = 0.005
# A slow gradient (a photo's sky, a hero's backdrop) holds each code for a row or two across
# its width, so its codes repeat and pass as flat, too few within a cluster's radius to form a
# continuum; its pixels sit on a steady slope, which a fill's never do. A colour with
# `_SLOPE_SHARE` of its tested samples on slopes is gradient, not a design colour (on
# heldout_f's photo-like pages 7 of photo-portfolio's 10 extra colours go; no figure of the
# other sets moves). The test looks `_SLOPE_REACH` px either way for a change of
# `_SLOPE_MIN_CHANGE` (channel sum, per unit of noise). One sample in 31 is tested (about
# 0.6 ms a megapixel), and a colour with fewer than `_SLOPE_MIN_TESTED` tested samples is not
# judged.
_SLOPE_REACH = 4
_SLOPE_MIN_CHANGE = 6
_SLOPE_SHARE = 0.5
_SLOPE_STRIDES = (31, 37, 41)
_SLOPE_MIN_TESTED = 8


@dataclass(frozen=True)
class PaletteColour:
    rgb: tuple[int, int, int]
    fraction: float
    flatness: float  # share of its samples that are flat both ways (fills ~1, text ink ~0.3)
    lines: float = 0.0  # share of its samples on thin lines (lossy files only; see _on_lines)


@dataclass(frozen=True)
class Palette:
    colours: list[PaletteColour]
    kind: str  # "flat" (UI, design colours) or "photographic" (perceptual clusters)
    noise: float  # estimated per-channel noise of flat fills (0 for lossless renders)
    # Every flat mode found, including those below the reporting threshold: contrast snaps
    # recovered text colours to these.
    modes: list[PaletteColour] = field(default_factory=list)


def pack_rgb(rgb: RGBArray) -> npt.NDArray[np.int32]:
    """Pixels as 24-bit integer keys, so equality and counting work on one array."""
    return np.asarray(
        (rgb[..., 0].astype(np.int32) << 16)
        | (rgb[..., 1].astype(np.int32) << 8)
        | rgb[..., 2].astype(np.int32),
        dtype=np.int32,
    )


def _step(rgb: RGBArray) -> int:
    h, w = rgb.shape[:2]
    return max(1, int(np.sqrt(h * w / _TARGET_SAMPLES)))


def _sample(rgb: RGBArray) -> tuple[RGBArray, RGBArray, RGBArray]:
    """A regular grid of pixels with each one's right and lower full-resolution neighbours."""
    h, w = rgb.shape[:2]
    step = _step(rgb)
    base = rgb[0 : h - 1 : step, 0 : w - 1 : step]
    right = rgb[0 : h - 1 : step, 1:w:step]
    down = rgb[1:h:step, 0 : w - 1 : step]
    return base, right, down


def _channel_diff(a: RGBArray, b: RGBArray) -> npt.NDArray[np.uint8]:
    """Largest per-channel absolute difference, in uint8 (max - min avoids widening)."""
    out = np.zeros(a.shape[:2], dtype=np.uint8)
    for c in range(3):  # per channel: a reduction over the last axis of a strided view is slow
        ac, bc = a[..., c], b[..., c]
        np.maximum(out, np.maximum(ac, bc) - np.minimum(ac, bc), out=out)
    return out


def _on_lines(
    rgb: RGBArray,
    base: RGBArray,
    flat_r: npt.NDArray[np.bool_],
    flat_d: npt.NDArray[np.bool_],
    tol: int,
) -> npt.NDArray[np.bool_]:
    """The samples of `base` on a thin line: flat along it (a horizontal line with its right
    neighbour, a vertical one with its lower), and lighter or darker than both neighbours
    across it by `_LINE_STEP` times the flat tolerance."""
    h, w = rgb.shape[:2]
    step = _step(rgb)
    ys = np.arange(base.shape[0]) * step
    xs = np.arange(base.shape[1]) * step
    here = base.astype(np.int16).sum(-1)
    thr = _LINE_STEP * max(6, 2 * tol)

    def beyond_both(a: RGBArray, b: RGBArray) -> npt.NDArray[np.bool_]:
        da = here - a.astype(np.int16).sum(-1)
        db = here - b.astype(np.int16).sum(-1)
        return np.asarray(((da >= thr) & (db >= thr)) | ((da <= -thr) & (db <= -thr)))

    rows = rgb[ys]
    above, below = rgb[np.maximum(ys - 1, 0)][:, xs], rgb[np.minimum(ys + 1, h - 1)][:, xs]
    left, right = rows[:, np.maximum(xs - 1, 0)], rows[:, np.minimum(xs + 1, w - 1)]
    return np.asarray((flat_r & beyond_both(above, below)) | (flat_d & beyond_both(left, right)))


def _on_slopes(
    rgb: RGBArray, base: RGBArray, noise: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The samples of `base` tested (flat indices), and which of them lie on a smooth slope:
    across `_SLOPE_REACH` px either side the colour changes by more than noise, steadily
    (about linearly, and no 1-px step carries most of it), as in a gradient and unlike at an
    edge or in text. One sample in `_SLOPE_STRIDES[0]` (or the next prime there that does not
    divide the width) is tested, in reading order, so every row and column of samples holds
    some: a slow gradient's code can be one row tall or one column wide."""
    h, w = rgb.shape[:2]
    step = _step(rgb)
    stride = next((p for p in _SLOPE_STRIDES if base.shape[1] % p), _SLOPE_STRIDES[0])
    picks: npt.NDArray[np.intp] = np.arange(0, base.shape[0] * base.shape[1], stride)
    y, x = (picks // base.shape[1]) * step, (picks % base.shape[1]) * step
    inside = (
        (y >= _SLOPE_REACH) & (y < h - _SLOPE_REACH) & (x >= _SLOPE_REACH) & (x < w - _SLOPE_REACH)
    )
    picks, at = picks[inside], y[inside] * w + x[inside]
    flat = rgb.reshape(-1, 3)

    def shifted(offset: int) -> npt.NDArray[np.int16]:
        # channels first: summing a trailing axis of 3 is numpy's slow path
        return np.take(flat, at + offset, axis=0).T.astype(np.int16, order="C")

    here2 = 2 * shifted(0)
    least = _SLOPE_MIN_CHANGE * max(1.0, noise)
    sloped = np.zeros(picks.size, dtype=bool)
    for unit in (1, w):
        lo, hi = shifted(-_SLOPE_REACH * unit), shifted(_SLOPE_REACH * unit)
        change = np.abs(hi - lo).sum(0)
        bend = np.abs(hi + lo - here2).sum(0)
        jump = np.abs(shifted(unit) - shifted(-unit)).sum(0)
        sloped |= (change >= least) & (bend <= 0.35 * change) & (jump <= 0.5 * change + 2)
    return picks, sloped


def _estimate_noise(diff_r: npt.NDArray[np.int16]) -> float:
    """Typical small neighbour difference inside fills: 0 for lossless renders, 1-3 for JPEG."""
    small = diff_r[(diff_r > 0) & (diff_r <= 12)]
    nonzero_share = small.size / max(diff_r.size, 1)
    if nonzero_share < 0.05:
        return 0.0
    return float(np.median(small))


def _unpack(k: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    k64 = k.astype(np.int64)
    return np.stack([(k64 >> 16) & 255, (k64 >> 8) & 255, k64 & 255], axis=-1)


def _segment_distance(
    p: npt.NDArray[np.float64], a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Distance from colour p to segments a-b (broadcast) and the position t along them."""
    ab = b - a
    denom = np.maximum((ab * ab).sum(-1), 1e-9)
    t = ((p - a) * ab).sum(-1) / denom
    proj = a + np.clip(t, 0, 1)[..., None] * ab
    return np.sqrt(((p - proj) ** 2).sum(-1)), t


_WHITE_LAB = srgb_to_cielab(np.array([255.0, 255.0, 255.0]))
_BLACK_LAB = srgb_to_cielab(np.array([0.0, 0.0, 0.0]))


def _snap_to_extremes(centre: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Lossy codecs pull pure white and black a few codes inwards (clipping of the ringing
    around them); a cluster within a just-noticeable difference of either is taken as it."""
    lab = srgb_to_cielab(centre)
    if float(delta_e_2000(lab, _WHITE_LAB)) < 2.0:
        return np.array([255.0, 255.0, 255.0])
    if float(delta_e_2000(lab, _BLACK_LAB)) < 2.0:
        return np.array([0.0, 0.0, 0.0])
    return centre


def _kmeans_palette(samples: npt.NDArray[np.int16], k: int = 8) -> list[PaletteColour]:
    """Perceptual palette for photographic content: k-means in OKLab, deterministic seeds."""
    flat: npt.NDArray[np.int16] = samples.reshape(-1, 3)
    rng = np.random.default_rng(0)
    if flat.shape[0] > 20_000:
        flat = flat[rng.choice(flat.shape[0], 20_000, replace=False)]
    lab = srgb_to_oklab(flat)
    # k-means++ style seeding, deterministic through the fixed generator.
    centres = [lab[0]]
    for _ in range(1, k):
        d = np.min(((lab[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        if d.sum() <= 0:
            break
        centres.append(lab[rng.choice(lab.shape[0], p=d / d.sum())])
    c = np.array(centres)
    for _ in range(12):
        assign = np.argmin(((lab[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
        for j in range(c.shape[0]):
            members = lab[assign == j]
            if members.size:
                c[j] = members.mean(axis=0)
    assign = np.argmin(((lab[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
    out = []
    for j in range(c.shape[0]):
        members = flat[assign == j]
        if members.size == 0:
            continue
        # The member colour nearest the centre: a colour that really occurs in the image.
        mlab = lab[assign == j]
        idx = int(np.argmin(((mlab - c[j]) ** 2).sum(-1)))
        r, g, b = (int(v) for v in members[idx])
        out.append(PaletteColour((r, g, b), members.shape[0] / flat.shape[0], 0.0))
    out.sort(key=lambda pc: -pc.fraction)
    return out


def extract_palette(
    rgb: RGBArray, *, min_fraction: float = 0.002, max_colours: int = 24, lossy: bool = False
) -> Palette:
    """Find the design colours of an sRGB image, largest first. `lossy` (a JPEG or lossy WebP)
    lets thin lines' colours through (`_on_lines`): a codec keeps a line's colour, a
    downscale blends it with its sides."""
    if min(rgb.shape[:2]) < 2:  # a single row or column: give every pixel a neighbour
        rgb = np.pad(rgb, ((0, 1), (0, 1), (0, 0)), mode="edge")
    base, right, down = _sample(rgb)
    total = base.shape[0] * base.shape[1]
    if total == 0:
        return Palette(colours=[], kind="flat", noise=0.0, modes=[])
    keys_all = pack_rgb(base)
    # Noise is estimated on every fourth sampled row: it is a global property of the file.
    noise = _estimate_noise(_channel_diff(base[::4], right[::4]).astype(np.int16))
    if noise == 0:
        flat_r = keys_all == pack_rgb(right)
        flat_d = keys_all == pack_rgb(down)
    else:
        tol = int(min(8, round(2.5 * noise)))
        flat_r = _channel_diff(base, right) <= tol
        flat_d = _channel_diff(base, down) <= tol
    flat_or = flat_r | flat_d
    flat_share = float(flat_or.mean())
    if flat_share < _PHOTO_FLAT_SHARE:
        colours = _kmeans_palette(base.astype(np.int16))
        return Palette(
            colours=colours[:max_colours], kind="photographic", noise=noise, modes=colours
        )

    # One sort counts all three: each flat sample's key carries, in two bits below it,
    # whether the sample is on a thin line and whether it is flat both ways.
    both = flat_r & flat_d
    on_line = (
        _on_lines(rgb, base, flat_r, flat_d, int(min(8, round(2.5 * noise))))
        if lossy and noise > 0
        else np.zeros_like(both)
    )
    tags = (on_line.astype(np.int32) << 1) | both
    tagged = np.sort((keys_all[flat_or] << 2) | tags[flat_or])
    keys = tagged >> 2
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    uniq = keys[starts]
    counts = np.diff(np.append(starts, keys.size))
    and_counts = np.add.reduceat(tagged & 1, starts).astype(np.float64)
    line_counts = np.add.reduceat((tagged >> 1) & 1, starts).astype(np.float64)
    # The slope test runs on few samples: counted per code apart from the sort.
    tested, sloped = _on_slopes(rgb, base, noise)
    tested_flat = flat_or.ravel()[tested]
    code = np.searchsorted(uniq, keys_all.ravel()[tested][tested_flat])
    tested_counts = np.bincount(code, minlength=uniq.size).astype(np.float64)
    slope_counts = np.bincount(code, weights=sloped[tested_flat], minlength=uniq.size)
    # Only codes that repeat can seed or join a design colour; singletons are noise or blends.
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] >= 2]
    uniq, counts = uniq[order], counts[order]
    and_counts, line_counts = and_counts[order], line_counts[order]
    slope_counts, tested_counts = slope_counts[order], tested_counts[order]
    colours_rgb = _unpack(uniq).astype(np.float64)
    lab = srgb_to_oklab(colours_rgb)
    cielab = srgb_to_cielab(colours_rgb)
    assigned = np.zeros(uniq.size, dtype=bool)
    min_count = max(2.0, 0.25 * min_fraction * total)
    seeds: list[
        tuple[npt.NDArray[np.float64], float, float, bool, npt.NDArray[np.float64], float]
    ] = []
    unassigned = float(counts.sum())
    for i in range(uniq.size):
        if len(seeds) >= _MAX_SEEDS or counts[i] < 2 or unassigned < min_count:
            break
        if assigned[i]:
            continue
        d = np.sqrt(((lab - lab[i]) ** 2).sum(-1))
        members = (d <= _CLUSTER_RADIUS) & ~assigned
        # A gradient spreads over a continuum of codes: no dominant code, no central peak.
        wide_n = float(counts[members].sum())
        peak = float(counts[members & (d <= _CLUSTER_RADIUS / 3)].sum()) / wide_n
        continuum = counts[i] / wide_n < 0.15 and peak < 0.55 and int(members.sum()) >= 20
        if not continuum:  # a gradient is taken whole; a colour only within its dE radius
            near = np.flatnonzero(members & (d > _SURELY_NEAR))
            if near.size:  # often none: delta_e_2000 costs ~0.15 ms even on no colours
                de = delta_e_2000(cielab[near], cielab[i])
                members[near[de > _CLUSTER_DE2000 + _NOISE_DE2000 * noise]] = False
                if noise > 0:
                    own = near[(de > _CLUSTER_DE2000) & (counts[near] >= _OWN_FILL_SHARE * total)]
                    members[own] = False
        assigned |= members
        n = float(counts[members].sum())
        unassigned -= n
        if n < min_count:
            continue
        share_of_seed = counts[i] / n
        if share_of_seed >= 0.5 or noise == 0:
            centre = colours_rgb[i]
        else:
            core = members & (d <= _CLUSTER_RADIUS / 2)
            w = counts[core].astype(np.float64)
            centre = (colours_rgb[core] * w[:, None]).sum(0) / w.sum()
        flatness = float(and_counts[members].sum()) / n
        if noise == 0:
            # Exact codes: a fill's own code is flat both ways inside it, even when the
            # cluster also gathers the edge blends of text set on it (the grey chips of a
            # Material page: 0.94 for #e0e0e0 itself, 0.44 for its cluster).
            flatness = max(flatness, float(and_counts[i]) / float(counts[i]))
        lines = float(line_counts[members].sum()) / n
        tested_n = float(tested_counts[members].sum())
        if (
            not continuum
            and tested_n >= _SLOPE_MIN_TESTED
            and slope_counts[members].sum() >= _SLOPE_SHARE * tested_n
        ):
            continue
        seeds.append((centre, n, flatness, continuum, lab[i], lines))

    # Leftovers of a gradient, between its continuum clusters, are gradient too; they hold
    # about as many samples as the continuum clusters beside them. A colour far heavier than
    # the "gradient" near it is a fill or border beside the anti-aliasing fringe of text,
    # whose spread of blend codes also has no dominant one (a 1-px `#c9c9c9` card border
    # beside grey glyph edges: 18 times their samples).
    gradient = [(s[4], s[1]) for s in seeds if s[3]]
    if gradient:
        glab = np.array([g[0] for g in gradient])
        gn = np.array([g[1] for g in gradient])
        kept_seeds = []
        for seed in seeds:
            if seed[3]:
                continue
            if seed[5] >= _LINE_SHARE:
                # Stands out from both its sides: a border, which no gradient does (a dark
                # page's #2e3135 row dividers beside the blend codes of its rounded chips).
                kept_seeds.append(seed)
                continue
            near = np.sqrt(((glab - seed[4]) ** 2).sum(-1)) < 2.5 * _CLUSTER_RADIUS
            beside = float(gn[near].sum())
            if beside > 0 and seed[1] < 0.03 * total and seed[1] <= _LEFTOVER_RATIO * beside:
                continue
            kept_seeds.append(seed)
        seeds = kept_seeds

    # Merge near-identical colours (below a just-noticeable difference), larger absorbs smaller.
    merged: list[list[float]] = []
    merged_lab: list[npt.NDArray[np.float64]] = []
    for centre, n, flatness, _, _, lines in sorted(seeds, key=lambda s: -s[1]):
        if noise > 0:
            centre = _snap_to_extremes(centre)
        clab = srgb_to_cielab(centre)
        if merged_lab:
            de = delta_e_2000(np.array(merged_lab), clab)
            j = int(np.argmin(de))
            if de[j] < _MERGE_DE2000:
                m = merged[j]
                m[4] = (m[4] * m[3] + flatness * n) / (m[3] + n)
                m[5] = (m[5] * m[3] + lines * n) / (m[3] + n)
                m[3] += n
                continue
        merged.append([float(centre[0]), float(centre[1]), float(centre[2]), n, flatness, lines])
        merged_lab.append(clab)

    covered = sum(m[3] for m in merged) / total
    if covered < 0.5:  # smooth content: no flat fills carry the image
        colours = _kmeans_palette(base.astype(np.int16))
        return Palette(
            colours=colours[:max_colours], kind="photographic", noise=noise, modes=colours
        )

    # Drop anti-aliasing mixtures: a weakly flat colour on the segment between two larger ones.
    # A line colour stands out from both its sides, which a blend never does (a JPEG's #dee2e6
    # table rules lie on the segment from white to their #212529 text).
    arr = np.array(merged, dtype=np.float64)
    alive = np.ones(len(merged), dtype=bool)
    tube = 3.0 + 2.0 * noise
    for i in np.argsort(arr[:, 3]):
        if arr[i, 4] >= 0.5 or arr[i, 5] >= _LINE_SHARE:
            continue
        bigger = np.nonzero(alive & (arr[:, 3] > 2.0 * arr[i, 3]))[0]
        if bigger.size < 2:
            continue
        a = arr[bigger, None, :3]
        b = arr[None, bigger, :3]
        dist, t = _segment_distance(arr[i, :3], a, b)
        if bool(np.any((dist < tube) & (t > 0.06) & (t < 0.94))):
            alive[i] = False

    modes = [
        PaletteColour((round(r), round(g), round(b)), float(n) / total, float(fl), float(ln))
        for (r, g, b, n, fl, ln), ok in zip(arr.tolist(), alive, strict=True)
        if ok
    ]
    modes.sort(key=lambda pc: -pc.fraction)
    # With compression noise, ringing next to edges forms small clusters that are never flat
    # both ways; real fills are, and thin lines stand out from both their sides. (Thin text
    # ink is added back from the recovered glyphs.)
    min_flat = 0.15 if noise > 0 else 0.0
    colours = [
        m
        for m in modes
        if m.fraction >= min_fraction
        and (
            m.flatness >= min_flat or (m.lines >= _LINE_SHARE and m.fraction >= _LINE_MIN_FRACTION)
        )
    ]
    colours = colours[:max_colours]
    return Palette(colours=colours, kind="flat", noise=noise, modes=modes)
