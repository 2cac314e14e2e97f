"""A cluster hub's Redis and ledger parts in a process of its own, for the test that kills
it with SIGKILL (``test_hub_killed.py``): it beats, holds its parties, reads the ledger
entries waiting in the stream and commits the first ``committed`` of them, then prints
``ready`` and waits, never acknowledging, as a hub killed between a commit and its
``XACK``.

    python bus_dying_hub.py REDIS_URL POSTGRES_URL HUB PARTIES ENTRIES COMMITTED
"""

from __future__ import annotations

import asyncio
import sys

import redis.asyncio as aioredis

from seat_common.tasks import TaskOwner
from seat_hub.cluster.ledger_stream import LedgerConsumer
from seat_hub.cluster.presence import Presence, Timing
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.records import LegRecord


async def main(redis_url: str, postgres_url: str, hub: str, parties: str, entries: int,
               committed: int) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    tasks = TaskOwner(hub)
    presence = Presence(redis, hub, tasks=tasks,
                        timing=Timing(hub_ttl_ms=1000, beat_ms=100, party_ttl_ms=60000))
    await presence.start()
    for n, party in enumerate(parties.split(",")):
        await presence.hold(party, f"conn-{n}")
    store = await PostgresStore.open(postgres_url, cluster_hub=True)
    consumer = LedgerConsumer(redis, store, consumer=hub, leg_record=LegRecord)
    read: list[tuple[str, object]] = []
    while len(read) < entries:
        read += await consumer.read()
    assert len(read) == entries, read
    assert await consumer.write(read[:committed]) == [i for i, _ in read[:committed]]
    print("ready", flush=True)
    await asyncio.Event().wait()  # killed here


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                     int(sys.argv[6])))
