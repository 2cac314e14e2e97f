"""The CJK font every PDF we make embeds (receipts, pre-review notices, reports).

reportlab's built-in STSong-Light is not embedded, so viewers without an
Asian font pack show blank text (docs/platform.md). We embed WenQuanYi Micro
Hei, a TrueType collection reportlab accepts, found where Debian installs
it (``fonts-wqy-microhei``, installed by scripts/setup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME: Final = "SeatCJK"
CANDIDATES: Final = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)


class FontMissingError(RuntimeError):
    """No CJK TrueType font to embed: run scripts/setup (fonts-wqy-microhei)."""


def cjk_font() -> str:
    """Register the CJK font with reportlab once; returns its name for ``setFont``."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for path in CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
    raise FontMissingError(
        "no CJK font to embed in PDFs; install fonts-wqy-microhei (scripts/setup does)"
    )
