"""The workstation's local material files: a content-addressed cache, read upright.

``MaterialCache`` keeps every material file the workstation has (received
from the hub, captured from video, imported from the document camera) at
``<root>/<sha[:2]>/<sha><ext>``; a file is written to a temp name and renamed,
so a crash never leaves half a file under a real name. Its methods block:
call them from a thread (``asyncio.to_thread``).

Files that come from outside without passing the hub (the document camera)
get the same check the hub makes at its border (``seat_common.documents.imagecheck``).
``open_upright`` reads a material with its EXIF orientation
applied: files are kept as sent, so every reader must apply it (Qt:
``QImageReader.setAutoTransform(True)``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps

_EXTENSIONS: Final[dict[str, str]] = {"image/jpeg": ".jpg", "image/png": ".png"}


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
