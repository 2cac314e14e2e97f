"""A citizen that trickles its ICE candidates before its offer (as browsers and
mini-programs may) gets its call: the agent's workstation core keeps the candidates
that came before the offer and applies every one once the offer is in, through a
real hub process, with media flowing both ways.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.session import CallPhase
from seat_client.call.workstation import Workstation
from seat_common.media.ice_policy import candidate_types
from tests.integration.conftest import ALL_SKILLS, until
from tests.integration.parties import agent_core, answer_next


@pytest.fixture
async def agent() -> AsyncIterator[tuple[HubProcess, Workstation]]:
    """A real hub and agent 0012's workstation core on it, logged in and ready."""
    async with HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)],
                          ring_timeout=10.0) as hub, agent_core(hub, ready=True) as workstation:
        yield hub, workstation


async def test_candidates_trickled_before_the_offer_are_all_applied_and_the_call_connects(
    agent: tuple[HubProcess, Workstation],
) -> None:
    hub, workstation = agent
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                               script=CitizenScript(trickle="early"))
    run = asyncio.get_running_loop().create_task(citizen.run())
    session = (await answer_next(workstation)).session
    await until(lambda: session.phase is CallPhase.CONNECTED, "the media connects")
    await until(lambda: session.frames.received >= 10, "the citizen's video arrives")
    await until(lambda: citizen.report.frames_received >= 10, "the agent's video arrives")

    trickled = citizen.report.candidates_trickled
    assert trickled >= 1
    # The offer itself carried no candidate: the trickled ones were the only way in.
    assert candidate_types(session.remote_sdp) == set(), session.remote_sdp
    # Every one arrived before the offer, waited, and was applied; none was lost.
    assert session.candidates.kept == trickled
    assert session.candidates.applied == trickled
    assert session.candidates.refused == [] and session.candidates.dropped == 0
    assert len(session.remote_candidates) == trickled
    # They reached the agent's ICE transport (the bundle's: the first section's
    # candidates; those of the sections bundled onto it are not needed).
    assert session.remote_candidates_known() >= 1

    await workstation.hang_up()
    report = await asyncio.wait_for(run, 20)
    assert report.errors == [], report.errors
    assert report.ended_by == "agent"


async def test_candidates_trickled_early_after_a_resume_reach_the_agents_fresh_peer(
    agent: tuple[HubProcess, Workstation],
) -> None:
    hub, workstation = agent
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(trickle="early", reconnect=True))
    run = asyncio.get_running_loop().create_task(citizen.run())
    first = (await answer_next(workstation)).session
    await until(lambda: first.phase is CallPhase.CONNECTED, "the media connects")

    citizen.drop_link()
    await hub.wait_for_event("link_lost", lambda e: e.get("role") == "citizen", 30)
    citizen.restore_link()
    await until(lambda: workstation.call is not None and workstation.call.session is not first
                and workstation.call.session.phase is CallPhase.CONNECTED,
                "the fresh offer is answered and connects", 40)
    assert workstation.call is not None
    renewed = workstation.call.session
    await until(lambda: renewed.frames.received >= 5, "the citizen's video is back")
    # The resumed citizen trickled before its new offer: the fresh peer kept every one.
    assert renewed.candidates.kept >= 1
    assert renewed.candidates.applied == renewed.candidates.kept
    assert renewed.remote_candidates_known() >= 1
    assert citizen.report.resumes == 1

    await workstation.hang_up()
    report = await asyncio.wait_for(run, 20)
    assert report.ended_by == "agent"
