"""A kiosk whose agent holds and then transfers the call: the kiosk's screen shows the hold
and 正在为您转接…, drops the first agent's media while it waits, and offers its media
afresh to the next agent. The agents are plain protocol clients on a real hub."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pytestqt.qtbot import QtBot
from websockets.asyncio.client import ClientConnection, connect

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog, protocol

ITEM = "SI-PENSION-CERT"
MEDICAL = "MI-REMOTE-FILING"
M = TypeVar("M")


async def next_of(ws: ClientConnection, kind: type[M], timeout_s: float = 30.0) -> M:
    while True:
        message = protocol.decode(await ws.recv(timeout_s))  # type: ignore[call-arg]
        if isinstance(message, kind):
            return message


async def agent(hub: HubProcess, agent_id: str) -> ClientConnection:
    ws = await connect(hub.url)
    await ws.send(protocol.encode(protocol.Hello(role="agent", token=hub.tokens[agent_id])))
    await next_of(ws, protocol.Welcome)
    return ws


async def until_true(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 (the kiosk's report has no event to wait on)
            await asyncio.sleep(0.05)


async def test_the_kiosk_shows_hold_and_transfer_and_calls_the_next_agent(
    qtbot: QtBot, tmp_path: Path
) -> None:
    skills = tuple(catalog.load().skills)
    # A serves social insurance; the citizen's question turns out to be medical insurance.
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=skills)]
    async with HubProcess(seats, workdir=tmp_path / "hub", ring_timeout=30.0) as hub:
        a, b = await agent(hub, "a1"), await agent(hub, "b1")
        await a.send(protocol.encode(protocol.SetState(state="ready")))
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        window = KioskWindow("沙田镇", items)
        qtbot.addWidget(window)
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code=ITEM, reply_timeout_s=10, login=hub.kiosk_login())
        contact = asyncio.create_task(peer.run(give_up_after_s=120))
        try:
            first = await next_of(a, protocol.Offer)
            await a.send(protocol.encode(protocol.Accept(call_id=first.call_id)))
            assert (await next_of(a, protocol.Sdp)).call_id == first.call_id  # kiosk offers

            await a.send(protocol.encode(protocol.Hold(call_id=first.call_id, on=True)))
            await until_true(lambda: bool(peer.report.hold_notices))
            assert peer.report.hold_notices[0].startswith("on: 请稍候")
            assert window.status.text().startswith("请稍候")
            await a.send(protocol.encode(protocol.Hold(call_id=first.call_id, on=False)))
            await until_true(lambda: len(peer.report.hold_notices) == 2)

            await a.send(protocol.encode(protocol.Transfer(
                call_id=first.call_id, to_kind="item", to=MEDICAL, note="转医保备案")))
            await until_true(lambda: any(n.startswith("waiting: 正在为您转接")
                                         for n in peer.report.transfer_notices))
            assert window.status.text().startswith("正在为您转接")
            # The first agent's media is over.
            await until_true(lambda: peer.report.media_closed == [first.call_id])

            await b.send(protocol.encode(protocol.SetState(state="ready")))
            second = await next_of(b, protocol.Offer)
            assert second.transfer and second.transfer[0].note == "转医保备案"
            await b.send(protocol.encode(protocol.Accept(call_id=second.call_id)))
            offer = await next_of(b, protocol.Sdp)  # the kiosk's media, offered afresh to B
            assert (offer.call_id, offer.sdp_type) == (second.call_id, "offer")
            assert peer.report.calls == [first.call_id, second.call_id]
            assert not contact.done()  # one contact, two calls

            await b.send(protocol.encode(protocol.Hangup(call_id=second.call_id)))
            report = await asyncio.wait_for(contact, 30)
            assert report.ended_by == "agent"
        finally:
            if not contact.done():
                contact.cancel()
            await a.close()
            await b.close()
