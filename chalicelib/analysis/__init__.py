"""Janus analysis engine: from the pixels of a UI screenshot to its design colours, text
contrast, colour-vision-deficiency risks and design tokens.

Pure: bytes in, `AnalysisResult` out; no AWS, no network. Typical use::

    from chalicelib.analysis import analyze_bytes, ImageDecodeError
    result = analyze_bytes(data)            # raises ImageDecodeError subclasses on bad input
    result.model_dump(mode="json")
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
