"""What the PostgreSQL store adds to the contract both stores keep (``test_storage``,
``test_ledger``): every column of the embedded store has its twin; the database itself
refuses to rewrite what is insert-only; several hubs on one database never share a work-order
number nor fork the audit chain; and a hub rides over a lost connection."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import psycopg
import pytest

from seat_common.protocol import CitizenInfo
from seat_hub.storage.audit_chain import verify
from seat_hub.storage.postgres.schema import STORE_TABLES
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.records import LegRecord, RecordingReport
from seat_hub.storage.sqlite.store import SqliteStore
from seat_hub.storage.stores import StoreAddress

T0 = 1_790_000_000.0


def _columns_pg(url: str) -> dict[str, set[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns"
                            " WHERE table_schema = 'public'").fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(str(table), set()).add(str(column))
    return found


async def test_every_column_of_the_embedded_store_has_its_twin_in_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    """A column added to the SQLite schema must be mirrored in ``postgres/schema.py`` (its
    ``ADDED_COLUMNS`` and ``CREATE TABLE``): the migration copies by column."""
    await (await SqliteStore.open(tmp_path / "l.sqlite3")).close()
    await (await PostgresStore.open(postgres_url)).close()
    db = sqlite3.connect(tmp_path / "l.sqlite3")
    tables = [str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " AND name NOT LIKE 'sqlite_%'"
                                            " AND name NOT LIKE 'work_orders_text%'")]
    embedded = {t: {str(r[1]) for r in db.execute(f"PRAGMA table_info({t})")} for t in tables}
    db.close()
    assert sorted(embedded) == sorted(STORE_TABLES)
    cluster = _columns_pg(postgres_url)
    missing = {t: sorted(cols - cluster.get(t, set())) for t, cols in embedded.items()
               if cols - cluster.get(t, set())}
    assert missing == {}


@pytest.mark.parametrize("statement", [
    "UPDATE call_legs SET note = 'x'", "DELETE FROM call_legs", "TRUNCATE call_legs",
    "UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log CASCADE",
    "UPDATE recordings SET duration_s = 1",
    "UPDATE recording_files SET stored_at = 1",
])
async def test_the_database_refuses_to_rewrite_what_is_insert_only(
    postgres_url: str, statement: str
) -> None:
    store = await PostgresStore.open(postgres_url)
    wo = await store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name="王"), queued_at=T0)
    store.ledger.record_offer(wo, "C-1", "a1", T0 + 1)
    store.ledger.record_answer(wo, "C-1", "a1", T0 + 2)
    await store.ledger.record_leg(LegRecord(wo, "C-1", "a1", T0 + 2, T0 + 9, "ended"))
    report = RecordingReport(wo, "C-1", "a1", 5.0, 10, "ab" * 32, 1, T0)
    assert await store.ledger.link_recording(report) == "linked"
    assert await store.materials.add_recording_file(wo, T0 + 10)
    await store.audit.record(at=T0, supervisor_id="S", action="a", target="", detail="",
                             result="ok")
    await store.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        with pytest.raises(psycopg.Error, match=r"insert-only|append-only|written once|purged"):
            conn.execute(statement.encode())
        # the one change a stored recording takes: purged, once
        conn.execute("UPDATE recording_files SET purged_at = 1")
        with pytest.raises(psycopg.Error, match="only once"):
            conn.execute("UPDATE recording_files SET purged_at = 2")


async def test_hubs_sharing_a_database_never_share_a_number_nor_fork_the_chain(
    postgres_url: str,
) -> None:
    hubs = [await PostgresStore.open(postgres_url) for _ in range(3)]
    created = [
        hub.ledger.create_work_order(
            item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
            citizen=CitizenInfo(name=""), queued_at=T0)
        for _ in range(20) for hub in hubs
    ]
    appended = [
        hub.audit.record(at=T0 + i, supervisor_id=f"S{n}", action="whisper", target="",
                         detail=f"{n}-{i}", result="ok")
        for i in range(20) for n, hub in enumerate(hubs)
    ]
    once = [hub.audit.record_once("same-entry", at=T0, supervisor_id="a1", action="assist",
                                  target="", detail="", result="ok") for hub in hubs]
    ids = await asyncio.gather(*created)
    await asyncio.gather(*appended)
    written = await asyncio.gather(*once)
    chain = await hubs[0].audit.chain()
    for hub in hubs:
        await hub.close()
    numbers = sorted(int(i[-6:]) for i in ids)
    assert numbers == list(range(1, 61))  # 60 work orders, 60 numbers, no gap, no twin
    assert sorted(written) == [False, False, True]  # the same entry from three hubs: once
    check = verify(chain)
    assert check.intact and check.rows == 61, check.reason


async def test_a_write_on_a_connection_the_server_dropped_is_made_on_the_next(
    postgres_url: str,
) -> None:
    failures: list[str] = []
    store = await PostgresStore.open(
        postgres_url, on_write_error=lambda what, exc: failures.append(what))
    wo = await store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name=""), queued_at=T0)
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # the server drops the hub
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE application_name = 'seat-hub'")
    await store.ledger.add_chat(wo, "citizen", "王", "dropped", T0)  # held, then made anew
    await store.ledger.add_chat(wo, "citizen", "王", "after", T0 + 1)
    chat = await store.ledger.chat_messages(wo)
    await store.close()
    assert [c.text for c in chat] == ["dropped", "after"]  # a whole outage: test_postgres_outage
    assert failures == []


@pytest.mark.parametrize(("address", "seen"), [
    ("postgresql://seat:hunter2@db1,db2:5432/seat?target_session_attrs=read-write",
     "postgresql://seat:***@db1,db2:5432/seat?target_session_attrs=read-write"),
    ("postgresql://seat@db/seat?password=hunter2&sslmode=require",
     "postgresql://seat@db/seat?password=***&sslmode=require"),
    ("postgresql://seat@db/seat", "postgresql://seat@db/seat"),
])
def test_an_address_is_shown_without_its_password(address: str, seen: str) -> None:
    assert StoreAddress.parse(address).shown == seen
