"""Consult and three-way end to end: a real hub process, the simulated citizen (a real aiortc
peer) and two workstation cores with their own peers.

The citizen calls agent A; A consults B (the citizen is put on hold), B answers and the
two see each other on the consult's own peer; A goes three-way and B receives the
citizen's picture relayed by A on the consult peer's second video section, and the citizen
B's on its call's second video section (two remote pictures); A leaves the
three-way call (hand over): B's seat takes the call with A's note, the citizen meets B
and sees B's picture, B hangs up and wraps up, and the work order has two legs.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.transfer_desk import offer_info
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tasks import TaskOwner
from tests.integration.conftest import until
from tests.integration.test_transfer import core


async def test_consult_three_way_then_a_leaves_and_b_finishes_with_two_legs() -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, ring_timeout=20.0) as hub:
        a, b = core(hub, "a1"), core(hub, "b1")
        host, guest = ConsultDesk(a), ConsultDesk(b)
        for ws in (a, b):
            ws.link.start()
        await until(lambda: a.link.state is LinkState.CONNECTED
                    and b.link.state is LinkState.CONNECTED, "both agents log in")
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   script=CitizenScript())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await a.set_ready()
        await b.set_ready()
        await until(lambda: a.offer is not None, "A's offer")
        await a.accept()
        await until(lambda: citizen.report.frames_received >= 10, "the citizen sees A")

        await host.consult("item", "MI-REMOTE-FILING", "医保备案的问题请教",
                           form=(("phone", "13800138000"),))
        await until(lambda: bool(citizen.report.hold_notices), "the citizen is put on hold")
        await until(lambda: guest.state is not None, "B's seat rings")
        assert guest.state is not None and guest.state.info[0].note == "医保备案的问题请教"
        await guest.answer(True)
        await until(lambda: host.frames is not None and host.frames.received >= 10
                    and guest.frames is not None and guest.frames.received >= 10,
                    "A and B see each other")
        assert guest.second_frames is not None and guest.second_frames.received == 0

        await host.choose("three_way")
        await until(lambda: guest.second_frames is not None
                    and guest.second_frames.received >= 10,
                    "B sees the citizen, relayed by A")
        await until(lambda: citizen.report.second_frames_received >= 10,
                    "the citizen sees B too, relayed by A on the second video section")
        assert citizen.report.hold_notices[-1].startswith("off")
        assert host.peer is not None and host.peer.audio_frames > 0

        await host.choose("hand_over")
        await until(lambda: b.call is not None, "B's seat takes the call")
        assert b.call is not None
        info = offer_info(b.call.offer)
        assert info is not None and info.from_name == "张三"
        assert info.form[0].value == "13800138000"
        await until(lambda: citizen.report.agents_met == ["张三", "李四"], "the citizen meets B")
        await until(lambda: a.call is None and a.presence.state == "ready", "A is free")
        before = citizen.report.frames_at_transfer[0]
        await until(lambda: citizen.report.frames_received >= before + 10, "the citizen sees B")
        assert host.peer is None and guest.peer is None

        await b.hang_up()
        await until(lambda: b.wrap_up is not None, "B's wrap-up")
        await b.submit_wrap_up("resolved", "三方会商后办结")
        await until(lambda: bool(b.history), "closed")
        report = await asyncio.wait_for(run, 30)
        assert report.ended_by == "agent" and not report.errors, report.errors
        for desk in (host, guest):
            await desk.close()
        for ws in (a, b):
            await ws.close()
        with sqlite3.connect(hub.db_path) as db:
            legs = db.execute("SELECT agent_id, how, handed_to FROM call_legs"
                              " WHERE work_order_id = ? ORDER BY seq",
                              (report.work_order_id,)).fetchall()
        assert legs == [("a1", "transferred", "b1"), ("b1", "ended", "")]


def consult_state(phase: protocol.ConsultPhase, reason: protocol.ConsultEndReason = ""
                  ) -> protocol.ConsultState:
    """B's side of A's consult ``c1`` on the call ``k1`` of work order ``w1``."""
    return protocol.ConsultState(
        consult_id="c1", call_id="k1", work_order_id="w1", role="guest", phase=phase,
        host_id="a1", host_name="张三", guest_id="b1", guest_name="李四", reason=reason)


async def test_a_consult_desk_closed_before_its_link_ignores_what_the_hub_still_says(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The seat closes its consult desk before its link: a consult the hub ends after that
    (here handed over to this seat) changes nothing on the closed desk, starts no task and
    logs no error."""
    link = HubLink("ws://127.0.0.1:9", lambda: protocol.Hello(role="agent", token="t"))
    workstation = Workstation(link)
    tasks = TaskOwner("consult desk")
    desk = ConsultDesk(workstation, tasks)
    heard: list[protocol.ConsultState | None] = []
    desk.changed.connect(heard.append)
    ringing = consult_state("ringing")
    link.message.emit(ringing)
    assert (desk.state, heard) == (ringing, [ringing])  # an open desk hears the hub

    await desk.close()
    with caplog.at_level(logging.DEBUG):
        link.message.emit(consult_state("ended", "handed_over"))
    assert (desk.state, heard) == (ringing, [ringing])
    assert tasks.running() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    await workstation.close()
