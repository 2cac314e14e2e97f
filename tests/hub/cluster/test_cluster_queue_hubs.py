"""One queue across a cluster's hubs: citizens waiting on two hub processes are served by
one agent in the ACD's order (priority band, then join time), a citizen who leaves on one
hub is out everywhere, and messages between hubs that are not what a hub posts are logged
and skipped while the service goes on."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import redis.asyncio as aioredis
from cluster_hubs import WITHIN, beside, cluster_args, until_rows
from hubclient import Client, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Hangup,
    Hello,
    LeaveQueue,
    Offer,
    OfferWithdrawn,
    Presence,
    Queued,
    QueuePosition,
    QueueSnapshot,
    WorkOrderClosed,
    WrapUp,
)
from seat_hub.cluster import keys


async def _serve_next(agent: Client, citizens: dict[str, Client]) -> str:
    """The agent answers the next offer, hangs up and wraps up; the work order served."""
    offer = await agent.expect(Offer, within=WITHIN)
    await agent.send(Accept(call_id=offer.call_id))
    citizen = citizens[offer.work_order_id]
    assert (await citizen.expect(CallStarted, within=WITHIN)).call_id == offer.call_id
    await agent.expect(CallStarted, within=WITHIN)
    await agent.send(Hangup(call_id=offer.call_id))
    assert (await citizen.expect(CallEnded, within=WITHIN)).ended_by == "agent"
    await agent.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
    await agent.send(WrapUp(work_order_id=offer.work_order_id, outcome="resolved", notes=""))
    await agent.expect(WorkOrderClosed, within=WITHIN)
    assert (await citizen.expect(WorkOrderClosed, within=WITHIN)).outcome == "resolved"
    return offer.work_order_id


async def test_citizens_on_two_hubs_are_served_in_the_acds_order_and_leaving_is_everywhere(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")  # away until everyone waits
    citizens: dict[str, Client] = {}
    joined: list[str] = []
    for hub, label, priority in ((hub_a, "先到", "normal"), (hub_b, "后到", "normal"),
                                 (hub_b, "要走", "normal"), (hub_a, "老人", "elderly")):
        citizen = await clients.citizen(hub, label)
        queued = await citizen.join(name=label, priority=priority)
        citizens[queued.work_order_id] = citizen
        joined.append(queued.work_order_id)
    first, second, leaving, elderly = joined
    await citizens[leaving].send(LeaveQueue())
    assert (await citizens[leaving].expect(Ack, within=WITHIN)).of == "leave_queue"

    # Each is told its place in the one queue, not among its own hub's citizens.
    for work_order_id, place in ((elderly, 1), (first, 2), (second, 3)):
        told = await citizens[work_order_id].expect(
            QueuePosition, lambda p, place=place: p.position == place, within=WITHIN)  # type: ignore[misc]
        assert told.work_order_id == work_order_id

    # The agent sees them all, wherever they wait, in the order they will be served.
    await agent.expect(QueueSnapshot, lambda snapshot: [
        e.work_order_id for e in snapshot.entries] == [elderly, first, second], within=WITHIN)

    await agent.ready()
    served = [await _serve_next(agent, citizens) for _ in range(3)]
    assert served == [elderly, first, second]  # 老年人 first, then by join time, any hub

    await until_rows(postgres_url, "SELECT state FROM work_orders WHERE id = %s",
                              (leaving,), lambda found: found[0]["state"] == "abandoned")
    offers = await until_rows(postgres_url, "SELECT work_order_id FROM offers ORDER BY seq",
                              (), lambda found: len(found) >= 3)
    assert [o["work_order_id"] for o in offers] == served  # the one who left: never offered
    await until_rows(postgres_url, "SELECT state FROM work_orders WHERE id = ANY(%s)",
                     (served,), lambda found: [o["state"] for o in found] == ["closed"] * 3)


async def test_messages_between_hubs_that_are_not_a_hubs_are_logged_and_skipped(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, redis_url: str
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")
    stream = keys.to_key("agent.a1")
    bad = [
        ("relay", {"from": "citizen.WO-nobody", "role": "citizen", "name": "x",
                   "frame": '{"type": "chat"}'}),  # no call of theirs is homed here
        ("relay", {"from": 7}),  # not text
        ("frame", {"frame": "{not json", "from": "agent.a1"}),  # for a party not a citizen
        ("offer", {"call_id": "C-x", "work_order_id": "WO-no-details"}),  # no details
        ("offer_withdrawn", {"call_id": "C-x", "reason": "bored"}),
    ]
    async with aioredis.Redis.from_url(redis_url, decode_responses=True) as client:
        for kind, body in bad:
            await client.xadd(stream, {"type": kind, "body": json.dumps(body)})
        await client.xadd(stream, {"type": "NOT A TYPE", "body": "{}"})  # the reader's own
    deadline = asyncio.get_running_loop().time() + WITHIN
    while len(hub_b.events("cluster_message_skipped")) < len(bad):
        assert asyncio.get_running_loop().time() < deadline, hub_b.log_text()
        await asyncio.sleep(0.05)
    skipped = hub_b.events("cluster_message_skipped")
    assert sorted(e["type"] for e in skipped) == sorted(kind for kind, _ in bad)
    assert not hub_b.events("internal_error"), hub_b.events("internal_error")

    # The service goes on: a citizen on the other hub is offered to the agent.
    await agent.ready()
    citizen = await clients.citizen(hub_a, "王小明")
    queued = await citizen.join(name="王小明")
    offer = await agent.expect(Offer, within=WITHIN)
    assert offer.work_order_id == queued.work_order_id


async def test_an_offer_rung_out_on_one_hub_goes_back_to_its_place_and_rings_again(
    start_hub: Callable[..., HubProcess], clients: Clients, postgres_url: str,
    redis_url: str, tmp_path: Path
) -> None:
    hub_a = start_hub([agent_seat("a1")], ring_timeout=2,
                      extra_args=cluster_args(postgres_url, redis_url, tmp_path))
    hub_b = beside(hub_a, tmp_path / "hub-b")
    try:
        agent = await clients.agent(hub_b, "a1")
        await agent.ready()
        citizen = await clients.citizen(hub_a, "王小明")
        queued = await citizen.join(name="王小明")
        first = await agent.expect(Offer, within=WITHIN)
        withdrawn = await agent.expect(OfferWithdrawn, within=WITHIN)
        assert (withdrawn.call_id, withdrawn.reason) == (first.call_id, "timeout")
        # The only agent: the exclusion is reset and the contact rings again.
        again = await agent.expect(Offer, within=WITHIN)
        assert again.work_order_id == queued.work_order_id
        assert again.call_id != first.call_id
        offers = await until_rows(
            postgres_url, "SELECT call_id, result FROM offers ORDER BY seq", (),
            lambda found: len(found) == 2 and found[0]["result"] == "timeout")
        assert [o["call_id"] for o in offers] == [first.call_id, again.call_id]
    finally:
        await asyncio.to_thread(hub_b.stop)


async def test_a_waiting_citizen_whose_link_drops_is_marked_in_every_hubs_queue_view(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    """The agent on the other hub sees the citizen keep its place, marked with what is
    left of its grace (中断), and the mark gone once the citizen is back."""
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")  # away: the citizen keeps waiting
    citizen = await clients.connect(hub_a.url, "王小明")
    token = (await citizen.hello("citizen", name="王小明")).resume_token
    queued = await citizen.join(name="王小明")
    await agent.expect(QueueSnapshot, lambda s: [e.work_order_id for e in s.entries] == [
        queued.work_order_id] and not s.entries[0].link_lost_until, within=WITHIN)

    citizen.ws.transport.abort()  # the link drops: no close frame
    lost = await agent.expect(QueueSnapshot, lambda s: [
        e.work_order_id for e in s.entries] == [queued.work_order_id]
        and s.entries[0].link_lost_until > 0, within=WITHIN)
    left = lost.entries[0].link_lost_until - time.time()
    assert 0 < left <= 61, left  # the hubs' default grace: 60 s

    back = await clients.connect(hub_b.url, "王小明 again")
    await back.send(Hello(role="citizen", name="王小明", resume=token))
    assert (await back.expect(Queued, within=WITHIN)).work_order_id == queued.work_order_id
    await agent.expect(QueueSnapshot, lambda s: [e.work_order_id for e in s.entries] == [
        queued.work_order_id] and not s.entries[0].link_lost_until, within=WITHIN)
