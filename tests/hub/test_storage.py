"""Both stores behind the storage interface, SQLite and PostgreSQL, answer the same way: a
period's work orders, the search, recordings, materials, the audit trail (and its refusal to
be rewritten), and a read-only store that changes nothing. Every test here runs on both
(``store_address``), but for the SQLite file's own text index."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from seat_common.protocol import CitizenInfo, MaterialInfo, VerdictEntry
from seat_hub.storage.audit_chain import verify
from seat_hub.storage.interface import HubStore, LedgerError, WorkOrderLedger
from seat_hub.storage.records import RecordingReport, WorkOrderQuery
from seat_hub.storage.sqlite.store import SqliteStore
from seat_hub.storage.stores import StoreAddress, open_store

T0 = 1_790_000_000.0


@pytest.fixture
async def store(store_address: StoreAddress) -> AsyncIterator[HubStore]:
    opened = await open_store(store_address)
    yield opened
    await opened.close()


def _raw(address: StoreAddress, sql: str) -> None:
    """Run ``sql`` on the records behind the hub's back (its own connection, committed)."""
    if address.path is not None:
        db = sqlite3.connect(address.path)
        try:
            with db:
                db.execute(sql)
        finally:
            db.close()
        return
    with psycopg.connect(address.url, autocommit=True) as conn:
        conn.execute(sql.encode())


async def _served(
    ledger: WorkOrderLedger, queued_at: float, agent_id: str, *, call_id: str, name: str = ""
) -> str:
    """A work order answered by ``agent_id`` on call ``call_id``, closed as resolved."""
    wo = await ledger.create_work_order(
        item_code="SI-UNEMP-QUERY",
        channel="web",
        priority="normal",
        media="video",
        citizen=CitizenInfo(name=name),
        queued_at=queued_at,
    )
    ledger.record_offer(wo, call_id, agent_id, queued_at + 1)
    ledger.record_answer(wo, call_id, agent_id, queued_at + 2)
    await ledger.close_work_order(wo, "resolved", "", queued_at + 60)
    return wo


def _recording(work_order_id: str, call_id: str, agent_id: str = "a1") -> RecordingReport:
    return RecordingReport(work_order_id, call_id, agent_id, 61.5, 4_000_000, "ab" * 32, 900, T0)


async def test_a_period_holds_the_work_orders_queued_in_it_oldest_first(store: HubStore) -> None:
    ledger = store.ledger
    first = await _served(ledger, T0, "a1", call_id="C-1")
    second = await _served(ledger, T0 + 100, "a1", call_id="C-2")
    later = await _served(ledger, T0 + 200, "a2", call_id="C-3")
    inside = await ledger.work_orders_queued(T0, T0 + 200)  # the end is not in the period
    assert [w.id for w in inside] == [first, second]
    assert [w.id for w in await ledger.work_orders_queued(T0 + 50)] == [second, later]
    assert await ledger.work_orders_queued(T0 + 300) == []


async def test_the_search_matches_literally_per_agent_newest_first(store: HubStore) -> None:
    ledger = store.ledger
    mine = await _served(ledger, T0, "a1", call_id="C-1")
    newer = await _served(ledger, T0 + 10, "a1", call_id="C-2")
    theirs = await _served(ledger, T0 + 20, "a2", call_id="C-3")
    assert await ledger.link_recording(_recording(mine, "C-1")) == "linked"

    found = await ledger.search(WorkOrderQuery(agent_id="a1"))
    assert [(f.work_order.id, f.recording_s) for f in found] == [(newer, 0.0), (mine, 61.5)]
    assert [f.work_order.id for f in await ledger.search(WorkOrderQuery(text="a2"))] == [theirs]
    assert await ledger.search(WorkOrderQuery(text="%")) == []  # a wildcard is a character
    by_item = await ledger.search(WorkOrderQuery(text="失业", item_codes=("SI-UNEMP-QUERY",)))
    assert len(by_item) == 3
    assert len(await ledger.search(WorkOrderQuery(limit=2))) == 2
    window = await ledger.search(WorkOrderQuery(since=T0 + 5, until=T0 + 15))
    assert [f.work_order.id for f in window] == [newer]


async def test_a_longer_text_is_found_as_the_hub_changes_the_rows(store: HubStore) -> None:
    ledger = store.ledger
    first = await _served(ledger, T0, "0012", call_id="C-1")
    second = await _served(ledger, T0 + 10, "0013", call_id="C-2")
    queued = await ledger.create_work_order(
        item_code="HF-WITHDRAW", channel="kiosk", priority="normal", media="video",
        citizen=CitizenInfo(name=""), queued_at=T0 + 20)

    async def ids(text: str) -> list[str]:
        return [f.work_order.id for f in await ledger.search(WorkOrderQuery(text=text))]

    assert await ids("RESOLVED") == [second, first]  # inside a word, any case
    assert await ids("0013") == [second] and await ids(first[-6:]) == [first]
    assert await ids("hf-with") == [queued]
    assert await ids('%_"x') == [] and await ids("NEAR(") == []  # text, never a query
    await ledger.abandon(queued, T0 + 30)  # the hub changes the row: the index follows
    assert await ids("abandon") == [queued]
    moved = await ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name=""), queued_at=T0 + 40)
    await ledger.move_item(moved, "HF-WITHDRAW")  # a supervisor moves a waiting citizen
    assert await ids("hf-with") == [moved, queued]


async def test_a_sqlite_file_from_before_the_text_index_gets_it_when_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = await SqliteStore.open(path)
    first = await _served(store.ledger, T0, "0012", call_id="C-1")
    await store.close()
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE work_orders_text; DROP TRIGGER work_orders_text_insert;"
                     " DROP TRIGGER work_orders_text_update; DROP TRIGGER work_orders_text_delete;")
    db.close()
    store = await SqliteStore.open(path)
    assert [f.work_order.id for f in await store.ledger.search(WorkOrderQuery(text="0012"))] == [
        first]
    await store.close()


async def test_a_recording_links_once_and_only_to_a_call_answered_on_its_work_order(
    store: HubStore,
) -> None:
    ledger = store.ledger
    wo = await _served(ledger, T0, "a1", call_id="C-1")
    other = await _served(ledger, T0 + 10, "a1", call_id="C-2")
    # another work order's call, and no call at all
    assert await ledger.link_recording(_recording(wo, "C-2")) == "no_such_call"
    assert await ledger.link_recording(_recording(wo, "C-404")) == "no_such_call"
    assert [f.recording_s for f in await ledger.search(WorkOrderQuery())] == [0.0, 0.0]
    assert await ledger.link_recording(_recording(wo, "C-1")) == "linked"
    assert await ledger.link_recording(_recording(wo, "C-1")) == "linked"  # sent again
    another = RecordingReport(wo, "C-1", "a1", 62.0, 1, "cd" * 32, 1, T0 + 5)
    assert await ledger.link_recording(another) == "already_recorded"  # kept once
    found = {f.work_order.id: f.recording_s for f in await ledger.search(WorkOrderQuery())}
    assert found == {wo: 61.5, other: 0.0}


async def test_materials_and_verdicts_are_kept_in_order(store: HubStore) -> None:
    wo = await _served(store.ledger, T0, "a1", call_id="C-1")
    info = MaterialInfo(
        material_id="M-1", work_order_id=wo, filename="id.jpg", mime="image/jpeg",
        byte_size=10, sha256="ef" * 32, width=4, height=3, orientation=1,
        source="citizen_upload", added_at=T0 + 5,
    )
    await store.materials.add(info, "S-1")
    assert await store.materials.get("M-1") == info
    assert await store.materials.get("M-2") is None
    assert await store.materials.of_work_order(wo) == [info]
    entry = VerdictEntry(material_code="id_card", status="accepted", material_ids=("M-1",))
    first = await store.materials.add_verdict(wo, "a1", "SI-UNEMP-QUERY", (entry,), T0 + 6)
    second = await store.materials.add_verdict(wo, "a1", "SI-UNEMP-QUERY", (entry,), T0 + 7)
    history = await store.materials.verdicts(wo)
    assert (first, second) == (1, 2)
    assert [v["revision"] for v in history] == [1, 2]


async def test_the_audit_trail_reads_newest_first_and_cannot_be_rewritten(
    store_address: StoreAddress,
) -> None:
    store = await open_store(store_address)
    for i in range(3):
        await store.audit.record(
            at=T0 + i, supervisor_id="S01", action="whisper", target="0001" * 20,
            detail=f"{i} chars", result="ok",
        )
    recent = await store.audit.recent(2)
    chain = await store.audit.chain()
    await store.close()
    assert [r.detail for r in recent] == ["2 chars", "1 chars"]
    assert recent[0].target == ("0001" * 20)[:64]
    assert [row.seq for row in chain] == [1, 2, 3] and verify(chain).intact
    for statement in ("DELETE FROM audit_log", "UPDATE audit_log SET detail = 'x'"):
        with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
            _raw(store_address, statement)


async def test_a_read_only_store_reads_and_changes_nothing(store_address: StoreAddress) -> None:
    writer = await open_store(store_address)
    wo = await _served(writer.ledger, T0, "a1", call_id="C-1")
    failures: list[str] = []
    reader = await open_store(
        store_address, on_write_error=lambda what, exc: failures.append(what), read_only=True
    )
    assert [w.id for w in await reader.ledger.work_orders_queued(T0)] == [wo]
    with pytest.raises((sqlite3.OperationalError, psycopg.Error), match=r"read-?only"):
        await reader.ledger.rate(wo, 10, "", T0 + 70)
    await reader.close()
    record = await writer.ledger.work_order(wo)
    await writer.close()
    assert record is not None and record.rating is None
    assert failures == ["rate"]


async def test_a_read_only_store_needs_existing_records(store_address: StoreAddress) -> None:
    with pytest.raises(LedgerError, match="cannot open ledger"):
        await open_store(store_address, read_only=True)
    if store_address.path is not None:
        assert not store_address.path.exists()
    else:  # nothing was made in the empty database
        with psycopg.connect(store_address.url) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert tables.fetchone() == (0,)
