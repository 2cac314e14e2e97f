"""The cluster's queue and dispatch scripts on a real ``redis-server``: a contact's way from
joining to its wrap-up, with both parties' streams and the ledger stream; declines and ring
timeouts keep the contact's place; a citizen leaving or dropping; an agent coming back on
another hub; and every script repeated (a retry after a failover) changing nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from queue_world import T0, opened_queue

from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue

SI = "social_insurance"


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[LiveQueue]:
    async with opened_queue(redis_url, ring_timeout_ms=20_000, max_missed=2) as q:
        yield q


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield c
    await c.aclose()


async def _stream(client: aioredis.Redis, key: str) -> list[tuple[str, dict[str, object]]]:
    entries = await client.xrange(key)
    return [(f.get("type") or f["op"], json.loads(f["body"])) for _, f in entries]


async def _ready(queue: LiveQueue, agent_id: str, at: int, skills: set[str] | None = None) -> None:
    await queue.log_in(agent_id, f"agent:{agent_id}", "video", skills or {SI}, at)
    assert (await queue.set_state(agent_id, "ready", now_ms=at)).status == "ok"


async def test_a_contact_from_joining_to_its_wrap_up(queue: LiveQueue,
                                                     client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    joined = await queue.join("WO-1", SI, "elderly", T0 + 100, party="citizen:1")
    assert (joined.status, joined.position) == ("queued", 1)
    done = await queue.dispatch(T0 + 150)
    [offer] = done.offers
    assert (offer.work_order_id, offer.agent_id, offer.dispatch_ms) == ("WO-1", "a1", 50)
    agent = await queue.agent("a1")
    assert agent is not None and (agent.state, agent.offer) == ("ringing", offer.call_id)
    assert await client.zscore(keys.RINGS, offer.call_id) == T0 + 150 + 20_000
    assert await queue.queued(SI) == []
    started = await queue.accept("a1", offer.call_id, T0 + 2000)
    assert (started.status, started.work_order_id, started.citizen) == (
        "started", "WO-1", "citizen:1")
    assert await queue.contact("WO-1") is None  # answered: no longer waiting
    ended = await queue.hang_up(offer.call_id, "citizen", T0 + 60_000)
    assert (ended.status, ended.agent_id) == ("ended", "a1")
    agent = await queue.agent("a1")
    assert agent is not None and (agent.state, agent.wrap_up) == ("wrap_up", "WO-1")
    # The agent's hub dies: on another hub the wrap-up is still owed.
    assert (await queue.log_in("a1", "agent:a1", "video", {SI}, T0 + 61_000)).state == "wrap_up"
    assert (await queue.set_state("a1", "ready", now_ms=T0 + 61_500)).code == "bad_state"
    closed = await queue.wrap_up_done("a1", "WO-1", "resolved", "已解答", T0 + 90_000)
    assert (closed.status, closed.state) == ("closed", "ready")
    agent = await queue.agent("a1")
    assert agent is not None and agent.idle_since_ms == T0 + 90_000
    kinds = [k for k, _ in await _stream(client, keys.to_key("agent:a1"))]
    assert kinds == ["offer", "call_started", "call_ended", "work_order_closed"]
    citizen = await _stream(client, keys.to_key("citizen:1"))
    assert [k for k, _ in citizen] == ["offered", "call_started", "call_ended",
                                       "work_order_closed"]
    assert citizen[1][1] == {"call_id": offer.call_id, "work_order_id": "WO-1",
                             "call_role": "caller"}
    ledger = await _stream(client, keys.LEDGER)
    assert [op for op, _ in ledger] == ["record_offer", "record_answer", "record_end",
                                       "record_leg", "close_work_order"]
    assert ledger[4][1] == {"work_order_id": "WO-1", "outcome": "resolved", "notes": "已解答",
                            "at": T0 + 90_000}


async def test_every_script_repeated_changes_nothing(queue: LiveQueue,
                                                     client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    first = await queue.join("WO-1", SI, "normal", T0 + 1, party="c1")
    again = await queue.join("WO-1", SI, "elderly", T0 + 9, party="c1")
    assert (again.status, again.seq) == ("exists", first.seq)
    [offer] = (await queue.dispatch(T0 + 10)).offers
    assert (await queue.dispatch(T0 + 11)).offers == ()
    assert (await queue.accept("a1", offer.call_id, T0 + 20)).status == "started"
    assert (await queue.accept("a1", offer.call_id, T0 + 21)).status == "already"
    assert (await queue.decline("a1", offer.call_id, T0 + 22)).code == "no_such_call"
    assert (await queue.hang_up(offer.call_id, "agent", T0 + 30)).status == "ended"
    assert (await queue.hang_up(offer.call_id, "agent", T0 + 31)).status == "gone"
    assert (await queue.wrap_up_done("a1", "WO-1", "guided", "", T0 + 40)).status == "closed"
    assert (await queue.wrap_up_done("a1", "WO-1", "guided", "", T0 + 41)).refused
    assert (await queue.set_state("a1", "ready", now_ms=T0 + 50)).status == "unchanged"
    assert (await queue.abandon("WO-1", T0 + 60)).status == "gone"
    assert await queue.ring_timeouts(T0 + 10**6) == ()
    ops = [op for op, _ in await _stream(client, keys.LEDGER)]
    assert ops == ["record_offer", "record_answer", "record_end", "record_leg",
                   "close_work_order"]
    agent = await queue.agent("a1")
    assert agent is not None and (agent.state, agent.idle_since_ms) == ("ready", T0 + 40)


async def test_a_declined_contact_keeps_its_place_and_waits_for_the_others(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    await queue.log_in("a2", "agent:a2", "video", {SI}, T0)  # away: a candidate? no
    await queue.join("WO-1", SI, "normal", T0 + 100, party="c1")
    score = await client.zscore(keys.queue_key(SI), "WO-1")
    [offer] = (await queue.dispatch(T0 + 200)).offers
    declined = await queue.decline("a1", offer.call_id, T0 + 300)
    assert (declined.status, declined.state) == ("declined", "ready")
    assert await client.zscore(keys.queue_key(SI), "WO-1") == score
    assert await client.smembers(keys.excl_key("WO-1")) == {"a1"}
    await queue.join("WO-2", SI, "normal", T0 + 400, party="c2")
    # a1 declined WO-1 and is its only candidate: exclusions reset, WO-1 (first) goes to a1.
    done = await queue.dispatch(T0 + 500)
    assert [(o.work_order_id, o.agent_id) for o in done.offers] == [("WO-1", "a1")]
    assert done.exclusions_reset == {"WO-1"}
    await queue.decline("a1", done.offers[0].call_id, T0 + 600)
    assert (await queue.set_state("a2", "ready", now_ms=T0 + 700)).status == "ok"
    # Now a2 could take it: a1 stays excluded, a1 gets WO-2, a2 gets WO-1.
    done = await queue.dispatch(T0 + 800)
    assert {(o.work_order_id, o.agent_id) for o in done.offers} == {("WO-1", "a2"),
                                                                    ("WO-2", "a1")}
    assert done.exclusions_reset == frozenset()


async def test_offers_that_ring_out_send_the_agent_away_after_two_in_a_row(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    [offer] = (await queue.dispatch(T0 + 1)).offers
    assert await queue.ring_timeouts(T0 + 20_000) == ()  # not yet due
    [out] = await queue.ring_timeouts(T0 + 20_001)
    assert (out.call_id, out.agent_state) == (offer.call_id, "ready")
    [offer] = (await queue.dispatch(T0 + 20_002)).offers  # reset: a1 was the only one
    [out] = await queue.ring_timeouts(T0 + 40_002)
    assert out.agent_state == "away"
    agent = await queue.agent("a1")
    assert agent is not None and agent.missed_offers == 2
    assert await client.hget(keys.agent_key("a1"), "reason") == "missed_offers"
    assert await queue.queued(SI) == ["WO-1"]
    withdrawn = [b for k, b in await _stream(client, keys.to_key("agent:a1"))
                 if k == "offer_withdrawn"]
    assert [w["reason"] for w in withdrawn] == ["timeout", "timeout"]
    # Coming back is a fresh start: missed offers count in a row.
    await queue.set_state("a1", "ready", now_ms=T0 + 50_000)
    agent = await queue.agent("a1")
    assert agent is not None and agent.missed_offers == 0
    [offer] = (await queue.dispatch(T0 + 50_001)).offers
    await queue.ring_timeouts(T0 + 70_001)
    agent = await queue.agent("a1")
    assert agent is not None and (agent.state, agent.missed_offers) == ("ready", 1)
    await queue.log_in("a1", "agent:a1", "video", {SI}, T0 + 70_002)  # so is a new session
    agent = await queue.agent("a1")
    assert agent is not None and (agent.state, agent.missed_offers) == ("away", 0)


async def test_a_citizen_who_leaves_while_ringing_frees_the_agent(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    await queue.join("WO-1", SI, "disabled", T0, party="c1")
    [offer] = (await queue.dispatch(T0 + 1)).offers
    left = await queue.abandon("WO-1", T0 + 5)
    assert (left.status, left.call_id, left.agent_id, left.state) == (
        "abandoned", offer.call_id, "a1", "ready")
    assert await client.exists(keys.offer_key(offer.call_id), keys.contact_key("WO-1")) == 0
    assert await client.zcard(keys.RINGS) == 0
    ledger = await _stream(client, keys.LEDGER)
    assert [op for op, _ in ledger] == ["record_offer", "record_offer_result", "abandon"]
    assert ledger[1][1]["result"] == "withdrawn"
    assert (await queue.accept("a1", offer.call_id, T0 + 6)).code == "no_such_call"


async def test_a_dropped_citizen_keeps_their_place_but_is_not_offered(queue: LiveQueue) -> None:
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    await queue.join("WO-2", SI, "normal", T0 + 1, party="c2")
    assert await queue.park("WO-1", True) == "parked"
    await _ready(queue, "a1", T0 + 2)
    assert [o.work_order_id for o in (await queue.dispatch(T0 + 3)).offers] == ["WO-2"]
    assert await queue.park("WO-1", False) == "queued"
    assert await queue.queued(SI) == ["WO-1"]
    assert await queue.park("WO-2", True) == "offered"
    assert await queue.park("WO-9", True) == "gone"


async def test_an_agent_back_on_another_hub_keeps_the_offer_and_one_who_leaves_frees_it(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    [offer] = (await queue.dispatch(T0 + 1)).offers
    kept = await queue.log_in("a1", "agent:a1:hub2", "video", {SI}, T0 + 2)
    assert (kept.status, kept.state) == ("kept", "ringing")
    assert await client.hget(keys.agent_key("a1"), "party") == "agent:a1:hub2"
    gone = await queue.log_out("a1", T0 + 3)
    assert (gone.status, gone.call_id) == ("logged_out", offer.call_id)
    assert await queue.queued(SI) == ["WO-1"]
    assert await client.scard(keys.excl_key("WO-1")) == 0  # leaving is not declining
    assert await client.zcard(keys.ready_key(SI)) == 0
    assert (await queue.set_state("a1", "ready", now_ms=T0 + 4)).code == "no_such_agent"


async def test_transfers_go_first_and_skip_the_agent_who_handed_them_on(
        queue: LiveQueue) -> None:
    await _ready(queue, "first", T0)
    await _ready(queue, "second", T0 + 5)
    await queue.join("WO-1", SI, "elderly", T0, party="c1")
    await queue.join("WO-2", SI, "normal", T0 + 9, party="c2", transferred=True,
                     excluded={"first"})
    done = await queue.dispatch(T0 + 10)
    assert [(o.work_order_id, o.agent_id) for o in done.offers] == [
        ("WO-2", "second"), ("WO-1", "first")]


async def test_a_queue_transfer_waits_for_a_colleague_rather_than_ring_back_its_agent(
        queue: LiveQueue) -> None:
    await _ready(queue, "a1", T0)
    await queue.log_in("b1", "agent:b1", "video", {SI}, T0)  # away, same skill
    joined = await queue.join("WO-1", SI, "normal", T0 + 1, party="c1", transferred=True,
                              excluded={"a1"}, transferred_by="a1")
    retried = await queue.join("WO-1", SI, "normal", T0 + 1, party="c1", transferred=True,
                               transferred_by="b1")
    assert (joined.status, retried.status) == ("queued", "exists")
    contact = await queue.contact("WO-1")
    assert contact is not None and contact.transferred_by == "a1"  # the retry changed nothing
    # a1, the one candidate, was tried: the exclusions reset, yet a1 is not rung back.
    done = await queue.dispatch(T0 + 2)
    assert (done.offers, done.exclusions_reset) == ((), frozenset({"WO-1"}))
    # b1 logs out: a1 is the only agent left with the skill, so is rung again.
    await queue.log_out("b1", T0 + 3)
    [offer] = (await queue.dispatch(T0 + 4)).offers
    assert offer.agent_id == "a1"
    assert (await queue.decline("a1", offer.call_id, T0 + 5)).status == "declined"
    # b1 back (away): a1 is held back again; b1 ready gets the citizen, a1 idle longer.
    await queue.log_in("b1", "agent:b1", "combined", {SI}, T0 + 6)
    assert (await queue.dispatch(T0 + 7)).offers == ()
    await queue.set_state("b1", "ready", now_ms=T0 + 8)
    [offer] = (await queue.dispatch(T0 + 9)).offers
    assert offer.agent_id == "b1"


async def test_state_changes_the_hub_refuses_are_refused(queue: LiveQueue) -> None:
    await queue.log_in("c1", "agent:c1", "counter", {SI}, T0)
    refused = await queue.set_state("c1", "ready", now_ms=T0 + 1)
    assert (refused.status, refused.code, refused.state) == ("refused", "bad_state", "counter")
    await _ready(queue, "a1", T0)
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    await queue.dispatch(T0 + 1)
    assert (await queue.set_state("a1", "away", "break", now_ms=T0 + 2)).code == "bad_state"
    assert (await queue.set_mode("a1", "counter", T0 + 2)).code == "bad_state"
    assert (await queue.log_out("nobody", T0)).status == "gone"
    assert (await queue.set_mode("nobody", "video", T0)).code == "no_such_agent"


async def test_a_seat_switched_to_counter_leaves_routing_and_comes_back_away(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    assert (await queue.set_mode("a1", "combined", T0 + 1)).state == "ready"  # still routed
    assert (await queue.set_mode("a1", "counter", T0 + 2)).state == "counter"
    assert await client.zcard(keys.ready_key(SI)) == 0
    assert await client.scard(keys.staff_key(SI)) == 0
    await queue.join("WO-1", SI, "normal", T0 + 3, party="c1")
    assert (await queue.dispatch(T0 + 4)).offers == ()
    assert (await queue.set_mode("a1", "video", T0 + 5)).state == "away"
    assert (await queue.set_mode("a1", "video", T0 + 6)).status == "unchanged"


async def test_scripts_are_loaded_again_when_the_server_forgot_them(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await _ready(queue, "a1", T0)
    await client.script_flush()  # as a replica promoted by Sentinel: no scripts cached
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    assert len((await queue.dispatch(T0 + 1)).offers) == 1


async def test_times_left_out_are_read_from_redis_clock(queue: LiveQueue,
                                                        client: aioredis.Redis) -> None:
    seconds, micros = await client.time()
    before = seconds * 1000 + micros // 1000
    await queue.log_in("a1", "agent:a1", "video", {SI})
    await queue.set_state("a1", "ready")
    await queue.join("WO-1", SI, "normal", None, party="c1")
    [offer] = (await queue.dispatch()).offers
    seconds, micros = await client.time()
    after = seconds * 1000 + micros // 1000
    contact, agent = await queue.contact("WO-1"), await queue.agent("a1")
    assert contact is not None and agent is not None
    assert before <= agent.idle_since_ms <= contact.queued_at_ms <= after
    deadline = await client.zscore(keys.RINGS, offer.call_id)
    assert deadline is not None and before + 20_000 <= deadline <= after + 20_000
