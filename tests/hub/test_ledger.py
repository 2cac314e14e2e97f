"""The work-order ledger on both stores (a real SQLite file, a real PostgreSQL database):
written in order, durable across a restart, failures reported, closed for good; and what each
store adds of its own (SQLite's WAL file and worker thread, PostgreSQL's unreachable server)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from seat_common.protocol import CitizenInfo
from seat_hub.storage.interface import LedgerError, WorkOrderLedger
from seat_hub.storage.sqlite.store import SqliteStore
from seat_hub.storage.stores import StoreAddress, open_store

CITIZEN = CitizenInfo(name="王小明", id_number="441900199001011234", phone="13800138000", hall="")


async def _create(ledger: WorkOrderLedger, queued_at: float = 1_790_000_000.0) -> str:
    return await ledger.create_work_order(
        item_code="SI-UNEMP-QUERY",
        channel="web",
        priority="normal",
        media="video",
        citizen=CITIZEN,
        queued_at=queued_at,
    )


async def test_a_contact_from_queue_to_rating_is_recorded_and_survives_a_restart(
    store_address: StoreAddress,
) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    wo = await _create(ledger, 1_790_000_000.0)
    ledger.record_offer(wo, "C-1", "a1", 1_790_000_001.0)
    ledger.record_offer_result("C-1", "timeout", 1_790_000_016.0)
    ledger.record_offer(wo, "C-2", "a2", 1_790_000_017.0)
    ledger.record_answer(wo, "C-2", "a2", 1_790_000_020.0)
    ledger.add_chat(wo, "citizen", "王小明", "你好", 1_790_000_030.0)
    ledger.add_chat(wo, "agent", "张三", "您好，请讲", 1_790_000_031.0)
    ledger.record_end(wo, "citizen", 1_790_000_100.0)
    await ledger.close_work_order(wo, "resolved", "explained the query", 1_790_000_160.0)
    await ledger.rate(wo, 10, "很好", 1_790_000_170.0)
    await store.close()

    store = await open_store(store_address)  # the hub restarted
    row = await store.ledger.work_order(wo)
    offers = await store.ledger.offers(wo)
    chat = await store.ledger.chat_messages(wo)
    await store.close()
    assert row is not None and row.state == "closed" and row.outcome == "resolved"
    assert row.agent_id == "a2" and row.ended_by == "citizen"
    assert row.offered_at == 1_790_000_001.0  # the first offer
    assert row.answered_at == 1_790_000_020.0 and row.closed_at == 1_790_000_160.0
    assert row.citizen_id_number == "441900199001011234"
    assert (row.rating, row.rating_comment) == (10, "很好")
    assert [(o.agent_id, o.result) for o in offers] == [("a1", "timeout"), ("a2", "accepted")]
    assert [(c.sender_role, c.text) for c in chat] == [("citizen", "你好"), ("agent", "您好，请讲")]


async def test_the_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = await SqliteStore.open(path)
    await _create(store.ledger)
    await store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


async def test_work_order_ids_are_dated_sequential_and_survive_a_restart(
    store_address: StoreAddress,
) -> None:
    day = time.mktime((2026, 11, 28, 10, 0, 0, 0, 0, -1))
    store = await open_store(store_address)
    ledger = store.ledger
    first, second = await _create(ledger, day), await _create(ledger, day + 60)
    await store.close()
    store = await open_store(store_address)
    ledger = store.ledger
    third = await _create(ledger, day + 120)
    next_day = await _create(ledger, day + 86_400)
    await store.close()
    assert [first, second, third] == [
        "WO-20261128-000001",
        "WO-20261128-000002",
        "WO-20261128-000003",
    ]
    assert next_day == "WO-20261129-000001"


async def test_unawaited_writes_land_in_the_order_they_were_made(
    store_address: StoreAddress,
) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    wo = await _create(ledger)
    for i in range(200):
        ledger.add_chat(wo, "citizen", "王", f"message {i}", 1_790_000_000.0 + i)
    ledger.record_offer(wo, "C-9", "a1", 1.0)
    ledger.record_answer(wo, "C-9", "a1", 2.0)
    ledger.record_end(wo, "agent", 3.0)  # must see the answer before it (state in_call)
    chat = await ledger.chat_messages(wo)
    record = await ledger.work_order(wo)
    await store.close()
    assert [c.text for c in chat] == [f"message {i}" for i in range(200)]
    assert record is not None and record.state == "ended" and record.ended_by == "agent"


async def test_sqlite_runs_on_the_ledger_thread_not_the_event_loop(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "l.sqlite3")
    seen: list[str] = []
    fut = asyncio.wrap_future(
        store._worker._executor.submit(lambda: seen.append(threading.current_thread().name))
    )
    await fut
    await store.close()
    assert seen and seen[0].startswith("ledger") and seen[0] != threading.main_thread().name


async def test_a_failed_write_is_reported_even_if_nobody_awaits_it(
    store_address: StoreAddress,
) -> None:
    failures: list[str] = []
    store = await open_store(
        store_address, on_write_error=lambda what, exc: failures.append(what)
    )
    ledger = store.ledger
    wo = await _create(ledger)
    ledger.rate(wo, 11, "", 1.0)  # violates the rating CHECK constraint
    await ledger.work_order(wo)  # everything queued before it has run
    await store.close()
    assert failures == ["rate"]


async def test_abandoned_and_stale_work_orders_are_closed(store_address: StoreAddress) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    left = await _create(ledger)
    await ledger.abandon(left, 5.0)
    waiting = await _create(ledger)
    in_call = await _create(ledger)
    ledger.record_offer(in_call, "C-1", "a1", 1.0)
    ledger.record_answer(in_call, "C-1", "a1", 2.0)
    assert await ledger.close_stale(10.0) == 2
    rows = {w: await ledger.work_order(w) for w in (left, waiting, in_call)}
    await store.close()
    assert rows[left] is not None and rows[left].state == "abandoned"
    assert rows[left].outcome == "abandoned" and rows[left].closed_at == 5.0
    assert rows[waiting] is not None and rows[waiting].state == "abandoned"
    assert rows[in_call] is not None and rows[in_call].state == "closed"
    assert rows[in_call].outcome == "dropped"


async def test_a_kept_queue_place_survives_close_stale_and_is_queued_again(
    store_address: StoreAddress,
) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    kept = await ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="elderly", media="video",
        citizen=CITIZEN, queued_at=1_790_000_000.0,
        resume_sha256="a" * 64, priority_check="verified",
    )
    ledger.record_offer(kept, "C-1", "a1", 1.0)
    gone = await _create(ledger)
    places = await ledger.queue_places()
    assert [(p.work_order.id, p.resume_sha256, p.priority_check) for p in places] == [
        (kept, "a" * 64, "verified")
    ]
    assert await ledger.close_stale(10.0, keep=[kept]) == 1
    kept_row, gone_row = await ledger.work_order(kept), await ledger.work_order(gone)
    [offer] = await ledger.offers(kept)
    await store.close()
    assert kept_row is not None and kept_row.state == "queued"
    assert gone_row is not None and gone_row.state == "abandoned"
    assert offer.result == "withdrawn"


async def test_handle_times_average_answer_to_close_per_item(store_address: StoreAddress) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    for i, seconds in enumerate((100.0, 300.0)):
        wo = await _create(ledger)
        ledger.record_offer(wo, f"C-{i}", "a1", 0.0)
        ledger.record_answer(wo, f"C-{i}", "a1", 1000.0)
        ledger.record_end(wo, "agent", 1000.0 + seconds / 2)
        await ledger.close_work_order(wo, "resolved", "", 1000.0 + seconds)
    times = await ledger.handle_times()
    await store.close()
    assert times["SI-UNEMP-QUERY"].count == 2
    assert times["SI-UNEMP-QUERY"].mean_s == pytest.approx(200.0)


async def test_an_unusable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot open ledger"):
        await SqliteStore.open(tmp_path / "missing-dir" / "l.sqlite3")


async def test_an_unreachable_server_is_a_clear_error_without_its_password() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = StoreAddress.parse(f"postgresql://seat:hunter2@127.0.0.1:{port}/seat")
    with pytest.raises(LedgerError, match=f"cannot open ledger .*127.0.0.1:{port}") as caught:
        await open_store(address)
    assert "hunter2" not in str(caught.value) and "seat:***@" in str(caught.value)


async def test_writes_after_close_are_refused(store_address: StoreAddress) -> None:
    store = await open_store(store_address)
    ledger = store.ledger
    await store.close()
    with pytest.raises(LedgerError):
        ledger.abandon("WO-x", 1.0)


async def test_a_file_from_before_large_text_gets_the_column_and_keeps_its_places(
    tmp_path: Path,
) -> None:
    """A ledger written before ``queue_places.large_text`` is upgraded when opened: its
    places read back as not large text, and new places keep the flag."""
    path = tmp_path / "ledger.sqlite3"
    store = await SqliteStore.open(path)
    old = await store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CITIZEN, queued_at=1_790_000_000.0, resume_sha256="a" * 64,
        priority_check="claimed")
    await store.close()
    db = sqlite3.connect(path)  # back to the table as an older hub made it
    with db:
        db.execute("ALTER TABLE queue_places DROP COLUMN large_text")
    db.close()

    store = await SqliteStore.open(path)
    try:
        new = await store.ledger.create_work_order(
            item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
            citizen=CITIZEN, queued_at=1_790_000_001.0, resume_sha256="b" * 64,
            priority_check="claimed", large_text=True)
        places = {p.work_order.id: p.large_text for p in await store.ledger.queue_places()}
    finally:
        await store.close()
    assert places == {old: False, new: True}
