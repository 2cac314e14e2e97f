"""One PostgreSQL connection and the queue of work on it: where every statement of a
cluster's store runs.

The store's contract (``storage.interface``) asks that each method start its work when
it is called and that one hub's writes land in the order it made them. ``run`` therefore
puts a job on a queue at once and returns a future; one task (``_serve``) takes the jobs
in order and runs each on the one connection, awaiting psycopg's asyncio API, so nothing
blocks the event loop and no thread is needed. A job that fails is reported to
``on_write_error`` even if nobody awaits it.

Writes (``run``, ``execute``) and reads (``read``) differ when the server cannot be
reached (it restarted, a standby is taking over, the network is cut):

- A **write** is kept, in order with the writes after it, and tried again once a new
  connection is had: the worker reconnects with full-jitter backoff (``Reconnect``) and
  replays the held writes first, so the ledger ends as if there had been no outage. Each
  transaction also moves this worker's mark in ``store_writes`` (``writer``, ``seq``)
  forward; a write whose COMMIT was sent but not acknowledged when the connection dropped
  finds its mark there on the replay and is not applied twice (its answer, if it had one
  that JSON holds, is read back from the mark).
- A **read** during an outage fails at once with a ``LedgerError`` that says so: nothing
  waits on a server that is gone.

Writes queued back to back (a ledger stream batch) share one transaction, up to
``max_batch`` of them (group commit, ``group_commit``): the same order, marks and once-keys,
far fewer round trips. A write in such a batch that fails with its own error rolls the
batch back, and its writes run again one by one, so only that write fails. Jobs are
therefore pure database work (``group_commit`` says why that holds for every job). A write
job always runs inside the worker's transaction, so one of several statements opens none of
its own (it would be a savepoint: two round trips more, and nothing gained).

The held writes are bounded (``Reconnect.max_held``, in memory): past it a new write is
refused with a ``LedgerError`` and the held ones are kept. Closing during an outage waits
``Reconnect.close_grace_s`` for the server, then fails the writes still held, each
reported (``ledger_error`` in the hub's log, with its name). Why memory and not a spool
file: ``docs/deployment.md`` (PostgreSQL outages).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.rows import DictRow, dict_row

from seat_common.tasks import TaskOwner
from seat_hub.storage.interface import LedgerError, OutageHandler, WriteErrorHandler
from seat_hub.storage.once import next_key
from seat_hub.storage.postgres.group_commit import (
    GROUP_COMMIT_LIMIT,
    Outcome,
    Write,
    commit_together,
)

_T = TypeVar("_T")

Connection = psycopg.AsyncConnection[DictRow]
Job = Callable[[Connection], Awaitable[Any]]

#: Seconds to wait for the server to answer a connection before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10

#: The session lock of the hubs on a database: a hub that must be the database's only one
#: holds it exclusive while connected; the hubs of a cluster (live state in Redis) hold it
#: shared, so any number of them coexist and they and a sole hub exclude each other.
SOLE_HUB_LOCK = 0x5EA7_0003


def shown(address: str) -> str:
    """``address`` fit for a message or a log line: a password, in the user part or as a
    ``password=`` parameter, replaced by ``***``."""
    parts = urlsplit(address)
    if parts.password is not None:
        user, host = parts.netloc.rsplit("@", 1)
        parts = parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}")
    if parts.query:
        query = [(k, "***" if k.lower() == "password" else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(query, safe="*,/:"))
    return urlunsplit(parts)


async def connect(address: str, *, read_only: bool = False) -> Connection:
    """A connection to ``address`` (autocommit, rows as dicts, UTC); a ``LedgerError`` naming
    the server (never its password) if it cannot be had."""
    options = "-c TimeZone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
    try:
        return await psycopg.AsyncConnection.connect(
            address, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S,
            options=options, application_name="seat-hub",
        )
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise LedgerError(f"cannot open ledger {shown(address)}: {reason}") from exc


@dataclass(frozen=True)
class Reconnect:
    """How a worker rides over an outage: the backoff between attempts to reconnect (full
    jitter: a delay drawn from 0 up to ``first_s`` doubled per failed attempt, at most
    ``cap_s``, so hubs that lost the server together do not return together), how many
    writes it holds meanwhile, and how long closing waits for the server."""

    first_s: float = 0.25
    cap_s: float = 15.0
    max_held: int = 20_000
    close_grace_s: float = 10.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.cap_s, self.first_s * 2 ** min(attempt, 30)))


@dataclass
class _Item:
    name: str
    job: Job
    future: asyncio.Future[Any]
    seq: int | None  # a write's number in this worker's order; None for a read
    once: str | None = None  # a write applied at most once for this key (``storage.once``)
    lock: str | None = None  # the lock every hub waits for that this write takes, if any


class _Lost(Exception):
    """The connection failed (or none could be had): the server, not the statement."""


class PostgresWorker:
    """The connection to one PostgreSQL database and the one task that uses it, in order."""

    def __init__(self, address: str, on_write_error: WriteErrorHandler | None = None,
                 *, sole_hub: bool = False, reconnect: Reconnect | None = None,
                 writer: str | None = None, on_outage: OutageHandler | None = None,
                 cluster_hub: bool = False, max_batch: int = GROUP_COMMIT_LIMIT) -> None:
        if sole_hub and cluster_hub:
            raise ValueError("a hub is either the database's only one or one of a cluster")
        if max_batch < 1:
            raise ValueError(f"a transaction carries at least one write, not {max_batch}")
        self.address = address
        self._cluster_hub = cluster_hub
        self._on_outage = on_outage
        self._on_write_error = on_write_error
        self._sole_hub = sole_hub
        self._policy = reconnect or Reconnect()
        self._conn: Connection | None = None
        self._read_only = False
        self._writer = writer or uuid.uuid4().hex  # this worker's name in store_writes
        self._last_seq = 0
        self._pending: deque[_Item] = deque()
        self._held = 0  # writes in _pending
        self._max_batch = max_batch
        self._alone = 0  # writes at the front of _pending to run one per transaction
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._outage: str | None = None  # why the server cannot be reached, while it cannot
        self._tasks = TaskOwner("postgres store")
        self._server: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def outage(self) -> str | None:
        """Why the server cannot be reached, while it cannot; ``None`` when connected."""
        return self._outage

    @property
    def held_writes(self) -> int:
        """Writes queued and not yet written (all of them held, during an outage)."""
        return self._held

    async def open(
        self, prepare: Callable[[Connection], Awaitable[None]], *, read_only: bool = False
    ) -> None:
        """Connect and run ``prepare`` (make or check the tables) before any job."""
        self._read_only = read_only
        self._conn = await self._connect()
        try:
            await prepare(self._conn)
        except (psycopg.Error, LedgerError) as exc:
            await self._conn.close()
            self._closed = True
            raise LedgerError(f"cannot open ledger {shown(self.address)}: {exc}") from exc
        self._server = self._tasks.spawn(self._serve(), "postgres statements", report=False)

    async def close(self) -> None:
        """Wait for every queued job (during an outage, ``close_grace_s`` at most: the writes
        still held then fail, each reported), then close the connection."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._server is not None:
            while not self._server.done():
                try:
                    await asyncio.wait_for(asyncio.shield(self._server),
                                           self._policy.close_grace_s)
                except TimeoutError:
                    if self._outage is None:
                        continue  # the server is there, only slow: every write is made
                    self._stopping.set()
                    self._wake.set()
                    await asyncio.gather(self._server, return_exceptions=True)
        await self._tasks.close()
        self._fail_pending(reads_only=False)
        if self._conn is not None:
            if not self._conn.broken and self._outage is None and not self._read_only:
                with contextlib.suppress(psycopg.Error):  # the mark is of no further use
                    await self._conn.execute("DELETE FROM store_writes WHERE writer = %s",
                                             (self._writer,))
            await self._conn.close()
            self._conn = None

    def run(self, name: str, job: Callable[[Connection], Awaitable[_T]], *,
            lock: str | None = None) -> asyncio.Future[_T]:
        """Queue the write ``job(connection)`` now, in order with everything else; it is
        held through an outage and written once. ``name`` says what it is in a failure;
        ``lock`` names the lock the job takes that every hub's writes of its kind wait for
        (a work order's number, the audit chain): its transaction then takes no other
        writes after it, only more of that lock's, so the lock is held no longer than
        their own work (and two hubs never hold two such locks in opposite orders)."""
        return self._queue(name, job, write=True, lock=lock)

    def read(self, name: str, job: Callable[[Connection], Awaitable[_T]]) -> asyncio.Future[_T]:
        """Queue the read ``job(connection)`` now, in order with the writes; during an
        outage it fails at once (``LedgerError``)."""
        return self._queue(name, job, write=False)

    def execute(self, name: str, sql: str, params: tuple[Any, ...]) -> asyncio.Future[None]:
        """Queue one writing statement."""

        async def job(conn: Connection) -> None:
            await conn.execute(sql, params)

        return self.run(name, job)

    def _queue(self, name: str, job: Job, *, write: bool,
               lock: str | None = None) -> asyncio.Future[Any]:
        if self._closed:
            raise LedgerError("the ledger is closed")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: self._report(name, f))
        if not write and self._outage is not None:
            future.set_exception(self._unreachable())
            return future
        if write and self._held >= self._policy.max_held:
            future.set_exception(LedgerError(
                f"ledger {shown(self.address)}: {self._held} writes are already waiting for"
                f" the server ({self._outage or 'it is slow'}); this one is refused, those are"
                " kept (数据库不可用，暂存的写入已满)"))
            return future
        seq = None
        once = None
        if write:
            self._last_seq += 1
            seq = self._last_seq
            self._held += 1
            once = next_key()
        self._pending.append(_Item(name, job, future, seq, once, lock))
        self._wake.set()
        return future

    def _unreachable(self) -> LedgerError:
        return LedgerError(f"ledger {shown(self.address)} cannot be reached ({self._outage});"
                           f" {self._held} writes are held until it is back"
                           " (数据库暂时无法连接)")

    # --- the one task that runs the jobs ----------------------------------------

    async def _serve(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            if self._outage is not None:
                if self._closed and not self._pending:
                    return
                if await self._stopping_within(self._policy.delay(attempt)):
                    return
                attempt += 1
                try:
                    await self._usable()
                except _Lost as lost:
                    self._outage = str(lost)
                    continue
                self._set_outage(None)
                attempt = 0
            if not self._pending:
                if self._closed:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            item = self._pending[0]
            if item.seq is None and item.future.cancelled():  # a read nobody waits for
                self._done(None)
                continue
            batch = self._next_batch()
            try:
                outcomes = await self._attempt(batch)
            except _Lost as lost:
                self._set_outage(str(lost))
                self._fail_pending(reads_only=True)  # the writes in hand stay first
                continue
            except Exception as exc:  # a job's own failure
                if len(batch) > 1:  # rolled back: one by one, so that only it fails
                    self._alone = len(batch)
                else:
                    self._done(exc)
                continue
            for outcome in outcomes:  # fewer than the batch: the rest is tried again
                self._done(outcome.error, outcome.answer)

    def _next_batch(self) -> list[_Item]:
        """The jobs to run now: the first read alone, or the writes queued back to back at
        the front (up to ``max_batch``; one, while a failed batch is run again), ending
        after a write that takes a lock (``run``) unless more of that lock's follow."""
        if self._pending[0].seq is None:
            return [self._pending[0]]
        limit = 1 if self._alone else self._max_batch
        batch: list[_Item] = []
        for item in islice(self._pending, limit):
            if item.seq is None or (batch and batch[-1].lock not in (None, item.lock)):
                break
            batch.append(item)
        return batch

    def _set_outage(self, reason: str | None) -> None:
        """The server was lost (``reason``) or is back (``None``); said once each way."""
        self._outage = reason
        if self._on_outage is not None:
            self._on_outage(reason, self._held)

    async def _stopping_within(self, seconds: float) -> bool:
        try:  # not wait_for: it can swallow a cancel on Python 3.11 (gh-86296)
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        except TimeoutError:
            return False
        return True

    async def _attempt(self, batch: list[_Item]) -> list[Outcome]:
        conn = await self._usable()
        try:
            if batch[0].seq is None:
                return [Outcome(await batch[0].job(conn))]
            return await commit_together(conn, self._writer, [
                Write(item.seq, item.once, item.job) for item in batch if item.seq is not None])
        except (psycopg.Error, OSError) as exc:
            if conn.broken or conn.closed:
                raise _Lost(_reason(exc)) from exc
            raise

    def _done(self, exc: BaseException | None, result: Any = None) -> None:
        """The first queued job is done: its future answered, unless cancelled."""
        item = self._pending.popleft()
        if item.seq is not None:
            self._held -= 1
            self._alone = max(0, self._alone - 1)
        if item.future.cancelled():
            return
        if exc is not None:
            item.future.set_exception(exc)
        else:
            item.future.set_result(result)

    def _fail_pending(self, *, reads_only: bool) -> None:
        """Fail the queued reads (an outage began) or every queued job (closing for good)."""
        kept: deque[_Item] = deque()
        while self._pending:
            item = self._pending.popleft()
            if reads_only and item.seq is not None:
                kept.append(item)
                continue
            if item.seq is not None:
                self._held -= 1
            if not item.future.done():
                item.future.set_exception(
                    self._unreachable() if item.seq is None else LedgerError(
                        f"not written: the ledger {shown(self.address)} could not be reached"
                        f" before the hub stopped ({self._outage or 'closed'})"
                        " (数据库无法连接，此记录未写入)"))
        self._pending = kept

    async def _usable(self) -> Connection:
        """The connection, opened anew if the old one broke (a failover, a restart); ``_Lost``
        if none can be had."""
        if self._conn is None or self._conn.broken or self._conn.closed:
            if self._conn is not None:
                await self._conn.close()
            self._conn = None
            try:
                self._conn = await self._connect()
            except LedgerError as exc:
                raise _Lost(str(exc)) from exc
        return self._conn

    async def _connect(self) -> Connection:
        """A connection; for a sole hub, holding the database's hub lock exclusive, for a
        cluster's hub holding it shared (a ``LedgerError`` if the other kind holds it)."""
        conn = await connect(self.address, read_only=self._read_only)
        if not (self._sole_hub or self._cluster_hub):
            return conn
        take = "pg_try_advisory_lock_shared" if self._cluster_hub else "pg_try_advisory_lock"
        cur = await conn.execute(f"SELECT {take}(%s) AS mine", (SOLE_HUB_LOCK,))
        row = await cur.fetchone()
        if row is not None and row["mine"]:
            return conn
        await conn.close()
        if self._cluster_hub:
            raise LedgerError(
                f"a single hub (started without --cluster) is using {shown(self.address)}:"
                " it keeps its queue and calls in its own memory and would close the"
                " cluster's live work orders as stale; stop it before starting cluster hubs"
                " (一个单机中心正在使用此数据库，请先停止它)")
        raise LedgerError(
            f"another hub is using {shown(self.address)}: a hub keeps its queue and calls"
            " in its own memory, so one hub per database unless every hub runs with"
            " --cluster (另一个中心正在使用此数据库)")

    def _report(self, name: str, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()  # also marks it retrieved for unawaited writes
        if exc is not None and self._on_write_error is not None:
            self._on_write_error(name, exc)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
