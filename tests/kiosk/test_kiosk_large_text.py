"""The kiosk's large-text mode (大字版): the citizen's switch makes the letters bigger, the
buttons at least 56 px tall and the wording plainer, everything still inside the kiosk's
1024×768 screen; switched off it is as before; and the hub's queue hears of it.

A screenshot of each is saved under ``out/page/`` to be looked at.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PyQt6.QtCore import QRect
from PyQt6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from websockets.asyncio.client import connect

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog, protocol

OUT = Path(__file__).resolve().parents[2] / "out" / "page"


def shown(window: KioskWindow) -> list[QWidget]:
    kinds = (QLabel, QLineEdit, QListWidget, QPushButton)
    return [w for w in window.findChildren(QWidget)
            if isinstance(w, kinds) and w.isVisibleTo(window)]


def test_large_text_grows_the_kiosk_plainly_within_its_screen(qtbot: QtBot) -> None:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    standard = window.name_edit.fontInfo().pixelSize()
    assert not window.large_text and window.large_text_button.text() == "大字版"

    window.large_text_button.click()
    assert window.large_text and window.large_text_button.text() == "大字版：开"
    assert window.name_edit.fontInfo().pixelSize() >= standard + 6
    assert window.status.text() == "选好要办的事。工作人员可以通过视频帮您。"
    assert window.item_label.text() == "（先在左边选要办的事）"
    screen = QRect(0, 0, window.width(), window.height())
    window.grab().save(str(_out("kiosk-large-text.png")))
    for widget in shown(window):
        box = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        assert screen.contains(box), f"{widget.objectName() or widget.text()} off the screen"
        if isinstance(widget, QPushButton):
            assert widget.height() >= 56, f"{widget.text()} is {widget.height()} px tall"
            assert widget.width() >= widget.sizeHint().width(), f"{widget.text()} is cut"
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text():
            need = widget.fontMetrics().horizontalAdvance(widget.text())
            assert widget.contentsRect().width() >= need - 1, f"{widget.text()} is cut"
    window.item_menu.setCurrentRow(0)
    assert window.item_label.text() == window.item_menu.item(0).text()

    window.large_text_button.click()
    assert not window.large_text
    assert window.name_edit.fontInfo().pixelSize() == standard
    assert window.status.text() == "请选择事项并填写申请表；视频坐席可远程协助您办理。"
    window.grab().save(str(_out("kiosk-standard.png")))


def _out(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / name


async def test_the_kiosk_tells_the_hub_its_citizen_chose_large_text(
    qtbot: QtBot, tmp_path: Path
) -> None:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    window.set_large_text(True)
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code="SI-PENSION-CERT", login=hub.kiosk_login())
        run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=60))
        try:
            async with connect(hub.url) as agent:
                await agent.send(protocol.encode(
                    protocol.Hello(role="agent", token=hub.tokens["0012"])))
                entries: tuple[protocol.QueueEntry, ...] = ()
                async with asyncio.timeout(30):
                    while not entries:
                        message = protocol.decode(await agent.recv())
                        if isinstance(message, protocol.QueueSnapshot):
                            entries = message.entries
            assert [(e.channel, e.large_text) for e in entries] == [("kiosk", True)]
        finally:
            peer.finished.set()
            await asyncio.wait_for(run, 30)
