"""The UI speaks Simplified Chinese by default, every string translated; English on request."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui import i18n
from ui.labels import channel_label, state_label

TS = i18n.I18N_DIR / "seat_zh_CN.ts"


def test_every_source_string_has_a_chinese_translation(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    pylupdate = Path(sys.executable).parent / "pylupdate6"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([str(pylupdate), "--no-summary", "--ts", str(fresh), str(root / "ui"),
                    str(root / "plugins")], check=True)  # the built-in plugins' panels too
    unfinished = [
        m.findtext("source")
        for m in ET.parse(fresh).getroot().iter("message")
        if m.find("translation") is not None
        and m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert unfinished == [], f"translate these in {TS.name}: {unfinished}"


def test_chinese_is_installed_and_used(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        assert translators, "seat_zh_CN.qm missing: scripts/setup compiles it"
        assert state_label("ready") == "就绪"
        assert channel_label("miniprogram") == "i莞家小程序"
    finally:
        for t in translators:
            QCoreApplication.removeTranslator(t)
    assert state_label("ready") == "Ready"
