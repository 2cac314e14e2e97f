"""The hub's image check, in process: what a phone photo yields, and what bad files raise."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sandbox.documents import DocumentPhotos, PhotoSpec
from seat_common.documents.imagecheck import ImageFacts, ImageLimits, ImageRefused, check_image


def test_a_sideways_twelve_megapixel_phone_photo_is_reported_upright(photo_cache: Path) -> None:
    path = DocumentPhotos(photo_cache).path(PhotoSpec("id_front", "exif_8"))
    started = time.perf_counter()
    facts = check_image(path, ImageLimits())
    assert time.perf_counter() - started < 2.0  # decoded at 1/8 scale
    assert facts == ImageFacts("image/jpeg", 4000, 3000, 8)


def test_limits_come_from_the_settings(photo_cache: Path) -> None:
    path = DocumentPhotos(photo_cache).path(PhotoSpec("bank_card", width=800, height=600))
    with pytest.raises(ImageRefused) as pixels:
        check_image(path, ImageLimits(max_pixels=800 * 600 - 1))
    assert pixels.value.reason == "too_many_pixels"
    with pytest.raises(ImageRefused) as size:
        check_image(path, ImageLimits(max_bytes=1000))
    assert size.value.reason == "too_large"
    assert check_image(path, ImageLimits()).orientation == 1
