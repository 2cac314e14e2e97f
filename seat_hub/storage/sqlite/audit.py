"""The supervisors' audit log in SQLite: ``AuditTrail`` for the embedded store.

The ``audit_log`` table lives in the ledger's file and is written on its worker
thread, in order with everything else. It is append-only: triggers (``schema``)
refuse every UPDATE and DELETE, so not even a bug in the hub can rewrite history.
"""

from __future__ import annotations

import asyncio
import sqlite3

from seat_common.protocol import AuditRecord
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
        def append(db: sqlite3.Connection) -> None:
            with db:
                db.execute(
                    "INSERT INTO audit_log (at, supervisor_id, action, target, detail, result)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (at, supervisor_id, action, target[:64], detail[:500], result[:64]),
                )

        return self._worker.run("audit_record", append)

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
