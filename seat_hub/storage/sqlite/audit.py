"""The supervisors' audit log in SQLite: ``AuditTrail`` for the embedded store.

The ``audit_log`` table lives in the ledger's file and is written on its worker
thread, in order with everything else. It is append-only: triggers (``schema``)
refuse every UPDATE and DELETE, so not even a bug in the hub can rewrite history.
Each row is appended with the hash of the one before it (``storage/audit_chain.py``),
in the same transaction that reads that hash, so the chain has no fork.
``audit_rows`` reads the rows back for ``seat-hub audit verify`` and ``export``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

from seat_common.protocol import AuditRecord
from seat_hub.storage.audit_chain import GENESIS, AuditRow, row_hash
from seat_hub.storage.sqlite.worker import SqliteWorker


class SqliteAuditTrail:
    """Appends to and reads the ``audit_log`` table (implements ``AuditTrail``)."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    def record(
        self,
        *,
        at: float,
        supervisor_id: str,
        action: str,
        target: str,
        detail: str,
        result: str,
    ) -> asyncio.Future[None]:
        row = (at, supervisor_id, action, target, detail, result)

        def append(db: sqlite3.Connection) -> None:
            with db:
                _append(db, *row)

        return self._worker.run("audit_record", append)

    def record_once(
        self,
        key: str,
        *,
        at: float,
        supervisor_id: str,
        action: str,
        target: str,
        detail: str,
        result: str,
    ) -> asyncio.Future[bool]:
        row = (at, supervisor_id, action, target, detail, result)

        def append_once(db: sqlite3.Connection) -> bool:
            with db:
                if db.execute("SELECT 1 FROM audit_keys WHERE key = ?", (key,)).fetchone():
                    return False
                seq = _append(db, *row)
                db.execute("INSERT INTO audit_keys (key, seq) VALUES (?, ?)", (key, seq))
            return True

        return self._worker.run("audit_record", append_once)

    def recent(self, limit: int) -> asyncio.Future[list[AuditRecord]]:
        def read(db: sqlite3.Connection) -> list[AuditRecord]:
            rows = db.execute(
                "SELECT seq, at, supervisor_id, action, target, detail, result FROM audit_log"
                " ORDER BY seq DESC LIMIT ?",
                (limit,),
            )
            return [
                AuditRecord(
                    seq=int(r[0]),
                    at=float(r[1]),
                    supervisor_id=str(r[2]),
                    action=str(r[3]),
                    target=str(r[4]),
                    detail=str(r[5]),
                    result=str(r[6]),
                )
                for r in rows
            ]

        return self._worker.run("audit_recent", read)

    def chain(self, after_seq: int = 0) -> asyncio.Future[list[AuditRow]]:
        return self._worker.run("audit_chain", lambda db: list(audit_rows(db, after_seq)))


def audit_rows(db: sqlite3.Connection, after_seq: int = 0) -> Iterator[AuditRow]:
    """The audit log's rows after ``after_seq``, in order, as stored."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(audit_log)")}
    if "hash" not in columns:
        raise LookupError("this audit log has no hash chain yet (written by an older hub:"
                          " start the hub on it once to chain it)")
    for r in db.execute("SELECT seq, at, supervisor_id, action, target, detail, result, hash"
                        " FROM audit_log WHERE seq > ? ORDER BY seq", (after_seq,)):
        yield AuditRow(int(r[0]), float(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]),
                       str(r[6]), str(r[7]))


def _append(db: sqlite3.Connection, at: float, supervisor_id: str, action: str, target: str,
            detail: str, result: str) -> int:
    """Chain one row onto the log (inside the caller's transaction); its ``seq``."""
    last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, previous = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    row = AuditRow(seq, at, supervisor_id, action, target[:64], detail[:500], result[:64])
    db.execute(
        "INSERT INTO audit_log (seq, at, supervisor_id, action, target, detail, result, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row.seq, row.at, row.supervisor_id, row.action, row.target, row.detail, row.result,
         row_hash(previous, row)),
    )
    return seq
