"""Bad input to the cluster queue, from both sides: arguments the API refuses before they
reach Redis, and values in Redis that are not what the scripts write (a hash edited by
hand, a half-restored server) — an error naming the key, with nothing half-written."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from queue_world import T0, opened_queue

from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.queue_results import Answer, MalformedState

SI = "social_insurance"


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[LiveQueue]:
    async with opened_queue(redis_url) as q:
        yield q


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield c
    await c.aclose()


async def test_bad_arguments_are_refused_before_redis(queue: LiveQueue,
                                                      client: aioredis.Redis) -> None:
    with pytest.raises(ValueError, match="priority"):
        await queue.join("WO-1", SI, "vip", T0, party="c1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="skill"):
        await queue.join("WO-1", "a,b", "normal", T0, party="c1")
    with pytest.raises(ValueError, match="work_order_id"):
        await queue.join("", SI, "normal", T0, party="c1")
    with pytest.raises(ValueError, match="queued_at_ms"):
        await queue.join("WO-1", SI, "normal", -1, party="c1")
    with pytest.raises(ValueError, match="queued_at_ms"):
        await queue.join("WO-1", SI, "normal", 10**13, party="c1")
    with pytest.raises(ValueError, match="queued_at_ms"):
        await queue.join("WO-1", SI, "normal", 1.5, party="c1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="excluded"):
        await queue.join("WO-1", SI, "normal", T0, party="c1", excluded={"a1,a2"})
    with pytest.raises(ValueError, match="party"):
        await queue.join("WO-1", SI, "normal", T0, party="x" * 201)
    for not_an_agent in ("a1,a2", " a1", "a\n1", "x" * 101):
        with pytest.raises(ValueError, match="transferred_by"):
            await queue.join("WO-1", SI, "normal", T0, party="c1", transferred=True,
                             transferred_by=not_an_agent)
    with pytest.raises(ValueError, match="transferred_by"):  # only a transfer is handed on
        await queue.join("WO-1", SI, "normal", T0, party="c1", transferred_by="a1")
    with pytest.raises(ValueError, match="mode"):
        await queue.log_in("a1", "agent:a1", "phone", {SI}, T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="agent_id"):
        await queue.log_in("a\n1", "agent:a1", "video", {SI}, T0)
    with pytest.raises(ValueError, match="state"):
        await queue.set_state("a1", "on_call", now_ms=T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        await queue.set_state("a1", "ready", "break", now_ms=T0)
    with pytest.raises(ValueError, match="reason"):
        await queue.set_state("a1", "away", "lunch", now_ms=T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outcome"):
        await queue.wrap_up_done("a1", "WO-1", "fixed", "", T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="abandoned"):
        await queue.wrap_up_done("a1", "WO-1", "abandoned", "", T0)
    with pytest.raises(ValueError, match="ended_by"):
        await queue.hang_up("C-1", "robot", T0)  # type: ignore[arg-type]
    assert await client.dbsize() == 0  # nothing reached Redis
    raw = aioredis.Redis.from_url(queue_url(client))
    with pytest.raises(ValueError, match="decode_responses"):
        LiveQueue(raw)
    await raw.aclose()
    with pytest.raises(ValueError, match="max_missed"):
        LiveQueue(client, max_missed=0)


def queue_url(client: aioredis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


async def test_a_malformed_agent_hash_is_an_error_naming_it(queue: LiveQueue,
                                                            client: aioredis.Redis) -> None:
    await queue.log_in("a1", "agent:a1", "video", {SI}, T0)
    await queue.set_state("a1", "ready", now_ms=T0)
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    await client.hset(keys.agent_key("a1"), "idle_since", "yesterday")
    with pytest.raises(MalformedState, match=r"\{seat\}:agent:a1: idle_since"):
        await queue.dispatch(T0 + 1)
    with pytest.raises(MalformedState, match=r"\{seat\}:agent:a1: idle_since"):
        await queue.agent("a1")
    # Nothing was offered: the contact still waits, no ring, no ledger entry.
    assert await queue.queued(SI) == ["WO-1"]
    assert await client.zcard(keys.RINGS) == 0
    assert await client.exists(keys.LEDGER) == 0
    await client.hset(keys.agent_key("a1"), mapping={"idle_since": str(T0), "state": "dancing"})
    with pytest.raises(MalformedState, match=r"\{seat\}:agent:a1: state is dancing"):
        await queue.set_state("a1", "away", now_ms=T0 + 2)
    await client.hdel(keys.agent_key("a1"), "party")
    with pytest.raises(MalformedState, match="agent:a1"):
        await queue.agent("a1")


async def test_a_malformed_contact_or_offer_is_an_error_naming_it(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await queue.join("WO-1", SI, "normal", T0, party="c1")
    await client.hset(keys.contact_key("WO-1"), "state", "lost")
    with pytest.raises(MalformedState, match=r"\{seat\}:contact:WO-1: state is lost"):
        await queue.abandon("WO-1", T0 + 1)
    with pytest.raises(MalformedState, match=r"contact:WO-1: state is 'lost'"):
        await queue.contact("WO-1")
    await client.hset(keys.contact_key("WO-1"), "state", "queued")
    await client.zadd(keys.queue_key(SI), {"WO-ghost": 5})
    with pytest.raises(MalformedState, match=r"queue:social_insurance: WO-ghost"):
        await queue.queued(SI)
    await client.zrem(keys.queue_key(SI), "WO-ghost")
    await queue.log_in("a1", "agent:a1", "video", {SI}, T0)
    await queue.set_state("a1", "ready", now_ms=T0)
    [offer] = (await queue.dispatch(T0 + 1)).offers
    await client.hdel(keys.offer_key(offer.call_id), "work_order_id")
    with pytest.raises(MalformedState, match=r"offer:C-[0-9a-f-]+: work_order_id is missing"):
        await queue.accept("a1", offer.call_id, T0 + 2)
    assert await client.exists(keys.call_key(offer.call_id)) == 0  # no call was started


async def test_a_malformed_transfer_agent_is_an_error_naming_the_contact(
        queue: LiveQueue, client: aioredis.Redis) -> None:
    await queue.log_in("a1", "agent:a1", "video", {SI}, T0)
    await queue.set_state("a1", "ready", now_ms=T0)
    await queue.join("WO-1", SI, "normal", T0, party="c1", transferred=True,
                     transferred_by="b1")
    key = keys.contact_key("WO-1")
    await client.hset(key, "transferred_by", "b1,b2")
    with pytest.raises(MalformedState, match=r"contact:WO-1: transferred_by is not an agent"):
        await queue.contact("WO-1")
    await client.hset(key, mapping={"transferred_by": "b1", "transferred": "0"})
    with pytest.raises(MalformedState, match=r"\{seat\}:contact:WO-1: transferred_by b1 on"):
        await queue.dispatch(T0 + 1)
    with pytest.raises(MalformedState, match=r"contact:WO-1: transferred_by 'b1' on"):
        await queue.contact("WO-1")
    await client.hdel(key, "transferred_by")
    await client.hset(key, "transferred", "1")
    with pytest.raises(MalformedState, match=r"\{seat\}:contact:WO-1: transferred_by is miss"):
        await queue.dispatch(T0 + 1)
    with pytest.raises(MalformedState, match=r"contact:WO-1: transferred_by is missing"):
        await queue.contact("WO-1")
    # Nothing was offered: no ring, no ledger entry, the agent still ready.
    assert await client.zcard(keys.RINGS) == 0
    assert await client.exists(keys.LEDGER) == 0
    agent = await queue.agent("a1")
    assert agent is not None and agent.state == "ready"


def test_a_script_answer_of_the_wrong_shape_is_an_error() -> None:
    with pytest.raises(MalformedState, match="not JSON"):
        Answer("join", "{oops")
    with pytest.raises(MalformedState, match="not an object"):
        Answer("join", "[1]")
    with pytest.raises(MalformedState, match="lacks 'seq'"):
        Answer("join", '{"status": "queued"}').number("seq")
    with pytest.raises(MalformedState, match="not a whole number"):
        Answer("join", '{"seq": "7"}').number("seq")
    with pytest.raises(MalformedState, match="not a list"):
        Answer("dispatch", '{"offers": 3}').items("offers")
    assert Answer("dispatch", '{"offers": {}}').items("offers") == []
