"""The workstation's look: calm, dense, legible, one accent colour, a large-text option.

The style sheet lives in ``seat_common/resources/style.qss``; this module loads it and
picks a font that has Chinese glyphs. WenQuanYi Micro Hei ships with Seat and is registered
with Qt here, so every PC has at least that one; a system Noto Sans CJK still comes first.
"""

from __future__ import annotations

import contextlib
import functools
import logging

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

from seat_common.resources import CJK_FONT_PATH, resource_path

log = logging.getLogger(__name__)

STYLE_PATH = resource_path("style.qss")
CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei")


@functools.cache
def packaged_font_families() -> tuple[str, ...]:
    """Register Seat's own CJK font with Qt (once); its family names, () if it failed."""
    font_id = QFontDatabase.addApplicationFont(str(CJK_FONT_PATH))
    if font_id < 0:
        log.warning("cannot load the packaged font %s", CJK_FONT_PATH)
        return ()
    return tuple(QFontDatabase.applicationFontFamilies(font_id))


def apply_theme(app: QApplication, *, large_text: bool = False) -> None:
    packaged_font_families()
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
