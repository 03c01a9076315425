"""A corpus of hostile and odd image files, made on the spot (nothing is downloaded or stored).

``python -m tests.hostile_images.corpus OUTDIR`` writes them to a folder for manual runs; the test
next to this file feeds each through the real S3 → SQS → analysis handler on moto.

Each entry says what the upload declares (its Content-Type) and what must become of it: ``ok``
(analysed), or the set of failure codes that are acceptable for it.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from tests.images import ui_screenshot

OK = frozenset({"analyzed"})
BROKEN = frozenset({"TRUNCATED_IMAGE", "CORRUPT_IMAGE", "IMAGE_DECODE_ERROR"})
NOT_AN_IMAGE = frozenset({"UNSUPPORTED_FORMAT"})
TOO_BIG = frozenset({"DECOMPRESSION_BOMB", "TOO_MANY_PIXELS"})
TINY = frozenset({"IMAGE_TOO_SMALL"})


@dataclass(frozen=True)
class Hostile:
    name: str
    content_type: str
    make: Callable[[], bytes]
    outcomes: frozenset[str]  # "analyzed" and/or acceptable error codes
    why: str


def _save(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **params)
    return buf.getvalue()


def _screen(mode: str = "RGB") -> Image.Image:
    return Image.open(io.BytesIO(ui_screenshot(160, 100))).convert(mode)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, depth: int, colour: int, rows: bytes | None = None) -> bytes:
    """A PNG written by hand (for what Pillow will not write: huge, 16-bit RGB, lies)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    if rows is None:
        channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        row = b"\x00" + b"\x00" * ((width * channels * depth + 7) // 8)
        compressor = zlib.compressobj(9)
        idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        idat = zlib.compress(rows, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _png_bomb() -> bytes:
    # 20000 x 20000 1-bit greyscale: 400 M pixels from a file of a few dozen KB
    return _png(20_000, 20_000, 1, 0)


def _png_16bit_rgb() -> bytes:
    width, height = 64, 48
    rows = b"".join(
        b"\x00" + b"".join(struct.pack(">HHH", x * 1000, y * 1300, 40000) for x in range(width))
        for y in range(height)
    )
    return _png(width, height, 16, 2, rows)


def _png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    data = _save(_screen(), "PNG")
    return data[:33] + _chunk(kind, payload) + data[33:]


def _huge_icc() -> bytes:
    # an iCCP chunk: name, NUL, compression method 0, a 4 MB "profile" of garbage (compressed)
    return _png_with_chunk(b"iCCP", b"evil\x00\x00" + zlib.compress(b"\x00ICC" * 1_000_000))


def _corrupt_middle(data: bytes, span: int = 64) -> bytes:
    mid = len(data) // 2
    return data[:mid] + b"\xff" * span + data[mid + span :]


def _jpeg_header_dims(width: int, height: int) -> bytes:
    data = bytearray(_save(_screen(), "JPEG"))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _gif_screen(width: int, height: int) -> bytes:
    data = bytearray(_save(_screen("P"), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)  # logical screen size
    # and the first image descriptor's size
    at = data.find(b"\x2c")
    data[at + 5 : at + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def _animated_gif(frames: int) -> bytes:
    images = []
    for i in range(frames):  # every frame differs, so none is merged away
        frame = Image.new("P", (64, 64), i % 7)
        frame.putpixel((i % 64, (i // 64) % 64), 200 + i % 50)
        images.append(frame)
    return _save(images[0], "GIF", save_all=True, append_images=images[1:], duration=10, loop=0)


def _animated_webp(frames: int) -> bytes:
    images = [Image.new("RGB", (32, 32), (i % 256, 0, 255 - i % 256)) for i in range(frames)]
    return _save(images[0], "WEBP", save_all=True, append_images=images[1:], duration=10)


def _exif(orientation: int, padding: int = 0) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    if padding:
        exif[0x010E] = "A" * padding  # ImageDescription
    return exif.tobytes()


def _rotated_jpeg(orientation: int) -> bytes:
    im = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(im).rectangle([0, 0, 50, 100], fill="black")
    return _save(im, "JPEG", exif=_exif(orientation))


def _polyglot_gif_js() -> bytes:
    # a GIF whose header also starts a JavaScript comment, with script after the trailer
    data = bytearray(_save(_screen("P"), "GIF"))
    data[6:8] = b"/*"  # width 0x2a2f: the header reads as GIF89a/* … in JavaScript
    return bytes(data) + b"*/=1;alert(document.cookie);//"


def _png_then_html() -> bytes:
    return _save(_screen(), "PNG") + b"<html><script>alert(1)</script></html>"


def _png_then_zip() -> bytes:
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.sh", "rm -rf /\n" * 100)
    return _save(_screen(), "PNG") + buf.getvalue()


def corpus() -> list[Hostile]:
    png = _save(_screen(), "PNG")
    jpeg = _save(_screen(), "JPEG")
    progressive = _save(_screen(), "JPEG", progressive=True)
    gif = _save(_screen("P"), "GIF")
    webp = _save(_screen(), "WEBP")
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    svg += b"<script>alert(1)</script></svg>"
    html = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
    h = Hostile
    return [
        h("zero-byte.png", "image/png", lambda: b"", frozenset({"EMPTY_FILE"}), "empty upload"),
        h("one-byte.png", "image/png", lambda: b"\x89", NOT_AN_IMAGE | BROKEN, "1 byte"),
        h("signature-only.png", "image/png", lambda: png[:8], NOT_AN_IMAGE | BROKEN, "8 bytes"),
        h("header-only.png", "image/png", lambda: png[:33], BROKEN | NOT_AN_IMAGE, "IHDR only"),
        h("truncated.png", "image/png", lambda: png[: len(png) // 2], BROKEN, "cut in half"),
        h("corrupt-idat.png", "image/png", lambda: _corrupt_middle(png), BROKEN, "bytes smashed"),
        h(
            "bad-zlib.png",
            "image/png",
            lambda: _png(50, 50, 8, 2, None)[:41] + b"\x00" * 300,
            BROKEN,
            "IDAT is not zlib",
        ),
        h(
            "zero-width.png",
            "image/png",
            lambda: _png(0, 10, 8, 0),
            BROKEN | NOT_AN_IMAGE,
            "width 0",
        ),
        h("bomb-20000x20000.png", "image/png", _png_bomb, TOO_BIG, "400 MP in a tiny file"),
        h(
            "absurd-2^31.png",
            "image/png",
            lambda: _png(2**31 - 1, 2**31 - 1, 1, 0, b"\x00\x00"),
            TOO_BIG | BROKEN,
            "2^31-1 square",
        ),
        h("16bit-grey.png", "image/png", lambda: _save(_screen("I;16"), "PNG"), OK, "I;16"),
        h("16bit-rgb.png", "image/png", _png_16bit_rgb, OK, "48-bit RGB"),
        h(
            "palette-transparent.png",
            "image/png",
            lambda: _save(_screen("P"), "PNG", transparency=0),
            OK,
            "P + tRNS",
        ),
        h("grey-alpha.png", "image/png", lambda: _save(_screen("LA"), "PNG"), OK, "LA"),
        h("huge-icc.png", "image/png", _huge_icc, OK, "4 MB garbage ICC profile"),
        h(
            "huge-text-chunk.png",
            "image/png",
            lambda: _png_with_chunk(b"tEXt", b"Comment\x00" + b"A" * 2_000_000),
            OK,
            "2 MB tEXt chunk",
        ),
        h("png-then-html.png", "image/png", _png_then_html, OK, "polyglot: trailing HTML"),
        h("png-then-zip.png", "image/png", _png_then_zip, OK, "polyglot: PNG + ZIP"),
        h("svg-as-png.png", "image/png", lambda: svg, NOT_AN_IMAGE, "SVG with script"),
        h("html-as-png.png", "image/png", lambda: html, NOT_AN_IMAGE, "HTML"),
        h("jpeg-as-png.png", "image/png", lambda: jpeg, frozenset({"FORMAT_MISMATCH"}), "lies"),
        h("bmp-as-png.png", "image/png", lambda: _save(_screen(), "BMP"), NOT_AN_IMAGE, "BMP"),
        h("tiff-as-png.png", "image/png", lambda: _save(_screen(), "TIFF"), NOT_AN_IMAGE, "TIFF"),
        h(
            "truncated.jpg",
            "image/jpeg",
            lambda: jpeg[: len(jpeg) // 2],
            BROKEN | OK,
            "cut in half (JPEG decoders may pad)",
        ),
        h("soi-only.jpg", "image/jpeg", lambda: b"\xff\xd8\xff", BROKEN | NOT_AN_IMAGE, "SOI"),
        h(
            "corrupt-scan.jpg",
            "image/jpeg",
            lambda: _corrupt_middle(jpeg, 200),
            BROKEN | OK,
            "entropy data smashed",
        ),
        h(
            "truncated-progressive.jpg",
            "image/jpeg",
            lambda: progressive[: len(progressive) // 3],
            BROKEN | OK,
            "progressive, a third",
        ),
        h(
            "header-65500x65500.jpg",
            "image/jpeg",
            lambda: _jpeg_header_dims(65500, 65500),
            TOO_BIG,
            "SOF claims 4 G pixels",
        ),
        h("cmyk.jpg", "image/jpeg", lambda: _save(_screen("CMYK"), "JPEG"), OK, "CMYK"),
        h(
            "huge-exif.jpg",
            "image/jpeg",
            lambda: _save(_screen(), "JPEG", exif=_exif(1, 60_000)),
            OK,
            "60 KB EXIF",
        ),
        h("exif-rotated-6.jpg", "image/jpeg", lambda: _rotated_jpeg(6), OK, "orientation 6"),
        h("exif-rotated-8.jpg", "image/jpeg", lambda: _rotated_jpeg(8), OK, "orientation 8"),
        h(
            "exif-orientation-999.jpg",
            "image/jpeg",
            lambda: _rotated_jpeg(999),
            OK,
            "invalid orientation",
        ),
        h("truncated.gif", "image/gif", lambda: gif[: len(gif) // 2], BROKEN | OK, "cut in half"),
        h("gif-header-only.gif", "image/gif", lambda: gif[:13], BROKEN | NOT_AN_IMAGE, "header"),
        h(
            "gif-65535-screen.gif",
            "image/gif",
            lambda: _gif_screen(65535, 65535),
            TOO_BIG,
            "65535x65535 logical screen",
        ),
        h(
            "animated-3000-frames.gif",
            "image/gif",
            lambda: _animated_gif(3000),
            OK | frozenset({"TOO_MANY_FRAMES"}),
            "3000 frames",
        ),
        h(
            "polyglot-gif-js.gif",
            "image/gif",
            _polyglot_gif_js,
            OK | TOO_BIG | BROKEN,
            "GIF that is also JavaScript",
        ),
        h("truncated.webp", "image/webp", lambda: webp[: len(webp) // 2], BROKEN, "cut in half"),
        h(
            "riff-garbage.webp",
            "image/webp",
            lambda: b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\xff" * 64,
            BROKEN | NOT_AN_IMAGE,
            "RIFF header, garbage",
        ),
        h(
            "animated-300-frames.webp",
            "image/webp",
            lambda: _animated_webp(300),
            OK | frozenset({"TOO_MANY_FRAMES"}),
            "300 frames",
        ),
        h(
            "one-pixel.png",
            "image/png",
            lambda: _save(Image.new("RGB", (1, 1)), "PNG"),
            TINY,
            "1x1",
        ),
        h(
            "strip-1x20000.png",
            "image/png",
            lambda: _save(Image.new("L", (1, 20000), 128), "PNG"),
            TINY,
            "1 x 20000",
        ),
        h("two-by-two.png", "image/png", lambda: _save(Image.new("RGB", (2, 2)), "PNG"), OK, "2x2"),
    ]


def main(out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for item in corpus():
        (folder / item.name).write_bytes(item.make())
        print(f"{item.name:32} {item.content_type:11} {sorted(item.outcomes)}  {item.why}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile-images")
