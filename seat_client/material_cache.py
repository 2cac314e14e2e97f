"""The workstation's local material files: a content-addressed cache and the image check.

``MaterialCache`` keeps every material file the workstation has (received
from the hub, captured from video, imported from the document camera) at
``<root>/<sha[:2]>/<sha><ext>``; a file is written to a temp name and renamed,
so a crash never leaves half a file under a real name. Its methods block:
call them from a thread (``asyncio.to_thread``).

``inspect_image`` is the same check the hub makes at its border (bytes,
magic, header pixels before decoding, EXIF orientation, a real decode),
for files that come from outside without passing the hub (the document
camera). ``open_upright`` reads a material with its EXIF orientation
applied: files are kept as sent, so every reader must apply it (Qt:
``QImageReader.setAutoTransform(True)``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from seat_client.protocol import ImageMime

_EXTENSIONS: Final[dict[str, str]] = {"image/jpeg": ".jpg", "image/png": ".png"}
_TRANSPOSING: Final = frozenset({5, 6, 7, 8})


class ImageProblem(ValueError):
    """A file is not an acceptable image; ``reason`` is a protocol ``UploadFailure`` code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """A checked image: type, upright size, and the EXIF orientation readers apply."""

    mime: ImageMime
    width: int
    height: int
    orientation: int


def inspect_image(path: Path, *, max_bytes: int, max_pixels: int) -> ImageFacts:
    """Check an image file (blocking); raises ``ImageProblem``."""
    size = path.stat().st_size
    if size == 0:
        raise ImageProblem("not_an_image", "the file is empty (0 bytes)")
    if size > max_bytes:
        raise ImageProblem("too_large", f"the file is over {max_bytes} bytes")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xff\xd8\xff"):
        mime: ImageMime = "image/jpeg"
    elif head == b"\x89PNG\r\n\x1a\n":
        mime = "image/png"
    else:
        raise ImageProblem("not_an_image", "the file is not a JPEG or PNG image")
    fmt = "JPEG" if mime == "image/jpeg" else "PNG"
    try:
        with Image.open(path, formats=[fmt]) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise ImageProblem("too_many_pixels", f"{width}×{height} is over {max_pixels}")
            orientation = img.getexif().get(0x0112, 1)
            if not isinstance(orientation, int) or not 0 <= orientation <= 8:
                raise ImageProblem("bad_metadata", "EXIF orientation is not 1–8")
            orientation = orientation or 1
            if fmt == "JPEG":
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except ImageProblem:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageProblem("too_many_pixels", "the image declares too many pixels") from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("not_an_image", "the file cannot be read as an image") from exc
    except Exception as exc:
        reason = "truncated" if "truncated" in str(exc) else "not_an_image"
        raise ImageProblem(reason, f"the image cannot be decoded: {exc}"[:300]) from exc
    if orientation in _TRANSPOSING:
        width, height = height, width
    return ImageFacts(mime, width, height, orientation)


def open_upright(path: Path) -> Image.Image:
    """The material's image with its EXIF orientation applied (blocking)."""
    with Image.open(path) as img:
        upright = ImageOps.exif_transpose(img)
        upright.load()
        return upright


class MaterialCache:
    """Content-addressed material files under ``root`` (blocking methods)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, mime: str) -> Path:
        return self.root / sha256[:2] / (sha256 + _EXTENSIONS.get(mime, ".bin"))

    def put_bytes(self, data: bytes, mime: str) -> tuple[Path, str]:
        """Store ``data``; returns its path and SHA-256 hex."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha, mime)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.parent / f".{secrets.token_hex(8)}.part"
            try:
                with tmp.open("wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return target, sha

    def put_file(self, source: Path, mime: str) -> tuple[Path, str]:
        """Copy ``source`` into the cache; returns its path and SHA-256 hex."""
        return self.put_bytes(source.read_bytes(), mime)
