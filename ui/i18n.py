"""Loads the UI language: Simplified Chinese by default, English as the second language.

The source strings are English; ``seat_common/resources/i18n/seat_zh_CN.ts`` holds the
Chinese, compiled to ``.qm`` by scripts/setup (lrelease). Qt's own strings
(dialog buttons) come from Qt's bundled ``qtbase_zh_CN`` translation.
"""

from __future__ import annotations

import logging

from PyQt6.QtCore import QLibraryInfo, QLocale, QTranslator
from PyQt6.QtWidgets import QApplication

from seat_client.settings import Language
from seat_common.resources import resource_path

log = logging.getLogger(__name__)

I18N_DIR = resource_path("i18n")


def install(app: QApplication, language: Language) -> list[QTranslator]:
    """Install the translators for ``language``; returns them (keep them alive)."""
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translators: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"seat_{language}.qm")):
        translators.append(ours)
    else:
        log.warning("no compiled translation for %s in %s (run scripts/setup)", language, I18N_DIR)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{language}", qt_dir):
        translators.append(qt)
    for translator in translators:
        app.installTranslator(translator)
    return translators
