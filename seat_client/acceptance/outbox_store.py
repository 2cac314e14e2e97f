"""The outbox's SQLite file, worked on one dedicated thread.

Every connection is WAL with ``synchronous=FULL`` (``PRAGMAS``): a statement in autocommit
mode is one transaction, on disk when it returns. ``OutboxStore`` runs all of its SQL on
its own single thread, so the event loop (and the UI on it) never waits for a disk flush,
and statements run in the order they were asked for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from seat_client.acceptance.gov_api_client import FieldProblem
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState, Submission

T = TypeVar("T")

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    entry_id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    submission TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    application_no TEXT NOT NULL DEFAULT '',
    api_status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    field_errors TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, next_attempt_at);
"""
#: Durability for every outbox connection (and the benchmark's raw inserts).
PRAGMAS: Final = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000")


def open_db(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(pragma)
    db.executescript(SCHEMA)
    return db


class OutboxStore:
    """The outbox file at ``path``; every method runs its SQL on the store's own thread,
    on the loop ``loop()`` returns (the outbox's, kept from its ``open``)."""

    def __init__(self, path: Path, loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self.path = path
        self._loop = loop
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="outbox-db")
        self._local = threading.local()

    async def open_and_recover(self) -> list[OutboxEntry]:
        """Open (or create) the file: every entry, with those caught ``sending`` by a crash
        queued again (the retry carries the same key, so nothing is sent twice)."""
        return [_entry(row) for row in await self._run(self._open_and_recover)]

    async def insert(self, key: str, submission: Submission, now: float) -> int:
        """A new queued entry; its id."""
        return await self._run(self._insert, key, submission.to_json(), now)

    async def write(self, entry: OutboxEntry) -> None:
        await self._run(self._write, entry)

    async def delete(self, entry_ids: list[int]) -> None:
        await self._run(self._delete, entry_ids)

    async def close(self) -> None:
        """Close the connection and end the thread."""
        await self._run(self._close)
        self._thread.shutdown(wait=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._loop().run_in_executor(self._thread, fn, *args)

    # --- on the store's thread ---------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def _close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _open_and_recover(self) -> list[sqlite3.Row]:
        db = self._conn()
        db.execute("UPDATE outbox SET state = 'queued', next_attempt_at = 0 "
                   "WHERE state = 'sending'")
        return list(db.execute("SELECT * FROM outbox ORDER BY entry_id"))

    def _delete(self, entry_ids: list[int]) -> None:
        with self._conn() as db:
            db.executemany("DELETE FROM outbox WHERE entry_id = ?", [(i,) for i in entry_ids])

    def _insert(self, key: str, submission: str, now: float) -> int:
        # One statement in autocommit mode is one transaction: on disk (WAL, FULL) on return.
        cursor = self._conn().execute(
            "INSERT INTO outbox (idempotency_key, submission, state, created_at, updated_at)"
            " VALUES (?, ?, 'queued', ?, ?)", (key, submission, now, now))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _write(self, e: OutboxEntry) -> None:
        errors = json.dumps([[p.field, p.code, p.message] for p in e.field_errors],
                            ensure_ascii=False)
        self._conn().execute(
            "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, application_no = ?,"
            " api_status = ?, detail = ?, field_errors = ?, updated_at = ? WHERE entry_id = ?",
            (e.state.value, e.attempts, e.next_attempt_at, e.application_no, e.api_status,
             e.detail, errors, e.updated_at, e.entry_id))


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        entry_id=int(row["entry_id"]),
        idempotency_key=str(row["idempotency_key"]),
        submission=Submission.from_json(row["submission"]),
        state=OutboxState(row["state"]),
        attempts=int(row["attempts"]),
        next_attempt_at=float(row["next_attempt_at"]),
        application_no=str(row["application_no"]),
        api_status=str(row["api_status"]),
        detail=str(row["detail"]),
        field_errors=tuple(FieldProblem(*p) for p in json.loads(row["field_errors"])),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
    )


__all__ = ["PRAGMAS", "SCHEMA", "OutboxStore", "open_db"]
