"""Is this file a document photo we can store? One image check for every border.

The hub checks each finished upload with it and the workstation each file that
comes from outside without passing the hub (the document camera); both run it
off the event loop. ``check_image`` looks at a file on disk, cheapest checks first,
and either returns its ``ImageFacts`` or raises ``ImageRefused`` with an
``UploadFailure`` reason and a message for both parties:

1. byte size (0 bytes, over the limit);
2. the magic bytes: JPEG or PNG only, whatever the name or declared type;
3. PNG: every chunk header walked without decoding; text chunks over
   ``max_text_chunk`` are refused (Pillow reads them whole into memory);
4. the header's pixel size against ``max_pixels`` *before* anything is
   decoded (``Image.open`` is lazy), so a small file declaring huge
   dimensions (a decompression bomb) costs nothing;
5. EXIF orientation: 1–8 (0, "unknown", counts as 1); anything else, or EXIF
   that cannot be parsed, is ``bad_metadata``;
6. ``verify()``, then a real decode (JPEG at 1/8 scale through ``draft``, so
   memory stays small) to catch truncated data.

The file is stored as sent: ``orientation`` is recorded, readers apply it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, UnidentifiedImageError

from seat_common.protocol import ImageMime, UploadFailure

_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_EXIF_ORIENTATION: Final = 0x0112
#: Orientations that swap width and height.
TRANSPOSING: Final = frozenset({5, 6, 7, 8})


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What the hub accepts."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_text_chunk: int = 64 * 1024
    max_png_chunks: int = 10_000


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """A checked image: its type, upright size and the EXIF orientation to apply."""

    mime: ImageMime
    width: int
    height: int
    orientation: int


class ImageRefused(Exception):
    """The file is not an acceptable image; ``reason`` is the protocol's failure code."""

    def __init__(self, reason: UploadFailure, message: str) -> None:
        super().__init__(message)
        self.reason: UploadFailure = reason
        self.message = message


def check_image(path: Path, limits: ImageLimits) -> ImageFacts:
    """Check the file at ``path`` (blocking: run it in a thread)."""
    size = path.stat().st_size
    if size == 0:
        raise ImageRefused("not_an_image", "the file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise ImageRefused("too_large", f"the file is over {limits.max_bytes} bytes")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_JPEG_MAGIC):
        mime: ImageMime = "image/jpeg"
        fmt = "JPEG"
    elif head == _PNG_MAGIC:
        mime = "image/png"
        fmt = "PNG"
        _check_png_chunks(path, limits)
    else:
        raise ImageRefused("not_an_image", "the file is not a JPEG or PNG image")
    try:
        with Image.open(path, formats=[fmt]) as img:
            width, height = img.size
            if width < 1 or height < 1 or width * height > limits.max_pixels:
                raise ImageRefused(
                    "too_many_pixels",
                    f"{width}×{height} pixels is over the limit of {limits.max_pixels}",
                )
            orientation = _orientation(img)
        with Image.open(path, formats=[fmt]) as img:
            img.verify()
        with Image.open(path, formats=[fmt]) as img:
            if fmt == "JPEG":
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except Image.DecompressionBombError as exc:
        raise ImageRefused("too_many_pixels", f"the image declares too many pixels: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused("not_an_image", "the file cannot be read as an image") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError) as exc:
        if "truncated" in str(exc) or isinstance(exc, EOFError):
            raise ImageRefused("truncated", "the image data ends early (truncated)") from exc
        raise ImageRefused("not_an_image", f"the image cannot be decoded: {exc}"[:300]) from exc
    if orientation in TRANSPOSING:
        width, height = height, width
    return ImageFacts(mime, width, height, orientation)


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception as exc:  # Pillow raises many kinds on broken EXIF
        raise ImageRefused("bad_metadata", f"the EXIF data cannot be read: {exc}"[:300]) from exc
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 8:
        raise ImageRefused("bad_metadata", f"EXIF orientation {str(value)[:20]!r} is not 1–8")
    return value or 1


def _check_png_chunks(path: Path, limits: ImageLimits) -> None:
    """Walk the PNG chunk headers (seeking past the data) up to IEND."""
    with path.open("rb") as f:
        f.seek(8)
        for _ in range(limits.max_png_chunks):
            header = f.read(8)
            if len(header) < 8:
                raise ImageRefused("truncated", "the PNG ends before its IEND chunk")
            length, kind = struct.unpack(">I4s", header)
            if kind in _PNG_TEXT and length > limits.max_text_chunk:
                raise ImageRefused(
                    "bad_metadata",
                    f"a PNG text chunk of {length} bytes is over {limits.max_text_chunk}",
                )
            if kind == b"IEND":
                return
            f.seek(length + 4, 1)  # data and CRC
        raise ImageRefused("bad_metadata", "the PNG has too many chunks")
