"""The supervisors' audit log: every supervisor action, who, what, when and the result.

An ``audit_log`` table in the work-order ledger's SQLite file, written on the
ledger's thread in order with everything else. It is append-only: triggers
refuse every UPDATE and DELETE, so not even a bug in the hub can rewrite
history. ``record`` is awaited before the supervisor is told the action was
done.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Final

from seat_common.protocol import AuditRecord
from seat_hub.storage.ledger import WorkOrderLedger

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            REAL NOT NULL,
    supervisor_id TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    result        TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def create_tables(ledger: WorkOrderLedger) -> asyncio.Future[None]:
    """Create the audit table and its guards (idempotent)."""

    def create(db: sqlite3.Connection) -> None:
        db.executescript(SCHEMA)
        db.commit()

    return ledger.run("audit_create", create)


def record(
    ledger: WorkOrderLedger,
    *,
    at: float,
    supervisor_id: str,
    action: str,
    target: str,
    detail: str,
    result: str,
) -> asyncio.Future[None]:
    """Append one action to the log."""

    def append(db: sqlite3.Connection) -> None:
        with db:
            db.execute(
                "INSERT INTO audit_log (at, supervisor_id, action, target, detail, result)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (at, supervisor_id, action, target[:64], detail[:500], result[:64]),
            )

    return ledger.run("audit_record", append)


def recent(ledger: WorkOrderLedger, limit: int) -> asyncio.Future[list[AuditRecord]]:
    """The newest ``limit`` entries, newest first."""

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

    return ledger.run("audit_recent", read)
