"""Presence in Redis (``seat_hub.cluster.presence``) against the tests' own redis-server:
the newest holder wins and the older one learns it at its renewal, a parked party is
unparked by the hub it comes back to, resume tokens name their party on any hub and live
while it is held, heartbeats come and go; every value read back is checked."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
import redis.asyncio as aioredis
from bus_helpers import client, until
from redis.exceptions import ConnectionError as RedisConnectionError
from redis_rig import RedisRig

from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys, presence
from seat_hub.cluster.presence import Holder, Presence, PresenceError, Timing


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def test_the_newest_holder_wins_and_the_old_hub_learns_it_at_renewal(redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    told: list[str] = []
    a = Presence(redis, "hub-a", tasks=tasks, on_taken_over=told.append)
    b = Presence(redis, "hub-b", tasks=tasks)
    try:
        assert await a.hold("agent-1", "c1") == (None, False)
        await a.hold("citizen-9", "c2")
        a.delivered("agent-1", "1700000000000-3")
        assert (await a.renew()).taken_over == []
        assert await presence.holder(redis, "agent-1") == Holder("hub-a", "c1",
                                                                  "1700000000000-3")
        previous, parked = await b.hold("agent-1", "c7", last_id="1700000000000-3")
        assert previous == Holder("hub-a", "c1", "1700000000000-3") and not parked
        renewal = await a.renew()
        assert renewal.taken_over == ["agent-1"] and renewal.restored == []
        assert told == ["agent-1"] and a.parties == ["citizen-9"]
        # the renewal did not overwrite the newer holder (SET … XX GET would have)
        assert await presence.holder(redis, "agent-1") == Holder("hub-b", "c7",
                                                                  "1700000000000-3")
        assert await redis.smembers(keys.held_key("hub-a")) == {"citizen-9"}
        # a new connection of the same hub is a takeover too (a second login)
        await b.hold("agent-1", "c8")
        assert (await b.renew()).taken_over == []  # b's own table now says c8
        # a sweeper parked it while hub-a could not beat; hub-a still has its socket
        await redis.delete(keys.party_key("citizen-9"))
        await redis.zadd(keys.PARKED, {"citizen-9": 1})
        await redis.srem(keys.held_key("hub-a"), "citizen-9")
        assert (await a.renew()).restored == ["citizen-9"]
        assert await presence.holder(redis, "citizen-9") == Holder("hub-a", "c2")
        assert await presence.parked_deadlines(redis) == {}
        assert await redis.smembers(keys.held_key("hub-a")) == {"citizen-9"}
        assert told == ["agent-1"]
    finally:
        await tasks.close()
        await redis.aclose()


async def test_a_dropped_link_is_parked_and_the_hub_it_comes_back_to_unparks_it(
        redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    a = Presence(redis, "hub-a", tasks=tasks, timing=Timing(grace_ms=60000))
    b = Presence(redis, "hub-b", tasks=tasks)
    try:
        await a.hold("citizen-1", "c1", resume_sha256=sha("t1"))
        await presence.issue_resume(redis, sha("t1"), "citizen-1", 20000)
        seconds, micros = await redis.time()
        assert await a.park("citizen-1")
        deadline = (await presence.parked_deadlines(redis))["citizen-1"]
        now_ms = seconds * 1000 + micros // 1000
        assert now_ms + 59000 <= deadline <= now_ms + 61000 + 5000  # Redis's clock, not ours
        assert await presence.holder(redis, "citizen-1") is None
        assert 50000 < await redis.pttl(keys.resume_key(sha("t1"))) <= 60000
        assert not await a.park("citizen-1")  # not held any more: nothing to park
        # the citizen's token, given to another hub
        assert await presence.resume_party(redis, sha("t1")) == "citizen-1"
        assert await b.hold("citizen-1", "c5", resume_sha256=sha("t1")) == (None, True)
        assert await presence.parked_deadlines(redis) == {}
        # a hub that lost the party meanwhile does not park it
        await a.hold("citizen-2", "c3")
        await b.hold("citizen-2", "c4")
        assert not await a.park("citizen-2")
        assert await presence.holder(redis, "citizen-2") == Holder("hub-b", "c4")
        await b.release("citizen-1")
        assert await presence.resume_party(redis, sha("t1")) is None
        assert await presence.holder(redis, "citizen-1") is None
    finally:
        await tasks.close()
        await redis.aclose()


async def test_resume_tokens_live_while_held_and_expire_after_the_grace(redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    hub = Presence(redis, "hub-a", tasks=tasks,
                   timing=Timing(party_ttl_ms=200, grace_ms=300, renew_ms=50))
    try:
        await presence.issue_resume(redis, sha("kept"), "citizen-1", 500)
        await presence.issue_resume(redis, sha("dropped"), "citizen-2", 200)
        await hub.hold("citizen-1", "c1", resume_sha256=sha("kept"))
        await hub.start()  # renews every 50 ms: the kept token outlives its first 500 ms
        await until(lambda: _gone(redis, sha("dropped")), "the unheld token expired")
        assert await presence.resume_party(redis, sha("kept")) == "citizen-1"
        assert await redis.pttl(keys.resume_key(sha("kept"))) > 0
    finally:
        await tasks.close()
        await redis.aclose()


async def _gone(redis: aioredis.Redis, token_sha: str) -> bool:
    return await presence.resume_party(redis, token_sha) is None


async def test_after_redis_comes_back_empty_the_renewal_writes_presence_again(
        redis_server: RedisRig, redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    hub = Presence(redis, "hub-a", tasks=tasks)
    try:
        await hub.hold("citizen-1", "c1", resume_sha256=sha("t1"))
        await hub.beat()
        await asyncio.to_thread(redis_server.crash)
        await asyncio.to_thread(redis_server.restart)

        async def renewed() -> bool:
            try:
                await hub.beat()
                return (await hub.renew()).restored == ["citizen-1"]
            except RedisConnectionError:  # the pooled connection died with the server
                return False

        await until(renewed, "the presence written again")
        assert await presence.holder(redis, "citizen-1") == Holder("hub-a", "c1")
        assert await presence.resume_party(redis, sha("t1")) == "citizen-1"
        assert await redis.exists(keys.hub_key("hub-a"))
    finally:
        await tasks.close()
        await redis.aclose()


async def test_the_heartbeat_keeps_the_hub_key_and_a_clean_close_removes_it(
        redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    hub = Presence(redis, "hub-a", tasks=tasks, timing=Timing(hub_ttl_ms=300, beat_ms=50),
                   address="10.0.0.5:8443")
    try:
        await hub.start()
        assert await redis.get(keys.hub_key("hub-a")) == "10.0.0.5:8443"
        assert await redis.zscore(keys.HUBS, "hub-a") is not None
        first = await redis.zscore(keys.HUBS, "hub-a")

        async def beat_again() -> bool:
            return bool(await redis.zscore(keys.HUBS, "hub-a") != first)

        await until(beat_again, "a second beat")  # beats every 50 ms; key lives 300 ms
        assert await redis.exists(keys.hub_key("hub-a"))
        await tasks.close()
        await hub.close()
        assert not await redis.exists(keys.hub_key("hub-a"))
    finally:
        await tasks.close()
        await redis.aclose()


@pytest.mark.parametrize("value", [
    "", "hub-a", "hub-a:c1:not-an-id", "a:b:1-2:extra", "hub a:c1", "hub-a:c1:1-2-3", "x" * 300,
])
def test_a_presence_value_that_is_not_ours_is_refused(value: str) -> None:
    with pytest.raises(PresenceError):
        Holder.decode(value)


async def test_bad_names_and_values_are_refused_where_they_enter(redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    try:
        with pytest.raises(PresenceError):
            Presence(redis, "hub:a", tasks=tasks)
        hub = Presence(redis, "hub-a", tasks=tasks)
        for party, connection in (("a:b", "c1"), ("", "c1"), ("p1", "c 1")):
            with pytest.raises(PresenceError):
                await hub.hold(party, connection)
        with pytest.raises(PresenceError):
            await hub.hold("p1", "c1", last_id="$")
        with pytest.raises(PresenceError):
            await hub.hold("p1", "c1", resume_sha256="abc")
        with pytest.raises(PresenceError):
            await presence.issue_resume(redis, "not-a-hash", "p1", 1000)
        assert await presence.resume_party(redis, "../../etc") is None
        # values another program wrote under our keys are not trusted
        await redis.set(keys.party_key("p2"), "garbage value")
        assert await presence.holder(redis, "p2") is None
        await redis.set(keys.resume_key(sha("t")), "no such:party")
        assert await presence.resume_party(redis, sha("t")) is None
        previous, _ = await hub.hold("p2", "c1")  # an unreadable holder is overwritten
        assert previous is None and await presence.holder(redis, "p2") == Holder("hub-a", "c1")
    finally:
        await tasks.close()
        await redis.aclose()
