"""Users served are counted by the citizens' pseudonymous keys kept with the work orders at
the hub, never from what lists show of them: two citizens whose masked name and ID look the
same are two users; the same citizen twice is one."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hubclient import SI, SI_ITEM, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.personal_data.pii import mask_id_number, mask_name
from seat_common.protocol import Accept, Hangup, Offer, WorkOrderClosed, WrapUp
from seat_hub.storage.sqlite.store import SqliteStore

# Both show as 吴** / 4419**********123X in every list.
WU_A = ("吴小明", "44190019900101123X")
WU_B = ("吴大华", "44190019851212123X")


async def test_namesakes_count_twice_and_a_returning_citizen_once(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    assert (mask_name(WU_A[0]), mask_id_number(WU_A[1])) == (
        mask_name(WU_B[0]), mask_id_number(WU_B[1])
    )
    hub = start_hub([agent_seat("0001", SI)], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    # A, B, then A again (the number typed in lower case this time).
    for name, id_number in (WU_A, WU_B, (WU_A[0], WU_A[1].lower())):
        citizen = await clients.citizen(hub, name)
        queued = await citizen.join(SI_ITEM, name=name, id_number=id_number)
        offer = await agent.expect(Offer)
        await agent.send(Accept(call_id=offer.call_id))
        await agent.send(Hangup(call_id=offer.call_id))
        await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
        await agent.expect(WorkOrderClosed)
    with sqlite3.connect(hub.db_path) as db:
        keys = [k for (k,) in db.execute("SELECT citizen_key FROM work_orders ORDER BY id")]
    assert keys[0] == keys[2] != keys[1] and all(len(k) == 64 for k in keys)
    assert not any(WU_A[1] in k or WU_B[1] in k for k in keys)

    out = hub.workdir / "day.pdf"
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "seat_hub.reports", "--db", str(hub.db_path),
         "--day", time.strftime("%Y-%m-%d"), "--out", str(out)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["work_orders"], summary["answered"], summary["users_served"]) == (3, 3, 2)


def test_a_ledger_made_before_the_key_column_gets_it(tmp_path: Path) -> None:
    db_path = tmp_path / "old.sqlite3"
    with sqlite3.connect(db_path) as db:
        db.execute(
            "CREATE TABLE work_orders (id TEXT PRIMARY KEY, item_code TEXT NOT NULL,"
            " channel TEXT NOT NULL, priority TEXT NOT NULL, media TEXT NOT NULL,"
            " citizen_name TEXT NOT NULL DEFAULT '', citizen_id_number TEXT NOT NULL DEFAULT '',"
            " citizen_phone TEXT NOT NULL DEFAULT '', hall TEXT NOT NULL DEFAULT '',"
            " agent_id TEXT, queued_at REAL NOT NULL, offered_at REAL, answered_at REAL,"
            " ended_at REAL, closed_at REAL, ended_by TEXT, outcome TEXT,"
            " notes TEXT NOT NULL DEFAULT '', rating INTEGER, rating_comment TEXT NOT NULL"
            " DEFAULT '', rated_at REAL, state TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO work_orders (id, item_code, channel, priority, media, queued_at, state)"
            " VALUES ('WO-20261128-000001', 'SI-UNEMP-QUERY', 'web', 'normal', 'video', 1.0,"
            " 'abandoned')"
        )
    db.close()

    async def reopen() -> str:
        store = await SqliteStore.open(db_path)
        try:
            order = await store.ledger.work_order("WO-20261128-000001")
            assert order is not None
            return order.citizen_key
        finally:
            await store.close()

    assert asyncio.run(reopen()) == ""
    with sqlite3.connect(db_path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(work_orders)")}
    db.close()
    assert "citizen_key" in columns
