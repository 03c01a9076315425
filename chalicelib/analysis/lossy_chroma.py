"""Chroma of lossy (JPEG, lossy WebP) inks, rebuilt from a word's chroma-to-luma balance.

JPEG and VP8 average chroma over 2x2 blocks but keep luma per pixel, which pulls a thin
glyph's chroma towards its background's; averaging keeps sums, so the word's totals give its
ink's chroma back (`unmixed`). Measuring (`ink_measure`) needs this per region, before the
per-line pooling of `lossy_ink`, so it stands below both.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Chroma is rebuilt only for inks this many luma codes from their background (below, the
# chroma-to-luma balance divides by little more than block noise), and not from estimates
# within this many codes of 0 or 255 in any channel (clipped on decoding).
_UNMIX_MIN_LUMA = 20.0
_CLIP_CODES = 2.0
# Decoded values above 255 are clipped: a rebuilt channel is taken where it exceeds 255 by
# more than twice the lossy noise floor of flat fills (1-2 codes).
_CLIP_NOISE = 4.0


def ycc(rgb: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """JPEG's YCbCr (BT.601 full range): luma and the (Cb, Cr) chroma pair."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, np.stack([cb, cr], axis=-1)


def _from_ycc(y: float, c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Inverse of `ycc` for one colour."""
    cb, cr = float(c[0]), float(c[1])
    return np.array([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb])


def _chroma_per_luma(offset: npt.NDArray[np.float64], dy: float) -> npt.NDArray[np.float64] | None:
    """Chroma over luma of a summed colour offset from the background; None when the luma
    offsets do not add up to the side of the background the ink is on (`dy`)."""
    y_d, c_d = ycc(offset)
    sy = float(y_d)
    return None if sy * dy <= 0 else np.asarray(c_d / sy)


def _clipped_offset(
    px: npt.NDArray[np.int32], bg: npt.NDArray[np.float64], ink: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """What clipping at 255 took from the summed offset of pixels `px` (n x 3), in channels
    where the background is at 255: around a red glyph on white, the smeared chroma pushes
    red above 255 and the decoder clips it, losing part of the chroma sum. Each pixel with
    one such channel at 255 is modelled as the background plus a share of the ink's luma
    offset and a share of its chroma offset (per pixel, as chroma is smeared further than
    luma), solved from its two other channels; the loss counts where the model exceeds 255
    by more than the noise."""
    at_top = bg >= 255 - _CLIP_CODES
    none = np.zeros(3)
    if not at_top.any():
        return none
    top = (px >= 255 - _CLIP_CODES) & at_top
    one = np.nonzero(top.sum(-1) == 1)[0]
    if not one.size:
        return none
    top = top[one]
    dy = float(ycc(ink - bg)[0])
    lum = np.full(3, dy)
    chroma = ink - bg - lum
    free = np.argsort(top, axis=1, kind="stable")[:, :2]  # the two unclipped channels
    d = np.take_along_axis(px[one] - bg, free, axis=1)
    lf, cf = lum[free], chroma[free]
    det = lf[:, 0] * cf[:, 1] - lf[:, 1] * cf[:, 0]
    # Solve only where the two offsets point apart in those channels (sine >= 0.3).
    ok = np.abs(det) >= 0.3 * np.linalg.norm(lf, axis=1) * np.linalg.norm(cf, axis=1)
    safe = np.where(ok, det, 1.0)
    a = (d[:, 0] * cf[:, 1] - d[:, 1] * cf[:, 0]) / safe
    b = (lf[:, 0] * d[:, 1] - lf[:, 1] * d[:, 0]) / safe
    model = bg + a[:, None] * lum + b[:, None] * chroma
    lost = top & ok[:, None] & (model > 255 + _CLIP_NOISE)
    return np.asarray(np.where(lost, model - px[one], 0.0).sum(0))


def unmixed(
    est: npt.NDArray[np.float64], crop: npt.NDArray[np.int32], bg: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    """Ink of a lossy word with its chroma restored from the word's chroma-to-luma balance.

    Every glyph pixel is a blend of ink and background, so its luma and chroma offsets from
    the background are both the ink's times its coverage. JPEG (and VP8) average chroma
    over 2x2 blocks and smear it further on upsampling, pulling a thin stroke's chroma
    towards the background's, but keep luma per pixel, and averaging and smearing both keep
    sums: over the word, total chroma offset / total luma offset is the ink's own, whatever
    the coverage. The estimate's luma (full resolution) is kept and its chroma rebuilt, once
    more after adding back what clipping at 255 took (`_clipped_offset`). None where this
    does not hold: an estimate with a channel at 0 or 255 was itself clipped on decoding
    (black text on yellow), which breaks the sums."""
    y_est, c_est = ycc(est)
    y_bg, c_bg = ycc(bg)
    dy = float(y_est - y_bg)
    if est.min() <= _CLIP_CODES or est.max() >= 255 - _CLIP_CODES or abs(dy) < _UNMIX_MIN_LUMA:
        return None
    px = crop.reshape(-1, 3)
    offset = px.sum(0) - px.shape[0] * bg
    k = _chroma_per_luma(offset, dy)
    if k is not None:
        lost = _clipped_offset(px, bg, _from_ycc(float(y_est), c_bg + k * dy))
        k = _chroma_per_luma(offset + lost, dy)
    if k is None:
        return None
    c_ink = c_bg + k * dy
    if float(np.linalg.norm(c_ink - c_bg)) <= float(np.linalg.norm(c_est - c_bg)):
        return est  # subsampling only ever pulls chroma in: nothing was lost
    return np.clip(_from_ycc(float(y_est), c_ink), 0, 255)
