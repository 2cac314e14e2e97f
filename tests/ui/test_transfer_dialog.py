"""The transfer dialog filters as you type and names its target; the ringing banner shows a
transferred call's note and what came with it. Screenshots go to ``SEAT_SCREENSHOT_DIR``
when it is set (for a look at 1366×768)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from seat_common import catalog, protocol
from ui.call.offer_banner import OfferBanner
from ui.call.transfer_dialog import TransferDialog


def shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("SEAT_SCREENSHOT_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_typing_filters_items_and_themes_and_a_seat_id_is_offered(qtbot: QtBot) -> None:
    window = QMainWindow()
    window.resize(1366, 768)
    qtbot.addWidget(window)
    window.show()
    dialog = TransferDialog(catalog.load(), window)
    qtbot.addWidget(dialog)
    dialog.show()
    shown = lambda: [dialog.targets.item(i).text() for i in range(dialog.targets.count())  # noqa: E731
                     if not dialog.targets.item(i).isHidden()]
    assert len(shown()) > 20 and dialog.target() is None
    assert not dialog.ok_button.isEnabled()
    dialog.filter.setText("医疗")  # (keyClicks types ASCII only)
    assert shown() and all("医疗" in text for text in shown())
    assert dialog.target() is not None and dialog.ok_button.isEnabled()
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "MI-REMOTE")
    assert dialog.target() == ("item", "MI-REMOTE-FILING")
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "ydaz")  # 异地安置退休人员备案 by its pinyin initials
    assert dialog.target() == ("item", "MI-REMOTE-FILING")
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "0012")
    assert dialog.target() == ("agent", "0012")
    transfer_words = dialog.targets.currentItem().text()
    consult = TransferDialog(catalog.load(), window, consult=True)
    qtbot.addWidget(consult)
    qtbot.keyClicks(consult.filter, "0012")  # a consult calls the seat; it hands nothing on
    assert consult.target() == ("agent", "0012")
    assert "0012" in consult.targets.currentItem().text() != transfer_words
    dialog.filter.clear()
    dialog.filter.setText("不存在的事项 x")
    assert dialog.target() is None and not dialog.ok_button.isEnabled()
    dialog.filter.setText("医疗")
    dialog.note.setPlainText("市民要办医保异地备案，身份证已核验")
    shot(dialog, "transfer_dialog")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.targets, Qt.Key.Key_Return)


def test_the_banner_shows_who_hands_the_call_on_and_the_note(qtbot: QtBot) -> None:
    host = QWidget()
    host.resize(1366, 200)
    QVBoxLayout(host).addWidget(banner := OfferBanner(host))
    qtbot.addWidget(host)
    host.show()
    info = protocol.TransferInfo(
        from_agent_id="0012", from_name="张三", note="市民要办医保异地备案，身份证已核验",
        chat=(protocol.ChatLine(sender_role="citizen", sender_name="吴小梅", text="您好",
                                sent_at=1.0),),
        verdicts=(protocol.VerdictEntry(material_code="id_card", status="accepted"),))
    offer = protocol.Offer("C-2", "WO-1", "MI-REMOTE-FILING", "异地就医备案", "web", "normal",
                           "video", protocol.CitizenInfo(name="吴**"), time.time(), 15.0,
                           transfer=(info,))
    banner.show_offer(offer)
    text = banner.transfer_note.text()
    assert banner.transfer_note.isVisible()
    assert "张三" in text and "市民要办医保异地备案" in text
    assert "0" in text and "1" in text  # no materials, one verdict, one chat line
    shot(host, "offer_with_note")
    banner.show_offer(protocol.Offer("C-3", "WO-2", "SI-UNEMP-QUERY", "失业", "web", "normal",
                                     "video", protocol.CitizenInfo(), time.time(), 15.0))
    assert not banner.transfer_note.isVisible()
