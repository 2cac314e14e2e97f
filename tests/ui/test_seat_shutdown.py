"""The whole seat's shutdown is bounded: a real seat on a real hub, one of whose parts (the
watch relay) never finishes closing, still closes everything after it and ends."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import LinkState
from seat_client.settings import WorkstationSettings
from ui.workstation.assembly import assemble_seat
from ui.workstation.shutdown import Shutdown


async def _until(condition: object, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for: {what}"
        await asyncio.sleep(0.05)


async def test_a_part_that_never_closes_cannot_hold_the_seats_shutdown(tmp_path: Path) -> None:
    seats = [SeatSpec("0012", "张三", skills=("social_insurance",), hall="东莞市民服务中心")]
    async with HubProcess(seats, workdir=tmp_path / "hub") as hub:
        settings = WorkstationSettings(hub_url=hub.url, agent_id="0012",
                                       state_dir=str(tmp_path / "state")).checked()
        seat = await assemble_seat(settings, hub.tokens["0012"])
        await seat.start()
        await _until(lambda: seat.link.state is LinkState.CONNECTED, "the seat logs in")

        peer = asyncio.Event()  # the supervisor's side, which answers only after the test

        async def never_closes() -> None:  # and swallows every cancel on the way
            while not peer.is_set():
                try:
                    await peer.wait()
                except asyncio.CancelledError:
                    continue

        seat.watch.close = never_closes  # type: ignore[method-assign]
        down = Shutdown(step_timeout_s=1.0)
        await asyncio.wait_for(seat.close(down), 120)

        assert down.stuck == ["watch relay"]
        # Everything after it closed: the call desk's hub link, the window, the tasks.
        assert seat.link.state is LinkState.STOPPED
        assert not seat.window.isVisible()
        assert not seat.tasks.running()
        peer.set()
        await down.tasks.wait()
