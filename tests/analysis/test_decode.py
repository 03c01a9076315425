"""Decoding: formats by content, orientation, colour management, alpha and typed errors."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageCms

from chalicelib.analysis import (
    CorruptImageError,
    DecompressionBombError,
    ImageDecodeError,
    TooManyPixelsError,
    TruncatedImageError,
    UnsupportedFormatError,
    decode_image,
    make_thumbnail,
    read_metadata,
)


def _flat(
    colour: tuple[int, int, int] = (10, 120, 200), size: tuple[int, int] = (32, 24)
) -> Image.Image:
    return Image.new("RGB", size, colour)


@pytest.mark.parametrize(
    ("fmt", "kwargs"),
    [("PNG", {}), ("JPEG", {"quality": 95}), ("WEBP", {"lossless": True}), ("GIF", {})],
)
def test_each_supported_format_decodes_by_content(
    fmt: str, kwargs: dict[str, object], encode: Callable[..., bytes]
) -> None:
    decoded = decode_image(encode(_flat(), fmt, **kwargs))
    assert decoded.metadata.format == fmt
    assert decoded.rgb.shape == (24, 32, 3)
    assert decoded.rgb.dtype == np.uint8
    assert np.abs(decoded.rgb.astype(int) - (10, 120, 200)).max() <= 4


def test_unknown_content_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        decode_image(b"GIF? no, just some text pretending to be an image")
    assert info.value.code == "UNSUPPORTED_FORMAT"


def test_known_but_unaccepted_format_is_unsupported(encode: Callable[..., bytes]) -> None:
    with pytest.raises(UnsupportedFormatError):
        decode_image(encode(_flat(), "BMP"))


def test_empty_file_is_corrupt() -> None:
    with pytest.raises(CorruptImageError) as info:
        decode_image(b"")
    assert info.value.code == "CORRUPT_IMAGE"


def test_truncated_png_raises_typed_error(encode: Callable[..., bytes]) -> None:
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    data = encode(noisy)
    with pytest.raises(ImageDecodeError) as info:
        decode_image(data[: len(data) // 2])
    assert info.value.code in {"TRUNCATED_IMAGE", "CORRUPT_IMAGE"}


def test_truncated_jpeg_is_truncated(encode: Callable[..., bytes]) -> None:
    rng = np.random.default_rng(2)
    noisy = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    data = encode(noisy, "JPEG")
    with pytest.raises(TruncatedImageError) as info:
        decode_image(data[: len(data) // 2])
    assert info.value.code == "TRUNCATED_IMAGE"


def test_corrupt_png_data_raises_typed_error(encode: Callable[..., bytes]) -> None:
    data = bytearray(encode(Image.new("RGB", (64, 64), (1, 2, 3))))
    idat = data.index(b"IDAT")
    data[idat + 4 : idat + 16] = b"\xff" * 12  # not a zlib stream
    with pytest.raises(ImageDecodeError):
        decode_image(bytes(data))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring a huge raster with a tiny compressed body: a decompression bomb."""
    chunk = _chunk
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_rejected_before_decoding() -> None:
    with pytest.raises(DecompressionBombError) as info:
        decode_image(_png_header_only(100_000, 100_000))
    assert info.value.code == "DECOMPRESSION_BOMB"


def test_too_many_pixels_uses_the_setting(encode: Callable[..., bytes]) -> None:
    rng = np.random.default_rng(3)
    noisy = Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8))
    with pytest.raises(TooManyPixelsError) as info:
        decode_image(encode(noisy), max_pixels=1000)
    assert info.value.code == "TOO_MANY_PIXELS"
    assert decode_image(encode(noisy), max_pixels=2000).rgb.shape == (40, 50, 3)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(encode: Callable[..., bytes]) -> None:
    arr = np.full((8, 8), 32768, dtype=np.uint16)
    decoded = decode_image(encode(Image.fromarray(arr)))
    assert abs(int(decoded.rgb[0, 0, 0]) - 128) <= 1
    assert decoded.metadata.mode.startswith("I")


def test_cmyk_jpeg_becomes_rgb(encode: Callable[..., bytes]) -> None:
    im = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red in CMYK
    decoded = decode_image(encode(im, "JPEG", quality=95))
    r, g, b = (int(v) for v in decoded.rgb[8, 8])
    assert r > 200
    assert g < 60
    assert b < 60


def test_palette_image_with_transparency_is_composited_over_white(
    encode: Callable[..., bytes],
) -> None:
    im = Image.new("P", (10, 10), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.putpixel((0, 0), 1)
    im.info["transparency"] = 1
    decoded = decode_image(encode(im))
    assert decoded.alpha_composited
    assert tuple(decoded.rgb[0, 0]) == (255, 255, 255)
    assert tuple(decoded.rgb[5, 5]) == (255, 0, 0)


def test_half_transparent_rgba_is_blended_with_white(encode: Callable[..., bytes]) -> None:
    im = Image.new("RGBA", (4, 4), (0, 0, 0, 128))
    decoded = decode_image(encode(im))
    assert decoded.alpha_composited
    assert abs(int(decoded.rgb[0, 0, 0]) - 127) <= 1


def test_opaque_rgba_is_not_reported_as_composited(encode: Callable[..., bytes]) -> None:
    decoded = decode_image(encode(Image.new("RGBA", (4, 4), (9, 9, 9, 255))))
    assert not decoded.alpha_composited


def test_exif_orientation_is_applied(encode: Callable[..., bytes]) -> None:
    im = Image.new("RGB", (40, 20), (255, 255, 255))
    im.paste((255, 0, 0), (0, 0, 10, 20))  # red strip on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    decoded = decode_image(encode(im, "JPEG", quality=95, exif=exif.tobytes()))
    assert decoded.metadata.exif_orientation == 6
    assert decoded.rgb.shape[:2] == (40, 20)  # portrait after orientation
    assert decoded.rgb[2, 10, 0] > 200
    assert decoded.rgb[2, 10, 1] < 80


def test_icc_profile_is_converted_to_srgb(encode: Callable[..., bytes]) -> None:
    lab_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    im = Image.new("RGB", (8, 8), (200, 100, 50))
    data = encode(im, icc_profile=lab_profile.tobytes())
    decoded = decode_image(data)
    assert decoded.metadata.has_icc_profile
    assert decoded.colour_managed
    assert np.abs(decoded.rgb[0, 0].astype(int) - (200, 100, 50)).max() <= 2


def _with_chunk(png: bytes, kind: bytes, body: bytes, *, after_pixels: bool = False) -> bytes:
    """`png` with one more chunk, right after IHDR or right before IEND."""
    at = len(png) - 12 if after_pixels else 33
    return png[:at] + _chunk(kind, body) + png[at:]


_HUGE = zlib.compress(b"\x00ICC" * 1_000_000)  # 4 MB inflated, past Pillow's 1 MB limit


def test_oversized_png_colour_profile_is_left_out_not_fatal(encode: Callable[..., bytes]) -> None:
    data = _with_chunk(encode(_flat()), b"iCCP", b"evil\x00\x00" + _HUGE)
    decoded = decode_image(data)
    assert decoded.rgb.shape == (24, 32, 3)
    assert (decoded.rgb == (10, 120, 200)).all()
    assert decoded.profile_ignored and not decoded.colour_managed
    assert decoded.metadata.has_icc_profile
    assert read_metadata(data).has_icc_profile


def test_unusable_colour_profile_is_reported(encode: Callable[..., bytes]) -> None:
    decoded = decode_image(encode(_flat(), icc_profile=b"not an ICC profile at all"))
    assert decoded.profile_ignored and not decoded.colour_managed
    assert (decoded.rgb == (10, 120, 200)).all()


def test_oversized_compressed_text_goes_but_a_good_profile_stays(
    encode: Callable[..., bytes],
) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    png = encode(_flat(), icc_profile=srgb)
    data = _with_chunk(png, b"zTXt", b"Comment\x00\x00" + _HUGE, after_pixels=True)
    with pytest.raises(ValueError, match="MAX_TEXT_CHUNK"):  # what Pillow alone does
        Image.open(io.BytesIO(data)).load()
    decoded = decode_image(data)
    assert decoded.colour_managed and not decoded.profile_ignored
    assert np.abs(decoded.rgb.astype(int) - (10, 120, 200)).max() <= 2


def test_animated_gif_uses_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in [(255, 0, 0), (0, 0, 255)]]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    decoded = decode_image(buf.getvalue())
    assert decoded.metadata.frame_count == 2
    assert decoded.rgb[0, 0, 0] > 200
    assert decoded.rgb[0, 0, 2] < 50


def test_read_metadata_does_not_need_pixels(encode: Callable[..., bytes]) -> None:
    meta = read_metadata(encode(_flat(size=(30, 20)), "WEBP"))
    assert (meta.width, meta.height, meta.format, meta.frame_count) == (30, 20, "WEBP", 1)
    with pytest.raises(DecompressionBombError):
        read_metadata(_png_header_only(100_000, 100_000))


def test_thumbnail_is_a_small_jpeg(encode: Callable[..., bytes]) -> None:
    decoded = decode_image(encode(_flat(size=(1200, 600))))
    thumb = Image.open(io.BytesIO(make_thumbnail(decoded.rgb, 256)))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 256


def test_lossy_formats_are_flagged(encode: Callable[..., bytes]) -> None:
    im = _flat()
    assert decode_image(encode(im, "JPEG")).lossy
    assert decode_image(encode(im, "WEBP", quality=80)).lossy
    assert not decode_image(encode(im, "WEBP", lossless=True)).lossy
    assert not decode_image(encode(im, "PNG")).lossy


def test_result_reports_the_upload_and_what_was_done(encode: Callable[..., bytes]) -> None:
    from chalicelib.analysis import analyze_bytes

    im = Image.new("P", (40, 30), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.info["transparency"] = 1
    im.putpixel((0, 0), 1)
    info = analyze_bytes(encode(im)).image
    assert (info.width, info.height, info.format, info.mode) == (40, 30, "PNG", "P")
    assert info.alpha_composited_over == "#ffffff"
    assert info.frame_count == 1
