"""Losing a hub loses nothing: a citizen waiting on a hub process that is killed (kill -9)
reconnects to another hub of the cluster with its resume token, keeps its place ahead of
a citizen who joined after it, and is served there; a token the cluster does not know is
refused there as on a single hub."""

from __future__ import annotations

import asyncio

from cluster_hubs import WITHIN, two_hubs, until_rows
from hubclient import Clients

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallStarted,
    Error,
    Hello,
    Offer,
    Queued,
    Welcome,
)

__all__ = ["two_hubs"]  # the fixture, used by name


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


async def test_a_token_the_cluster_does_not_know_is_refused(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    _, hub_b = two_hubs
    stranger = await clients.connect(hub_b.url, "stranger")
    await stranger.send(Hello(role="citizen", name="x", resume="not-a-token-of-ours"))
    assert (await stranger.expect(Error, within=WITHIN)).code == "resume_refused"
