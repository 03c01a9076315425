"""Colour science shared by every step: sRGB transfer, OKLab/OKLCH, CIELAB, CIEDE2000, WCAG.

All functions are vectorised over a trailing axis of 3 so that palette search and contrast
can work on thousands of colours at once.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_D65_WHITE = np.array([0.95047, 1.0, 1.08883])

_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)

_RGB_TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_LMS_TO_OKLAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)
_OKLAB_TO_LMS = np.linalg.inv(_LMS_TO_OKLAB)
_LMS_TO_RGB = np.linalg.inv(_RGB_TO_LMS)


def srgb_to_linear(rgb: npt.ArrayLike) -> FloatArray:
    """sRGB values in 0..255 to linear light in 0..1 (IEC 61966-2-1)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: npt.ArrayLike) -> FloatArray:
    """Linear light in 0..1 to sRGB in 0..255 (floats, unclipped)."""
    c = np.clip(np.asarray(lin, dtype=np.float64), 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def relative_luminance(rgb: npt.ArrayLike) -> FloatArray:
    """WCAG 2.x relative luminance of sRGB colours in 0..255.

    WCAG 2.x quotes the 0.03928 threshold; for 8-bit values it selects exactly the same
    codes as 0.04045, so one transfer function serves both.
    """
    lin = srgb_to_linear(rgb)
    return np.asarray(lin @ np.array([0.2126, 0.7152, 0.0722]), dtype=np.float64)


def contrast_ratio(fg: npt.ArrayLike, bg: npt.ArrayLike) -> FloatArray:
    """WCAG 2.x contrast ratio (1..21) between colours, broadcasting."""
    la = relative_luminance(fg)
    lb = relative_luminance(bg)
    hi = np.maximum(la, lb)
    lo = np.minimum(la, lb)
    return np.asarray((hi + 0.05) / (lo + 0.05), dtype=np.float64)


_LINEAR = [
    (c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
    for c in range(256)
]


def ratio_of(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio of two 8-bit colours (scalar fast path of contrast_ratio)."""
    la = 0.2126 * _LINEAR[fg[0]] + 0.7152 * _LINEAR[fg[1]] + 0.0722 * _LINEAR[fg[2]]
    lb = 0.2126 * _LINEAR[bg[0]] + 0.7152 * _LINEAR[bg[1]] + 0.0722 * _LINEAR[bg[2]]
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def srgb_to_oklab(rgb: npt.ArrayLike) -> FloatArray:
    """sRGB 0..255 to OKLab (Ottosson 2020): a perceptual space where Euclidean
    distance tracks perceived difference well enough for clustering."""
    lms = srgb_to_linear(rgb) @ _RGB_TO_LMS.T
    return np.asarray(np.cbrt(lms) @ _LMS_TO_OKLAB.T, dtype=np.float64)


def oklab_to_srgb(lab: npt.ArrayLike) -> FloatArray:
    """OKLab to sRGB 0..255 floats (clipped to the gamut cube)."""
    lms = (np.asarray(lab, dtype=np.float64) @ _OKLAB_TO_LMS.T) ** 3
    return linear_to_srgb(lms @ _LMS_TO_RGB.T)


def oklab_in_gamut(lab: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether OKLab colours lie inside the sRGB cube (before clipping)."""
    lms = (np.asarray(lab, dtype=np.float64) @ _OKLAB_TO_LMS.T) ** 3
    lin = lms @ _LMS_TO_RGB.T
    return np.asarray(np.all((lin >= -1e-4) & (lin <= 1 + 1e-4), axis=-1))


def oklab_to_oklch(lab: npt.ArrayLike) -> FloatArray:
    """OKLab to OKLCH (L, C, hue in degrees)."""
    lab = np.asarray(lab, dtype=np.float64)
    c = np.hypot(lab[..., 1], lab[..., 2])
    h = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    return np.stack([lab[..., 0], c, h], axis=-1)


def oklch_to_oklab(lch: npt.ArrayLike) -> FloatArray:
    """OKLCH to OKLab."""
    lch = np.asarray(lch, dtype=np.float64)
    h = np.radians(lch[..., 2])
    return np.stack([lch[..., 0], lch[..., 1] * np.cos(h), lch[..., 1] * np.sin(h)], axis=-1)


def srgb_to_cielab(rgb: npt.ArrayLike) -> FloatArray:
    """sRGB 0..255 to CIELAB (D65), the space CIEDE2000 is defined in."""
    xyz = srgb_to_linear(rgb) @ _RGB_TO_XYZ.T / _D65_WHITE
    eps = 216 / 24389
    kappa = 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    lum = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([lum, a, b], axis=-1)


# Up to this many pairs, CIEDE2000 is computed one pair at a time in Python floats: numpy's
# overhead of some 70 calls on arrays of a few colours (about 0.1 ms a call, against 6 us a
# pair) made palette and ink merging a tenth of a page's analysis.
_SCALAR_PAIRS = 16


def delta_e_2000(lab1: npt.ArrayLike, lab2: npt.ArrayLike) -> FloatArray:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), broadcasting over CIELAB."""
    lab1 = np.asarray(lab1, dtype=np.float64)
    lab2 = np.asarray(lab2, dtype=np.float64)
    if lab1.size + lab2.size <= 6 * _SCALAR_PAIRS:
        p, q = np.broadcast_arrays(lab1, lab2)
        if p.size <= 3 * _SCALAR_PAIRS:
            out = [
                _delta_e_2000_pair(*u, *v)
                for u, v in zip(p.reshape(-1, 3).tolist(), q.reshape(-1, 3).tolist(), strict=True)
            ]
            return np.array(out, dtype=np.float64).reshape(p.shape[:-1])
    return _delta_e_2000_arrays(lab1, lab2)


def _delta_e_2000_pair(l1: float, a1: float, b1: float, l2: float, a2: float, b2: float) -> float:
    """`_delta_e_2000_arrays` for one pair, term for term (the same values to ~1e-13)."""
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    c12p = c1p * c2p
    hsum = h1p + h2p
    if c12p == 0:
        dhp, hbp = 0.0, hsum
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
        if abs(h1p - h2p) <= 180:
            hbp = hsum / 2
        else:
            hbp = (hsum + 360) / 2 if hsum < 360 else (hsum - 360) / 2
    d_hp = 2 * math.sqrt(c12p) * math.sin(math.radians(dhp) / 2)
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    cos, rad = math.cos, math.radians
    t = (
        1
        - 0.17 * cos(rad(hbp - 30))
        + 0.24 * cos(rad(2 * hbp))
        + 0.32 * cos(rad(3 * hbp + 6))
        - 0.20 * cos(rad(4 * hbp - 63))
    )
    x = (hbp - 275) / 25
    d_theta = 30 * math.exp(-(x * x))
    cbp7 = cbp**7
    r_c = 2 * math.sqrt(cbp7 / (cbp7 + 25.0**7))
    dl50 = (lbp - 50) * (lbp - 50)
    s_l = 1 + 0.015 * dl50 / math.sqrt(20 + dl50)
    s_c = 1 + 0.045 * cbp
    s_h = 1 + 0.015 * cbp * t
    r_t = -math.sin(rad(2 * d_theta)) * r_c
    dl, dc, dh = dlp / s_l, dcp / s_c, d_hp / s_h
    return math.sqrt(dl * dl + dc * dc + dh * dh + r_t * dc * dh)


def _delta_e_2000_arrays(lab1: FloatArray, lab2: FloatArray) -> FloatArray:
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c1 = np.hypot(a1, b1)
    c2 = np.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p = (1 + g) * a1
    a2p = (1 + g) * a2
    c1p = np.hypot(a1p, b1)
    c2p = np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dlp = l2 - l1
    dcp = c2p - c1p
    dhp = h2p - h1p
    dhp = np.where(dhp > 180, dhp - 360, dhp)
    dhp = np.where(dhp < -180, dhp + 360, dhp)
    c12p = c1p * c2p  # each repeated term once: the same values, fewer numpy calls
    no_hue = c12p == 0
    dhp = np.where(no_hue, 0.0, dhp)
    d_hp = 2 * np.sqrt(c12p) * np.sin(np.radians(dhp) / 2)
    lbp = (l1 + l2) / 2
    cbp = (c1p + c2p) / 2
    hsum = h1p + h2p
    hbp = np.where(
        no_hue,
        hsum,
        np.where(
            np.abs(h1p - h2p) <= 180,
            hsum / 2,
            np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2),
        ),
    )
    t = (
        1
        - 0.17 * np.cos(np.radians(hbp - 30))
        + 0.24 * np.cos(np.radians(2 * hbp))
        + 0.32 * np.cos(np.radians(3 * hbp + 6))
        - 0.20 * np.cos(np.radians(4 * hbp - 63))
    )
    d_theta = 30 * np.exp(-(((hbp - 275) / 25) ** 2))
    cbp7 = cbp**7
    r_c = 2 * np.sqrt(cbp7 / (cbp7 + 25.0**7))
    s_l = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    s_c = 1 + 0.045 * cbp
    s_h = 1 + 0.015 * cbp * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    dc, dh = dcp / s_c, d_hp / s_h
    return np.asarray(np.sqrt((dlp / s_l) ** 2 + dc**2 + dh**2 + r_t * dc * dh), dtype=np.float64)


def to_hex(rgb: npt.ArrayLike) -> str:
    """One sRGB colour (0..255, rounded and clipped) as #rrggbb."""
    r, g, b = (int(v) for v in np.clip(np.rint(np.asarray(rgb, dtype=np.float64)), 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def hex_of(rgb: tuple[int, int, int]) -> str:
    """An 8-bit (r, g, b) tuple as #rrggbb (the fast path of `to_hex` for exact colours)."""
    return f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}"


def from_hex(value: str) -> tuple[int, int, int]:
    """#rrggbb to an (r, g, b) tuple."""
    v = value.lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)
