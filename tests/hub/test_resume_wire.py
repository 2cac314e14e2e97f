"""Sessions that survive, at the wire: a dropped link keeps the call or the queue place for
the grace period, the party's next connection takes it back, and a token nobody holds is
refused. Links are dropped by aborting the client's TCP connection (no close frame), as a
network blip would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubclient import SI_ITEM, Client, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Hangup,
    Hello,
    Offer,
    PeerLink,
    Presence,
    Queued,
    QueueSnapshot,
    Welcome,
)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    seats = [agent_seat(f"r{i}") for i in range(6)]
    with HubProcess(seats, workdir=tmp_path_factory.mktemp("hub"), ring_timeout=30) as process:
        yield process


@pytest.fixture
def short_grace_hub(tmp_path: Path) -> Iterator[HubProcess]:
    seats = [agent_seat("g0")]
    with HubProcess(
        seats, workdir=tmp_path / "hub", extra_args=("--resume-grace", "1")
    ) as process:
        yield process


def drop(client: Client) -> None:
    """Cut the client's TCP connection without a goodbye."""
    client.ws.transport.abort()


async def call_between(
    hub: HubProcess, clients: Clients, agent_id: str
) -> tuple[Client, Client, Welcome, CallStarted]:
    agent = await clients.agent(hub, agent_id)
    await agent.ready()
    citizen = await clients.connect(hub.url, "citizen")
    welcome = await citizen.hello("citizen", name="李四")
    assert welcome.resume_token
    await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer, within=10)
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted)
    await agent.expect(CallStarted)
    return agent, citizen, welcome, started


async def test_an_agent_whose_link_drops_mid_call_logs_in_again_and_keeps_the_call(
    hub: HubProcess, clients: Clients
) -> None:
    agent, citizen, _, started = await call_between(hub, clients, "r0")
    drop(agent)
    lost = await citizen.expect(PeerLink, within=10)
    assert (lost.call_id, lost.up) == (started.call_id, False)

    again = await clients.connect(hub.url, "r0 again")
    await again.hello("agent", token=hub.tokens["r0"])
    presence = await again.expect(Presence)
    assert (presence.state, presence.work_order_id) == ("on_call", started.work_order_id)
    resumed = await again.expect(CallStarted)
    assert (resumed.call_id, resumed.call_role) == (started.call_id, "callee")
    back = await citizen.expect(PeerLink)
    assert (back.call_id, back.up) == (started.call_id, True)

    await again.send(Hangup(call_id=started.call_id))
    ended = await citizen.expect(CallEnded)
    assert (ended.ended_by, ended.reason) == ("agent", "hangup")


async def test_a_citizen_whose_link_drops_mid_call_resumes_with_its_token(
    hub: HubProcess, clients: Clients
) -> None:
    agent, citizen, welcome, started = await call_between(hub, clients, "r1")
    drop(citizen)
    lost = await agent.expect(PeerLink, within=10)
    assert (lost.call_id, lost.up) == (started.call_id, False)

    again = await clients.connect(hub.url, "citizen again")
    await again.send(Hello(role="citizen", resume=welcome.resume_token))
    rewelcome = await again.expect(Welcome)
    assert rewelcome.resume_token == welcome.resume_token
    again.role = "citizen"
    resumed = await again.expect(CallStarted)
    assert (resumed.call_id, resumed.call_role) == (started.call_id, "caller")
    back = await agent.expect(PeerLink)
    assert (back.call_id, back.up) == (started.call_id, True)

    await again.send(Hangup(call_id=started.call_id))
    ended = await agent.expect(CallEnded)
    assert (ended.ended_by, ended.reason) == ("citizen", "hangup")


async def test_a_queued_citizen_keeps_its_place_across_a_dropped_link(
    hub: HubProcess, clients: Clients
) -> None:
    citizen = await clients.connect(hub.url, "queued")
    welcome = await citizen.hello("citizen", name="王五")
    queued = await citizen.join("HF-RENT-WITHDRAW")  # no agent here has this skill
    drop(citizen)
    await hub.wait_for_event("link_lost", lambda e: e.get("work_order_id") == queued.work_order_id)

    again = await clients.connect(hub.url, "queued again")
    await again.send(Hello(role="citizen", resume=welcome.resume_token))
    await again.expect(Welcome)
    place = await again.expect(Queued)
    assert (place.work_order_id, place.position) == (queued.work_order_id, queued.position)


async def test_a_forged_resume_token_is_refused_and_closed(
    hub: HubProcess, clients: Clients
) -> None:
    forger = await clients.connect(hub.url, "forger")
    await forger.send(Hello(role="citizen", resume="not-a-token-the-hub-gave"))
    refused = await forger.expect_error("resume_refused")
    assert refused.field == "resume"
    assert await forger.closed() == 1008
    seat = await clients.connect(hub.url, "seat with a resume")
    await seat.send_raw('{"v": 1, "type": "hello", "role": "agent", "resume": "x"}')
    bad = await seat.expect_error("bad_message")
    assert bad.field == "resume"


async def test_a_resume_after_the_grace_period_is_refused_and_the_call_ended(
    short_grace_hub: HubProcess, clients: Clients
) -> None:
    hub = short_grace_hub
    agent, citizen, welcome, started = await call_between(hub, clients, "g0")
    drop(citizen)
    await agent.expect(PeerLink, lambda p: not p.up, within=10)
    ended = await agent.expect(CallEnded, within=15)
    assert (ended.call_id, ended.reason) == (started.call_id, "disconnected")
    await agent.expect(Presence, lambda p: p.state == "wrap_up")
    await hub.wait_for_event("resume_expired")

    late = await clients.connect(hub.url, "late")
    await late.send(Hello(role="citizen", resume=welcome.resume_token))
    await late.expect_error("resume_refused")
    assert await late.closed() == 1008


def _entry_of(snapshot: QueueSnapshot, work_order_id: str) -> float | None:
    """The ``link_lost_until`` of the work order's entry, or None if it is not shown."""
    for entry in snapshot.entries:
        if entry.work_order_id == work_order_id:
            return entry.link_lost_until
    return None


@pytest.fixture
def lone_seat_hub(tmp_path: Path) -> Iterator[HubProcess]:
    with HubProcess([agent_seat("l0")], workdir=tmp_path / "hub") as process:
        yield process


async def test_a_waiting_citizen_whose_link_drops_is_marked_in_the_agents_queue_and_not_offered(
    lone_seat_hub: HubProcess, clients: Clients
) -> None:
    hub = lone_seat_hub
    agent = await clients.agent(hub, "l0")  # away: nothing is offered yet
    citizen = await clients.connect(hub.url, "citizen")
    welcome = await citizen.hello("citizen", name="赵六")
    queued = await citizen.join(SI_ITEM)
    order = queued.work_order_id
    shown = await agent.expect(QueueSnapshot, lambda s: _entry_of(s, order) is not None)
    assert _entry_of(shown, order) == 0.0  # connected: no mark

    dropped_at = time.time()
    drop(citizen)
    marked = await agent.expect(QueueSnapshot, lambda s: bool(_entry_of(s, order)), within=10)
    until = _entry_of(marked, order)
    assert until is not None
    # The default grace is 60 s from the moment the hub noticed the drop.
    assert dropped_at + 50 < until < time.time() + 61

    await agent.ready()
    assert not [m for m in await agent.sync() if isinstance(m, Offer)]

    again = await clients.connect(hub.url, "citizen again")
    await again.send(Hello(role="citizen", resume=welcome.resume_token))
    await again.expect(Welcome)
    await again.expect(Queued)
    offer = await agent.expect(Offer, within=10)
    assert offer.work_order_id == order
    cleared = await agent.expect(QueueSnapshot, within=10)
    assert _entry_of(cleared, order) == 0.0
