"""``seat-hub migrate``: a town hall's SQLite ledger, made by a real hub, moved into a real
PostgreSQL database and checked row by row; and the refusals (a missing file, a wrong
scheme, an unreachable server, a target that already holds records)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from hubclient import a_resolved_call, agent_seat

from seat_common.protocol import (
    CitizenInfo,
    MaterialInfo,
    VerdictEntry,
)
from seat_hub.storage.audit_chain import verify
from seat_hub.storage.interface import HubStore
from seat_hub.storage.records import BookingRecord, LegRecord, RecordingReport
from seat_hub.storage.stores import StoreAddress, open_store

T0 = 1_790_000_000.0


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seat_hub.cli", "migrate", *args],
                          capture_output=True, text=True, timeout=300)


async def _a_hall_ledger(start_hub, clients) -> Path:  # type: ignore[no-untyped-def]
    """A ledger a real hub wrote (a call with chat, closed), then what the rest of a hall's
    day leaves in every other table, written through the store as the hub writes it."""
    hub = start_hub([agent_seat("a1")], ring_timeout=5)
    call = await a_resolved_call(hub, clients)
    await asyncio.to_thread(hub.stop)

    store = await open_store(hub.db_path)
    await _the_rest_of_the_day(store, call.work_order_id, call.call_id)
    await store.close()
    return Path(hub.db_path)


async def _the_rest_of_the_day(store: HubStore, wo: str, call_id: str) -> None:
    ledger, materials = store.ledger, store.materials
    ledger.record_leg(LegRecord(wo, call_id, "a1", T0, T0 + 60, "ended"))
    waiting = await ledger.create_work_order(
        item_code="HF-WITHDRAW", channel="kiosk", priority="elderly", media="video",
        citizen=CitizenInfo(name="李四"), queued_at=T0,
        resume_sha256="c" * 64, priority_check="verified")
    ledger.record_offer(waiting, "C-late", "a1", T0 + 1)
    ledger.record_offer_result("C-late", "timeout", T0 + 16)
    for i in range(3):
        ledger.add_chat(waiting, "citizen", "李四", f"第{i}句", T0 + 20 + i)
    info = MaterialInfo(material_id="M-1", work_order_id=wo, filename="身份证.jpg",
                        mime="image/jpeg", byte_size=10, sha256="ef" * 32, width=4, height=3,
                        orientation=1, source="citizen_upload", added_at=T0 + 5)
    materials.add(info, "S-1")
    entry = VerdictEntry(material_code="id_card", status="accepted", material_ids=("M-1",))
    materials.add_verdict(wo, "a1", "SI-UNEMP-QUERY", (entry,), T0 + 6)
    materials.link_booking(BookingRecord("B-1", wo, "H01", "沙田镇", "a1", T0 + 7))
    report = RecordingReport(wo, call_id, "a1", 61.5, 4_000_000, "ab" * 32, 900, T0 + 8)
    assert await ledger.link_recording(report) == "linked"
    materials.add_recording_file(wo, T0 + 9)
    await store.audit.record(at=T0 + 10, supervisor_id="S01", action="whisper", target=wo,
                             detail="提醒核对材料", result="ok")
    assert await store.audit.record_once("assist-1", at=T0 + 11, supervisor_id="a1",
                                         action="assist", target=wo, detail="", result="ok")


async def test_a_halls_ledger_moves_into_postgresql_checked_row_by_row(
    start_hub, clients, postgres_url: str
) -> None:
    path = await _a_hall_ledger(start_hub, clients)
    before = await open_store(path, read_only=True)
    [served] = [w for w in await before.ledger.work_orders_queued(0) if w.state == "closed"]
    expected = (await before.ledger.legs(served.id), await before.ledger.chat_messages(served.id),
                await before.materials.verdicts(served.id), await before.audit.chain())
    await before.close()

    done = await asyncio.to_thread(_migrate, "--from", f"sqlite:{path}", "--to", postgres_url)
    assert done.returncode == 0, done.stderr
    assert "复制/copy work_orders: 2/2" in done.stderr  # the progress, table by table
    assert "核对/check audit_log: 2/2" in done.stderr
    assert "every row checked" in done.stdout and "audit chain whole (2 rows" in done.stdout

    after = await open_store(StoreAddress.parse(postgres_url))
    assert await after.ledger.work_order(served.id) == served
    assert (await after.ledger.legs(served.id), await after.ledger.chat_messages(served.id),
            await after.materials.verdicts(served.id), await after.audit.chain()) == expected
    assert verify(await after.audit.chain()).intact
    assert (await after.materials.get("M-1")) is not None
    assert await after.materials.booking("B-1") is not None
    assert len(expected[0]) == 2  # the hub's leg and the one written beside it
    [place] = await after.ledger.queue_places()
    assert place.resume_sha256 == "c" * 64
    # The cluster goes on where the hall stopped: numbers past the copied ones, chain intact.
    await after.ledger.add_chat(served.id, "agent", "坐席a1", "迁移后", T0 + 100)
    assert [c.text for c in await after.ledger.chat_messages(served.id)][-1] == "迁移后"
    assert await after.materials.add_verdict(served.id, "a1", "SI-UNEMP-QUERY", (), T0) == 2
    await after.audit.record(at=T0 + 101, supervisor_id="S01", action="whisper", target="",
                             detail="", result="ok")
    chain = await after.audit.chain()
    await after.close()
    assert [r.seq for r in chain] == [1, 2, 3] and verify(chain).intact

    # Again into the same database: refused, the target untouched; --replace does it anew.
    again = await asyncio.to_thread(_migrate, "--from", f"sqlite:{path}", "--to", postgres_url)
    assert again.returncode == 1
    assert "the target is not empty" in again.stderr and "--replace" in again.stderr
    replaced = await asyncio.to_thread(_migrate, "--from", f"sqlite:{path}", "--to",
                                       postgres_url, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (2,)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("args", "code", "said"), [
    (["--from", "sqlite:{tmp}/none.sqlite3", "--to", "{pg}"], 1, "no such file"),
    (["--from", "mysql://seat@db/seat", "--to", "{pg}"], 2, "unsupported database scheme"),
    (["--from", "postgresql://x@db/seat", "--to", "{pg}"], 2, "--from wants sqlite:PATH"),
    (["--from", "sqlite:{tmp}/x.sqlite3", "--to", "sqlite:{tmp}/y.sqlite3"], 2,
     "--to wants a postgresql:// address"),
    (["--from", "sqlite:{tmp}/not-a-ledger.sqlite3", "--to", "{pg}"], 1, "not a Seat ledger"),
    (["--from", "sqlite:{tmp}/ledger.sqlite3", "--to",
      "postgresql://seat:hunter2@127.0.0.1:{closed}/seat"], 1, "cannot open ledger"),
])
def test_a_migration_that_cannot_be_done_says_why_and_changes_nothing(
    args: list[str], code: int, said: str, tmp_path: Path, postgres_url: str
) -> None:
    (tmp_path / "not-a-ledger.sqlite3").write_bytes(b"")
    db = sqlite3.connect(tmp_path / "ledger.sqlite3")
    db.execute("CREATE TABLE work_orders (id TEXT PRIMARY KEY)")
    db.close()
    given = [a.format(tmp=tmp_path, pg=postgres_url, closed=_closed_port()) for a in args]
    done = _migrate(*given)
    assert done.returncode == code, done.stderr
    assert said in done.stderr and "hunter2" not in done.stderr
    with psycopg.connect(postgres_url) as conn:  # nothing was made in the target
        assert conn.execute("SELECT to_regclass('audit_log') IS NULL").fetchone() == (True,)


async def test_a_copy_the_target_refuses_half_way_leaves_the_target_as_it_was(
    tmp_path: Path, postgres_url: str
) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = await open_store(path)
    for i in range(3):
        wo = await store.ledger.create_work_order(
            item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
            citizen=CitizenInfo(name=f"市民{i}"), queued_at=T0 + i)
        await store.ledger.add_chat(wo, "citizen", "市民", "你好", T0 + i)
    await store.close()
    db = sqlite3.connect(path)  # a row the file let in behind its own check
    db.execute("PRAGMA ignore_check_constraints = ON")
    with db:
        db.execute("UPDATE work_orders SET state = 'lost' WHERE id = ?", (wo,))
    db.close()
    done = await asyncio.to_thread(_migrate, "--from", str(path), "--to", postgres_url)
    assert done.returncode == 1
    assert "the copy stopped, the target is unchanged" in done.stderr
    assert "work_orders_state_check" in done.stderr  # which rule the row broke
    with psycopg.connect(postgres_url) as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {t}".encode()).fetchone()
                  for t in ("work_orders", "chat_messages", "audit_log")]
    assert counts == [(0,), (0,), (0,)]
