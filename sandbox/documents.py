"""Simulated citizens' document photos: phone-camera JPEGs of Chinese documents, good and bad.

``render_photo(PhotoSpec)`` draws a document flat (``document_drawings``: ID card front
and back, business licence, household register page, bank card, a
handwritten application; fake but well-formed numbers: ID check digit,
unified social credit code check character, Luhn bank card), then "photographs"
it: on a table, in perspective, with a shadow, a vignette and sensor noise,
saved as a JPEG of ``width``×``height`` (4000×3000 by default, ~12 MP) with
camera EXIF. Defects make the bad photos a citizen sends: ``blurred``,
``cut_off``, ``exif_6`` / ``exif_8`` (pixels stored sideways with an EXIF
orientation that makes them upright), ``rotated`` (physically sideways, no
EXIF), ``glare`` over the number, ``wrong_document`` and ``expired``.

``DocumentPhotos(cache_dir).path(spec)`` renders once per kind, defect, seed
and size and keeps the file; later calls read it from disk.
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from sandbox.document_drawings import (
    DEFECTS,
    KINDS,
    Defect,
    DocumentKind,
    bank_card_number,
    credit_code,
    id_number,
    render_document,
)

__all__ = [
    "DEFECTS",
    "KINDS",
    "Defect",
    "DocumentKind",
    "DocumentPhotos",
    "PhotoSpec",
    "bank_card_number",
    "credit_code",
    "id_number",
    "render_document",
    "render_photo",
]


@dataclass(frozen=True, slots=True)
class PhotoSpec:
    """Which photo: a document kind, an optional defect, a seed, and the photo's size."""

    kind: DocumentKind
    defect: Defect = "none"
    seed: int = 0
    width: int = 4000
    height: int = 3000

    @classmethod
    def parse(cls, text: str, *, width: int = 4000, height: int = 3000) -> PhotoSpec:
        """``"id_back"``, ``"id_back:expired"`` or ``"id_back:expired:7"``."""
        kind, _, rest = text.partition(":")
        defect, _, seed = rest.partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown document kind {kind!r} (one of {', '.join(KINDS)})")
        if (defect or "none") not in DEFECTS:
            raise ValueError(f"unknown defect {defect!r} (one of {', '.join(DEFECTS)})")
        return cls(kind, (defect or "none"), int(seed or 0), width, height)  # type: ignore[arg-type]

    @property
    def filename(self) -> str:
        suffix = "" if self.defect == "none" else f"-{self.defect}"
        return f"{self.kind}{suffix}-{self.seed}-{self.width}x{self.height}.jpg"


class DocumentPhotos:
    """Rendered photos cached on disk (atomically written, so parallel runs are safe)."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def path(self, spec: PhotoSpec) -> Path:
        target = self.cache_dir / spec.filename
        if not target.exists():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(render_photo(spec))
            os.replace(tmp, target)
        return target


# --- photographing it -------------------------------------------------------------------


def _perspective_coeffs(
    src: list[tuple[float, float]], dst: list[tuple[float, float]]
) -> list[float]:
    """Coefficients for ``Image.transform(PERSPECTIVE)`` mapping output ``dst`` to input ``src``."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for pt in src for c in pt], dtype=float)
    return [float(c) for c in np.linalg.solve(a, b)]


def render_photo(spec: PhotoSpec) -> bytes:
    """The JPEG bytes of one simulated phone photo."""
    rng = random.Random(f"{spec.kind}/{spec.defect}/{spec.seed}")
    doc = render_document(spec.kind, spec.defect, rng)
    w, h = spec.width, spec.height
    table = Image.new("RGB", (4, 3))
    base = rng.choice([(150, 110, 75), (190, 185, 175), (95, 80, 70), (210, 205, 190)])
    table.putdata([tuple(max(0, c + rng.randint(-12, 12)) for c in base) for _ in range(12)])
    photo = table.resize((w, h), Image.Resampling.BICUBIC)
    # The document's corners in the photo: centred, ~70% of the frame, a little skewed.
    scale = 0.72 * min(w / doc.width, h / doc.height)
    dw, dh = doc.width * scale, doc.height * scale
    cx, cy = w / 2 + rng.uniform(-0.04, 0.04) * w, h / 2 + rng.uniform(-0.04, 0.04) * h
    if spec.defect == "cut_off":
        cx += 0.38 * w
        cy += 0.12 * h
    jitter = 0.035 * min(w, h)
    corners = [
        (cx - dw / 2 + rng.uniform(-jitter, jitter), cy - dh / 2 + rng.uniform(-jitter, jitter)),
        (cx + dw / 2 + rng.uniform(-jitter, jitter), cy - dh / 2 + rng.uniform(-jitter, jitter)),
        (cx + dw / 2 + rng.uniform(-jitter, jitter), cy + dh / 2 + rng.uniform(-jitter, jitter)),
        (cx - dw / 2 + rng.uniform(-jitter, jitter), cy + dh / 2 + rng.uniform(-jitter, jitter)),
    ]
    shadow = Image.new("L", (w // 8, h // 8), 0)
    ImageDraw.Draw(shadow).polygon([(x / 8 + 4, y / 8 + 5) for x, y in corners], fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(6)).resize((w, h))
    photo = Image.composite(Image.new("RGB", (w, h), (30, 25, 20)), photo, shadow)
    src = [(0.0, 0.0), (doc.width, 0.0), (doc.width, doc.height), (0.0, doc.height)]
    coeffs = _perspective_coeffs(src, corners)
    warped = doc.convert("RGBA").transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    photo.paste(warped, (0, 0), warped)
    photo = _vignette_and_noise(photo, rng)
    if spec.defect == "blurred":
        photo = photo.filter(ImageFilter.GaussianBlur(max(4, w // 250)))
    orientation = 1
    if spec.defect == "exif_6":  # the phone was held sideways; viewers rotate 90° clockwise
        photo, orientation = photo.transpose(Image.Transpose.ROTATE_90), 6
    elif spec.defect == "exif_8":
        photo, orientation = photo.transpose(Image.Transpose.ROTATE_270), 8
    elif spec.defect == "rotated":  # sideways in the pixels, no EXIF to fix it
        photo = photo.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x010F] = "SimPhone"  # Make
    exif[0x0110] = "SimPhone 12"  # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:11:28 10:15:00"  # DateTime
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def _vignette_and_noise(photo: Image.Image, rng: random.Random) -> Image.Image:
    w, h = photo.size
    small = Image.radial_gradient("L").resize((w // 16 or 1, h // 16 or 1))
    vignette = small.point(lambda v: 255 - v * 90 // 255).resize((w, h), Image.Resampling.BILINEAR)
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    photo = Image.composite(photo, dark, vignette)
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    noise = noise_rng.integers(0, 14, size=(h, w), dtype=np.uint8)
    arr = np.asarray(photo, dtype=np.uint8).copy()
    arr = np.clip(arr.astype(np.int16) + (noise[:, :, None].astype(np.int16) - 7), 0, 255)
    return Image.fromarray(arr.astype(np.uint8), "RGB")
