"""A queue's wrap-up limit holds in a cluster: a wrap-up left over its limit is closed
``unresolved`` in the shared state and the ledger as on a single hub (the seat goes back
to work and is offered the next citizen), and a seat that comes back on another hub
while owing a wrap-up keeps what was left of its limit, not a fresh one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cluster_hubs import WITHIN, beside, cluster_args, until_rows
from hubclient import Client, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Hangup,
    Offer,
    Presence,
    WorkOrderClosed,
)

#: The queues' wrap-up limit on these hubs (s): long enough for a seat to log in again
#: within it on a busy machine, short enough to wait for.
LIMIT = 10
#: How long the seat of the take-up test stays away before logging in again (s): the
#: half of the limit it must not be given again.
AWAY = LIMIT / 2


@pytest.fixture
def limited_hubs(start_hub: Callable[..., HubProcess], postgres_url: str, redis_url: str,
                 tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two cluster hubs whose queues' wrap-ups close by themselves after ``LIMIT`` s."""
    shared = [*cluster_args(postgres_url, redis_url, tmp_path), "--wrap-up-limit", str(LIMIT)]
    first = start_hub([agent_seat("a1")], ring_timeout=10, extra_args=shared)
    second = beside(first, tmp_path / "hub-second")
    try:
        yield first, second
    finally:
        second.stop()


async def _served_and_hung_up(agent: Client, citizen: Client) -> tuple[str, float]:
    """The agent answers the citizen's offer and hangs up: the work order, and when."""
    await citizen.join(name="王小明")
    offer = await agent.expect(Offer, within=WITHIN)
    await agent.send(Accept(call_id=offer.call_id))
    await citizen.expect(CallStarted, within=WITHIN)
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.expect(CallEnded, within=WITHIN)
    ended_at = time.monotonic()
    await agent.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
    return offer.work_order_id, ended_at


async def test_a_wrap_up_over_its_limit_is_closed_everywhere_and_the_seat_serves_again(
    limited_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = limited_hubs
    agent = await clients.agent(hub_a, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub_b, "王小明")
    work_order_id, _ = await _served_and_hung_up(agent, citizen)

    closed = await agent.expect(WorkOrderClosed, within=LIMIT + WITHIN)
    assert (closed.work_order_id, closed.outcome) == (work_order_id, "unresolved")
    assert (await citizen.expect(WorkOrderClosed, within=WITHIN)).outcome == "unresolved"
    await agent.expect(Presence, lambda p: p.state == "ready", within=WITHIN)
    await until_rows(postgres_url, "SELECT state, outcome FROM work_orders WHERE id = %s",
                     (work_order_id,), lambda found: [(o["state"], o["outcome"]) for o in found]
                     == [("closed", "unresolved")])

    # The shared queue has the seat back at work too: the next citizen is offered to it.
    second = await clients.citizen(hub_b, "李小红")
    queued = await second.join(name="李小红")
    assert (await agent.expect(Offer, within=WITHIN)).work_order_id == queued.work_order_id


async def test_a_wrap_up_taken_up_on_another_hub_keeps_what_was_left_of_its_limit(
    limited_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = limited_hubs
    agent = await clients.agent(hub_a, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub_b, "王小明")
    work_order_id, ended_at = await _served_and_hung_up(agent, citizen)

    await agent.ws.close()  # the seat leaves owing its wrap-up, and logs in elsewhere
    await asyncio.sleep(max(0.0, AWAY - (time.monotonic() - ended_at)))  # half the limit spent
    back = await clients.agent(hub_b, "a1")
    logged_in_at = time.monotonic()
    await back.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
    closed = await back.expect(WorkOrderClosed, within=LIMIT + WITHIN)
    assert (closed.work_order_id, closed.outcome) == (work_order_id, "unresolved")
    # At the limit counted from the call's end: the half spent away is not given again.
    assert time.monotonic() - ended_at >= LIMIT - 0.5
    assert time.monotonic() - logged_in_at < LIMIT
    await back.expect(Presence, lambda p: p.state == "ready", within=WITHIN)
    await until_rows(postgres_url, "SELECT state, outcome FROM work_orders WHERE id = %s",
                     (work_order_id,), lambda found: [(o["state"], o["outcome"]) for o in found]
                     == [("closed", "unresolved")])
    # The first hub, which still had the wrap-up from before, let its copy go at the
    # limit instead of closing it a second time.
    deadline = time.monotonic() + WITHIN
    while not hub_a.events("cluster_wrap_up_elsewhere"):
        assert time.monotonic() < deadline, hub_a.log_text()
        await asyncio.sleep(0.05)
    assert [e["work_order_id"] for e in hub_a.events("cluster_wrap_up_elsewhere")] == [
        work_order_id]
    assert not hub_a.events("work_order_closed")
