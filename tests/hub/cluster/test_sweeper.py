"""The sweep (``seat_hub.cluster.sweeper``) against the tests' own redis-server: a hub
whose heartbeat expired has its parties parked (not those another hub took meanwhile),
parked parties past their deadline are let go, and three sweepers running at once let
each one go exactly once."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from bus_helpers import client, until

from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys, presence
from seat_hub.cluster.presence import Presence, Timing
from seat_hub.cluster.sweeper import Sweep, Sweeper, _parsed


async def test_a_dead_hubs_parties_are_parked_then_let_go(redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    dying = Presence(redis, "hub-dying", tasks=tasks, timing=Timing(hub_ttl_ms=200))
    alive = Presence(redis, "hub-alive", tasks=tasks, timing=Timing(hub_ttl_ms=60000))
    sweeper = Sweeper(redis, grace_ms=300)
    try:
        await dying.beat()
        await alive.beat()
        for party in ("agent-1", "citizen-1", "citizen-2"):
            await dying.hold(party, "c1")
        await alive.hold("citizen-2", "c9")  # moved before the hub died: not parked
        assert await sweeper.sweep() == Sweep([], [], [])  # the hub is alive yet
        await until(lambda: _no_key(redis, "hub-dying"), "the dying hub's key expired")
        swept = await sweeper.sweep()
        assert swept.dead_hubs == ["hub-dying"]
        assert sorted(swept.parked) == ["agent-1", "citizen-1"]
        assert await presence.holder(redis, "agent-1") is None
        assert (await presence.holder(redis, "citizen-2")) == presence.Holder("hub-alive", "c9")
        assert await redis.zscore(keys.HUBS, "hub-dying") is None
        assert await redis.zscore(keys.HUBS, "hub-alive") is not None
        assert await sweeper.sweep() == Sweep([], [], [])  # idempotent: nothing twice
        # a parked party that comes back within the grace is not let go
        await alive.hold("citizen-1", "c10")
        let_go: list[str] = []

        async def all_let_go() -> bool:
            let_go.extend((await sweeper.sweep()).let_go)
            return bool(let_go)

        await until(all_let_go, "the grace ended")
        assert let_go == ["agent-1"]
        assert await presence.parked_deadlines(redis) == {}
    finally:
        await tasks.close()
        await redis.aclose()


async def _no_key(redis: aioredis.Redis, hub: str) -> bool:
    return not await redis.exists(keys.hub_key(hub))


async def test_three_sweepers_at_once_let_each_party_go_exactly_once(redis_url: str) -> None:
    clients = [client(redis_url) for _ in range(3)]
    tasks = TaskOwner("test")
    dying = Presence(clients[0], "hub-dying", tasks=tasks, timing=Timing(hub_ttl_ms=100))
    parties = [f"citizen-{i}" for i in range(300)]
    try:
        await dying.beat()
        for party in parties:
            await dying.hold(party, "c1")
        sweepers = [Sweeper(c, grace_ms=200) for c in clients]
        results: list[list[Sweep]] = [[], [], []]

        async def sweep_until_done(i: int) -> None:
            while True:
                results[i].append(await sweepers[i].sweep())
                let_go = sum(len(s.let_go) for r in results for s in r)
                if let_go >= len(parties):
                    return
                await asyncio.sleep(0)  # let the other sweepers in between rounds

        await asyncio.wait_for(asyncio.gather(*(sweep_until_done(i) for i in range(3))), 120)
        parked = [p for r in results for s in r for p in s.parked]
        let_go = [p for r in results for s in r for p in s.let_go]
        dead = [h for r in results for s in r for h in s.dead_hubs]
        assert dead == ["hub-dying"]
        assert sorted(parked) == sorted(parties)  # each parked once
        assert sorted(let_go) == sorted(parties)  # and let go once, by one sweeper
        assert sum(1 for r in results if any(s.let_go for s in r)) >= 1
    finally:
        await tasks.close()
        for c in clients:
            await c.aclose()


@pytest.mark.parametrize("reply", [
    None, ["a", "|", "b"], ["a", "|", "|", "bad name"], ["|", "|", 3], "nope",
])
def test_a_sweep_answer_that_is_not_the_scripts_is_refused(reply: object) -> None:
    with pytest.raises(ValueError):
        _parsed(reply)
