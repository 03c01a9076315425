"""Janus analysis engine: from the pixels of a UI screenshot to its design colours, text
contrast, colour-vision-deficiency risks and design tokens.

Pure: bytes in, `AnalysisResult` out; no AWS, no network. For the upload handler::

    from chalicelib.analysis import (
        ImageDecodeError, analyze_decoded, decode_image, make_thumbnail, read_metadata,
    )

    meta = read_metadata(data, max_pixels=limit)   # header only: format, size, frames, ...
    decoded = decode_image(data, max_pixels=limit) # sRGB pixels (orientation, ICC, alpha done)
    thumb = make_thumbnail(decoded.rgb, 512)       # JPEG bytes
    result = analyze_decoded(decoded)              # or analyze_bytes(data) in one step
    document = result.model_dump(mode="json")      # DESIGN.md section 4

Every decoding failure is an `ImageDecodeError` with a stable `code`: UNSUPPORTED_FORMAT,
CORRUPT_IMAGE, TRUNCATED_IMAGE, TOO_MANY_PIXELS or DECOMPRESSION_BOMB, and a one-line reason
as its message. Tokens in other formats: `export_tokens(result.tokens, "css")` (see
`TOKEN_FORMATS`).
"""

from .decode import (
    DEFAULT_MAX_PIXELS,
    CorruptImageError,
    DecodedImage,
    DecompressionBombError,
    ImageDecodeError,
    ImageMetadata,
    TooManyPixelsError,
    TruncatedImageError,
    UnsupportedFormatError,
    decode_image,
    make_thumbnail,
    read_metadata,
)
from .engine import ENGINE_VERSION, analyze_bytes, analyze_decoded, analyze_file
from .result import SCHEMA_VERSION, AnalysisResult
from .tokens import FORMATS as TOKEN_FORMATS
from .tokens import export as export_tokens

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ENGINE_VERSION",
    "SCHEMA_VERSION",
    "TOKEN_FORMATS",
    "AnalysisResult",
    "CorruptImageError",
    "DecodedImage",
    "DecompressionBombError",
    "ImageDecodeError",
    "ImageMetadata",
    "TooManyPixelsError",
    "TruncatedImageError",
    "UnsupportedFormatError",
    "analyze_bytes",
    "analyze_decoded",
    "analyze_file",
    "decode_image",
    "export_tokens",
    "make_thumbnail",
    "read_metadata",
]
