"""Crisp renders: words of one colour on one background share their ink (`pool_same_ink`)."""

from __future__ import annotations

from chalicelib.analysis.colour import ratio_of
from chalicelib.analysis.crisp_ink import pool_same_ink
from chalicelib.analysis.ink_measure import Measured
from chalicelib.analysis.text import TextRegion

WHITE = (255, 255, 255)
HEADING = (46, 45, 41)  # #2e2d29, reached as a plateau by a bold heading
BODY = (63, 60, 48)  # #3f3c30: 6.7 % short of the heading on the same ray from white


def _word(fg: tuple[int, int, int], exact_support: float, x: int = 0) -> Measured:
    return Measured(
        region=TextRegion(x, 0, 40, 12),
        fg=fg,
        bg=WHITE,
        ratio=ratio_of(fg, WHITE),
        font_px=14.0,
        stem_ratio=0.09,
        ink_pixels=150,
        fg_estimate=(float(fg[0]), float(fg[1]), float(fg[2])),
        exact_support=exact_support,
    )


def test_an_extreme_that_many_words_share_exactly_is_an_ink() -> None:
    """14 px body copy whose stems straddle pixels shows its ink on only 14 % of its ink
    pixels, below the plateau share; but 59 words reaching exactly one code is no shortfall,
    which would land on a different code in each word (held-out course catalogue: #3f3c30
    paragraphs were read as the heading's #2e2d29, 13.8:1 instead of 11.1:1)."""
    words = [_word(HEADING, 0.55, x=0)] * 3 + [_word(BODY, 0.14, x=50 * k) for k in range(10)]
    pooled = pool_same_ink(words)
    assert [m.fg for m in pooled[3:]] == [BODY] * 10
    assert [m.fg for m in pooled[:3]] == [HEADING] * 3


def test_a_shortfall_a_few_words_share_still_joins_the_ink_beyond_it() -> None:
    words = [_word(HEADING, 0.55)] * 3 + [_word(BODY, 0.14, x=50 * k) for k in range(3)]
    pooled = pool_same_ink(words)
    assert {m.fg for m in pooled} == {HEADING}
    assert all(abs(m.ratio - ratio_of(HEADING, WHITE)) < 1e-9 for m in pooled)
