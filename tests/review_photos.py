"""Realistic material photos for the review tests and benchmark, made with Pillow.

A phone photo of a document on a desk: stored sideways (landscape sensor,
4000×3000 by default) with EXIF orientation 6, so a viewer that ignores
EXIF shows it on its side; upright it is a portrait 3000×4000 image of an
ID-card-like card with Chinese text, on a textured background (so the
JPEG has a real photo's size and decode cost).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def make_document_photo(path: Path, stored_size: tuple[int, int] = (4000, 3000),
                        orientation: int = 6, seed: int = 0, quality: int = 90) -> Path:
    """Write the JPEG; returns ``path``. The upright image is ``stored_size`` turned 90°."""
    sw, sh = stored_size
    uw, uh = (sh, sw) if orientation in (6, 8) else (sw, sh)
    rng = np.random.default_rng(seed)
    # A wooden-desk-like background: smooth low-frequency colour plus fine grain.
    shade = rng.random((max(2, uh // 200), max(2, uw // 200), 1)) * 50
    low = shade + np.array([140, 105, 75])
    base = Image.fromarray(low.astype(np.uint8)).resize((uw, uh), Image.Resampling.BICUBIC)
    grain = rng.integers(-12, 12, (uh, uw, 1), dtype=np.int16)
    pixels = np.clip(np.asarray(base, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    s = uw / 3000
    card = (int(300 * s), int(900 * s), int(2700 * s), int(2400 * s))
    draw.rounded_rectangle(card, radius=int(60 * s), fill=(226, 236, 244),
                           outline=(120, 140, 160), width=max(1, int(6 * s)))
    font = ImageFont.truetype(FONT, max(8, int(110 * s)))
    small = ImageFont.truetype(FONT, max(8, int(80 * s)))
    x0, y0 = card[0] + int(120 * s), card[1] + int(120 * s)
    draw.text((x0, y0), "居民身份证", fill=(40, 60, 90), font=font)
    lines = ("姓名  吴晓明", "性别  男    民族  汉", "出生  1962 年 3 月 18 日",
             "住址  广东省东莞市南城街道", "公民身份号码  441900196203181234")
    for i, line in enumerate(lines):
        draw.text((x0, y0 + int((200 + 130 * i) * s)), line, fill=(30, 30, 30), font=small)
    draw.rectangle((card[2] - int(700 * s), card[1] + int(300 * s),
                    card[2] - int(150 * s), card[1] + int(1000 * s)), fill=(180, 190, 200))
    if orientation == 6:
        stored = image.rotate(90, expand=True)
    elif orientation == 8:
        stored = image.rotate(-90, expand=True)
    else:
        stored = image
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=quality, exif=exif.tobytes())
    return path
