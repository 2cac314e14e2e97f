"""The seat wall app against a real hub, beside a real agent workstation.

The supervisor's window (``ui.supervision.wall_session.WallSession``) logs in over a real
``HubLink``; the agent's workstation (the ``seat`` fixture) is the lead's
window for agent 0012. Pushed updates reach the tiles, and the supervisor's
whisper and state change reach the agent through the hub.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.supervision.whisper_inbox import WhisperInbox
from tests.integration.conftest import ALL_SKILLS, Seat, until
from tests.integration.parties import seat_wall
from ui.supervision.whisper_banner import WhisperBanner

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    seats = [
        SeatSpec("0012", "张三", skills=ALL_SKILLS, hall="东莞市民服务中心"),
        SeatSpec("0013", "李四", skills=("social_insurance",), hall="松山湖分中心"),
        SeatSpec("S01", "王督导", role="supervisor", hall="东莞市民服务中心"),
    ]
    async with HubProcess(seats, ring_timeout=10.0) as process:
        yield process


async def test_the_wall_follows_the_agent_and_the_supervisor_reaches_them(
    seat: Seat, qtbot: QtBot
) -> None:
    hub = seat.hub
    inbox = WhisperInbox()
    seat.workstation.link.message.connect(inbox.apply)
    banner = WhisperBanner(inbox)
    qtbot.addWidget(banner)
    async with seat_wall(hub, qtbot, work_orders=True) as wall:
        window, model, orders, pane = wall.window, wall.model, wall.orders, wall.orders_pane
        assert orders is not None and pane is not None
        assert {s.agent_id: s.state for s in window.grid.seats()} == {
            "0012": "away",
            "0013": "offline",
        }
        # The supervisor puts the agent ready: the agent's workstation and the tile follow.
        window.grid.select("0012")
        window.state_requested.emit("0012", "ready", "")
        await until(
            lambda: (
                seat.workstation.presence is not None and seat.workstation.presence.state == "ready"
            ),
            "the agent is made ready",
        )
        await until(lambda: model.seats["0012"].state == "ready", "the tile shows ready")
        await until(lambda: bool(window.result.text()), "the hub answers the supervisor")
        window.whisper_requested.emit("0012", "下一位是老年人，请放慢语速")
        await until(lambda: inbox.unread == 1, "the whisper reaches the agent")
        assert banner.isVisibleTo(banner.parentWidget() or banner) or not banner.isHidden()
        assert "放慢语速" in banner.text.text() and "王督导" in banner.text.text()
        # The supervisor's work-order list answers from the hub (none yet today).
        answers: list[object] = []
        orders.changed.connect(answers.append)
        pane.query.setText("0012")
        pane.search_button.click()
        await until(lambda: bool(answers), "the work-order list answers")
        assert orders.rows == () and pane.table.rowCount() == 0
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / "wall-live-1366x768.png"))
