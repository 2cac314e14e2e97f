"""The ledger stream (``seat_hub.cluster.ledger_stream``) against the tests' own
redis-server, on both stores (an SQLite file, a PostgreSQL database): entries written and
acknowledged; an entry another consumer claims after its first writer had committed it is
not written twice; a malformed entry goes to the dead-letter stream without stopping the
next; an entry the store refuses is retried, then dead-lettered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import get_args

import pytest
import redis.asyncio as aioredis
from bus_helpers import client, until
from redis.exceptions import ConnectionError as RedisConnectionError
from redis_rig import RedisRig

from seat_common.protocol import CitizenInfo
from seat_hub.cluster import keys, ledger_stream
from seat_hub.cluster.ledger_stream import BadEntry, LedgerConsumer
from seat_hub.storage.interface import HubStore
from seat_hub.storage.records import EndedBy, LegEnd, LegRecord, OfferResult
from seat_hub.storage.stores import StoreAddress, open_store

T0 = 1_790_000_000_000  # ms


async def new_work_order(store: HubStore) -> str:
    return await store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name="王小明"), queued_at=T0 / 1000)


async def a_whole_call(redis: aioredis.Redis, wo: str, call: str) -> list[str]:
    """The entries of one answered, ended and closed contact, as the scripts append them."""
    return [
        await ledger_stream.append(redis, "record_offer", {
            "work_order_id": wo, "call_id": call, "agent_id": "a1", "at": T0 + 1000}),
        await ledger_stream.append(redis, "record_answer", {
            "work_order_id": wo, "call_id": call, "agent_id": "a1", "at": T0 + 3000}),
        await ledger_stream.append(redis, "record_end", {
            "work_order_id": wo, "ended_by": "citizen", "at": T0 + 60000}),
        await ledger_stream.append(redis, "record_leg", {
            "work_order_id": wo, "call_id": call, "agent_id": "a1", "answered_at": T0 + 3000,
            "ended_at": T0 + 60000, "result": "ended"}),
        await ledger_stream.append(redis, "close_work_order", {
            "work_order_id": wo, "outcome": "resolved", "notes": "已解答", "at": T0 + 90000}),
    ]


async def settled(redis: aioredis.Redis) -> bool:
    """Nothing left in the stream nor pending in the group."""
    pending = await redis.xpending(keys.LEDGER, keys.LEDGER_GROUP)
    return bool(await redis.xlen(keys.LEDGER) == 0 and pending["pending"] == 0)


async def check_the_call_once(store: HubStore, wo: str, call: str) -> None:
    legs = await store.ledger.legs(wo)
    assert [(leg.call_id, leg.from_at, leg.to_at) for leg in legs] == [
        (call, (T0 + 3000) / 1000, (T0 + 60000) / 1000)]
    offers = await store.ledger.offers(wo)
    assert [(o.call_id, o.result) for o in offers] == [(call, "accepted")]
    order = await store.ledger.work_order(wo)
    assert order is not None and order.state == "closed" and order.outcome == "resolved"


async def test_an_entry_claimed_after_its_commit_is_not_written_twice(
        store_address: StoreAddress, redis_url: str) -> None:
    redis = client(redis_url)
    store = await open_store(store_address)
    first = LedgerConsumer(redis, store, consumer="hub-a", leg_record=LegRecord)
    second = LedgerConsumer(redis, store, consumer="hub-b", leg_record=LegRecord,
                            claim_idle_ms=100)
    try:
        wo = await new_work_order(store)
        await first.ensure_group()
        ids = await a_whole_call(redis, wo, "call-1")
        entries = await first.read(block=False)
        assert [i for i, _ in entries] == ids
        assert await first.write(entries[:4]) == ids[:4]  # committed; hub-a dies before XACK
        assert await second.read(block=False) == []  # the group gave them all to hub-a

        async def claimed_and_written() -> bool:
            await second.step(block=False)
            return await settled(redis)

        await until(claimed_and_written, "hub-b claimed and wrote hub-a's entries")
        await check_the_call_once(store, wo, "call-1")
        # the same entries written again (a third claim, a replay) change nothing
        assert await second.write(entries) == ids
        await check_the_call_once(store, wo, "call-1")
        assert await redis.xlen(keys.LEDGER_DEAD) == 0
    finally:
        await store.close()
        await redis.aclose()


BAD_ENTRIES: list[dict[str, str]] = [
    {"body": "{}"},
    {"op": "record_offer"},
    {"op": "drop_table", "body": "{}"},
    {"op": "abandon", "body": "{not json"},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": 1}', "v": "2"},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": -1}'},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": 1.5}'},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": "soon"}'},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": true}'},
    {"op": "abandon", "body": '{"work_order_id": "", "at": 1}'},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": 1, "extra": 1}'},
    {"op": "abandon", "body": '["WO-1", 1]'},
    {"op": "record_end", "body": '{"work_order_id": "WO-1", "ended_by": "nobody", "at": 1}'},
    {"op": "close_work_order",
     "body": '{"work_order_id": "WO-1", "outcome": "resolved", "notes": "%s", "at": 1}'
     % ("长" * 5000)},
    {"op": "abandon", "body": '{"work_order_id": "WO-1", "at": 1}', "x": "1"},
]


async def test_a_malformed_entry_is_dead_lettered_and_the_next_one_written(
        store_address: StoreAddress, redis_url: str) -> None:
    redis = client(redis_url)
    store = await open_store(store_address)
    consumer = LedgerConsumer(redis, store, consumer="hub-a", leg_record=LegRecord)
    try:
        wo = await new_work_order(store)
        await consumer.ensure_group()
        bad_ids = [await redis.xadd(keys.LEDGER, dict(fields)) for fields in BAD_ENTRIES]
        good = await ledger_stream.append(redis, "abandon", {"work_order_id": wo, "at": T0 + 5})
        await until(lambda: _step_settles(consumer, redis), "the stream written through")
        order = await store.ledger.work_order(wo)
        assert order is not None and order.state == "abandoned"
        dead = await redis.xrange(keys.LEDGER_DEAD)
        assert [fields["id"] for _, fields in dead] == bad_ids
        assert all(fields["reason"] and fields["consumer"] == "hub-a" for _, fields in dead)
        assert good not in [fields["id"] for _, fields in dead]
    finally:
        await store.close()
        await redis.aclose()


async def _step_settles(consumer: LedgerConsumer, redis: aioredis.Redis) -> bool:
    await consumer.step(block=False)
    return await settled(redis)


async def test_an_entry_the_store_refuses_is_retried_then_dead_lettered(
        store_address: StoreAddress, redis_url: str) -> None:
    redis = client(redis_url)
    store = await open_store(store_address)
    consumer = LedgerConsumer(redis, store, consumer="hub-a", leg_record=LegRecord,
                              claim_idle_ms=0, max_deliveries=3)
    try:
        await consumer.ensure_group()
        orphan = await ledger_stream.append(redis, "record_offer", {
            "work_order_id": "WO-20260101-999999", "call_id": "c9", "agent_id": "a1",
            "at": T0})  # no such work order: the store refuses it every time
        wo = await new_work_order(store)
        await ledger_stream.append(redis, "abandon", {"work_order_id": wo, "at": T0 + 5})
        assert await consumer.step(block=False) == 1  # the next one is not held up
        await until(lambda: _step_settles(consumer, redis), "the refused entry dead-lettered")
        dead = await redis.xrange(keys.LEDGER_DEAD)
        assert [fields["id"] for _, fields in dead] == [orphan]
        assert "refused by the store 3 times" in dead[0][1]["reason"]
    finally:
        await store.close()
        await redis.aclose()


def test_the_entry_format_is_checked_on_the_way_in_and_names_the_ledgers_values() -> None:
    assert get_args(OfferResult) == ledger_stream.OFFER_RESULTS
    assert get_args(EndedBy) == ledger_stream.ENDED_BY
    assert get_args(LegEnd) == ledger_stream.LEG_ENDS
    with pytest.raises(BadEntry):
        ledger_stream.fields("abandon", {"work_order_id": "WO-1"})
    with pytest.raises(BadEntry):
        ledger_stream.fields("move_item", {"work_order_id": "WO-1", "item_code": 3})
    assert ledger_stream.parse(ledger_stream.fields("abandon", {"work_order_id": "W", "at": 7})
                               ) == ("abandon", {"work_order_id": "W", "at": 7})


async def test_the_consumer_goes_on_after_redis_server_is_killed_and_started_again(
        redis_server: RedisRig, redis_url: str, tmp_path: Path) -> None:
    redis = client(redis_url)
    store = await open_store(StoreAddress("sqlite", path=tmp_path / "l.sqlite3"))
    consumer = LedgerConsumer(redis, store, consumer="hub-a", leg_record=LegRecord)
    try:
        first, second = await new_work_order(store), await new_work_order(store)
        await consumer.ensure_group()
        await ledger_stream.append(redis, "abandon", {"work_order_id": first, "at": T0})
        await until(lambda: _step_settles(consumer, redis), "the first entry written")
        await asyncio.to_thread(redis_server.crash)
        with pytest.raises(RedisConnectionError):
            await consumer.step(block=False)
        await asyncio.to_thread(redis_server.restart)  # empty: no stream, no group

        async def appended() -> bool:
            try:
                await ledger_stream.append(redis, "abandon", {"work_order_id": second, "at": T0})
            except RedisConnectionError:
                return False
            return True

        await until(appended, "an entry appended to the new server")
        await until(lambda: _step_settles(consumer, redis), "the group made again, written")
        order = await store.ledger.work_order(second)
        assert order is not None and order.state == "abandoned"
    finally:
        await store.close()
        await redis.aclose()
