"""Text contrast: each text region's colours and size rated against WCAG 2.x, and the
palette's pair matrix.

The colours are recovered elsewhere, one region at a time (`ink_measure`) and then for the
page as a whole by kind of file (`crisp_ink`, `lossy_ink`, `downscaled_ink`); this module only
judges them. Text size is estimated from the x-height or cap height of the glyphs and boldness
from their stem width; sizes too close to the WCAG large-text boundary are reported as unknown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .colour import (
    contrast_ratio,
    oklab_in_gamut,
    oklab_to_oklch,
    oklab_to_srgb,
    oklch_to_oklab,
    srgb_to_oklab,
)
from .ink_measure import Measured

RGB = tuple[int, int, int]

AA_NORMAL, AA_LARGE, AAA_NORMAL, AAA_LARGE = 4.5, 3.0, 7.0, 4.5
# Median CSS size of a UI screenshot's words, as `Measured.font_px` reads them: 11-17 px,
# median 13, over the 41 crisp pages of the corpus and the held-out sets.
_WORD_CSS_PX = 14.0
# What a ratio no device uses costs, in log size, where the image may have been rescaled.
_OFF_STANDARD = 0.2
# A ratio whose borders would be drawn thicker or thinner than the image's thinnest lines
# scores as if its text were this far off in log size (x1.65): lines outvote a text size
# near the boundary between two ratios, not a clear one (a 1x page framed in 2 px borders).
_LINE_MISFIT = 0.5
_STANDARD_DPRS = (1.0, 1.5, 2.0, 3.0)
_BOLD_STEM = 0.125  # stem width / font size above which a face reads as bold
_SIZE_MARGIN = 0.08  # relative band around a WCAG size threshold where size is "unknown"


@dataclass(frozen=True)
class Finding:
    bbox: tuple[int, int, int, int]
    fg: RGB
    bg: RGB
    ratio: float
    large_text: bool | None
    aa: bool
    aaa: bool
    borderline: bool  # size unknown and 3.0 <= ratio < 4.5: passes only if the text is large
    font_size_css_px: float
    bold: bool
    suggested_fg: RGB | None  # nearest same-hue colour that passes AA, for failing text
    ink_pixels: int
    ratio_range: tuple[float, float] | None = None  # see `Measured.ratio_range`
    extrapolated: bool = False  # see `Measured.extrapolated`
    aa_uncertain: bool = False  # `ratio_range` straddles the AA threshold that applies


def _plausible_viewport(css_width: float) -> bool:
    """Phones are 320-440 CSS px wide; tablets and desktop windows 700 px and more."""
    return 320 <= css_width <= 440 or 700 <= css_width <= 2600


def estimate_dpr(
    measured: list[Measured],
    image_width: int | None = None,
    rescaled: bool = True,
    thinnest_line: int | None = None,
) -> float:
    """Device-pixel ratio of a screenshot, from its text, its width and its hairlines.

    The text says how many image pixels a CSS pixel spans (the median word of a UI is
    about 14 CSS px: labels, navigation, buttons and table cells outnumber body copy); the
    width says which ratios give a real viewport (1170 px is a 390 px phone at 3x, not a
    585 px window at 2x); the `thinnest_line` the image draws (`hairlines`) says which
    ratios its 1-CSS-px borders fit (1 px: 1x; 2 px: 2x; 3 px: 3x; none clean at 1.5x),
    which text alone cannot tell when a page's labels are small (2x read as 1.5x). A
    standard ratio is preferred when it is about as consistent with the text as the raw
    estimate. Only an image that may have been `rescaled` after capture can have a ratio
    no device uses: a crisp screenshot whose words are mostly small labels (a median of
    10 px) is still 1x, not 0.71x with every size read 40 % as large again.
    """
    if not measured:
        return 1.0
    median = float(np.median([m.font_px for m in measured]))
    est = float(np.clip(median / _WORD_CSS_PX, 0.5, 4.0))
    best, best_score = round(est, 2), np.inf
    for dpr in (*_STANDARD_DPRS, round(est, 2)) if rescaled else _STANDARD_DPRS:
        score = abs(np.log(dpr / est)) + (0.0 if dpr in _STANDARD_DPRS else _OFF_STANDARD)
        if image_width and not _plausible_viewport(image_width / dpr):
            score += 0.3
        if thinnest_line and _line_px(dpr) != thinnest_line:
            score += _LINE_MISFIT
        if score < best_score:
            best, best_score = dpr, score
    return float(best)


def _line_px(dpr: float) -> int | None:
    """How thick a 1-CSS-px border is drawn at `dpr`: whole pixels at whole ratios; at 1.5x
    Chromium draws it over two rows, one of them a blend (held-out payments page), so no
    clean line at all."""
    return int(dpr) if dpr.is_integer() else None


def classify_size(size_css: float, bold: bool) -> bool | None:
    """WCAG large text (>= 24 px, or >= 18.66 px bold); None when too close to call."""
    threshold = 18.66 if bold else 24.0
    rel = size_css / threshold - 1
    if abs(rel) < _SIZE_MARGIN:
        return None
    return rel > 0


@functools.lru_cache(maxsize=1024)
def suggest_passing_colour(fg: RGB, bg: RGB, target: float) -> RGB | None:
    """Nearest colour to `fg` with the same OKLCH hue that reaches `target` on `bg`.

    Lightness moves away from the background (darker on light, lighter on dark); chroma is
    reduced only as far as needed to stay in the sRGB gamut.
    """
    lch = oklab_to_oklch(srgb_to_oklab(np.array(fg, dtype=np.float64)))
    best: RGB | None = None
    best_dl = np.inf
    for direction in (-1.0, 1.0):
        end = 0.0 if direction < 0 else 1.0
        ls = np.linspace(lch[0], end, 201)
        cand = np.stack([ls, np.full_like(ls, lch[1]), np.full_like(ls, lch[2])], axis=-1)
        lab = oklch_to_oklab(cand)
        chroma_scale: npt.NDArray[np.float64] = np.ones(ls.shape)
        for _ in range(12):  # pull chroma in until every candidate is inside the gamut
            inside = oklab_in_gamut(lab)
            if inside.all():
                break
            chroma_scale = np.asarray(np.where(inside, chroma_scale, chroma_scale * 0.85))
            cand[:, 1] = lch[1] * chroma_scale
            lab = oklch_to_oklab(cand)
        srgb = np.clip(np.rint(oklab_to_srgb(lab)), 0, 255)
        ratios = contrast_ratio(srgb, np.array(bg, dtype=np.float64))
        ok = np.nonzero(ratios >= target)[0]
        if ok.size:
            i = int(ok[0])
            dl = abs(ls[i] - lch[0])
            if dl < best_dl:
                best_dl = dl
                r, g, b = (int(v) for v in srgb[i])
                best = (r, g, b)
    return best


def rate(measured: list[Measured], dpr: float) -> list[Finding]:
    """Apply WCAG thresholds at the given device-pixel ratio."""
    findings = []
    for m in measured:
        size_css = m.font_px / dpr
        bold = m.stem_ratio >= _BOLD_STEM
        large = classify_size(size_css, bold)
        if large is None:
            aa = m.ratio >= AA_NORMAL
            aaa = m.ratio >= AAA_NORMAL
            borderline = AA_LARGE <= m.ratio < AA_NORMAL
        else:
            aa = m.ratio >= (AA_LARGE if large else AA_NORMAL)
            aaa = m.ratio >= (AAA_LARGE if large else AAA_NORMAL)
            borderline = False
        needed = AA_LARGE if large else AA_NORMAL
        fix = None if aa else suggest_passing_colour(m.fg, m.bg, needed)
        span = m.ratio_range
        r = m.region
        findings.append(
            Finding(
                bbox=(r.x, r.y, r.w, r.h),
                fg=m.fg,
                bg=m.bg,
                ratio=round(m.ratio, 3),
                large_text=large,
                aa=aa,
                aaa=aaa,
                borderline=borderline,
                font_size_css_px=round(size_css, 1),
                bold=bold,
                suggested_fg=fix,
                ink_pixels=m.ink_pixels,
                ratio_range=None if span is None else (round(span[0], 3), round(span[1], 3)),
                aa_uncertain=span is not None and span[0] < needed <= span[1],
                extrapolated=m.extrapolated,
            )
        )
    return findings


@dataclass(frozen=True)
class PairRating:
    foreground: RGB
    background: RGB
    ratio: float
    aa_normal: bool
    aa_large: bool
    aaa_normal: bool
    aaa_large: bool


def pair_matrix(colours: list[RGB]) -> list[PairRating]:
    """Every ordered pair of palette colours with the WCAG levels it reaches as text on bg."""
    if not colours:
        return []
    arr = np.array(colours, dtype=np.float64)
    ratios = contrast_ratio(arr[:, None, :], arr[None, :, :])
    out = []
    for i, fg in enumerate(colours):
        for j, bg in enumerate(colours):
            if i == j:
                continue
            r = float(ratios[i, j])
            out.append(
                PairRating(
                    fg,
                    bg,
                    round(r, 3),
                    r >= AA_NORMAL,
                    r >= AA_LARGE,
                    r >= AAA_NORMAL,
                    r >= AAA_LARGE,
                )
            )
    return out
