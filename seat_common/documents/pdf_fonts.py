"""The CJK font every PDF we make embeds (receipts, pre-review notices, reports).

reportlab's built-in STSong-Light is not embedded, so viewers without an
Asian font pack show blank text (docs/platform.md). We embed WenQuanYi Micro
Hei, a TrueType collection reportlab accepts, which ships inside Seat
(``seat_common/resources/fonts/``, Apache-2.0), so a PC without it (Windows, UOS,
Kylin) makes the same PDFs.
"""

from __future__ import annotations

from typing import Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from seat_common.resources import CJK_FONT_PATH

FONT_NAME: Final = "SeatCJK"
FONT_PATH: Final = CJK_FONT_PATH


class FontMissingError(RuntimeError):
    """The packaged CJK font is missing: the install is incomplete."""


def cjk_font() -> str:
    """Register the CJK font with reportlab once; returns its name for ``setFont``."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    if not FONT_PATH.exists():
        raise FontMissingError(f"缺少 PDF 用的中文字体 {FONT_PATH}：安装不完整，请重新安装 Seat")
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME
