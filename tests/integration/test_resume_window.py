"""What the agent sees when the network drops mid-call: the status bar says, in Chinese,
that the network is down and the workstation reconnects; the call stays on screen, and
the video pane paints the citizen again from the new peer once the link is back."""

from __future__ import annotations

import asyncio

from sandbox.citizen import CitizenScript, SimulatedCitizen
from seat_client.call.hub_link import LinkState
from tests.integration.conftest import Seat, until

LONG = 60.0


async def test_the_agent_is_told_in_chinese_while_the_link_comes_back(seat: Seat) -> None:
    ws, window = seat.workstation, seat.window
    shown: list[str] = []
    window.status_strip.message_shown.connect(shown.append)
    await ws.set_ready()
    person = SimulatedCitizen(seat.hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                              script=CitizenScript(reconnect=True, give_up_after_s=300))
    run = asyncio.get_running_loop().create_task(person.run())
    await until(lambda: ws.offer is not None, "the offer rings", LONG)
    await ws.accept()
    await until(lambda: ws.call is not None and ws.call.session.frames.received > 5,
                "the citizen's video arrives", LONG)
    assert ws.call is not None
    first = ws.call.session

    downs: list[str] = []
    unsubscribe = ws.link.state_changed.connect(
        lambda state: downs.append(window.status_strip.connection.text())
        if state is LinkState.DISCONNECTED else None
    )
    ws.link.drop()
    await until(lambda: ws.link.state is LinkState.CONNECTED and bool(downs),
                "the link is back", LONG)
    unsubscribe()
    assert "网络中断，正在重新连接…" in downs[0]
    assert any("网络中断，正在重新连接…" in text for text in shown)

    await until(lambda: ws.call is not None and ws.call.session is not first
                and ws.call.session.frames.received > 5, "video on the new peer", LONG)
    assert window.video_pane.view._session is ws.call.session
    painted = window.video_pane.view.painted_count
    await until(lambda: window.video_pane.view.painted_count > painted + 3,
                "the pane paints the citizen again", LONG)
    assert any("连接已恢复" in text for text in shown)

    person.drop_link()
    await until(lambda: any("市民网络中断" in text for text in shown),
                "the agent hears the citizen's network dropped", LONG)
    person.restore_link()
    await until(lambda: any("市民已重新连接" in text for text in shown),
                "the agent hears the citizen is back", LONG)
    await ws.hang_up()
    await asyncio.wait_for(run, LONG)
