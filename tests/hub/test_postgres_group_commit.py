"""Group commit in the PostgreSQL store (``storage.postgres.group_commit``): writes queued
back to back, as a cluster's ledger stream queues them (each inside ``store.once``), land
in order in a few transactions; a bad write among them fails alone; a batch whose COMMIT
went through but whose acknowledgement was lost is answered on the replay and written
once; a once-key written before is not applied again inside a batch.

The connection is cut between COMMIT and its answer by a loopback proxy of the test's
own (``CommitCutter``), in front of the session's server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import psycopg
import pytest
from postgres_rig import PostgresRig

from seat_common.protocol import CitizenInfo
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.postgres.worker import PostgresWorker, Reconnect

T0 = 1_790_000_000.0
FAST = Reconnect(first_s=0.05, cap_s=0.5, max_held=1000, close_grace_s=30.0)


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql).fetchall())


def _create(store: PostgresStore, n: int) -> asyncio.Future[str]:
    return store.ledger.create_work_order(
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name=f"市民{n}"), queued_at=T0 + n)


def _chat(store: PostgresStore, work_order_id: str, n: int) -> asyncio.Future[None]:
    return store.ledger.add_chat(work_order_id, "citizen", "市民", f"第{n}条", T0 + n)


async def _chats_queued_at_once(url: str, max_batch: int) -> list[tuple[object, ...]]:
    """200 chat lines queued in one go, each under its own stream entry id; the rows
    written (text, the id of the transaction that wrote it), in order."""
    store = await PostgresStore.open(url, max_batch=max_batch)
    order = await _create(store, 0)
    written = []
    for n in range(200):
        with store.once(f"1790000000000-{n}"):
            written.append(_chat(store, order, n))
    assert await asyncio.gather(*written) == [None] * 200
    await store.close()
    return _rows(url, "SELECT text, xmin::text FROM chat_messages ORDER BY id")


async def test_two_hundred_writes_queued_at_once_land_in_order_in_a_few_transactions(
    postgres_url: str,
) -> None:
    rows = await _chats_queued_at_once(postgres_url, max_batch=64)
    assert [r[0] for r in rows] == [f"第{n}条" for n in range(200)]
    assert len({r[1] for r in rows}) <= 10  # 64 to a transaction: 4
    assert _rows(postgres_url, "SELECT count(*) FROM store_once") == [(200,)]


async def test_with_group_commit_off_each_write_is_a_transaction_of_its_own(
    postgres: PostgresRig,
) -> None:
    rows = await _chats_queued_at_once(postgres.new_database(), max_batch=1)
    assert [r[0] for r in rows] == [f"第{n}条" for n in range(200)]
    assert len({r[1] for r in rows}) == 200
    with pytest.raises(ValueError, match="at least one write"):
        PostgresWorker(postgres.url(), max_batch=0)


async def test_a_bad_write_in_the_middle_of_a_batch_fails_alone(postgres_url: str) -> None:
    """A ledger entry whose work order is not (yet) in the ledger: its write fails, the
    ones around it in the same batch land, and its once-key is not kept, so the entry
    written again later lands."""
    errors: list[tuple[str, BaseException]] = []
    store = await PostgresStore.open(postgres_url,
                                     on_write_error=lambda w, e: errors.append((w, e)))
    order = await _create(store, 0)
    written = []
    for n in range(30):
        with store.once(f"entry-{n}"):
            written.append(_chat(store, "WO-20260101-999999" if n == 15 else order, n))
    outcomes = await asyncio.gather(*written, return_exceptions=True)
    assert isinstance(outcomes[15], psycopg.errors.ForeignKeyViolation)
    assert outcomes[:15] + outcomes[16:] == [None] * 29
    assert [w for w, _ in errors] == ["add_chat"]
    with store.once("entry-15"):  # claimed again once its work order is there
        await _chat(store, order, 15)
    await store.close()
    rows = _rows(postgres_url, "SELECT text FROM chat_messages ORDER BY id")
    assert [r[0] for r in rows] == [f"第{n}条" for n in range(30) if n != 15] + ["第15条"]
    assert _rows(postgres_url, "SELECT count(*) FROM store_once") == [(30,)]


class CommitCutter:
    """A loopback proxy to a PostgreSQL server that, once armed, lets the next COMMIT
    through to the server but cuts the client off first, so the client never hears that
    it committed. ``commit_seen`` is set when that COMMIT arrives; it goes on when the
    test sets ``cut``."""

    def __init__(self, server_port: int) -> None:
        self.server_port = server_port
        self._armed = False
        self.commit_seen = asyncio.Event()
        self.cut = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._listener = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._listener.sockets[0].getsockname()[1])

    def arm(self) -> None:
        self._armed = True

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.server_port)
        for pump in (self._to_server(client_r, client_w, server_w),
                     self._to_client(server_r, client_w)):
            task = asyncio.create_task(pump)
            self._tasks.add(task)

    async def _to_server(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter,
                         server_w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while chunk := await client_r.read(65536):
                if self._armed and b"COMMIT\x00" in chunk:  # a simple query: COMMIT
                    self._armed = False
                    self.commit_seen.set()
                    await self.cut.wait()
                    client_w.transport.abort()  # the client hears nothing more...
                    server_w.write(chunk)  # ...and the server commits
                    await server_w.drain()
                    break
                server_w.write(chunk)
                await server_w.drain()
        server_w.close()

    async def _to_client(self, server_r: asyncio.StreamReader,
                         client_w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while chunk := await server_r.read(65536):
                if client_w.transport.is_closing():
                    break
                client_w.write(chunk)
                await client_w.drain()
        client_w.transport.abort()


@pytest.fixture
async def cutter(postgres: PostgresRig) -> AsyncIterator[CommitCutter]:
    proxy = CommitCutter(postgres.port)
    await proxy.start()
    yield proxy
    await proxy.close()


async def test_a_batch_committed_before_the_connection_dropped_is_answered_and_written_once(
    postgres_url: str, cutter: CommitCutter
) -> None:
    """Ten work orders committed together, the connection cut before the hub heard so;
    ten more queued meanwhile. After the reconnect each of the twenty has its number, the
    first ten from the answers kept with the mark, and each is in the ledger once."""
    outages: list[str | None] = []
    url = postgres_url.replace(f":{cutter.server_port}/", f":{cutter.port}/")
    store = await PostgresStore.open(url, reconnect=FAST,
                                     on_outage=lambda reason, held: outages.append(reason))
    cutter.arm()
    created = []
    for n in range(10):
        with store.once(f"entry-{n}"):
            created.append(_create(store, n))
    async with asyncio.timeout(60):
        await cutter.commit_seen.wait()
    for n in range(10, 20):  # queued while the first ten commit
        with store.once(f"entry-{n}"):
            created.append(_create(store, n))
    cutter.cut.set()
    async with asyncio.timeout(60):
        numbers = await asyncio.gather(*created)
    await store.close()
    assert len(outages) == 2 and outages[1] is None  # the cut was seen, and healed
    rows = _rows(postgres_url, "SELECT id, citizen_name FROM work_orders ORDER BY id")
    assert [r[1] for r in rows] == [f"市民{n}" for n in range(20)]  # each once, in order
    assert list(numbers) == [r[0] for r in rows]
    assert _rows(postgres_url, "SELECT count(*) FROM store_once") == [(20,)]


async def test_a_once_key_written_before_is_not_applied_again_inside_a_batch(
    postgres_url: str,
) -> None:
    store = await PostgresStore.open(postgres_url)
    with store.once("entry-7"):
        first = await _create(store, 7)
    with store.once("entry-8"):
        await _chat(store, first, 8)
    batch = []
    for key, n in (("entry-1", 1), ("entry-7", 77), ("entry-2", 2)):
        with store.once(key):
            batch.append(_create(store, n))
    with store.once("entry-8"):
        again = _chat(store, first, 88)
    new_1, replayed, new_2 = await asyncio.gather(*batch)
    assert replayed == first and await again is None  # the first answers, not new writes
    await store.close()
    rows = _rows(postgres_url, "SELECT id, citizen_name FROM work_orders ORDER BY id")
    assert rows == [(first, "市民7"), (new_1, "市民1"), (new_2, "市民2")]
    assert _rows(postgres_url, "SELECT text FROM chat_messages") == [("第8条",)]
    kept = dict(_rows(postgres_url, "SELECT key, result FROM store_once"))
    assert json.loads(str(kept["entry-7"])) == first
    assert kept["entry-8"] is None  # a None answer is not written: NULL reads back as None


async def test_the_numbering_lock_is_not_held_over_the_writes_queued_after_a_new_work_order(
    postgres_url: str,
) -> None:
    """Every hub's new work orders wait for the day's numbering lock: a batch ends after
    the new work orders in it, so the lock is held for their own work only, and the chat
    lines queued after them commit in the next transaction."""
    store = await PostgresStore.open(postgres_url)
    order = await _create(store, 0)
    before = [_chat(store, order, n) for n in range(3)]
    created = [_create(store, n) for n in (1, 2)]
    after = [_chat(store, order, n) for n in range(3, 6)]
    await asyncio.gather(*before, *created, *after)
    await store.close()
    chats = [r[0] for r in _rows(postgres_url, "SELECT xmin::text FROM chat_messages ORDER BY id")]
    orders = dict(_rows(postgres_url, "SELECT citizen_name, xmin::text FROM work_orders"))
    assert len(set(chats[:3])) == 1 and orders["市民1"] == orders["市民2"] == chats[0]
    assert len(set(chats[3:])) == 1 and chats[3] != chats[0]
