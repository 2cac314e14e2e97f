"""Parties coming back and offers ending on a cluster's hubs, and Redis failing under them:

- a citizen back on its own hub while its departure is still parking it is offered, not
  left parked (the departure held at its park, in process: no timing luck);
- the stand-ins an agent's hub makes to ring offers are dropped once the offers end
  unanswered (declined, citizen gone, rung out, agent gone), and kept for an answer;
- a bug in a step (a ``ValueError``) is answered ``internal``, not taken for Redis away,
  and one in a dispatch pass is logged as a bug while the passes go on;
- a seat logging in while Redis is down is told to try again, in Chinese, and logs in once
  Redis is back (a real ``seat-hub --cluster`` and redis-server stopped under it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cluster_hubs import cluster_args
from floor_rig import SI_ITEM, WITHIN, InProcessHub, Party, seat, start_hub
from hubclient import Clients, agent_seat
from redis.exceptions import ConnectionError as RedisConnectionError
from redis_rig import RedisRig

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallStarted,
    CitizenInfo,
    Decline,
    Error,
    Hello,
    JoinQueue,
    LeaveQueue,
    Offer,
    OfferWithdrawn,
    Queued,
    SetState,
    Welcome,
)
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.queue_results import Dispatched, Joined


async def until(done: Callable[[], bool], what: str) -> None:
    """Wait for ``done`` (polled; the deadline is generous)."""
    deadline = time.monotonic() + WITHIN
    while not done():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


async def citizen_in_queue(hub: InProcessHub, label: str) -> tuple[Party, str, str]:
    """A citizen welcomed and queued on ``hub``: it, its resume token, its work order."""
    citizen = hub.party(label)
    await citizen.send(Hello(role="citizen", name=label))
    token = (await citizen.expect(Welcome)).resume_token
    await citizen.send(JoinQueue(item_code=SI_ITEM, channel="web",
                                 citizen=CitizenInfo(name=label)))
    return citizen, token, (await citizen.expect(Queued)).work_order_id


async def ready(agent: Party) -> None:
    await agent.send(SetState(state="ready"))


class ParkHeld(LiveQueue):
    """The shared queue, but a dropped citizen's park (``park(…, True)``) waits at
    ``release`` once ``holding`` is set, after saying so (``reached``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holding = False
        self.reached = asyncio.Event()
        self.release = asyncio.Event()
        self.parks: list[tuple[str, bool]] = []  # as they landed

    async def park(self, work_order_id: str, parked: bool) -> str:
        if parked and self.holding:
            self.holding = False
            self.reached.set()
            await self.release.wait()
        status = await super().park(work_order_id, parked)
        self.parks.append((work_order_id, parked))
        return status


async def test_a_citizen_back_on_its_hub_while_its_departure_parks_it_is_offered(
    redis_url: str, tmp_path: Path
) -> None:
    hub = await start_hub(redis_url, tmp_path, "hub-a", [seat("a1")], queue_type=ParkHeld)
    queue = hub.queue
    assert isinstance(queue, ParkHeld)
    try:
        citizen, token, work_order_id = await citizen_in_queue(hub, "王小明")
        queue.holding = True
        citizen.drop()
        async with asyncio.timeout(WITHIN):
            await queue.reached.wait()  # the departure is parking it, not landed yet

        back = hub.party("王小明 again")
        await back.send(Hello(role="citizen", name="王小明", resume=token))
        assert (await back.expect(Welcome)).resume_token == token
        assert (await back.expect(Queued)).work_order_id == work_order_id
        queue.release.set()  # the departure's park lands after the resume's unpark
        await until(lambda: (work_order_id, True) in queue.parks, "the departure's park")

        agent = await hub.agent("a1")
        await ready(agent)
        offer = await agent.expect(Offer)
        assert offer.work_order_id == work_order_id  # offered: not left parked
    finally:
        await hub.stop()


async def test_unanswered_offers_leave_no_stand_in_on_the_agents_hub(
    redis_url: str, tmp_path: Path
) -> None:
    """Citizens on hub A, the seat on hub B: each offer B rings stands the citizen in
    (``remotes``); declined, withdrawn as the citizen leaves, rung out, or ended as the
    seat leaves, none is left there; an answered one is the call's and stays."""
    hub_a = await start_hub(redis_url, tmp_path, "hub-a", [seat("a1")], ring_timeout_s=3.0)
    hub_b = await start_hub(redis_url, tmp_path, "hub-b", [seat("a1")], ring_timeout_s=3.0)
    remotes = hub_b.floor.parties.remotes
    try:
        agent = await hub_b.agent("a1")
        await ready(agent)
        first, _, first_wo = await citizen_in_queue(hub_a, "先到")

        declined = await agent.expect(Offer)
        assert f"citizen.{first_wo}" in remotes  # stood in to ring it
        await agent.send(Decline(call_id=declined.call_id))
        await agent.expect(OfferWithdrawn, lambda w: w.call_id == declined.call_id)

        left = await agent.expect(Offer)  # the same citizen again (all were tried)
        await first.send(LeaveQueue())
        withdrawn = await agent.expect(OfferWithdrawn, lambda w: w.call_id == left.call_id)
        assert withdrawn.reason == "citizen_left"

        _, _, second_wo = await citizen_in_queue(hub_a, "后到")
        rung_out = await agent.expect(Offer)
        withdrawn = await agent.expect(OfferWithdrawn, lambda w: w.call_id == rung_out.call_id)
        assert withdrawn.reason == "timeout"

        await ready(agent)
        await agent.expect(Offer, lambda o: o.work_order_id == second_wo)
        agent.drop()  # the seat goes while it rings
        await until(lambda: not remotes, f"stand-ins left on hub B: {sorted(remotes)}")
        assert len(hub_b.events("cluster_stand_in_dropped")) == 4

        again = await hub_b.agent("a1")
        await ready(again)
        answered = await again.expect(Offer)
        await again.send(Accept(call_id=answered.call_id))
        await again.expect(CallStarted)
        assert list(remotes) == [f"citizen.{answered.work_order_id}"]  # the call's citizen
    finally:
        await hub_b.stop()
        await hub_a.stop()


class JoinFails(LiveQueue):
    """The shared queue, but its join raises ``failure``."""

    failure: Exception = ValueError("priority must be one of …: a bug")

    async def join(self, *args: Any, **kwargs: Any) -> Joined:
        raise self.failure


async def test_a_bug_in_a_join_is_answered_internal_not_taken_for_redis_away(
    redis_url: str, tmp_path: Path
) -> None:
    hub = await start_hub(redis_url, tmp_path, "hub-a", [seat("a1")], queue_type=JoinFails)
    try:
        citizen = hub.party("王小明")
        await citizen.send(Hello(role="citizen", name="王小明"))
        await citizen.expect(Welcome)
        await citizen.send(JoinQueue(item_code=SI_ITEM, channel="web",
                                     citizen=CitizenInfo(name="王小明")))
        assert (await citizen.expect(Error)).code == "internal"
        assert [e["type"] for e in hub.events("internal_error")] == ["join_queue"]
        assert hub.events("cluster_error") == []
    finally:
        await hub.stop()


async def test_redis_away_at_a_join_is_still_busy(redis_url: str, tmp_path: Path) -> None:
    hub = await start_hub(redis_url, tmp_path, "hub-a", [seat("a1")], queue_type=JoinFails)
    queue = hub.queue
    assert isinstance(queue, JoinFails)
    queue.failure = RedisConnectionError("Connection refused")
    try:
        citizen = hub.party("王小明")
        await citizen.send(Hello(role="citizen", name="王小明"))
        await citizen.expect(Welcome)
        await citizen.send(JoinQueue(item_code=SI_ITEM, channel="web",
                                     citizen=CitizenInfo(name="王小明")))
        refused = await citizen.expect(Error)
        assert refused.code == "busy" and "排队服务暂时不可用" in refused.message
        assert [e["where"] for e in hub.events("cluster_error")] == ["join"]
    finally:
        await hub.stop()


class DispatchFailsOnce(LiveQueue):
    """The shared queue, but its first dispatch pass raises a bug's ``ValueError``."""

    failed = False

    async def dispatch(self, *args: Any, **kwargs: Any) -> Dispatched:
        if not self.failed:
            self.failed = True
            raise ValueError("a bug in a dispatch pass")
        return await super().dispatch(*args, **kwargs)


async def test_a_bug_in_a_dispatch_pass_is_logged_as_one_and_the_passes_go_on(
    redis_url: str, tmp_path: Path
) -> None:
    hub = await start_hub(redis_url, tmp_path, "hub-a", [seat("a1")],
                          queue_type=DispatchFailsOnce)
    try:
        _, _, work_order_id = await citizen_in_queue(hub, "王小明")
        agent = await hub.agent("a1")
        await ready(agent)
        assert (await agent.expect(Offer)).work_order_id == work_order_id
        assert [e["where"] for e in hub.events("internal_error")] == ["dispatch"]
        assert hub.events("cluster_error") == []
    finally:
        await hub.stop()


async def test_a_seat_logging_in_while_redis_is_down_is_told_to_try_again(
    start_hub: Callable[..., HubProcess], postgres_url: str, redis_url: str,
    redis_server: RedisRig, clients: Clients, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("a1")], extra_args=cluster_args(postgres_url, redis_url,
                                                                 tmp_path))
    await asyncio.to_thread(redis_server.crash)
    try:
        seat_link = await clients.connect(hub.url, "a1")
        await seat_link.send(Hello(role="agent", token=hub.tokens["a1"]))
        refused = await seat_link.expect(Error, within=WITHIN)
        assert (refused.code, refused.of) == ("busy", "hello")
        assert "排队服务暂时不可用，请稍后重试" in refused.message
        await seat_link.closed(within=WITHIN)
        logged = await hub.wait_for_event("cluster_error", lambda e: e["where"] == "login",
                                          within=WITHIN)
        assert logged["agent_id"] == "a1"
        assert hub.running and not hub.events("internal_error")
    finally:
        await asyncio.to_thread(redis_server.restart)
    back = await clients.agent(hub, "a1")  # Redis back: welcomed
    await back.ready()
