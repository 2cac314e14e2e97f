"""One SQLite file on its own thread: where every statement of the embedded store runs.

SQLite is blocking, so the file is opened, used and closed on a single worker
thread and never on the hub's event loop. ``submit`` queues a function on that
thread *when it is called* and returns an awaitable future: statements run in
exactly the order the hub made them, whether or not it waits for them. A
failed one is reported to ``on_write_error`` even if nobody awaits it.

Opened for the hub, the file is in WAL mode with ``synchronous=FULL`` (a write
the hub has been told is done survives a crash or a power cut) and every table
of ``schema`` exists. Opened read-only (reports), nothing is changed and a
missing file is an error, so a report can run beside a live hub.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar, cast

from seat_common.personal_data.private_files import private_file
from seat_hub.storage.interface import LedgerError, WriteErrorHandler
from seat_hub.storage.once import next_key
from seat_hub.storage.sqlite.schema import ADDED_COLUMNS, SCHEMA, upgrade

#: The keys of writes made at most once (``storage.once``); made when first needed, so a
#: hall's file gains it only if a cluster's tool wrote through it (``migrate`` skips it).
ONCE_TABLE: Final = ("CREATE TABLE IF NOT EXISTS store_once"
                     " (key TEXT PRIMARY KEY, at REAL NOT NULL, result TEXT)")

_P = ParamSpec("_P")
_T = TypeVar("_T")



class SqliteWorker:
    """The connection to one SQLite file and the one thread that uses it."""

    def __init__(self, path: Path, on_write_error: WriteErrorHandler | None = None) -> None:
        self.path = path
        self._on_write_error = on_write_error
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger")
        self._db: sqlite3.Connection | None = None
        self._closed = False

    async def open(self, *, read_only: bool = False) -> None:
        """Open the file (for the hub: creating it and its tables if needed)."""
        try:
            await self.submit("open", self._open, read_only)
        except (sqlite3.Error, OSError) as exc:
            self._executor.shutdown(wait=False)
            self._closed = True
            raise LedgerError(f"cannot open ledger {self.path}: {exc}") from exc

    async def close(self) -> None:
        """Wait for every queued statement, then close the file."""
        if self._closed:
            return
        self._closed = True
        await asyncio.wrap_future(self._executor.submit(self._close_db))
        self._executor.shutdown(wait=False)

    def submit(
        self, name: str, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> asyncio.Future[_T]:
        """Queue ``fn(*args)`` on the thread now; ``name`` says what it is in a failure."""
        if self._closed:
            raise LedgerError("the ledger is closed")
        future = asyncio.wrap_future(self._executor.submit(fn, *args, **kwargs))
        future.add_done_callback(lambda f: self._report(name, f))
        return future

    def run(self, name: str, fn: Callable[[sqlite3.Connection], _T]) -> asyncio.Future[_T]:
        """Queue ``fn(connection)`` on the thread, in order with everything else (at most
        once for its key inside a ``storage.once`` block)."""
        once = next_key()
        if once is not None:
            return self.submit(name, self._once, once, fn)
        return self.submit(name, self._with_conn, fn)

    def execute(self, name: str, sql: str, params: tuple[Any, ...]) -> asyncio.Future[None]:
        """Queue one statement, in a transaction of its own."""
        once = next_key()
        if once is not None:
            return self.submit(name, self._once, once, lambda db: db.execute(sql, params) and None)
        return self.submit(name, self._execute, sql, params)

    # --- on the worker thread ----------------------------------------------------

    def _report(self, name: str, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()  # also marks it retrieved for unawaited writes
        if exc is not None and self._on_write_error is not None:
            self._on_write_error(name, exc)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise LedgerError("the ledger is not open")
        return self._db

    def _with_conn(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        return fn(self._conn())

    def _once(self, key: str, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """``fn`` unless ``key`` was written before (then its kept answer). The key's row is
        inserted first, so it is in the transaction ``fn`` commits (or rolls back)."""
        db = self._conn()
        db.execute(ONCE_TABLE)
        row = db.execute("SELECT result FROM store_once WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return cast(_T, None if row[0] is None else json.loads(row[0]))
        with db:
            db.execute("INSERT INTO store_once (key, at) VALUES (?, ?)", (key, time.time()))
            result = fn(db)
            answer = json.dumps(result) if type(result) in (str, int, float, bool) else None
            db.execute("UPDATE store_once SET result = ? WHERE key = ?", (answer, key))
        return result

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        db = self._conn()
        with db:
            db.execute(sql, params)

    def _open(self, read_only: bool) -> None:
        if read_only:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
            db.row_factory = sqlite3.Row
            self._db = db
            return
        # 0600: citizens' names and ID numbers. SQLite gives its -wal and -shm files the
        # main file's mode.
        private_file(self.path)
        db = sqlite3.connect(self.path, timeout=10.0)
        db.row_factory = sqlite3.Row
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            db.close()
            raise LedgerError(f"SQLite refused WAL mode (got {mode!r})")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        for table, column, definition in ADDED_COLUMNS:
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if column not in present:  # a file made before the column: fixed names only
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        db.commit()
        upgrade(db)
        self._db = db

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
