"""Snapping a noisy ink estimate to a flat colour of the image.

Compression noise and resampling leave few pixels of exactly a glyph's ink, while a page sets
its text in the colours of its flat fills (or in black or white): an estimate that one of
them explains, on its blend ray or as subsampled chroma, is taken as that colour.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .colour import delta_e_2000, srgb_to_cielab
from .lossy_chroma import ycc
from .palette import PaletteColour

RGB = tuple[int, int, int]

# The top 15 % of a lossy glyph's ink lies this far beyond the true ink (ringing), as a share
# of the way from the background (corpus medians: 1.02 at JPEG quality 85, 1.04 at 70).
LOSSY_OVERSHOOT = 1.02


class ColourSnapper:
    """Snaps a noisy colour estimate to a flat colour of the image when perceptually equal."""

    def __init__(self, modes: list[PaletteColour], noise: float, lossy: bool = False) -> None:
        self.noise = noise
        self.lossy = lossy
        if noise > 0:  # with noise, never-flat modes are ringing artefacts, not colours
            modes = [m for m in modes if m.flatness >= 0.08]
        self.rgb = np.array([m.rgb for m in modes], dtype=np.float64).reshape(-1, 3)
        self.lab = srgb_to_cielab(self.rgb) if len(modes) else np.zeros((0, 3))
        # Black and white text need not appear as fills to be an image's ink.
        self.extremes = np.array([(0.0, 0.0, 0.0), (255.0, 255.0, 255.0)])
        self.limit = 0.0 if noise == 0 else 3.0 + 0.5 * noise

    def __call__(self, rgb: npt.NDArray[np.float64]) -> RGB:
        if self.limit > 0 and self.lab.shape[0]:
            de = delta_e_2000(self.lab, srgb_to_cielab(rgb))
            j = int(np.argmin(de))
            if de[j] <= self.limit:
                rgb = self.rgb[j]
        r, g, b = (int(v) for v in np.clip(np.rint(rgb), 0, 255))
        return (r, g, b)

    def ink(
        self,
        est: npt.NDArray[np.float64],
        bg: npt.NDArray[np.float64],
        restored: bool = False,
        overshoot: float = LOSSY_OVERSHOOT,
    ) -> RGB:
        """Glyph colour from the most extreme ink estimate.

        Glyph pixels are mixtures of ink and background, so the true ink lies on the ray from
        the background through the estimate. With compression noise, a flat colour of the
        image at (about) the estimate's place on that ray, or one that explains the estimate
        as luma kept and chroma pulled towards the background, is taken as the ink; the latter
        not when the estimate's chroma was `restored` already (`lossy_chroma.unmixed`).
        Otherwise a lossy estimate has the image's ringing `overshoot` undone
        (`lossy_ink.lossy_overshoot`).
        """
        if self.noise > 0:
            hit = None if restored else self._chroma_subsampled(est, bg)
            if hit is None:
                # The top of noisy ink lies ~2 % beyond the ink (ringing): a flat colour
                # more than 2.5 % short of the estimate is another colour of the page (dark
                # text a few codes lighter than the true ink moves a ratio of 15 by 1).
                hit = self.on_ray(est, bg, low=0.975, high=1.04, tube=4.0 + 2.0 * self.noise)
            if hit is None and self.lossy:  # pure black or white, only when almost reached
                hit = self.on_ray(
                    est, bg, low=1 / 1.03, high=1 / 0.97, tube=4.0, targets=self.extremes
                )
            if hit is not None:
                return hit
        if self.lossy:
            # No image colour explains it: undo the ringing overshoot of the top of the ink,
            # and keep the result rather than snap it within a dE radius, which on dark text
            # can move the ratio by more than the estimate's own error.
            return self.round(bg + (est - bg) / overshoot)
        return self(est)

    def _chroma_subsampled(
        self, est: npt.NDArray[np.float64], bg: npt.NDArray[np.float64]
    ) -> RGB | None:
        """JPEG keeps luma at full resolution but averages chroma over 2x2 blocks, so thin
        coloured glyphs keep their luma while their chroma is pulled towards the background's.
        A flat colour with the same luma whose chroma lies on that pull is the ink."""
        targets = np.vstack([self.rgb, self.extremes]) if self.lossy else self.rgb
        if not targets.shape[0]:
            return None
        y_est, c_est = ycc(est)
        y_bg, c_bg = ycc(bg)
        y_m, c_m = ycc(targets)
        v = c_m - c_bg
        vv = (v * v).sum(-1)
        u = c_est - c_bg
        beta = np.where(vv > 1e-6, (v @ u) / np.maximum(vv, 1e-6), 1.0)
        resid = np.sqrt(np.maximum((u * u).sum() - beta * beta * vv, 0.0))
        dy = np.abs(y_m - y_est)
        # Subsampled chroma also drags luma a little where the chroma step is large.
        tol_y = 6.0 + 2.0 * self.noise + 0.1 * np.sqrt(vv)
        ok = (
            (dy <= tol_y)
            & (resid <= 8.0 + 2.0 * self.noise + 0.05 * np.sqrt(vv))
            & (beta >= 0.35)
            & (beta <= 1.2)
        )
        ok &= np.abs(y_m - y_bg) > 2 * tol_y
        if not ok.any():
            return None
        score = np.where(ok, dy + resid, np.inf)
        if self.lossy and ok[-2:].any():
            # Black or white explaining the estimate wins over a pale or deep tint of the
            # page that explains it as well: white text on a saturated button clips at 255
            # and falls short in luma, so a tinted fill (an alert's #fff3cd) a few codes
            # darker fits as closely, and text is set in black or white far more often.
            score[: len(score) - 2] = np.inf
        return self.round(targets[int(np.argmin(score))])

    def on_ray(
        self,
        est: npt.NDArray[np.float64],
        bg: npt.NDArray[np.float64],
        low: float,
        high: float,
        tube: float = 4.0,
        targets: npt.NDArray[np.float64] | None = None,
    ) -> RGB | None:
        """The flat colour on the blend ray from `bg` through `est` whose distance from the
        background is `low`..`high` times the estimate's (the nearest such), if any."""
        cands = self.rgb if targets is None else targets
        if not cands.shape[0]:
            return None
        u = est - bg
        nu = float(np.sqrt((u * u).sum()))
        v = cands - bg
        vv = np.maximum((v * v).sum(-1), 1e-9)
        t = (v @ u) / vv
        perp = np.sqrt(np.maximum((u * u).sum() - t * t * vv, 0.0))
        near = (perp <= tube + 0.08 * nu) & (t >= 1 / high) & (t <= 1 / low)
        if not near.any():
            return None
        return self.round(cands[int(np.argmin(np.where(near, np.abs(t - 1), np.inf)))])

    def nearest(self, rgb: npt.NDArray[np.float64], limit: float) -> RGB:
        """The flat colour within `limit` dE2000 of `rgb`, else `rgb` itself."""
        if self.lab.shape[0]:
            de = delta_e_2000(self.lab, srgb_to_cielab(rgb))
            j = int(np.argmin(de))
            if de[j] <= limit:
                return self.round(self.rgb[j])
        return self.round(rgb)

    @staticmethod
    def round(rgb: npt.NDArray[np.float64]) -> RGB:
        r, g, b = (int(v) for v in np.clip(np.rint(rgb), 0, 255))
        return (r, g, b)
