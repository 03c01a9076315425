"""Display-sized renders of an analysed image for the visual report: the image itself and the
image as seen with each colour-vision deficiency (the same simulators as ``cvd``).

Rendered once, by the analysis function, and stored next to the other artefacts; the API only
embeds them, so it never loads numpy or Pillow. WebP keeps a UI screenshot sharp and small enough
to inline in a page a phone downloads.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

from .cvd import FULL_SIMULATIONS, simulate_achromatopsia

RGBArray = npt.NDArray[np.uint8]

# The deficiencies the report shows side by side (full dichromacies and no colour at all).
VIEWS = ("protanopia", "deuteranopia", "tritanopia", "achromatopsia")
MAIN_MAX_WIDTH = 1280
MAIN_MAX_PIXELS = 2_000_000
SIDE_MAX_WIDTH = 640
SIDE_MAX_PIXELS = 500_000
QUALITY = 82


def _fit(rgb: RGBArray, max_width: int, max_pixels: int) -> RGBArray:
    h, w = rgb.shape[:2]
    scale = min(1.0, max_width / w, (max_pixels / (w * h)) ** 0.5)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)


def _webp(rgb: RGBArray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="WEBP", quality=QUALITY, method=4)
    return out.getvalue()


def simulate(rgb: RGBArray, deficiency: str) -> RGBArray:
    """``rgb`` as seen with ``deficiency`` (one of ``VIEWS``)."""
    if deficiency == "achromatopsia":
        return simulate_achromatopsia(rgb)
    simulator, kind = FULL_SIMULATIONS[deficiency]
    simulated: RGBArray = simulator().simulate_cvd(rgb, kind, severity=1.0)
    return simulated


def render(rgb: RGBArray) -> dict[str, bytes]:
    """``{"original": webp, "protanopia": webp, ...}`` for an analysed image's RGB pixels."""
    main = _fit(rgb, MAIN_MAX_WIDTH, MAIN_MAX_PIXELS)
    side = np.ascontiguousarray(_fit(main, SIDE_MAX_WIDTH, SIDE_MAX_PIXELS))
    views = {"original": _webp(main), "original-small": _webp(side)}
    for name in VIEWS:
        views[name] = _webp(simulate(side, name))
    return views
