"""The agents' item pickers find items as the citizen page does: by name, code or pinyin
initials ("sy" finds 失业…) — the clerk's walk-in box and the seat wall's "move citizen"
dialog, at the catalog's full size."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from seat_client.supervision.wall_model import WallModel
from seat_common import catalog
from tests.ui.wall_data import wall_snapshot
from ui.item_picker import ItemPicker
from ui.supervision.wall_window import SeatWallWindow

# The offscreen platform cannot raise the completer's popup or let it grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                       "This plugin does not support grabbing")
OUT = Path(__file__).resolve().parents[2] / "out" / "item_picker"


def _rows(box: QComboBox) -> list[str]:
    completer = box.completer()
    assert completer is not None
    model = completer.model()
    assert model is not None
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def _type(qtbot: QtBot, box: QComboBox, text: str) -> QLineEdit:
    line = box.lineEdit()
    assert line is not None
    line.clear()
    if text.isascii():
        qtbot.keyClicks(line, text)
    else:  # QTest types ASCII only; an input method hands over the whole word like this
        line.setText(text)
        line.textEdited.emit(text)
    return line


def test_sy_narrows_the_walk_in_box_to_the_unemployment_items_and_picks_one(
    qtbot: QtBot,
) -> None:
    items = catalog.load().items
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(640, 480)
    picker = ItemPicker(items.values(), "输入事项名称、编码或拼音首字母…", host)
    picker.setGeometry(10, 10, 600, 30)
    host.show()
    qtbot.waitExposed(host)
    assert picker.count() == len(items) and picker.chosen_code() == ""
    assert items[str(picker.itemData(0))].frequent, "the most asked items come first"

    line = _type(qtbot, picker, "sy")
    rows = _rows(picker)
    assert "失业保险个人明细查询" in rows and "失业保险金申领" in rows
    assert "个体工商户设立登记" not in rows and len(rows) < len(items)
    popup = picker.completer().popup()  # type: ignore[union-attr]
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    OUT.mkdir(parents=True, exist_ok=True)
    host.grab().save(str(OUT / "walk_in_sy.png"))
    popup.grab().save(str(OUT / "walk_in_sy_popup.png"))

    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.chosen_code() != "")
    chosen = items[picker.chosen_code()]
    assert chosen.name in rows and line.text() == chosen.name  # e.g. 生育津贴支付: syjtzf

    _type(qtbot, picker, "ylzgrz")
    assert _rows(picker) == ["企业职工领取养老保险待遇资格认证"]
    _type(qtbot, picker, "没有这个事项")
    assert _rows(picker) == [] and picker.chosen_code() == ""


def test_the_seat_walls_move_dialog_finds_a_queue_by_pinyin_initials(qtbot: QtBot) -> None:
    model = WallModel()
    window = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(window)
    model.apply(wall_snapshot(6))
    dialog, targets = window.move_dialog("WO-1", "SI-UNEMP-QUERY")
    qtbot.addWidget(dialog)
    box = dialog.findChild(QComboBox)
    assert box is not None and box.isEditable()
    choices = dialog.comboBoxItems()
    assert len(choices) == len(targets) > 200

    _type(qtbot, box, "sy")
    rows = _rows(box)
    assert rows and all(targets[choices.index(r)][0] == "item" for r in rows)
    assert any("失业保险金申领" in r for r in rows)
    assert not any("SI-UNEMP-QUERY" in r for r in rows), "not the queue the citizen is in"
    box.setCurrentIndex(box.findText(rows[0]))
    assert dialog.textValue() == rows[0]
    kind, target = targets[choices.index(dialog.textValue())]
    assert kind == "item" and target != "SI-UNEMP-QUERY"
