"""Colour-vision deficiency: simulation models and confusable palette pairs."""

from __future__ import annotations

from chalicelib.analysis.cvd import CONFUSABLE_DE, DISTINCT_DE, assess, simulate_colours


def test_every_deficiency_is_simulated() -> None:
    sims = simulate_colours([(220, 53, 69), (25, 135, 84)])
    assert set(sims) == {
        "protanopia",
        "deuteranopia",
        "tritanopia",
        "protanomaly",
        "deuteranomaly",
        "achromatopsia",
    }
    grey = sims["achromatopsia"][0]
    assert grey[0] == grey[1] == grey[2]


def test_neutral_colours_are_unchanged_by_dichromacy() -> None:
    sims = simulate_colours([(128, 128, 128), (255, 255, 255)])
    for name in ("protanopia", "deuteranopia", "tritanopia"):
        for got, want in zip(sims[name], [(128, 128, 128), (255, 255, 255)], strict=True):
            assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 2


def test_colour_and_its_deutan_projection_are_confusable() -> None:
    red = (200, 60, 40)
    seen = simulate_colours([red])["deuteranopia"][0]
    report = assess([red, seen, (255, 255, 255)])
    pairs = report.confusable["deuteranopia"]
    assert any({p.a, p.b} == {red, seen} for p in pairs)
    for p in pairs:
        assert p.delta_e_normal >= DISTINCT_DE
        assert p.delta_e_simulated < CONFUSABLE_DE
    assert not any({p.a, p.b} == {red, seen} for p in report.confusable["tritanopia"])


def test_black_and_white_are_never_confusable() -> None:
    report = assess([(0, 0, 0), (255, 255, 255)])
    assert all(pairs == [] for pairs in report.confusable.values())
