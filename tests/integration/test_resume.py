"""Calls that survive a dropped link, end to end: a real hub process, the workstation core
(aiortc) and a simulated citizen (aiortc) over real websockets.

A link is dropped by aborting the client's TCP connection (no goodbye), as a failing
network does; the citizen's network stays down until the test restores it. Media comes
back by renegotiation (aiortc has no ICE restart): the proof is frames arriving on the
new peer connections at both sides, in the same call.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.turn_process import free_port
from seat_client.call.hub_link import LinkState
from seat_client.call.workstation import Workstation
from tests.integration.conftest import ALL_SKILLS, until
from tests.integration.parties import agent_core, answer_next

LONG = 60.0  # generous deadlines: a busy machine is slow, never wrong


def resume_hub(*extra_args: str) -> HubProcess:
    return HubProcess(
        [SeatSpec("0012", "张三", skills=ALL_SKILLS)], ring_timeout=30.0, extra_args=extra_args
    )


def workstation(hub: HubProcess, *, ready: bool = True
                ) -> AbstractAsyncContextManager[Workstation]:
    """Agent 0012's workstation core, logged in (ready unless told not to be)."""
    return agent_core(hub, ready=ready, timeout_s=LONG)


def citizen(hub: HubProcess) -> SimulatedCitizen:
    return SimulatedCitizen(
        hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
        script=CitizenScript(reconnect=True, give_up_after_s=300),
    )


async def call_on(seat: Workstation, person: SimulatedCitizen) -> asyncio.Task[Any]:
    """Start ``person``'s contact and let ``seat`` answer; media flowing both ways."""
    run = asyncio.get_running_loop().create_task(person.run())
    await answer_next(seat, LONG)
    await frames_at_agent(seat)
    await frames_at_citizen(person)
    return run


async def frames_at_agent(seat: Workstation, more_than: int = 0) -> None:
    await until(
        lambda: seat.call is not None and seat.call.session.frames.received > more_than + 5,
        "the citizen's video reaches the agent", LONG,
    )


async def frames_at_citizen(person: SimulatedCitizen, more_than: int = 0) -> None:
    await until(lambda: person.report.frames_received > more_than + 5,
                "the agent's video reaches the citizen", LONG)


async def renewed_at_citizen(person: SimulatedCitizen, renewals: int) -> int:
    """Wait for the citizen's fresh offer; the frames it had received by then."""
    await until(lambda: person.report.media_renewals >= renewals,
                "the citizen offers afresh", LONG)
    return person.report.frames_received


async def test_an_agent_whose_network_drops_mid_call_keeps_the_call_and_its_media() -> None:
    async with resume_hub() as hub, workstation(hub) as seat:
        person = citizen(hub)
        run = await call_on(seat, person)
        assert seat.call is not None
        call_id, first = seat.call.started.call_id, seat.call.session
        seen_down: list[bool] = []
        seat.peer_link_changed.connect(seen_down.append)

        seat.link.drop()
        await hub.wait_for_event("link_lost", lambda e: e.get("role") == "agent", LONG)
        await until(lambda: seat.link.state is LinkState.CONNECTED, "the agent is back", LONG)
        await hub.wait_for_event("resumed", lambda e: e.get("role") == "agent", LONG)
        before = await renewed_at_citizen(person, 1)
        await until(lambda: seat.call is not None and seat.call.session is not first,
                    "the agent answers with a new peer", LONG)
        await frames_at_agent(seat)
        await frames_at_citizen(person, before)

        assert seat.call is not None and seat.call.started.call_id == call_id
        assert seat.presence.state == "on_call"
        assert not hub.events("call_ended")
        await seat.hang_up()
        report = await asyncio.wait_for(run, LONG)
        assert (report.call_id, report.ended_by) == (call_id, "agent")


async def test_a_second_login_of_the_seat_takes_over_its_call() -> None:
    async with resume_hub() as hub, workstation(hub) as first:
        person = citizen(hub)
        run = await call_on(first, person)
        assert first.call is not None
        call_id = first.call.started.call_id
        async with workstation(hub, ready=False) as second:
            await until(lambda: first.link.state is LinkState.REFUSED,
                        "the stale login stops", LONG)
            assert first.link.refusal is not None
            assert first.link.refusal.code == "taken_over"
            await until(lambda: second.call is not None, "the call moves over", LONG)
            assert second.call is not None and second.call.started.call_id == call_id
            before = await renewed_at_citizen(person, 1)
            await frames_at_agent(second)
            await frames_at_citizen(person, before)
            assert hub.events("login_takeover")
            await second.hang_up()
            report = await asyncio.wait_for(run, LONG)
            assert (report.call_id, report.ended_by) == (call_id, "agent")


async def test_a_citizen_whose_network_drops_mid_call_comes_back_to_the_same_call() -> None:
    async with resume_hub() as hub, workstation(hub) as seat:
        person = citizen(hub)
        run = await call_on(seat, person)
        assert seat.call is not None
        call_id, first = seat.call.started.call_id, seat.call.session
        peer_links: list[bool] = []
        seat.peer_link_changed.connect(peer_links.append)

        person.drop_link()
        await hub.wait_for_event("link_lost", lambda e: e.get("role") == "citizen", LONG)
        await until(lambda: peer_links == [False], "the agent hears the citizen is gone", LONG)
        person.restore_link()
        await hub.wait_for_event("resumed", lambda e: e.get("role") == "citizen", LONG)
        before = await renewed_at_citizen(person, 1)
        await until(lambda: seat.call is not None and seat.call.session is not first,
                    "the agent answers the fresh offer", LONG)
        await frames_at_agent(seat)
        await frames_at_citizen(person, before)

        assert peer_links == [False, True]
        assert seat.call is not None and seat.call.started.call_id == call_id
        assert person.report.resumes == 1
        await seat.hang_up()
        report = await asyncio.wait_for(run, LONG)
        assert (report.call_id, report.ended_by) == (call_id, "agent")


async def test_a_citizen_back_after_the_grace_period_is_refused_and_the_call_ended() -> None:
    async with resume_hub("--resume-grace", "1") as hub, workstation(hub) as seat:
        person = citizen(hub)
        run = await call_on(seat, person)
        person.drop_link()
        await hub.wait_for_event("resume_expired", within=LONG)
        await until(lambda: seat.wrap_up is not None, "the agent is in wrap-up", LONG)
        assert seat.wrap_up is not None and seat.wrap_up.reason == "disconnected"
        person.restore_link()
        report = await asyncio.wait_for(run, LONG)
        assert report.refused_code == "resume_refused"
        assert report.ended_by in ("disconnected", "error")


@pytest.mark.parametrize("grace", ["0"])
async def test_without_a_grace_period_a_dropped_agent_ends_the_call(grace: str) -> None:
    async with resume_hub("--resume-grace", grace) as hub, workstation(hub) as seat:
        person = citizen(hub)
        run = await call_on(seat, person)
        seat.link.drop()
        report = await asyncio.wait_for(run, LONG)
        assert (report.ended_by, report.end_reason) == ("hub", "disconnected")
        await until(lambda: seat.link.state is LinkState.CONNECTED, "the agent is back", LONG)
        await until(lambda: seat.wrap_up is not None and seat.call is None,
                    "the agent owes the wrap-up", LONG)


async def test_a_queued_citizen_keeps_its_place_across_a_hub_restart() -> None:
    hub = HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)], ring_timeout=30.0,
                     port=free_port())
    await asyncio.to_thread(hub.start)
    try:
        person = citizen(hub)
        run = asyncio.get_running_loop().create_task(person.run())
        await until(lambda: bool(person.report.work_order_id), "the citizen queues", LONG)
        work_order_id = person.report.work_order_id
        await asyncio.to_thread(hub.stop)  # SIGTERM: a clean stop, as an upgrade does
        await asyncio.to_thread(hub.start)
        await hub.wait_for_event("queue_restored", lambda e: e.get("work_orders") == 1, LONG)
        await hub.wait_for_event("resumed", lambda e: e.get("work_order_id") == work_order_id,
                                 LONG)
        async with workstation(hub) as seat:
            await until(lambda: seat.offer is not None, "the kept place is offered", LONG)
            assert seat.offer is not None and seat.offer.work_order_id == work_order_id
            await seat.accept()
            await until(lambda: seat.call is not None, "the call starts", LONG)
            await frames_at_agent(seat)
            await frames_at_citizen(person)
            await seat.hang_up()
            report = await asyncio.wait_for(run, LONG)
        assert (report.work_order_id, report.resumes) == (work_order_id, 1)
        assert report.ended_by == "agent"
    finally:
        await asyncio.to_thread(hub.stop)
        hub.cleanup()
