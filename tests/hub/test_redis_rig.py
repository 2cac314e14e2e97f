"""The tests' own ``redis-server`` (``redis_rig``) and the pinned client (redis-py's asyncio
API): a key that expires, a Lua script run atomically, pub/sub between two connections,
and a client that finds the server again after it was killed and started anew."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis_rig import RedisRig


async def test_keys_expire_scripts_run_whole_and_messages_pass(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await client.set("seat:presence:a1", "hub-1", px=200)
        assert await client.get("seat:presence:a1") == "hub-1"
        deadline = time.monotonic() + 30
        while await client.exists("seat:presence:a1"):  # expiry is the server's, not ours
            assert time.monotonic() < deadline, "the key never expired"
            await asyncio.sleep(0.05)
        take = client.register_script(
            "local v = redis.call('LPOP', KEYS[1]) if v then redis.call('HSET', KEYS[2], v,"
            " ARGV[1]) end return v")
        await client.rpush("seat:queue", "wo-1", "wo-2")
        assert await take(keys=["seat:queue", "seat:offered"], args=["a1"]) == "wo-1"
        assert await client.hgetall("seat:offered") == {"wo-1": "a1"}
        pubsub = client.pubsub()
        await pubsub.subscribe("seat:hub:2")
        assert (await pubsub.get_message(timeout=30))["type"] == "subscribe"  # type: ignore[index]
        await client.publish("seat:hub:2", "ring a1")
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
        assert message is not None and message["data"] == "ring a1"
        await pubsub.aclose()
    finally:
        await client.aclose()


async def test_a_client_finds_the_server_again_after_it_was_killed(
    redis_server: RedisRig, redis_url: str
) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=10)
    try:
        await client.set("k", "v")
        await asyncio.to_thread(redis_server.crash)
        with pytest.raises(RedisConnectionError):
            await client.get("k")
        await asyncio.to_thread(redis_server.restart)
        assert await client.get("k") is None  # nothing persisted: the live state is gone
        assert await client.ping()
    finally:
        await client.aclose()
