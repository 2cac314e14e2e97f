"""The workstation's look: calm, dense, legible, one accent colour, a large-text option.

The style sheet lives in ``seat_common/resources/style.qss``; this module loads it and
picks a font that has Chinese glyphs (WenQuanYi Micro Hei on Debian).
"""

from __future__ import annotations

import contextlib

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

from seat_common.resources import resource_path

STYLE_PATH = resource_path("style.qss")
CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei")


def apply_theme(app: QApplication, *, large_text: bool = False) -> None:
    families = set(QFontDatabase.families())
    font = QFont(app.font())
    for family in CJK_FAMILIES:
        if family in families:
            font.setFamily(family)
            break
    font.setPointSizeF(12.5 if large_text else 10.0)
    app.setFont(font)
    # The default style is usable: a missing style sheet is a nicety lost, not an error.
    with contextlib.suppress(OSError):
        app.setStyleSheet(STYLE_PATH.read_text(encoding="utf-8"))
