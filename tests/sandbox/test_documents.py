"""The simulated citizen's document photos: phone-sized JPEGs, real EXIF, valid fake numbers."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from sandbox.documents import (
    DEFECTS,
    KINDS,
    DocumentPhotos,
    PhotoSpec,
    bank_card_number,
    credit_code,
    id_number,
    render_photo,
)


def test_a_default_photo_is_a_twelve_megapixel_jpeg_from_a_phone(photo_cache: Path) -> None:
    path = DocumentPhotos(photo_cache).path(PhotoSpec("id_front"))
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.size == (4000, 3000)
        exif = img.getexif()
        assert exif[0x010F] == "SimPhone" and exif[0x0112] == 1
    assert 500_000 < path.stat().st_size < 8_000_000


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_a_document_on_a_table(kind: str, photo_cache: Path) -> None:
    path = DocumentPhotos(photo_cache).path(PhotoSpec(kind, width=800, height=600))  # type: ignore[arg-type]
    with Image.open(path) as img:
        pixels = np.asarray(img.convert("L"), dtype=float)
    centre = pixels[200:400, 250:550]
    assert centre.std() > 10  # there is a document with writing, not a flat colour
    assert pixels.std() > 15


@pytest.mark.parametrize(
    ("defect", "orientation", "stored"),
    [
        ("exif_6", 6, (600, 800)),
        ("exif_8", 8, (600, 800)),
        ("rotated", 1, (600, 800)),
        ("none", 1, (800, 600)),
    ],
)
def test_sideways_photos_carry_the_exif_orientation_that_makes_them_upright(
    defect: str, orientation: int, stored: tuple[int, int], photo_cache: Path
) -> None:
    spec = PhotoSpec("bank_card", defect, width=800, height=600)  # type: ignore[arg-type]
    with Image.open(DocumentPhotos(photo_cache).path(spec)) as img:
        assert img.size == stored
        assert img.getexif()[0x0112] == orientation
        upright = ImageOps.exif_transpose(img)
    expected = (600, 800) if defect == "rotated" else (800, 600)
    assert upright.size == expected
    if defect in ("exif_6", "exif_8"):
        plain = Image.open(
            DocumentPhotos(photo_cache).path(PhotoSpec("bank_card", width=800, height=600))
        )
        diff = np.abs(
            np.asarray(upright.convert("L"), float) - np.asarray(plain.convert("L"), float)
        )
        assert diff.mean() < 12  # the same picture once turned upright


def test_blur_and_glare_lose_detail_where_it_matters(photo_cache: Path) -> None:
    photos = DocumentPhotos(photo_cache)

    def sharpness(defect: str) -> float:
        spec = PhotoSpec("id_front", defect, width=800, height=600)  # type: ignore[arg-type]
        img = np.asarray(Image.open(photos.path(spec)).convert("L"), dtype=float)
        return float(np.abs(np.diff(img, axis=1)).mean())

    assert sharpness("blurred") < 0.6 * sharpness("none")
    glare = np.asarray(
        Image.open(photos.path(PhotoSpec("id_front", "glare", width=800, height=600))).convert("L")
    )
    assert (glare > 235).mean() > 0.01


def test_specs_parse_and_every_defect_renders() -> None:
    assert PhotoSpec.parse("id_back:expired:3", width=80, height=60) == PhotoSpec(
        "id_back", "expired", 3, 80, 60
    )
    with pytest.raises(ValueError, match="unknown document kind"):
        PhotoSpec.parse("passport")
    for defect in DEFECTS:
        data = render_photo(PhotoSpec("id_back", defect, width=320, height=240))
        assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_fake_numbers_are_well_formed() -> None:
    rng = random.Random(1)
    for _ in range(50):
        number = id_number(rng)
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
        assert number[17] == "10X98765432"[total % 11] and number.startswith("441900")
        card = bank_card_number(rng)
        digits = [int(d) for d in reversed(card)]
        luhn = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
        )
        assert luhn % 10 == 0 and len(card) == 19
        assert len(credit_code(rng)) == 18
