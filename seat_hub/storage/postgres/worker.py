"""One PostgreSQL connection and the queue of work on it: where every statement of a
cluster's store runs.

The store's contract (``storage.interface``) asks that each method start its work when
it is called and that one hub's writes land in the order it made them. ``run`` therefore
puts a job on a queue at once and returns a future; one task (``_serve``) takes the jobs
in order and runs each on the one connection, awaiting psycopg's asyncio API, so nothing
blocks the event loop and no thread is needed. A job that fails is reported to
``on_write_error`` even if nobody awaits it.

A job that needs several statements to be one change opens a transaction
(``async with conn.transaction()``); single statements commit on their own
(autocommit). When the connection breaks (the server restarted, or a standby took over)
the job in hand fails and the next one opens a new connection first, so a hub rides over
a database failover losing only the writes made while it was down, each reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.rows import DictRow, dict_row

from seat_common.tasks import TaskOwner
from seat_hub.storage.interface import LedgerError, WriteErrorHandler

_T = TypeVar("_T")

Connection = psycopg.AsyncConnection[DictRow]
Job = Callable[[Connection], Awaitable[Any]]

#: Seconds to wait for the server to answer a connection before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10

#: The session lock a hub that must be the database's only one holds while connected.
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


class PostgresWorker:
    """The connection to one PostgreSQL database and the one task that uses it, in order."""

    def __init__(self, address: str, on_write_error: WriteErrorHandler | None = None,
                 *, sole_hub: bool = False) -> None:
        self.address = address
        self._on_write_error = on_write_error
        self._sole_hub = sole_hub
        self._conn: Connection | None = None
        self._read_only = False
        self._jobs: asyncio.Queue[tuple[str, Job, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._tasks = TaskOwner("postgres store")
        self._server: asyncio.Task[None] | None = None
        self._closed = False

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
        """Wait for every queued job, then close the connection."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put_nowait(None)
        if self._server is not None:
            await asyncio.gather(self._server, return_exceptions=True)
        await self._tasks.close()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def run(self, name: str, job: Callable[[Connection], Awaitable[_T]]) -> asyncio.Future[_T]:
        """Queue ``job(connection)`` now, in order with everything else; ``name`` says what
        it is in a failure."""
        if self._closed:
            raise LedgerError("the ledger is closed")
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: self._report(name, f))
        self._jobs.put_nowait((name, job, future))
        return future

    def execute(self, name: str, sql: str, params: tuple[Any, ...]) -> asyncio.Future[None]:
        """Queue one statement (committed on its own)."""

        async def job(conn: Connection) -> None:
            await conn.execute(sql, params)

        return self.run(name, job)

    # --- the one task that runs the jobs ----------------------------------------

    async def _serve(self) -> None:
        while (item := await self._jobs.get()) is not None:
            _, job, future = item
            if future.cancelled():
                continue
            try:
                result = await job(await self._usable())
            except Exception as exc:  # every failure goes to the job's future
                if not future.cancelled():
                    future.set_exception(exc)
            else:
                if not future.cancelled():
                    future.set_result(result)

    async def _usable(self) -> Connection:
        """The connection, opened anew if the old one broke (a failover, a restart)."""
        if self._conn is None or self._conn.broken or self._conn.closed:
            if self._conn is not None:
                await self._conn.close()
            self._conn = None
            self._conn = await self._connect()
        return self._conn

    async def _connect(self) -> Connection:
        """A connection; for a sole hub, holding the database's hub lock (a ``LedgerError``
        if another hub holds it)."""
        conn = await connect(self.address, read_only=self._read_only)
        if not self._sole_hub:
            return conn
        cur = await conn.execute("SELECT pg_try_advisory_lock(%s) AS mine", (SOLE_HUB_LOCK,))
        row = await cur.fetchone()
        if row is None or not row["mine"]:
            await conn.close()
            raise LedgerError(
                f"another hub is using {shown(self.address)}: a hub keeps its queue and calls"
                " in its own memory, so one hub per database until hubs share their live state"
                " (另一个中心正在使用此数据库)")
        return conn

    def _report(self, name: str, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()  # also marks it retrieved for unawaited writes
        if exc is not None and self._on_write_error is not None:
            self._on_write_error(name, exc)
