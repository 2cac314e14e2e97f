"""Cold transfer end to end: a real hub process, the simulated citizen (a real aiortc peer)
and two workstation cores with their own peers.

The citizen calls agent A, whose video it receives; A hands the call on to the medical
insurance queue with a note; the citizen is told "正在为您转接…"; agent B's offer shows
A's note, verdict, chat and form; B answers, the citizen receives B's video, B hangs up
and wraps up, and the work order has two legs in the ledger.
"""

from __future__ import annotations

import asyncio
import sqlite3

from PyQt6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from websockets.asyncio.client import connect

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.transfer_desk import TransferDesk, offer_info
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tasks import TaskOwner
from tests.integration.conftest import until
from ui.call.transfer_dialog import TransferParts


def core(hub: HubProcess, agent_id: str) -> Workstation:
    token = hub.tokens[agent_id]
    return Workstation(HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token)))


async def test_a_call_handed_to_a_skill_queue_reaches_agent_b_with_a_s_note() -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, ring_timeout=20.0) as hub:
        a, b = core(hub, "a1"), core(hub, "b1")
        desk = TransferDesk(a)
        handed_on: list[str] = []
        desk.handed_on.connect(handed_on.append)
        for ws in (a, b):
            ws.link.start()
        await until(lambda: a.link.state is LinkState.CONNECTED
                    and b.link.state is LinkState.CONNECTED, "both agents log in")
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   script=CitizenScript(chat_lines=("我其实要办医保备案",)))
        run = asyncio.get_running_loop().create_task(citizen.run())
        await a.set_ready()
        await until(lambda: a.offer is not None, "A's offer")
        await a.accept()
        await until(lambda: citizen.report.frames_received >= 10, "the citizen sees A")
        await until(lambda: a.call is not None and len(a.call.chat) >= 1, "the chat line")

        await desk.transfer("item", "MI-REMOTE-FILING", "市民要办医保异地备案",
                            form=(("phone", "13800138000"),))
        await until(lambda: handed_on == [citizen.report.work_order_id], "A's leg ends")
        assert a.call is None and a.wrap_up is None, "A owes no wrap-up"
        await until(lambda: a.presence.state == "ready", "A is ready again")
        await until(lambda: bool(citizen.report.transfer_notices), "the citizen is told")
        assert citizen.report.transfer_notices[0].startswith("waiting: 正在为您转接…")

        await b.set_ready()
        await until(lambda: b.offer is not None, "B's offer")
        info = offer_info(b.offer)
        assert info is not None and info.note == "市民要办医保异地备案"
        assert (info.from_name, [c.text for c in info.chat]) == ("张三", ["我其实要办医保备案"])
        assert info.form == (protocol.FormValue(name="phone", value="13800138000"),)
        await b.accept()
        await until(lambda: citizen.report.agents_met == ["张三", "李四"], "the citizen meets B")
        before = citizen.report.frames_at_transfer[0]
        await until(lambda: citizen.report.frames_received >= before + 10, "the citizen sees B")

        await b.hang_up()
        await until(lambda: b.wrap_up is not None, "B's wrap-up")
        await b.submit_wrap_up("resolved", "已备案")
        await until(lambda: bool(b.history), "closed")
        report = await asyncio.wait_for(run, 30)
        assert report.ended_by == "agent" and not report.errors, report.errors
        for ws in (a, b):
            await ws.close()
        with sqlite3.connect(hub.db_path) as db:
            legs = db.execute("SELECT agent_id, how FROM call_legs WHERE work_order_id = ?"
                              " ORDER BY seq", (report.work_order_id,)).fetchall()
        assert legs == [("a1", "transferred"), ("b1", "ended")]


async def test_hold_shows_on_the_citizen_side_and_silences_the_agent() -> None:
    async with HubProcess([SeatSpec("a1", "张三", skills=("social_insurance",))],
                          ring_timeout=20.0) as hub:
        a = core(hub, "a1")
        desk = TransferDesk(a)
        a.link.start()
        await until(lambda: a.link.state is LinkState.CONNECTED, "login")
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   script=CitizenScript())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await a.set_ready()
        await until(lambda: a.offer is not None, "offer")
        await a.accept()
        await until(lambda: citizen.report.frames_received >= 5, "the citizen sees A")
        assert a.call is not None
        session = a.call.session
        await desk.hold(True)
        await until(lambda: desk.on_hold, "the hub confirms the hold")
        await until(lambda: bool(citizen.report.hold_notices), "the citizen is told")
        assert citizen.report.hold_notices[0].startswith("on: 请稍候")
        assert session.microphone.muted and not session.camera.enabled
        assert not a.microphone_muted and a.camera_enabled, "the agent's own buttons stay"
        await desk.hold(False)
        await until(lambda: len(citizen.report.hold_notices) == 2, "the citizen is told again")
        assert citizen.report.hold_notices[1] == "off: 通话已恢复。"
        assert not session.microphone.muted and session.camera.enabled
        await a.hang_up()
        await asyncio.wait_for(run, 30)
        await a.close()


async def test_f12_raises_a_hand_that_reaches_the_wall_and_lowers_it(qtbot: QtBot) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("S01", "王主管", "supervisor")]
    async with HubProcess(seats, ring_timeout=20.0) as hub:
        a = core(hub, "a1")
        window = QWidget()
        qtbot.addWidget(window)
        said: list[str] = []
        parts = TransferParts(window, TransferDesk(a), TaskOwner("test"), say=said.append,
                              form=dict)
        parts.ask_reason = lambda: "市民要投诉，请支援"
        a.link.start()
        await until(lambda: a.link.state is LinkState.CONNECTED, "login")
        async with connect(hub.url) as boss:
            await boss.send(protocol.encode(
                protocol.Hello(role="supervisor", token=hub.tokens["S01"])))
            await boss.send(protocol.encode(protocol.SubscribeWall()))

            async def seat_a1() -> protocol.WallSeat:
                while True:
                    message = protocol.decode(await boss.recv(20))  # type: ignore[call-arg]
                    if isinstance(message, protocol.WallUpdate):
                        for seat in message.seats:
                            if seat.agent_id == "a1":
                                return seat

            parts.toggle_hand()
            seat = await seat_a1()
            while not seat.hand:
                seat = await seat_a1()
            assert seat.hand == "市民要投诉，请支援" and said
            parts.toggle_hand()
            while seat.hand:
                seat = await seat_a1()
        await a.close()
