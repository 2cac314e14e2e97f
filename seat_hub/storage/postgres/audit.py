"""The supervisors' audit log in PostgreSQL: ``AuditTrail`` for a cluster's store.

``audit_log`` is append-only in the database itself: triggers (``schema``) refuse every
UPDATE, DELETE and TRUNCATE. Each row is appended with the hash of the one before it
(``storage/audit_chain.py``). Several hubs append to one log, so the append reads the last
row and writes the next under a table lock that only appenders take (SHARE ROW EXCLUSIVE:
readers go on), in one transaction: the chain has no fork, whichever hub writes.
"""

from __future__ import annotations

import asyncio

from seat_common.protocol import AuditRecord
from seat_hub.storage.audit_chain import GENESIS, AuditRow, row_hash
from seat_hub.storage.postgres.worker import Connection, PostgresWorker

_ROW = "seq, at, supervisor_id, action, target, detail, result"
#: The lock every append takes (``PostgresWorker.run``): the chain's end, in every hub.
_CHAIN = "audit chain"


class PostgresAuditTrail:
    """Appends to and reads the ``audit_log`` table (implements ``AuditTrail``)."""

    def __init__(self, worker: PostgresWorker) -> None:
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
        async def append(conn: Connection) -> None:
            await _append(conn, at, supervisor_id, action, target, detail, result)

        return self._worker.run("audit_record", append, lock=_CHAIN)

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
        async def append_once(conn: Connection) -> bool:
            await _lock(conn)
            cur = await conn.execute("SELECT 1 FROM audit_keys WHERE key = %s", (key,))
            if await cur.fetchone() is not None:
                return False
            seq = await _append(conn, at, supervisor_id, action, target, detail, result)
            await conn.execute("INSERT INTO audit_keys (key, seq) VALUES (%s, %s)",
                               (key, seq))
            return True

        return self._worker.run("audit_record", append_once, lock=_CHAIN)

    def recent(self, limit: int) -> asyncio.Future[list[AuditRecord]]:
        async def read(conn: Connection) -> list[AuditRecord]:
            cur = await conn.execute(
                f"SELECT {_ROW} FROM audit_log ORDER BY seq DESC LIMIT %s", (limit,))
            return [AuditRecord(**row) for row in await cur.fetchall()]

        return self._worker.read("audit_recent", read)

    def chain(self, after_seq: int = 0) -> asyncio.Future[list[AuditRow]]:
        async def read(conn: Connection) -> list[AuditRow]:
            cur = await conn.execute(
                f"SELECT {_ROW}, hash FROM audit_log WHERE seq > %s ORDER BY seq", (after_seq,))
            return [AuditRow(**row) for row in await cur.fetchall()]

        return self._worker.read("audit_chain", read)


async def _lock(conn: Connection) -> None:
    await conn.execute("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")


async def _append(conn: Connection, at: float, supervisor_id: str, action: str, target: str,
                  detail: str, result: str) -> int:
    """Chain one row onto the log (inside the caller's transaction); its ``seq``."""
    await _lock(conn)
    cur = await conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    last = await cur.fetchone()
    seq, previous = (1, GENESIS) if last is None else (int(last["seq"]) + 1, str(last["hash"]))
    row = AuditRow(seq, at, supervisor_id, action, target[:64], detail[:500], result[:64])
    await conn.execute(
        "INSERT INTO audit_log (seq, at, supervisor_id, action, target, detail, result, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (row.seq, row.at, row.supervisor_id, row.action, row.target, row.detail, row.result,
         row_hash(previous, row)))
    return seq
