"""Six clients of one ``redis-server`` (as six hubs, each its own connection) join
citizens, dispatch, and answer, decline and finish offers all at once. Whatever the
interleaving, no contact is offered twice at a time, no agent rings with two contacts or
is offered one while busy, each offer reaches exactly one hub, and every citizen is served
exactly once — checked by replaying the ledger stream, the one order every script's writes
were made in."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

import redis.asyncio as aioredis

from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.queue_results import Offered

SKILLS = ("social_insurance", "housing_fund")
HUBS, AGENTS, CITIZENS = 6, 40, 300


def _now() -> int:
    return int(time.time() * 1000)


async def _hub(queue: LiveQueue, hub: int, answered: Counter[str], seen: list[Offered],
               done: asyncio.Event) -> None:
    rng = random.Random(hub)
    joins = [f"WO-{n:04d}" for n in range(hub, CITIZENS, HUBS)]
    while not done.is_set():
        if joins:
            wo = joins.pop()
            await queue.join(wo, rng.choice(SKILLS), rng.choice(["normal", "elderly"]), _now(),
                             party=f"citizen:{wo}")
        for offer in (await queue.dispatch(_now())).offers:
            seen.append(offer)
            if rng.random() < 0.2:
                assert (await queue.decline(offer.agent_id, offer.call_id, _now())).status == \
                    "declined"
                continue
            started = await queue.accept(offer.agent_id, offer.call_id, _now())
            assert started.status == "started", started
            answered[offer.work_order_id] += 1
            await queue.hang_up(offer.call_id, "citizen", _now())
            closed = await queue.wrap_up_done(offer.agent_id, offer.work_order_id, "resolved",
                                              "", _now())
            assert closed.status == "closed", closed
        if sum(answered.values()) >= CITIZENS:
            done.set()
        await asyncio.sleep(0)  # let the other hubs' calls go out


def _replay(ledger: list[tuple[str, dict[str, object]]]) -> Counter[str]:
    """Check the ledger's one order: an agent offered only when free, a contact offered
    only when not ringing elsewhere; answers per work order."""
    busy: dict[str, str] = {}  # agent → work order (ringing, talking or wrapping up)
    ringing: dict[str, str] = {}  # call → agent
    ringing_wo: set[str] = set()
    call_wo: dict[str, str] = {}
    agent_of_wo: dict[str, str] = {}
    answers: Counter[str] = Counter()
    for op, body in ledger:
        if op == "record_offer":
            agent, wo = str(body["agent_id"]), str(body["work_order_id"])
            call = str(body["call_id"])
            assert agent not in busy, f"{agent} offered {wo} while busy with {busy.get(agent)}"
            assert wo not in ringing_wo, f"{wo} offered twice at once"
            busy[agent], ringing[call], call_wo[call] = wo, agent, wo
            ringing_wo.add(wo)
        elif op == "record_offer_result":
            call = str(body["call_id"])
            del busy[ringing.pop(call)]
            ringing_wo.discard(call_wo[call])
        elif op == "record_answer":
            call, wo = str(body["call_id"]), str(body["work_order_id"])
            agent_of_wo[wo] = ringing.pop(call)
            ringing_wo.discard(wo)
            answers[wo] += 1
        elif op == "close_work_order":
            del busy[agent_of_wo[str(body["work_order_id"])]]
    assert not busy and not ringing
    return answers


async def test_six_hubs_at_once_never_offer_twice_or_double_book_an_agent(
        redis_url: str) -> None:
    clients = [aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(HUBS)]
    queues = [LiveQueue(c, ring_timeout_ms=600_000) for c in clients]
    try:
        for n in range(AGENTS):
            q = queues[n % HUBS]
            skills = {SKILLS[n % 2]} if n % 3 else set(SKILLS)
            await q.log_in(f"ag{n:02d}", f"agent:ag{n:02d}", "video", skills, _now())
            await q.set_state(f"ag{n:02d}", "ready", now_ms=_now())
        answered: Counter[str] = Counter()
        seen: list[Offered] = []
        done = asyncio.Event()
        await asyncio.wait_for(
            asyncio.gather(*(_hub(q, i, answered, seen, done) for i, q in enumerate(queues))),
            timeout=300)
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        entries = await client.xrange(keys.LEDGER)
        ledger = [(f["op"], json.loads(f["body"])) for _, f in entries]
        left = [await client.zcard(keys.queue_key(s)) for s in SKILLS]
        rings = await client.zcard(keys.RINGS)
        await client.aclose()
    finally:
        for c in clients:
            await c.aclose()
    calls = [o.call_id for o in seen]
    assert len(calls) == len(set(calls)), "an offer reached two hubs"
    assert answered == Counter({f"WO-{n:04d}": 1 for n in range(CITIZENS)})
    assert _replay(ledger) == answered
    assert len(seen) > CITIZENS  # some were declined and offered again
    assert left == [0, 0] and rings == 0


async def test_three_hubs_timing_out_rings_at_once_time_each_out_once(redis_url: str) -> None:
    clients = [aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(3)]
    queues = [LiveQueue(c, ring_timeout_ms=1000, max_missed=5) for c in clients]
    try:
        q = queues[0]
        for n in range(30):
            await q.log_in(f"ag{n:02d}", f"agent:ag{n:02d}", "video", {SKILLS[0]}, 1000 + n)
            await q.set_state(f"ag{n:02d}", "ready", now_ms=1000 + n)
            await q.join(f"WO-{n:02d}", SKILLS[0], "normal", 2000 + n, party=f"c{n}")
        assert len((await q.dispatch(3000)).offers) == 30
        rounds = await asyncio.gather(*(x.ring_timeouts(5000, most=7) for x in queues for _ in
                                        range(3)))
        rounds += [await q.ring_timeouts(5000)]
        timed_out = [t.call_id for r in rounds for t in r]
        assert len(timed_out) == len(set(timed_out)) == 30
        ledger = await clients[0].xrange(keys.LEDGER)
        assert sum(1 for _, f in ledger if f["op"] == "record_offer_result") == 30
        assert await clients[0].zcard(keys.queue_key(SKILLS[0])) == 30
    finally:
        for c in clients:
            await c.aclose()
