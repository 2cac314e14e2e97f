"""The kiosk's ID-card reader and face scanner, simulated.

``make_id_card(seed)`` reads a made-up resident ID card: a name, an
18-digit ID number whose check digit follows GB 11643-1999 (ISO 7064
MOD 11-2), and a portrait JPEG drawn with Pillow from the same seed.
``face_scan(card, live_seed)`` compares a "live" capture (the same face
with lighting noise when ``live_seed`` is the card's seed, another face
otherwise) with the card photo by normalised correlation, as a stand-in
for the pension certification (养老资格认证) face check.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from PIL import Image, ImageDraw

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
#: Dongguan's region code, the prefix of locally issued ID numbers.
DONGGUAN: Final = "441900"
MATCH_THRESHOLD: Final = 0.8
PHOTO_SIZE: Final = (102, 126)  # the card's portrait, pixels


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number are digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and check_digit(value[:17]) == value[17]


@dataclass(frozen=True, slots=True)
class IdCard:
    """What the reader got from the card's chip."""

    name: str
    id_number: str
    photo_jpeg: bytes
    seed: int


@dataclass(frozen=True, slots=True)
class FaceScan:
    matched: bool
    score: float


def make_id_card(seed: int, *, birth_year: int | None = None) -> IdCard:
    rng = random.Random(seed)
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    year = birth_year if birth_year is not None else rng.randint(1940, 2000)
    first17 = f"{DONGGUAN}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 += f"{rng.randint(0, 999):03d}"
    return IdCard(name, first17 + check_digit(first17), _portrait_jpeg(seed, noise_seed=None), seed)


def face_scan(card: IdCard, live_seed: int) -> FaceScan:
    """Compare a live capture of person ``live_seed`` with the card's photo."""
    live = _decode(_portrait_jpeg(live_seed, noise_seed=live_seed * 7919 + 1))
    reference = _decode(card.photo_jpeg)
    a = live - live.mean()
    b = reference - reference.mean()
    correlation = float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) or 1.0))
    score = round(min(max(correlation, 0.0), 1.0), 3)
    return FaceScan(score >= MATCH_THRESHOLD, score)


def _decode(jpeg: bytes) -> np.ndarray[Any, Any]:
    with Image.open(io.BytesIO(jpeg)) as image:
        return np.asarray(image.convert("L"), dtype=np.float64)


def _portrait_jpeg(seed: int, noise_seed: int | None) -> bytes:
    """A simple face: head, hair, eyes and mouth placed by ``seed``; noise for a live capture."""
    rng = random.Random(seed)
    w, h = PHOTO_SIZE
    image = Image.new("RGB", (w, h), (222, 232, 242))
    draw = ImageDraw.Draw(image)
    skin = (rng.randint(200, 240), rng.randint(160, 200), rng.randint(130, 170))
    cx, cy = w // 2 + rng.randint(-10, 10), h // 2 + rng.randint(-6, 10)
    rx, ry = rng.randint(26, 38), rng.randint(34, 46)
    draw.rectangle((cx - rx - 6, cy + ry - 8, cx + rx + 6, h), fill=(40, 50, 80))
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=skin)
    hair = rng.randint(10, 30) + rng.randint(0, 20)
    draw.chord((cx - rx, cy - ry - 4, cx + rx, cy + ry), 180, 360, fill=(hair, hair, hair))
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy - ry + 2 * rng.randint(8, 18)), fill=(hair,) * 3)
    eye_y, gap = cy - rng.randint(0, 8), rng.randint(9, 15)
    for ex in (cx - gap, cx + gap):
        draw.ellipse((ex - 4, eye_y - 3, ex + 4, eye_y + 3), fill=(30, 30, 30))
    mouth_y, mouth_w = cy + rng.randint(14, 22), rng.randint(8, 16)
    draw.arc((cx - mouth_w, mouth_y - 6, cx + mouth_w, mouth_y + 6), 20, 160, fill=(150, 60, 60),
             width=3)
    if noise_seed is not None:
        pixels = np.asarray(image, dtype=np.int16)
        noise = np.random.default_rng(noise_seed).integers(-12, 13, pixels.shape, dtype=np.int16)
        image = Image.fromarray(np.clip(pixels + noise + 6, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
