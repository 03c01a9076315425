"""The report's renders: display-sized, WebP, one per colour-vision deficiency."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from chalicelib.analysis import report_views


def _decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == "WEBP"
    return im.convert("RGB")


def test_renders_every_view_display_sized() -> None:
    rgb = np.zeros((3000, 1500, 3), dtype=np.uint8)  # a tall full-page screenshot
    rgb[:, :750] = (204, 0, 0)
    rgb[:, 750:] = (0, 128, 0)
    views = report_views.render(rgb)
    assert set(views) == {"original", "original-small", *report_views.VIEWS}
    main = _decode(views["original"])
    assert main.width <= report_views.MAIN_MAX_WIDTH
    assert main.width * main.height <= report_views.MAIN_MAX_PIXELS * 1.01
    assert abs(main.width / main.height - 0.5) < 0.01  # aspect ratio kept
    small = _decode(views["original-small"])
    assert small.width * small.height <= report_views.SIDE_MAX_PIXELS * 1.01
    for name in report_views.VIEWS:
        assert _decode(views[name]).size == small.size


def test_simulations_change_what_they_should() -> None:
    red_green = np.array([[[204, 0, 0], [0, 128, 0]]], dtype=np.uint8)
    grey = report_views.simulate(red_green, "achromatopsia")
    assert (grey[..., 0] == grey[..., 1]).all() and (grey[..., 1] == grey[..., 2]).all()
    deutan = report_views.simulate(red_green, "deuteranopia").astype(int)
    # red and green, far apart normally, come out much closer together
    assert (
        np.abs(deutan[0, 0] - deutan[0, 1]).sum()
        < np.abs(red_green[0, 0].astype(int) - red_green[0, 1]).sum() / 2
    )


def test_small_images_are_not_upscaled() -> None:
    rgb = np.full((40, 60, 3), 255, dtype=np.uint8)
    assert _decode(report_views.render(rgb)["original"]).size == (60, 40)
