"""The consult at the workstation's UI, end to end: Shift+F5's dialog lists the colleague
who is ready (filtered as you type, by pinyin initials), the guest's consult window rings
with the note and is answered, both windows paint the other's picture, the host goes
three-way (the guest's window paints the citizen too) and leaves it to the guest.

Real hub process, simulated citizen, two workstation cores and their windows offscreen at
1366×768; screenshots go to ``SEAT_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import LinkState
from seat_client.call.transfer_desk import TransferDesk
from seat_client.call.workstation import Workstation
from seat_common.tasks import TaskOwner
from tests.integration.conftest import until
from tests.integration.test_transfer import core
from ui import i18n
from ui.call.consult_window import ConsultParts
from ui.call.transfer_dialog import TransferParts


def shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("SEAT_SCREENSHOT_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def seat_window(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    window.resize(1366, 768)
    qtbot.addWidget(window)
    window.show()
    return window


async def test_shift_f5_consults_a_ready_colleague_then_three_way_and_hand_over(
    qtbot: QtBot,
) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",)),
             SeatSpec("c1", "王五", skills=("medical_insurance",))]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")  # the workstation's default language
    async with HubProcess(seats, ring_timeout=20.0) as hub:
        a, b, c = core(hub, "a1"), core(hub, "b1"), core(hub, "c1")
        try:
            await consult_through_the_windows(qtbot, hub, a, b, c)
        finally:
            for ws in (a, b, c):
                await ws.close()
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


async def consult_through_the_windows(qtbot: QtBot, hub: HubProcess, a: Workstation,
                                      b: Workstation, c: Workstation) -> None:
    said_a: list[str] = []
    said_b: list[str] = []
    tasks = TaskOwner("test")
    window_a, window_b = seat_window(qtbot), seat_window(qtbot)
    transfers_a = TransferParts(window_a, TransferDesk(a), tasks, say=said_a.append,
                                form=dict)
    host = ConsultParts(window_a, ConsultDesk(a), transfers_a, tasks, say=said_a.append,
                        form=lambda: {"phone": "13800138000"})
    guest = ConsultParts(window_b, ConsultDesk(b),
                         TransferParts(window_b, TransferDesk(b), tasks,
                                       say=said_b.append, form=dict),
                         tasks, say=said_b.append, form=dict)
    for ws in (a, b, c):
        ws.link.start()
    await until(lambda: all(ws.link.state is LinkState.CONNECTED for ws in (a, b, c)),
                "three agents log in")
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript())
    run = asyncio.get_running_loop().create_task(citizen.run())
    await a.set_ready()
    await b.set_ready()  # 王五 stays away: listed, greyed
    await until(lambda: a.offer is not None, "A's offer")
    await a.accept()
    await until(lambda: citizen.report.frames_received >= 5, "the citizen sees A")

    dialog = host.open()
    assert host.open() is None  # one at a time
    assert dialog is not None and dialog.consult
    await until(lambda: any("李四" in dialog.targets.item(i).text()
                            for i in range(dialog.targets.count())), "who is ready")
    dialog.filter.setText("ls")  # 李四 by the pinyin initials
    assert dialog.target() == ("agent", "b1")
    dialog.filter.setText("王五")  # away: shown, not chosen
    assert dialog.target() is None and not dialog.ok_button.isEnabled()
    dialog.filter.setText("")
    dialog.note.setPlainText("市民问医保异地备案，请帮忙看一下")
    shot(dialog, "consult_dialog")
    dialog.filter.setText("ls")
    dialog.done(QDialog.DialogCode.Accepted)

    ringing = guest.consult_window
    await until(ringing.isVisible, "B's consult window rings")
    assert "市民问医保异地备案" in ringing.details.text()
    assert ringing.answer_button.isVisible() and not ringing.return_button.isVisible()
    shot(ringing, "consult_ringing_guest")
    ringing.answer_button.click()
    await until(lambda: host.consult_window.colleague.painted_count >= 3
                and ringing.colleague.painted_count >= 3, "both paint the other")
    assert host.consult_window.three_way_button.isEnabled()
    shot(host.consult_window, "consult_talking_host")

    host.consult_window.three_way_button.click()
    await until(lambda: ringing.citizen.painted_count >= 3,
                "B's window paints the citizen, relayed by A")
    await until(lambda: citizen.report.second_frames_received >= 5, "the citizen sees B")
    assert "市民问医保异地备案" in ringing.details.text()
    shot(ringing, "consult_three_way_guest")
    shot(host.consult_window, "consult_three_way_host")
    assert host.consult_window.hand_over_button.text() == "离开，交给同事"

    host.consult_window.hand_over_button.click()
    await until(lambda: b.call is not None and a.call is None, "B takes the call")
    await until(lambda: not host.consult_window.isVisible()
                and not ringing.isVisible(), "both windows close")
    await b.hang_up()
    await until(lambda: b.wrap_up is not None, "B's wrap-up")
    await asyncio.wait_for(run, 30)
    for desk in (host.desk, guest.desk):
        await desk.close()
    await tasks.close()
