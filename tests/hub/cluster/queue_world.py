"""Helpers of the cluster queue's tests: a ``LiveQueue`` on the session's Redis, and
putting an ``acd`` state (agents and waiting contacts as ``acd.py`` sees them) into Redis
through the scripts, so both sides can be asked for a plan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.routing.acd import AgentView, Assignment, DispatchPlan, WaitingContact

#: A day in December 2026, in ms: the tests' clocks start here.
T0 = 1_796_600_000_000


@asynccontextmanager
async def opened_queue(url: str, **options: int) -> AsyncIterator[LiveQueue]:
    client = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        yield LiveQueue(client, **options)
    finally:
        await client.aclose()


def ms(seconds: float) -> int:
    """An acd time (seconds) as the scripts' whole milliseconds."""
    return round(seconds * 1000)


async def put_state(queue: LiveQueue, contacts: Sequence[WaitingContact],
                    agents: Sequence[AgentView]) -> None:
    """Write ``agents`` (``put_agent``) and ``contacts`` (``join`` in ``seq`` order, so the
    join order is the same) into an empty Redis."""
    for a in agents:
        await queue.put_agent(a.agent_id, f"agent:{a.agent_id}", a.state, a.mode, a.skills,
                              ms(a.idle_since), T0)
    for c in sorted(contacts, key=lambda c: c.seq):
        await queue.join(c.work_order_id, c.skill, c.priority, ms(c.queued_at),
                         party=f"citizen:{c.work_order_id}", transferred=c.transferred,
                         excluded=c.excluded, transferred_by=c.transferred_by)


async def redis_plan(queue: LiveQueue, now_ms: int) -> DispatchPlan:
    """The plan the dispatch script carried out, in acd's terms."""
    done = await queue.dispatch(now_ms)
    return DispatchPlan(tuple(Assignment(o.work_order_id, o.agent_id) for o in done.offers),
                        done.exclusions_reset)
