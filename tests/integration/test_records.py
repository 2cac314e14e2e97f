"""The agent's own records in the window: a supervisor's whisper shows above the video for
this agent only, and the "work orders" tab finds the call just closed, masked."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from websockets.asyncio.client import connect

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import Workstation
from seat_client.supervision.whisper_inbox import WhisperInbox
from seat_common import protocol
from tests.integration.conftest import ALL_SKILLS, until
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.supervision.whisper_banner import WhisperBanner
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import RecordsParts


async def test_whisper_and_own_work_orders(qtbot: QtBot, tmp_path: Path) -> None:
    seats = [SeatSpec("0012", "张三", skills=ALL_SKILLS), SeatSpec("S01", "王主管", "supervisor")]
    async with HubProcess(seats) as hub:
        token = hub.tokens["0012"]
        link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
        ws = Workstation(link)
        orders, inbox = WorkOrderListModel(link.send), WhisperInbox()
        link.message.connect(orders.apply)
        link.message.connect(inbox.apply)
        records = RecordsParts(orders, WorkOrderListPane(orders), WhisperBanner(inbox))
        window = MainWindow(ws, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
                            tmp_path, records=records)
        qtbot.addWidget(window)
        window.show()
        link.start()
        await until(lambda: link.state is LinkState.CONNECTED, "login")

        async with connect(hub.url) as supervisor:
            await supervisor.send(protocol.encode(
                protocol.Hello(role="supervisor", token=hub.tokens["S01"])))
            assert isinstance(protocol.decode(await supervisor.recv()), protocol.Welcome)
            await supervisor.send(protocol.encode(protocol.Whisper("0012", "请注意排队时长")))
            await until(lambda: records.whispers.isVisible(), "the whisper shows")
        assert "请注意排队时长" in records.whispers.text.text()
        assert "王主管" in records.whispers.text.text()

        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   id_number="441900195501011234",
                                   script=CitizenScript(hangup_after_s=0.5))
        run = asyncio.get_running_loop().create_task(citizen.run())
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "offer")
        await ws.accept()
        await asyncio.wait_for(run, 20)
        await until(lambda: ws.wrap_up is not None, "wrap-up")
        await ws.submit_wrap_up("resolved", "")
        await until(lambda: bool(ws.history), "closed")

        window.work_tabs.setCurrentWidget(records.orders_pane)
        records.orders_pane.search_button.click()
        await until(lambda: len(orders.rows) == 1, "the search finds the closed work order")
        row = orders.rows[0]
        assert row.work_order_id == ws.history[0].work_order_id
        assert "441900195501011234" not in protocol.encode(
            protocol.WorkOrderList(rows=orders.rows, truncated=False))
        window.close()
        await ws.close()
