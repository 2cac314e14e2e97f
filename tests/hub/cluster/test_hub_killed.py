"""kill -9 of a cluster hub (a real process holding heartbeats, parties and ledger entries
read but not acknowledged, some of them committed) beside two surviving hubs in this
process, on the tests' own redis-server and PostgreSQL: the survivors' sweepers park its
parties, their ledger consumers claim its pending entries after the idle time, and every
entry is in the ledger exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bus_helpers import client, until
from test_ledger_stream import a_whole_call, check_the_call_once, new_work_order, settled

from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys, ledger_stream, presence
from seat_hub.cluster.ledger_stream import LedgerConsumer
from seat_hub.cluster.presence import Presence
from seat_hub.cluster.sweeper import Sweeper
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.records import LegRecord

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
PARTIES = ["agent-7", "citizen-31", "citizen-32"]


async def test_a_killed_hubs_parties_are_parked_and_its_entries_written_once(
        redis_url: str, postgres_url: str) -> None:
    redis = client(redis_url)
    tasks = TaskOwner("survivors")
    store = await PostgresStore.open(postgres_url, cluster_hub=True)
    doomed: asyncio.subprocess.Process | None = None
    try:
        survivors = [Presence(redis, f"hub-{n}", tasks=tasks) for n in "ab"]
        for hub in survivors:
            await hub.start()
        consumers = [LedgerConsumer(redis, store, consumer=f"hub-{n}", leg_record=LegRecord,
                                    claim_idle_ms=500) for n in "ab"]
        await consumers[0].ensure_group()
        wo1, wo2 = await new_work_order(store), await new_work_order(store)
        ids = await a_whole_call(redis, wo1, "call-1")
        ids.append(await ledger_stream.append(redis, "abandon", {"work_order_id": wo2,
                                                                 "at": 1_790_000_000_500}))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        doomed = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "bus_dying_hub.py"), redis_url, postgres_url,
            "hub-doomed", ",".join(PARTIES), str(len(ids)), "3",
            stdout=asyncio.subprocess.PIPE, env=env, cwd=ROOT)
        assert doomed.stdout is not None
        line = await asyncio.wait_for(doomed.stdout.readline(), 120)
        assert line.strip() == b"ready"
        pending = await redis.xpending(keys.LEDGER, keys.LEDGER_GROUP)
        assert pending["pending"] == len(ids)  # all read by the doomed hub, none acknowledged
        assert len(await store.ledger.offers(wo1)) == 1  # its first three entries committed
        assert (await presence.holder(redis, "agent-7")).hub == "hub-doomed"  # type: ignore[union-attr]

        doomed.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(doomed.wait(), 60) == -signal.SIGKILL

        sweepers = [Sweeper(redis, grace_ms=60000) for _ in survivors]
        parked: list[str] = []
        dead: list[str] = []

        async def swept() -> bool:
            for sweeper in sweepers:
                result = await sweeper.sweep()
                parked.extend(result.parked)
                dead.extend(result.dead_hubs)
            return bool(dead)

        await until(swept, "the survivors found the hub dead")
        assert dead == ["hub-doomed"] and sorted(parked) == sorted(PARTIES)
        assert set(await presence.parked_deadlines(redis)) == set(PARTIES)

        async def written() -> bool:
            for consumer in consumers:
                await consumer.step(block=False)
            return await settled(redis)

        await until(written, "the survivors claimed and wrote the doomed hub's entries")
        await check_the_call_once(store, wo1, "call-1")
        order = await store.ledger.work_order(wo2)
        assert order is not None and order.state == "abandoned"
        assert await redis.xlen(keys.LEDGER_DEAD) == 0
    finally:
        if doomed is not None and doomed.returncode is None:
            doomed.kill()
            await doomed.wait()
        await tasks.close()
        await store.close()
        await redis.aclose()
