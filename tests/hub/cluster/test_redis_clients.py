"""The hub's Redis clients under a burst: more commands in flight than redis-py's default
pool of 100 connections (a burst of logins under load) wait for a connection instead of
failing at once with ``MaxConnectionsError`` (seen as logins answered ``busy``)."""

from __future__ import annotations

import asyncio

from seat_hub.cluster.redis_address import MAX_CONNECTIONS, RedisClients, parse_redis_address

#: Commands in flight at once: past redis-py's default pool, past ours too.
IN_FLIGHT = MAX_CONNECTIONS + 200


async def test_a_burst_past_the_pool_waits_for_connections_and_every_command_lands(
    redis_url: str
) -> None:
    clients = RedisClients(parse_redis_address(redis_url))
    client = clients.open(socket_timeout=15)
    try:
        # Each holds its connection for 0.3 s (a blocking pop on a list nobody fills).
        answers = await asyncio.gather(*(client.blpop([f"nothing:{i}"], timeout=0.3)
                                         for i in range(IN_FLIGHT)))
        assert answers == [None] * IN_FLIGHT
        assert await client.ping()
    finally:
        await client.aclose()
        await clients.close()
