"""A PostgreSQL outage under a hub's writes (``storage.postgres.worker``): the server is
stopped at once (``pg_ctl stop -m immediate``) while writes are made, started again, and
every write arrives once, in order, with the audit chain whole. Reads during the outage
fail at once; past the bound of held writes a new write is refused and the held ones kept;
a store closed while the server stays away says which writes were not written.

These tests stop and start a server of their own (``outage_rig``), not the session's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hubclient import a_call_in_chat, agent_seat
from postgres_rig import PostgresMissing, PostgresRig

from seat_common.protocol import (
    CallEnded,
    Chat,
    ChatMessage,
    CitizenInfo,
    Hangup,
    WorkOrderClosed,
    WrapUp,
)
from seat_hub.storage import audit_chain
from seat_hub.storage.interface import LedgerError
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.postgres.worker import Connection, PostgresWorker, Reconnect

T0 = 1_790_000_000.0
FAST = Reconnect(first_s=0.05, cap_s=0.5, max_held=1000, close_grace_s=30.0)


@pytest.fixture(scope="module")
def outage_rig() -> Iterator[PostgresRig]:
    try:
        rig = PostgresRig.start(crash_safe=True)
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    yield rig
    rig.stop()


@pytest.fixture
def outage_url(outage_rig: PostgresRig) -> Iterator[str]:
    url = outage_rig.new_database()
    yield url
    with contextlib.suppress(RuntimeError):  # a test that failed half-way: server back up
        outage_rig.restart()


def _create(store: PostgresStore, n: int) -> asyncio.Future[str]:
    return store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name=f"市民{n}"), queued_at=T0 + n)


def _audit(store: PostgresStore, n: int) -> asyncio.Future[None]:
    return store.audit.record(at=T0 + n, supervisor_id="S1", action="whisper",
                              target=f"A{n}", detail=str(n), result="ok")


async def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql).fetchall())


async def test_writes_made_during_an_outage_arrive_once_in_order(
    outage_rig: PostgresRig, outage_url: str
) -> None:
    errors: list[tuple[str, BaseException]] = []
    store = await PostgresStore.open(outage_url, on_write_error=lambda w, e: errors.append((w, e)),
                                     reconnect=FAST)
    before = [_create(store, n) for n in range(30)] + [_audit(store, n) for n in range(30)]
    await asyncio.gather(*before)
    writes: list[asyncio.Future[object]] = []

    async def keep_writing() -> None:  # the hub goes on while the server goes away
        for n in range(30, 130):
            writes.append(_create(store, n))  # type: ignore[arg-type]
            writes.append(_audit(store, n))  # type: ignore[arg-type]
            await asyncio.sleep(0)

    crash = asyncio.create_task(asyncio.to_thread(outage_rig.crash))
    await keep_writing()
    await crash
    for n in range(130, 160):  # written while the server is surely down
        writes.append(_create(store, n))  # type: ignore[arg-type]
        writes.append(_audit(store, n))  # type: ignore[arg-type]
    await _until(lambda: store.outage is not None, "the store to notice the outage")
    assert store.held_writes > 0

    started = time.monotonic()
    with pytest.raises(LedgerError, match="cannot be reached"):
        await store.ledger.work_order("20260101-000001")
    with pytest.raises(LedgerError, match="暂时无法连接"):
        await store.audit.chain()
    assert time.monotonic() - started < 5  # at once, not after a timeout

    await asyncio.to_thread(outage_rig.restart)
    numbers = await asyncio.gather(*writes)
    assert store.outage is None and store.held_writes == 0
    chain = await store.audit.chain()
    await store.close()

    created = [await f for f in before[:30]] + [n for n in numbers if isinstance(n, str)]
    assert len(created) == 160 and len(set(created)) == 160
    rows = _rows(outage_url, "SELECT id, citizen_name FROM work_orders ORDER BY queued_at")
    assert [r[1] for r in rows] == [f"市民{n}" for n in range(160)]  # each once, in order
    assert sorted(str(r[0]) for r in rows) == sorted(created)
    assert [row.detail for row in chain] == [str(n) for n in range(160)]
    assert audit_chain.verify(chain).intact
    assert [w for w, _ in errors if w != "work_order" and not w.startswith("audit_chain")] == []
    assert _rows(outage_url, "SELECT writer FROM store_writes") == []  # closed cleanly


async def test_a_write_replayed_after_its_commit_is_not_applied_twice(outage_url: str) -> None:
    """The write whose COMMIT went through but whose answer was lost: replayed under the
    same mark, it returns the first answer and adds nothing."""
    store = await PostgresStore.open(outage_url)
    await store.close()
    first, replay = (PostgresWorker(outage_url, writer="hub-a") for _ in range(2))
    for worker in (first, replay):  # the same writer, the same write number: as a replay
        await worker.open(lambda conn: asyncio.sleep(0))
    assert await first.run("create_work_order", _insert) == "WO-1"
    assert await replay.run("create_work_order", _insert) == "WO-1"
    assert await replay.run("create_work_order", _answerless) is None  # the next number
    for worker in (first, replay):
        await worker.close()
    assert _rows(outage_url, "SELECT id, notes FROM work_orders") == [("WO-1", "again")]


async def _answerless(conn: Connection) -> None:
    await conn.execute("UPDATE work_orders SET notes = 'again' WHERE id = 'WO-1'")


async def _insert(conn: Connection) -> str:
    await conn.execute(
        "INSERT INTO work_orders (id, item_code, channel, priority, media, queued_at, state)"
        " VALUES ('WO-1', 'X', 'web', 'normal', 'video', 0, 'queued')")
    return "WO-1"


async def test_past_the_bound_a_write_is_refused_and_the_held_ones_kept(
    outage_rig: PostgresRig, outage_url: str
) -> None:
    errors: list[tuple[str, BaseException]] = []
    bounded = Reconnect(first_s=0.05, cap_s=0.5, max_held=5, close_grace_s=30.0)
    store = await PostgresStore.open(outage_url, on_write_error=lambda w, e: errors.append((w, e)),
                                     reconnect=bounded)
    await _create(store, 0)
    await asyncio.to_thread(outage_rig.crash)
    held = [_audit(store, n) for n in range(5)]
    await _until(lambda: store.outage is not None, "the store to notice the outage")
    refused = _audit(store, 99)
    with pytest.raises(LedgerError, match="5 writes are already waiting") as caught:
        await refused
    assert "暂存的写入已满" in str(caught.value)
    await _until(lambda: errors, "the refusal to be reported")
    assert [w for w, _ in errors] == ["audit_record"]
    await asyncio.to_thread(outage_rig.restart)
    await asyncio.gather(*held)
    chain = await store.audit.chain()
    await store.close()
    assert [row.detail for row in chain] == ["0", "1", "2", "3", "4"]
    assert audit_chain.verify(chain).intact


async def test_closing_while_the_server_stays_away_reports_each_write_not_written(
    outage_rig: PostgresRig, outage_url: str
) -> None:
    errors: list[tuple[str, BaseException]] = []
    brief = Reconnect(first_s=0.05, cap_s=0.2, max_held=100, close_grace_s=1.0)
    store = await PostgresStore.open(outage_url, on_write_error=lambda w, e: errors.append((w, e)),
                                     reconnect=brief)
    await asyncio.to_thread(outage_rig.crash)
    held = [_create(store, 1), _audit(store, 2)]
    await store.close()
    for future in held:
        with pytest.raises(LedgerError, match=r"not written.*before the hub stopped"):
            await future
    await _until(lambda: len(errors) == 2, "both to be reported")
    assert [w for w, _ in errors] == ["create_work_order", "audit_record"]
    assert all("此记录未写入" in str(e) for _, e in errors)
    await asyncio.to_thread(outage_rig.restart)
    assert _rows(outage_url, "SELECT count(*) FROM work_orders") == [(0,)]


async def test_a_hub_process_loses_nothing_when_postgresql_stops_under_a_call(
    outage_rig: PostgresRig, outage_url: str, start_hub: Any, clients: Any, tmp_path: Path
) -> None:
    """A real ``seat-hub --db postgresql://…``: the server is stopped at once in the middle
    of a call; chat, the hang-up and the wrap-up made meanwhile are in the ledger once the
    server is back, the hub logged no lost write, and the audit chain is whole."""
    hub = start_hub([agent_seat("a1")], ring_timeout=5, extra_args=[
        "--db", outage_url, "--materials", str(tmp_path / "materials"),
        "--citizen-key-file", str(tmp_path / "citizen-key.secret")])
    call = await a_call_in_chat(hub, clients, "断线前")
    citizen, agent, call_id = call.citizen, call.agent, call.call_id

    await asyncio.to_thread(outage_rig.crash)
    for n in range(5):  # the call goes on: chat does not wait for the records
        await citizen.send(Chat(call_id=call_id, text=f"断线中{n}"))
        for party in (citizen, agent):
            await party.expect(ChatMessage, within=30)
    await citizen.send(Hangup(call_id=call_id))
    for party in (citizen, agent):
        await party.expect(CallEnded, within=30)
    await agent.send(WrapUp(work_order_id=call.work_order_id, outcome="resolved", notes="好"))
    await asyncio.to_thread(outage_rig.restart)
    assert (await agent.expect(WorkOrderClosed, within=120)).outcome == "resolved"

    async def written() -> bool:
        rows = await asyncio.to_thread(_rows, outage_url,
                                       "SELECT state FROM work_orders WHERE state = 'closed'")
        return len(rows) == 1
    deadline = time.monotonic() + 120
    while not await written():
        assert time.monotonic() < deadline, "the work order never reached the ledger closed"
        await asyncio.sleep(0.1)
    chat = await asyncio.to_thread(_rows, outage_url, "SELECT text FROM chat_messages ORDER BY id")
    assert [c[0] for c in chat] == ["断线前"] + [f"断线中{n}" for n in range(5)]
    [order] = await asyncio.to_thread(
        _rows, outage_url, "SELECT outcome, agent_id, ended_at IS NOT NULL FROM work_orders")
    assert order == ("resolved", "a1", True)
    assert hub.events("ledger_error") == []
    lost, back = hub.events("ledger_unreachable"), hub.events("ledger_reachable")
    assert len(lost) == 1 and len(back) == 1, hub.log_text()[-3000:]
    assert back[0]["held_writes"] >= 1  # the writes made meanwhile, replayed after
