"""Nothing is lost when the link or the workstation goes down.

- The hub restarts: the workstation shows it is disconnected, reconnects by
  itself with backoff, logs in again and gets its queue back.
- The workstation dies in a call: the hub ends the call for the citizen, and
  the restarted workstation is put in wrap-up for that work order, which the
  agent can still close.
- A wrong token is refused once, with a message, and not retried.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import FullJitterBackoff, HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from tests.integration.conftest import ALL_SKILLS, until
from ui.workstation.main_window import MainWindow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def agent_link(hub: HubProcess, token: str | None = None) -> HubLink:
    hello = protocol.Hello(role="agent", token=token or hub.tokens["0012"])
    return HubLink(hub.url, lambda: hello, backoff=FullJitterBackoff(base_s=0.1, cap_s=0.5))


async def test_workstation_reconnects_after_a_hub_restart(qtbot: QtBot, tmp_path: Path) -> None:
    hub = HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)], port=free_port())
    await asyncio.to_thread(hub.start)
    try:
        link = agent_link(hub)
        workstation = Workstation(link)
        window = MainWindow(workstation, QSettings(str(tmp_path / "w.ini"),
                                                   QSettings.Format.IniFormat), tmp_path)
        qtbot.addWidget(window)
        link.start()
        await until(lambda: link.state is LinkState.CONNECTED, "first login")
        states: list[LinkState] = []
        link.state_changed.connect(states.append)

        await asyncio.to_thread(hub.stop)
        await until(lambda: link.state is not LinkState.CONNECTED, "the drop is noticed")
        assert workstation.presence.state == "offline"
        assert "●" in window.status_strip.connection.text()
        await asyncio.to_thread(hub.start)
        await until(lambda: link.state is LinkState.CONNECTED, "reconnect", timeout_s=15)
        assert LinkState.DISCONNECTED in states
        await until(lambda: workstation.presence.state == "away", "presence after re-login")

        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   script=CitizenScript(leave_queue_after_s=5))
        run = asyncio.get_running_loop().create_task(citizen.run())
        await until(lambda: len(workstation.queue.entries) == 1, "the queue comes back")
        assert workstation.queue.entries[0].citizen.name == "吴**"  # masked by the hub
        await run
        window.close()
        await workstation.close()
    finally:
        await asyncio.to_thread(hub.stop)
        hub.cleanup()


async def test_wrap_up_survives_a_workstation_crash(qtbot: QtBot, tmp_path: Path) -> None:
    async with HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)]) as hub:
        first = Workstation(agent_link(hub))
        first.link.start()
        await until(lambda: first.link.state is LinkState.CONNECTED, "login")
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "kiosk", "吴小梅",
                                   script=CitizenScript(rating_score=9),
                                   kiosk=hub.kiosk_login())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await first.set_ready()
        await until(lambda: first.offer is not None, "offer")
        await first.accept()
        await until(lambda: first.call is not None, "call")
        work_order_id = first.call.work_order_id if first.call else ""
        await first.close()  # the workstation dies mid-call

        report = await asyncio.wait_for(run, 20)
        assert report.ended_by == "hub" and report.end_reason == "disconnected"

        second = Workstation(agent_link(hub))
        window = MainWindow(second, QSettings(str(tmp_path / "w.ini"),
                                              QSettings.Format.IniFormat), tmp_path)
        qtbot.addWidget(window)
        window.show()
        second.link.start()
        await until(lambda: window.work_order_pane.wrap_up_box.isVisible(), "wrap-up is owed")
        assert work_order_id in window.work_order_pane.wrap_up_info.text()
        window.work_order_pane.outcome.setCurrentIndex(
            window.work_order_pane.outcome.findData("dropped"))
        window.work_order_pane.submit.click()
        await until(lambda: second.presence.state == "ready", "back to ready")
        with sqlite3.connect(hub.db_path) as db:
            outcome = db.execute("SELECT outcome FROM work_orders WHERE id = ?",
                                 (work_order_id,)).fetchone()
        assert outcome == ("dropped",)
        window.close()
        await second.close()


async def test_a_wrong_token_is_refused_and_not_retried(qtbot: QtBot, tmp_path: Path) -> None:
    async with HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)]) as hub:
        workstation = Workstation(agent_link(hub, token="not-the-token"))
        window = MainWindow(workstation, QSettings(str(tmp_path / "w.ini"),
                                                   QSettings.Format.IniFormat), tmp_path)
        qtbot.addWidget(window)
        workstation.link.start()
        await until(lambda: workstation.link.state is LinkState.REFUSED, "refusal")
        assert workstation.link.refusal is not None
        assert workstation.link.refusal.code == "bad_token"
        await asyncio.sleep(0.5)
        assert workstation.link.state is LinkState.REFUSED  # no retry loop
        logins = [e for e in hub.events() if e.get("event") in ("login", "login_refused")]
        assert len(logins) <= 1
        window.close()
        await workstation.close()
