"""Signaling between hubs (``seat_hub.cluster.bus``) against the tests' own redis-server:
a hub's reader delivers each party's messages in order; a party added while the reader
blocks is read at once (the wake-up), not after the block; a party that moves hubs is
read from its last delivered id, so what was published during the move arrives once; a
bad entry is skipped, never stopping the next; after redis-server is killed and started
again the reader reads on; the wall's updates pass on pub/sub."""

from __future__ import annotations

import asyncio
import time

import pytest
from bus_helpers import client, until
from redis.exceptions import ConnectionError as RedisConnectionError
from redis_rig import RedisRig

from seat_common.tasks import TaskOwner
from seat_hub.cluster import bus, keys
from seat_hub.cluster.bus import BadMessage, Signal, SignalReader

#: A block far longer than any wait below: a delivery before it proves the wake-up.
LONG_BLOCK_MS = 120_000


class Inbox:
    """What a reader delivered: (party, stream id, signal), in order."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str, Signal]] = []

    async def deliver(self, party: str, entry_id: str, signal: Signal) -> None:
        self.got.append((party, entry_id, signal))

    def bodies(self, party: str) -> list[int]:
        return [int(s.body["n"]) for p, _, s in self.got if p == party]


async def test_messages_arrive_in_order_and_a_new_party_does_not_wait_for_the_block(
        redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    inbox = Inbox()
    reader = SignalReader(client(redis_url), inbox.deliver, name="hub-a",
                          block_ms=LONG_BLOCK_MS)
    try:
        await bus.publish(redis, "agent-1", "old", {"n": -1})  # before it was here: not read
        await reader.add("agent-1")
        tasks.spawn(reader.run(), "reader")
        for n in range(50):
            await bus.publish(redis, "agent-1", "ice", {"n": n})
        await until(lambda: len(inbox.got) == 50, "50 messages")
        assert inbox.bodies("agent-1") == list(range(50))
        assert [s.type for _, _, s in inbox.got] == ["ice"] * 50
        ids = [i for _, i, _ in inbox.got]
        assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
        # the reader is blocked in XREAD for up to 120 s; a party arriving now is read now
        await until(lambda: reader.reads >= 2, "the reader blocking again")
        started = time.monotonic()
        await reader.add("citizen-7")
        await bus.publish(redis, "citizen-7", "offer", {"n": 1})
        await until(lambda: inbox.bodies("citizen-7") == [1], "the new party's message",
                    within_s=60)
        assert time.monotonic() - started < LONG_BLOCK_MS / 1000
        assert reader.positions["citizen-7"] == inbox.got[-1][1]
        # a party that left is no longer read
        await reader.remove("agent-1")
        await bus.publish(redis, "agent-1", "ice", {"n": 99})
        await bus.publish(redis, "citizen-7", "ice", {"n": 2})
        await until(lambda: inbox.bodies("citizen-7") == [1, 2], "the next message")
        assert inbox.bodies("agent-1") == list(range(50))
    finally:
        await reader.close()
        await tasks.close()
        await redis.aclose()


async def test_a_party_that_moves_hubs_gets_what_was_sent_during_the_move_once(
        redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    on_a, on_b = Inbox(), Inbox()
    reader_a = SignalReader(client(redis_url), on_a.deliver, name="hub-a", block_ms=LONG_BLOCK_MS)
    reader_b = SignalReader(client(redis_url), on_b.deliver, name="hub-b", block_ms=LONG_BLOCK_MS)
    try:
        await reader_a.add("citizen-1")
        tasks.spawn(reader_a.run(), "reader a")
        tasks.spawn(reader_b.run(), "reader b")
        for n in range(3):
            await bus.publish(redis, "citizen-1", "chat", {"n": n})
        await until(lambda: on_a.bodies("citizen-1") == [0, 1, 2], "three on hub a")
        last = await reader_a.remove("citizen-1")  # the link dropped; hub a let it go
        assert last == on_a.got[-1][1]
        for n in range(3, 6):  # published while the party is between hubs
            await bus.publish(redis, "citizen-1", "call_ended" if n == 5 else "ice", {"n": n})
        assert last is not None
        await reader_b.add("citizen-1", after=last)  # hub b reads from the presence's id
        await until(lambda: on_b.bodies("citizen-1") == [3, 4, 5], "the three sent meanwhile")
        assert on_a.bodies("citizen-1") == [0, 1, 2]
        assert on_b.got[-1][2].type == "call_ended"
    finally:
        await reader_a.close()
        await reader_b.close()
        await tasks.close()
        await redis.aclose()


async def test_a_bad_entry_is_skipped_and_the_next_delivered(redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    inbox = Inbox()
    reader = SignalReader(client(redis_url), inbox.deliver, name="hub-a", block_ms=LONG_BLOCK_MS)
    try:
        await reader.add("agent-1")
        tasks.spawn(reader.run(), "reader")
        stream = keys.to_key("agent-1")
        for fields in ({"m": "x"}, {"type": "Bad Type", "body": "{}"},
                       {"type": "ice", "body": "[1, 2]"}, {"type": "ice", "body": "{not json"},
                       {"type": "ice", "body": "x" * (bus.MAX_MESSAGE_BYTES + 1)}):
            await redis.xadd(stream, fields)  # type: ignore[arg-type]
        await redis.xadd(stream, {"type": "hang_up", "body": "[]"})  # Lua's empty table
        await bus.publish(redis, "agent-1", "ice", {"n": 7})
        await until(lambda: len(inbox.got) == 2, "the two good messages")
        assert [s for _, _, s in inbox.got] == [Signal("hang_up", {}), Signal("ice", {"n": 7})]
    finally:
        await reader.close()
        await tasks.close()
        await redis.aclose()


async def test_publishing_checks_what_it_sends(redis_url: str) -> None:
    redis = client(redis_url)
    try:
        with pytest.raises(BadMessage):
            await bus.publish(redis, "agent-1", "Not A Type", {})
        with pytest.raises(BadMessage):
            await bus.publish(redis, "agent-1", "sdp", {"sdp": "x" * bus.MAX_MESSAGE_BYTES})
        with pytest.raises(ValueError):
            await bus.publish(redis, "agent:1", "sdp", {})
        reader = SignalReader(redis, Inbox().deliver, name="hub-a")
        with pytest.raises(BadMessage):
            await reader.add("agent-1", after="$")  # never "$": it skips what comes between
        # a stream is trimmed near its bound
        for n in range(bus.STREAM_MAXLEN + 300):
            await bus.publish(redis, "agent-2", "ice", {"n": n})
        assert await redis.xlen(keys.to_key("agent-2")) < bus.STREAM_MAXLEN + 200
    finally:
        await redis.aclose()


async def test_the_reader_reads_on_after_redis_server_is_killed_and_started_again(
        redis_server: RedisRig, redis_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("test")
    inbox = Inbox()
    reader = SignalReader(client(redis_url), inbox.deliver, name="hub-a", block_ms=1000,
                          backoff_cap_s=0.5)
    try:
        await reader.add("agent-1")
        tasks.spawn(reader.run(), "reader")
        await bus.publish(redis, "agent-1", "ice", {"n": 1})
        await until(lambda: inbox.bodies("agent-1") == [1], "the first message")
        await asyncio.to_thread(redis_server.crash)
        await asyncio.to_thread(redis_server.restart)  # empty: the stream is gone
        try:
            await bus.publish(redis, "agent-1", "ice", {"n": 2})
        except RedisConnectionError:  # the pooled connection died with the server
            await bus.publish(redis, "agent-1", "ice", {"n": 2})
        await until(lambda: inbox.bodies("agent-1") == [1, 2], "the message after the restart")
        await reader.close()  # the reader ends by itself, woken, not cancelled
        assert tasks.running("reader") == []
    finally:
        await reader.close()
        await tasks.close()
        await redis.aclose()


async def test_wall_updates_reach_every_hub_listening(redis_url: str) -> None:
    publisher = client(redis_url)
    listeners = [bus.WallListener(client(redis_url)) for _ in range(2)]
    try:
        for listener in listeners:
            await listener.start()
        await publisher.publish(keys.WALL, "not json")  # skipped, not fatal
        assert await bus.publish_wall(publisher, {"queued": 3}) == 2
        for listener in listeners:
            update = await asyncio.wait_for(anext(aiter(listener.updates())), 60)
            assert update == {"queued": 3}
    finally:
        for listener in listeners:
            await listener.close()
        await publisher.aclose()
