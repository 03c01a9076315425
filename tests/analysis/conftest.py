"""Fixtures for the analysis engine tests: synthetic images whose answer is known exactly."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.corpus import corpus_dir


def _encode(im: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _text_card(
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
    *,
    size: int = 16,
    page: tuple[int, int, int] = (255, 255, 255),
    text: str = "Hello accessible world",
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A page with one flat card and anti-aliased text drawn by Pillow; returns the card box."""
    im = Image.new("RGB", (640, 240), page)
    draw = ImageDraw.Draw(im)
    card = (40, 40, 600, 200)
    draw.rectangle(card, fill=bg)
    font = ImageFont.load_default(size=size)
    draw.text((70, 100), text, fill=fg, font=font)
    return im, card


@pytest.fixture
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture
def encode() -> Callable[..., bytes]:
    """Encode a Pillow image to bytes: encode(im, "PNG", **save_options)."""
    return _encode


@pytest.fixture
def text_card() -> Callable[..., tuple[Image.Image, tuple[int, int, int, int]]]:
    """Draw anti-aliased text of a known colour on a known card colour."""
    return _text_card
