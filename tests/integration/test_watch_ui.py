"""Watching a call from the seat wall, as the supervisor and the agent see it.

The supervisor picks the agent's tile, presses 监看通话, and a watch window
paints the citizen's camera; the agent's status strip says who is watching,
louder while the supervisor barges in, and nothing once the watch ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess
from seat_client.supervision.watch_relay import WatchRelay
from tests.integration.conftest import Seat, until
from tests.integration.parties import agent_and_supervisor, seat_wall

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess(agent_and_supervisor("东莞市民服务中心"),
                          ring_timeout=10.0) as process:
        yield process


async def test_the_supervisor_watches_from_the_wall_and_the_agent_sees_it(
    seat: Seat, qtbot: QtBot
) -> None:
    hub, ws, agent_window = seat.hub, seat.workstation, seat.window
    relay = WatchRelay(ws)
    relay.watch_changed.connect(agent_window.status_strip.show_watch)
    badge = agent_window.status_strip.watch_badge
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                               script=CitizenScript(give_up_after_s=60))
    run: asyncio.Task[object] | None = None
    try:
        async with seat_wall(hub, qtbot) as on_the_wall:
            wall, session, model = on_the_wall.window, on_the_wall.session, on_the_wall.model
            run = asyncio.get_running_loop().create_task(citizen.run())
            wall.grid.select("0012")
            assert not wall.watch_button.isEnabled(), "nothing to watch before a call"
            agent_window.status_strip.state_chosen.emit("ready", "")
            await until(lambda: ws.offer is not None, "the offer rings")
            await ws.accept()
            await until(lambda: model.seats["0012"].state == "on_call", "the tile shows the call")
            await until(lambda: wall.watch_button.isEnabled(), "watching becomes possible")
            assert badge.isHidden()

            wall.watch_button.click()
            await until(lambda: session.watch_window is not None
                        and session.watch_window.video.painted_count > 10,
                        "the watch window paints the citizen's camera")
            window = session.watch_window
            assert window is not None
            assert "仅监看" in window.mode.text()
            await until(lambda: not badge.isHidden(), "the agent sees that they are watched")
            assert "王督导" in badge.text() and "监看" in badge.text()
            await until(lambda: model.seats["0012"].watched_by == "王督导",
                        "the tile names the watcher")

            window.barge_button.click()
            await until(lambda: "插话" in badge.text() or "通话中讲话" in badge.text(),
                        "the agent sees the supervisor barge in")
            await until(lambda: "群众和坐席都能听到" in window.mode.text(), "the window says so")
            OUT.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT / "watch-window.png"))
            agent_window.grab().save(str(OUT / "agent-being-watched.png"))
            wall.grab().save(str(OUT / "wall-while-watching.png"))

            window.stop_button.click()
            await until(lambda: session.watch_window is None, "the watch window closes")
            await until(lambda: badge.isHidden(), "the indicator goes away")
            assert wall.result.text() in ("已停止监看", "监看已结束")
            assert ws.call is not None, "the call itself goes on"
            await ws.hang_up()
            await asyncio.wait_for(run, 20)
    finally:
        await relay.close()
        if run is not None and not run.done():
            run.cancel()
