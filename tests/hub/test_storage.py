"""The embedded store behind the storage interface: the reads a second store must answer the
same way (a period's work orders, the search, recordings, materials, the audit trail), and a
read-only store that changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seat_common.protocol import CitizenInfo, MaterialInfo, VerdictEntry
from seat_hub.storage.interface import HubStore, LedgerError, WorkOrderLedger
from seat_hub.storage.records import RecordingReport, WorkOrderQuery
from seat_hub.storage.sqlite.store import SqliteStore

T0 = 1_790_000_000.0


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[HubStore]:
    opened = await SqliteStore.open(tmp_path / "ledger.sqlite3")
    yield opened
    await opened.close()


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
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = await SqliteStore.open(path)
    for i in range(3):
        await store.audit.record(
            at=T0 + i, supervisor_id="S01", action="whisper", target="0001" * 20,
            detail=f"{i} chars", result="ok",
        )
    recent = await store.audit.recent(2)
    await store.close()
    assert [r.detail for r in recent] == ["2 chars", "1 chars"]
    assert recent[0].target == ("0001" * 20)[:64]
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    db.close()


async def test_a_read_only_store_reads_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    writer = await SqliteStore.open(path)
    wo = await _served(writer.ledger, T0, "a1", call_id="C-1")
    failures: list[str] = []
    reader = await SqliteStore.open(
        path, on_write_error=lambda what, exc: failures.append(what), read_only=True
    )
    assert [w.id for w in await reader.ledger.work_orders_queued(T0)] == [wo]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await reader.ledger.rate(wo, 10, "", T0 + 70)
    await reader.close()
    record = await writer.ledger.work_order(wo)
    await writer.close()
    assert record is not None and record.rating is None
    assert failures == ["rate"]


async def test_a_read_only_store_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot open ledger"):
        await SqliteStore.open(tmp_path / "none.sqlite3", read_only=True)
    assert not (tmp_path / "none.sqlite3").exists()
