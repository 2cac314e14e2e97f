"""Losing a hub loses nothing: a citizen waiting on a hub process that is killed (kill -9)
reconnects to another hub of the cluster with its resume token, keeps its place ahead of
a citizen who joined after it, and is served there; a token the cluster does not know is
refused there as on a single hub."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from cluster_hubs import WITHIN, beside, call_across, cluster_args, until_rows
from hubclient import Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Error,
    Hangup,
    Hello,
    Ice,
    Offer,
    PeerLink,
    Presence,
    Queued,
    Sdp,
    SetState,
    Welcome,
    WorkOrderClosed,
    WrapUp,
)


async def test_a_waiting_citizen_whose_hub_is_killed_keeps_its_place_on_another_hub(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")  # away until both wait
    first = await clients.connect(hub_a.url, "先到")
    token = (await first.hello("citizen", name="先到")).resume_token
    queued = await first.join(name="先到")
    second = await clients.citizen(hub_b, "后到")
    later = await second.join(name="后到")

    await asyncio.to_thread(hub_a.crash)  # kill -9: nothing cleaned up
    await first.closed(within=WITHIN)
    back = await clients.connect(hub_b.url, "先到 again")
    await back.send(Hello(role="citizen", name="先到", resume=token))
    assert (await back.expect(Welcome, within=WITHIN)).resume_token == token
    assert (await back.expect(Queued, within=WITHIN)).work_order_id == queued.work_order_id

    await agent.ready()
    offer = await agent.expect(Offer, within=WITHIN)
    assert offer.work_order_id == queued.work_order_id  # its place, ahead of the later one
    await agent.send(Accept(call_id=offer.call_id))
    assert (await back.expect(CallStarted, within=WITHIN)).call_id == offer.call_id
    assert (await agent.expect(CallStarted, within=WITHIN)).call_id == offer.call_id
    await until_rows(postgres_url, "SELECT id, state FROM work_orders ORDER BY id", (),
                     lambda found: [(o["id"], o["state"]) for o in found] == [
                         (queued.work_order_id, "in_call"), (later.work_order_id, "queued")])


async def test_a_call_goes_on_when_the_citizens_hub_is_killed(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    """The call lives on the agent's hub: the citizen comes back on another hub, gets
    ``call_started`` again with the same call id (both sides renew the media), and the
    signaling and the hang-up go on from there."""
    hub_a, hub_b = two_hubs
    call = await call_across(hub_b, hub_a, clients)
    agent, call_id = call.agent, call.call_id
    token = call.citizen.last(Welcome).resume_token

    await asyncio.to_thread(hub_a.crash)
    back = await clients.connect(hub_b.url, "王小明 again")
    await back.send(Hello(role="citizen", name="王小明", resume=token))
    assert (await back.expect(Welcome, within=WITHIN)).resume_token == token
    again = await back.expect(CallStarted, within=WITHIN)
    assert (again.call_id, again.call_role, again.work_order_id) == (
        call_id, "caller", call.work_order_id)
    assert (await agent.expect(PeerLink, lambda p: p.up, within=WITHIN)).call_id == call_id
    await back.send(Sdp(call_id=call_id, sdp_type="offer", sdp="v=0 renewed"))
    assert (await agent.expect(Sdp, within=WITHIN)).sdp == "v=0 renewed"
    await agent.send(Ice(call_id=call_id, candidate="candidate:after"))
    assert (await back.expect(Ice, within=WITHIN)).candidate == "candidate:after"
    await back.send(Hangup(call_id=call_id))
    for party in (back, agent):
        assert (await party.expect(CallEnded, within=WITHIN)).ended_by == "citizen"
    await until_rows(postgres_url, "SELECT state, ended_by FROM work_orders WHERE id = %s",
                     (call.work_order_id,),
                     lambda found: [(o["state"], o["ended_by"]) for o in found] == [
                         ("ended", "citizen")])


async def test_a_token_the_cluster_does_not_know_is_refused(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    _, hub_b = two_hubs
    stranger = await clients.connect(hub_b.url, "stranger")
    await stranger.send(Hello(role="citizen", name="x", resume="not-a-token-of-ours"))
    assert (await stranger.expect(Error, within=WITHIN)).code == "resume_refused"


async def test_a_call_goes_on_when_the_agents_hub_is_killed(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    """The call's home is lost with the agent's hub: the agent logs in again on the other
    hub, which takes the call up from Redis; both parties get ``call_started`` again with
    the same call id, and chat, hang-up and wrap-up go on there, written once."""
    hub_a, hub_b = two_hubs
    call = await call_across(hub_a, hub_b, clients)
    citizen, call_id, wo = call.citizen, call.call_id, call.work_order_id

    await asyncio.to_thread(hub_a.crash)
    back = await clients.connect(hub_b.url, "a1 again")
    await back.hello("agent", token=hub_b.tokens["a1"])
    assert (await back.expect(Presence, lambda p: p.state == "on_call", within=WITHIN)
            ).work_order_id == wo
    again = await back.expect(CallStarted, within=WITHIN)
    assert (again.call_id, again.call_role, again.peer_name) == (call_id, "callee", "王小明")
    assert (await citizen.expect(CallStarted, within=WITHIN)).call_id == call_id
    await citizen.send(Chat(call_id=call_id, text="还在吗"))
    for party in (citizen, back):
        assert (await party.expect(ChatMessage, within=WITHIN)).text == "还在吗"
    await back.send(Hangup(call_id=call_id))
    assert (await citizen.expect(CallEnded, within=WITHIN)).ended_by == "agent"
    await back.send(WrapUp(work_order_id=wo, outcome="resolved", notes=""))
    assert (await citizen.expect(WorkOrderClosed, within=WITHIN)).outcome == "resolved"
    await until_rows(postgres_url, "SELECT state, ended_by FROM work_orders WHERE id = %s",
                     (wo,),
                     lambda found: [(o["state"], o["ended_by"]) for o in found] == [
                         ("closed", "agent")])
    legs = await until_rows(postgres_url, "SELECT call_id FROM call_legs", (),
                            lambda found: len(found) >= 1)
    assert [leg["call_id"] for leg in legs] == [call_id]


async def test_a_wrap_up_owed_on_a_killed_hub_is_still_owed_on_another(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = two_hubs
    call = await call_across(hub_a, hub_b, clients)
    citizen, wo = call.citizen, call.work_order_id
    await citizen.send(Hangup(call_id=call.call_id))
    await call.agent.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)

    await asyncio.to_thread(hub_a.crash)
    back = await clients.connect(hub_b.url, "a1 again")
    await back.hello("agent", token=hub_b.tokens["a1"])
    owed = await back.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
    assert owed.work_order_id == wo
    await back.send(SetState(state="ready"))
    assert (await back.expect(Error, within=WITHIN)).code == "bad_state"  # still owed
    await back.send(WrapUp(work_order_id=wo, outcome="resolved", notes=""))
    assert (await back.expect(WorkOrderClosed, within=WITHIN)).outcome == "resolved"
    assert (await citizen.expect(WorkOrderClosed, within=WITHIN)).outcome == "resolved"
    assert (await back.expect(Presence, lambda p: p.state == "ready", within=WITHIN))
    await until_rows(postgres_url, "SELECT state FROM work_orders WHERE id = %s",
                     (wo,), lambda found: found[0]["state"] == "closed")


async def test_an_offer_ringing_on_a_killed_hub_rings_again_where_the_agent_comes_back(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_a, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub_b, "王小明")
    queued = await citizen.join(name="王小明")
    offer = await agent.expect(Offer, within=WITHIN)

    await asyncio.to_thread(hub_a.crash)
    back = await clients.connect(hub_b.url, "a1 again")
    await back.hello("agent", token=hub_b.tokens["a1"])
    again = await back.expect(Offer, within=WITHIN)
    assert (again.call_id, again.work_order_id) == (offer.call_id, queued.work_order_id)
    await back.send(Accept(call_id=again.call_id))
    assert (await citizen.expect(CallStarted, within=WITHIN)).call_id == offer.call_id


async def test_an_agent_not_back_within_the_grace_ends_the_call_and_still_owes_the_wrap_up(
    start_hub: Callable[..., HubProcess], clients: Clients, postgres_url: str,
    redis_url: str, tmp_path: Path
) -> None:
    args = [*cluster_args(postgres_url, redis_url, tmp_path), "--resume-grace", "2"]
    hub_a = start_hub([agent_seat("a1")], ring_timeout=10, extra_args=args)
    hub_b = beside(hub_a, tmp_path / "hub-b")
    try:
        call = await call_across(hub_a, hub_b, clients)
        citizen, call_id, wo = call.citizen, call.call_id, call.work_order_id

        await asyncio.to_thread(hub_a.crash)
        down = await citizen.expect(PeerLink, within=WITHIN)
        assert (down.call_id, down.up) == (call_id, False)
        ended = await citizen.expect(CallEnded, within=WITHIN)
        assert (ended.call_id, ended.ended_by, ended.reason) == (
            call_id, "hub", "disconnected")
        await until_rows(postgres_url, "SELECT state, ended_by FROM work_orders WHERE id = %s",
                         (wo,),
                         lambda found: [(o["state"], o["ended_by"]) for o in found] == [
                             ("ended", "hub")])
        back = await clients.connect(hub_b.url, "a1 later")
        await back.hello("agent", token=hub_b.tokens["a1"])
        owed = await back.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
        assert owed.work_order_id == wo
    finally:
        await asyncio.to_thread(hub_b.stop)


async def test_a_seat_logged_in_again_on_another_hub_takes_over_at_once(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = two_hubs
    old = await clients.agent(hub_a, "a1")
    new = await clients.agent(hub_b, "a1")
    refused = await old.expect(Error, within=WITHIN)
    assert refused.code == "taken_over"
    assert await old.closed(within=WITHIN) == 1008
    await new.ready()
    citizen = await clients.citizen(hub_a, "王小明")
    queued = await citizen.join(name="王小明")
    assert (await new.expect(Offer, within=WITHIN)).work_order_id == queued.work_order_id


async def test_a_seat_whose_link_drops_in_a_call_takes_it_up_again_on_its_own_hub(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    """The dropped seat's call waits in Redis, not in its hub's memory: back on the same
    hub it is taken up as anywhere, and the citizen's call never ends meanwhile."""
    hub_a, hub_b = two_hubs
    call = await call_across(hub_a, hub_b, clients)
    citizen, call_id = call.citizen, call.call_id

    call.agent.ws.transport.abort()  # the link drops: no close frame
    down = await citizen.expect(PeerLink, within=WITHIN)
    assert (down.call_id, down.up) == (call_id, False)
    back = await clients.connect(hub_a.url, "a1 again")
    await back.hello("agent", token=hub_a.tokens["a1"])
    again = await back.expect(CallStarted, within=WITHIN)
    assert again.call_id == call_id
    up = await citizen.expect(PeerLink, within=WITHIN)
    assert (up.call_id, up.up) == (call_id, True)
    await citizen.send(Chat(call_id=call_id, text="您好"))
    assert (await back.expect(ChatMessage, within=WITHIN)).text == "您好"
    assert not [m for m in citizen.received if isinstance(m, CallEnded)]


async def test_a_hub_stopped_cleanly_leaves_its_waiting_citizens_to_the_others(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    """SIGTERM (a restart for an upgrade): the hub exits 0 without abandoning anyone; its
    citizen resumes on the other hub in its place."""
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")
    citizen = await clients.connect(hub_a.url, "先到")
    token = (await citizen.hello("citizen", name="先到")).resume_token
    queued = await citizen.join(name="先到")
    assert await asyncio.to_thread(hub_a.stop) == 0
    back = await clients.connect(hub_b.url, "先到 again")
    await back.send(Hello(role="citizen", name="先到", resume=token))
    assert (await back.expect(Queued, within=WITHIN)).work_order_id == queued.work_order_id
    await agent.ready()
    assert (await agent.expect(Offer, within=WITHIN)).work_order_id == queued.work_order_id
    found = await until_rows(postgres_url, "SELECT state FROM work_orders WHERE id = %s",
                             (queued.work_order_id,),
                             lambda rows: rows[0]["state"] == "offered")
    assert found[0]["state"] == "offered"  # never abandoned by the stop
