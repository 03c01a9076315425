"""Colour-vision-deficiency risk: palette pairs that only colour tells apart.

Simulation uses daltonlens (in linear RGB): Vienot 1999 for full protanopia and deuteranopia,
Brettel 1997 for tritanopia, Machado 2009 for partial (anomalous trichromat) severities, and the
Rec. 709 luminance for achromatopsia. A pair is at risk when CIEDE2000 between the two colours
is at least DISTINCT_DE for typical vision but below CONFUSABLE_DE once simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from daltonlens import simulate  # type: ignore[import-untyped]

from .colour import delta_e_2000, linear_to_srgb, srgb_to_cielab, srgb_to_linear

RGB = tuple[int, int, int]

# CIEDE2000: 20 is clearly different at a glance; below 10 two small UI marks (status dots,
# chart series, link vs text) are hard to tell apart without another cue.
DISTINCT_DE = 20.0
CONFUSABLE_DE = 10.0
PARTIAL_SEVERITY = 0.6

FULL_SIMULATIONS = {
    "protanopia": (simulate.Simulator_Vienot1999, simulate.Deficiency.PROTAN),
    "deuteranopia": (simulate.Simulator_Vienot1999, simulate.Deficiency.DEUTAN),
    "tritanopia": (simulate.Simulator_Brettel1997, simulate.Deficiency.TRITAN),
}
_PARTIAL = {
    "protanomaly": simulate.Deficiency.PROTAN,
    "deuteranomaly": simulate.Deficiency.DEUTAN,
}


@dataclass(frozen=True)
class ConfusablePair:
    a: RGB
    b: RGB
    delta_e_normal: float
    delta_e_simulated: float


@dataclass(frozen=True)
class CvdReport:
    simulated: dict[str, list[RGB]]  # each palette colour as seen under the deficiency
    confusable: dict[str, list[ConfusablePair]]


def simulate_achromatopsia(img: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    lum = srgb_to_linear(img) @ np.array([0.2126, 0.7152, 0.0722])
    grey = linear_to_srgb(lum)
    return np.repeat(np.rint(grey)[..., None], 3, axis=-1).astype(np.uint8)


def simulate_colours(colours: list[RGB]) -> dict[str, list[RGB]]:
    """Each colour as it appears under every simulated deficiency."""
    img = np.array(colours, dtype=np.uint8).reshape(1, -1, 3)
    out: dict[str, npt.NDArray[np.uint8]] = {}
    for name, (cls, deficiency) in FULL_SIMULATIONS.items():
        out[name] = cls().simulate_cvd(img, deficiency, severity=1.0)
    machado = simulate.Simulator_Machado2009()
    for name, deficiency in _PARTIAL.items():
        out[name] = machado.simulate_cvd(img, deficiency, severity=PARTIAL_SEVERITY)
    out["achromatopsia"] = simulate_achromatopsia(img)
    return {
        name: [(int(c[0]), int(c[1]), int(c[2])) for c in arr.reshape(-1, 3)]
        for name, arr in out.items()
    }


def assess(colours: list[RGB]) -> CvdReport:
    """Simulate the palette and list pairs that become confusable under each deficiency."""
    if not colours:
        return CvdReport(simulated={}, confusable={})
    sims = simulate_colours(colours)
    lab = srgb_to_cielab(np.array(colours, dtype=np.float64))
    normal = delta_e_2000(lab[:, None, :], lab[None, :, :])
    confusable: dict[str, list[ConfusablePair]] = {}
    for name, sim in sims.items():
        slab = srgb_to_cielab(np.array(sim, dtype=np.float64))
        sim_de = delta_e_2000(slab[:, None, :], slab[None, :, :])
        pairs = []
        n = len(colours)
        for i in range(n):
            for j in range(i + 1, n):
                if normal[i, j] >= DISTINCT_DE and sim_de[i, j] < CONFUSABLE_DE:
                    pairs.append(
                        ConfusablePair(
                            colours[i],
                            colours[j],
                            round(float(normal[i, j]), 2),
                            round(float(sim_de[i, j]), 2),
                        )
                    )
        confusable[name] = pairs
    return CvdReport(simulated=sims, confusable=confusable)
