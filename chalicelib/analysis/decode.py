"""Safe decoding: any supported upload to an sRGB uint8 array, or a typed error.

Formats are recognised by content (Pillow's signature sniffing), never by file name. The pixel
count is checked from the header before any pixel is decoded, so an oversized or bomb image costs
a header read, not gigabytes.
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageCms, ImageOps, PngImagePlugin, UnidentifiedImageError

SUPPORTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
DEFAULT_MAX_PIXELS = 50_000_000
# A declared raster this many times larger than the file is a decompression bomb, not a photo.
_BOMB_RATIO = 1000
_EXIF_ORIENTATION = 0x0112
# The EXIF orientations that `ImageOps.exif_transpose` turns (1 is upright).
_TURNED_ORIENTATIONS = (2, 3, 4, 5, 6, 7, 8)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Compressed PNG metadata (colour profile, compressed text), which Pillow refuses to inflate
# past its MAX_TEXT_CHUNK (1 MB): none of it is needed to draw the pixels.
_PNG_COMPRESSED_METADATA = frozenset({b"iCCP", b"zTXt", b"iTXt"})

RGBArray = npt.NDArray[np.uint8]
_T = TypeVar("_T")


class ImageDecodeError(ValueError):
    """The upload cannot be analysed. `code` is a stable machine code, `str()` the reason."""

    code = "IMAGE_DECODE_ERROR"


class UnsupportedFormatError(ImageDecodeError):
    code = "UNSUPPORTED_FORMAT"


class CorruptImageError(ImageDecodeError):
    code = "CORRUPT_IMAGE"


class TruncatedImageError(ImageDecodeError):
    code = "TRUNCATED_IMAGE"


class TooManyPixelsError(ImageDecodeError):
    code = "TOO_MANY_PIXELS"


class DecompressionBombError(ImageDecodeError):
    code = "DECOMPRESSION_BOMB"


@dataclass(frozen=True)
class ImageMetadata:
    """What the header tells about an upload (before orientation is applied)."""

    width: int
    height: int
    format: str
    mode: str
    has_icc_profile: bool
    exif_orientation: int | None
    frame_count: int
    has_alpha: bool


@dataclass(frozen=True)
class DecodedImage:
    """Pixels ready for analysis plus how they were obtained."""

    rgb: RGBArray  # H x W x 3, sRGB, C-contiguous
    metadata: ImageMetadata
    colour_managed: bool  # an embedded profile was converted to sRGB
    alpha_composited: bool  # transparent pixels were composited over white
    lossy: bool = False  # JPEG or lossy WebP: edges ring and chroma is subsampled
    # An embedded profile was unusable (oversized or not a valid ICC profile), so the pixels
    # were taken as sRGB: the user should know the colours may be off, not get a rejection.
    profile_ignored: bool = False

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def _open(data: bytes) -> Image.Image:
    if not data:
        raise CorruptImageError("empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=None)
    except UnidentifiedImageError as exc:
        raise UnsupportedFormatError(
            "not a supported image (PNG, JPEG, WebP or GIF expected)"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DecompressionBombError(f"decompression bomb: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptImageError(f"unreadable image header: {exc}") from exc
    if im.format not in SUPPORTED_FORMATS:
        raise UnsupportedFormatError(
            f"format {im.format} is not supported (PNG, JPEG, WebP or GIF expected)"
        )
    return im


def _tolerating_oversized_metadata(data: bytes, read: Callable[[bytes], _T]) -> tuple[_T, bool]:
    """`read(data)`; if Pillow refused a PNG metadata chunk as too large to inflate, `read` of
    the PNG without such chunks instead. Also says whether a colour profile was dropped."""
    try:
        return read(data), False
    except ImageDecodeError as exc:
        stripped = _without_oversized_metadata(data, exc)
        if stripped is None:
            raise
    return read(stripped.data), stripped.profile_dropped


def _without_oversized_metadata(data: bytes, error: ImageDecodeError) -> _Stripped | None:
    """The PNG without the compressed metadata chunks that inflate past Pillow's limit, when
    that is what `error` was about; None when it was not, or no such chunk is found."""
    if "MAX_TEXT" not in str(error) or not data.startswith(_PNG_SIGNATURE):
        return None
    out = [_PNG_SIGNATURE]
    pos, dropped = len(_PNG_SIGNATURE), set()
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind in _PNG_COMPRESSED_METADATA and _inflates_past_limit(kind, data[pos + 8 : end - 4]):
            dropped.add(kind)
        else:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return _Stripped(b"".join(out), b"iCCP" in dropped) if dropped else None


@dataclass(frozen=True)
class _Stripped:
    data: bytes
    profile_dropped: bool


def _inflates_past_limit(kind: bytes, payload: bytes) -> bool:
    """Whether a compressed metadata chunk's zlib stream inflates past Pillow's MAX_TEXT_CHUNK
    (inflating at most that much to tell)."""
    _, _, rest = payload.partition(b"\0")  # after the profile name or text keyword
    if kind == b"iTXt":
        if rest[:1] != b"\x01":  # uncompressed international text
            return False
        rest = rest[2:].partition(b"\0")[2].partition(b"\0")[2]  # skip language, translation
    else:
        rest = rest[1:]  # skip the compression method
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(rest, PngImagePlugin.MAX_TEXT_CHUNK)
    except zlib.error:
        return False
    return bool(inflater.unconsumed_tail)


def _check_size(im: Image.Image, n_bytes: int, max_pixels: int) -> None:
    w, h = im.size
    if w <= 0 or h <= 0:
        raise CorruptImageError(f"invalid dimensions {w}x{h}")
    pixels = w * h
    if pixels > max_pixels:
        if pixels * 3 > _BOMB_RATIO * max(n_bytes, 1):
            raise DecompressionBombError(
                f"{w}x{h} pixels declared in a {n_bytes}-byte file (limit {max_pixels} pixels)"
            )
        raise TooManyPixelsError(f"{w}x{h} = {pixels} pixels exceeds the limit of {max_pixels}")


def _metadata(im: Image.Image) -> ImageMetadata:
    orientation = None
    # Pillow decodes a whole PNG to look for an eXIf chunk after the pixels; before loading,
    # only an eXIf chunk ahead of them is read.
    if im.format != "PNG" or "exif" in im.info:
        try:
            orientation = im.getexif().get(_EXIF_ORIENTATION)
        except Exception:  # a broken EXIF block must not reject an otherwise good image
            orientation = None
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    return ImageMetadata(
        width=im.size[0],
        height=im.size[1],
        format=str(im.format),
        mode=im.mode,
        has_icc_profile=bool(im.info.get("icc_profile")),
        exif_orientation=int(orientation) if orientation is not None else None,
        frame_count=int(getattr(im, "n_frames", 1)),
        has_alpha=has_alpha,
    )


def read_metadata(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageMetadata:
    """Validate the header and return the metadata without decoding pixels.

    Raises the same typed errors as `decode_image` for format and size problems; corruption
    further into the pixel data is only found by `decode_image`, and so is an EXIF
    orientation stored after the pixels of a PNG. Metadata too large to read (a PNG colour
    profile or compressed text over Pillow's limit) is left out, as `decode_image` does.
    """
    meta, profile_dropped = _tolerating_oversized_metadata(
        data, lambda d: _read_metadata(d, max_pixels)
    )
    return replace(meta, has_icc_profile=True) if profile_dropped else meta


def _read_metadata(data: bytes, max_pixels: int) -> ImageMetadata:
    im = _open(data)
    _check_size(im, len(data), max_pixels)
    return _metadata(im)


def _load(im: Image.Image) -> None:
    try:
        im.load()
    except OSError as exc:
        msg = str(exc)
        if "truncated" in msg or "broken data stream" in msg:
            raise TruncatedImageError(f"truncated image data: {msg}") from exc
        raise CorruptImageError(f"corrupt image data: {msg}") from exc
    except (SyntaxError, ValueError, EOFError) as exc:
        msg = str(exc)
        if "Decompressed Data Too Large" in msg or "too large" in msg.lower():
            raise DecompressionBombError(f"decompression bomb: {msg}") from exc
        if "truncated" in msg or isinstance(exc, EOFError):
            raise TruncatedImageError(f"truncated image data: {msg}") from exc
        raise CorruptImageError(f"corrupt image data: {msg}") from exc


def _to_srgb(im: Image.Image) -> tuple[Image.Image, bool, bool]:
    """Convert an embedded ICC profile to sRGB. Returns the image, whether it was converted,
    and whether a profile was present but unusable (the raw values are then kept)."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im, False, False
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        out_mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") else "RGB"
        if im.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
            im = im.convert(out_mode)
        if im.mode == "LA":
            im = im.convert("RGBA")
            out_mode = "RGBA"
        converted = ImageCms.profileToProfile(im, src, dst, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im, False, True
    if converted is None:  # pragma: no cover - only with inPlace=True
        return im, False, True
    return converted, True, False


def _high_bit_grey(im: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale scaled (not clipped) to 8 bits."""
    arr = np.asarray(im)
    if im.mode == "F":
        scaled = np.clip(arr, 0.0, 1.0) * 255.0 if float(arr.max(initial=0.0)) <= 1.0 else arr
        return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), "L")
    top = 65535 if int(arr.max(initial=0)) > 255 else 255
    return Image.fromarray(
        np.clip(np.rint(arr.astype(np.float64) * (255.0 / top)), 0, 255).astype(np.uint8), "L"
    )


def _composite(im: Image.Image) -> tuple[RGBArray, bool]:
    rgba = np.asarray(im.convert("RGBA"))
    alpha = rgba[..., 3]
    if bool((alpha == 255).all()):
        return np.ascontiguousarray(rgba[..., :3]), False
    a = alpha.astype(np.float32)[..., None] / 255.0
    out = rgba[..., :3].astype(np.float32) * a + 255.0 * (1.0 - a)
    return np.ascontiguousarray(np.rint(out).astype(np.uint8)), True


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Decode PNG/JPEG/WebP/GIF bytes into sRGB pixels.

    EXIF orientation is applied, ICC profiles converted to sRGB, alpha composited over
    white, the first frame of an animation taken. A PNG colour profile (or compressed text)
    too large for Pillow to read is left out rather than failing the image: the pixels are
    taken as sRGB and `profile_ignored` says so.
    """
    decoded, profile_dropped = _tolerating_oversized_metadata(
        data, lambda d: _decode(d, max_pixels)
    )
    if not profile_dropped:
        return decoded
    return replace(
        decoded,
        metadata=replace(decoded.metadata, has_icc_profile=True),
        profile_ignored=True,
    )


def _decode(data: bytes, max_pixels: int) -> DecodedImage:
    im = _open(data)
    _check_size(im, len(data), max_pixels)
    frames = int(getattr(im, "n_frames", 1))
    if frames > 1:
        im.seek(0)
    _load(im)  # before reading EXIF: Pillow may decode a PNG to find a trailing eXIf chunk
    meta = _metadata(im)
    with contextlib.suppress(Exception):  # broken EXIF must not fail the analysis
        # exif_transpose copies an upright image whole (a tenth of a PNG's decode time)
        if im.getexif().get(_EXIF_ORIENTATION, 1) in _TURNED_ORIENTATIONS:
            im = ImageOps.exif_transpose(im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        im = _high_bit_grey(im)
    im, managed, unusable = _to_srgb(im)
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    if has_alpha:
        rgb, composited = _composite(im)
    else:
        if im.mode != "RGB":
            im = im.convert("RGB")
        rgb = np.ascontiguousarray(np.asarray(im))
        composited = False
    return DecodedImage(
        rgb=rgb,
        metadata=meta,
        colour_managed=managed,
        alpha_composited=composited,
        lossy=_is_lossy(meta.format, data),
        profile_ignored=unusable,
    )


def _is_lossy(fmt: str, data: bytes) -> bool:
    """JPEG always; WebP when its bitstream is VP8 (lossy) rather than VP8L (lossless)."""
    if fmt == "JPEG":
        return True
    if fmt == "WEBP":
        head = data[12:4096]
        lossy_at = head.find(b"VP8 ")
        lossless_at = head.find(b"VP8L")
        return lossy_at >= 0 and (lossless_at < 0 or lossy_at < lossless_at)
    return False


def make_thumbnail(rgb: RGBArray, max_side: int = 512, *, quality: int = 85) -> bytes:
    """A JPEG thumbnail of decoded pixels, longest side at most `max_side`."""
    im = Image.fromarray(rgb, "RGB")
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue()
