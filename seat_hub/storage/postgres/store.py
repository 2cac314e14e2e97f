"""A cluster's store: all the hub's records in one PostgreSQL database (``HubStore`` for
several hubs).

    store = await PostgresStore.open("postgresql://seat@db.example/seat", on_write_error=report)
    store.ledger.create_work_order(...)   # the WorkOrderLedger
    await store.close()

The ledger, the material index and the audit trail share one connection and its one
queue of work (``PostgresWorker``), so one hub's writes are ordered with each other, as in
the embedded store. Opening makes the tables that are missing (``schema.prepare``);
``read_only`` makes nothing, checks the tables are there and refuses every write (a
report beside running hubs).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager

import psycopg

from seat_hub.storage.interface import LedgerError, OutageHandler, WriteErrorHandler
from seat_hub.storage.once import written_once
from seat_hub.storage.postgres import schema
from seat_hub.storage.postgres.audit import PostgresAuditTrail
from seat_hub.storage.postgres.group_commit import GROUP_COMMIT_LIMIT
from seat_hub.storage.postgres.ledger import PostgresLedger
from seat_hub.storage.postgres.materials import PostgresMaterialIndex
from seat_hub.storage.postgres.worker import Connection, PostgresWorker, Reconnect, shown


class PostgresStore:
    """The hub's records in one PostgreSQL database: ``ledger``, ``materials`` and ``audit``
    (implements ``HubStore``). Build it with ``await PostgresStore.open(address)``."""

    def __init__(self, worker: PostgresWorker) -> None:
        self._worker = worker
        self.ledger = PostgresLedger(worker)
        self.materials = PostgresMaterialIndex(worker)
        self.audit = PostgresAuditTrail(worker)

    @property
    def address(self) -> str:
        """Where the records are, fit for a log line (no password)."""
        return shown(self._worker.address)

    @property
    def outage(self) -> str | None:
        """Why the server cannot be reached, while it cannot (writes are held meanwhile)."""
        return self._worker.outage

    @property
    def held_writes(self) -> int:
        """Writes waiting for the server."""
        return self._worker.held_writes

    @classmethod
    async def open(
        cls,
        address: str,
        on_write_error: WriteErrorHandler | None = None,
        *,
        read_only: bool = False,
        sole_hub: bool = False,
        cluster_hub: bool = False,
        reconnect: Reconnect | None = None,
        on_outage: OutageHandler | None = None,
        max_batch: int = GROUP_COMMIT_LIMIT,
    ) -> PostgresStore:
        """Connect to ``address`` (a ``postgresql://`` URL) and make the tables unless
        ``read_only``; a server that cannot be reached, or a database without the records
        when reading, is a ``LedgerError`` naming it (never its password). ``sole_hub``:
        refuse (``LedgerError``) while another hub is connected to the database;
        ``cluster_hub``: refuse while a sole hub is (cluster hubs share the database).
        ``reconnect``: how an outage is ridden over (``worker.Reconnect``); ``on_outage``
        hears when it begins and ends; ``max_batch``: the most writes queued back to back
        that share one transaction (``group_commit``)."""
        worker = PostgresWorker(address, on_write_error, sole_hub=sole_hub, reconnect=reconnect,
                                on_outage=on_outage, cluster_hub=cluster_hub,
                                max_batch=max_batch)
        await worker.open(schema.check if read_only else schema.prepare, read_only=read_only)
        return cls(worker)

    def once(self, key: str) -> AbstractContextManager[None]:
        """Writes queued in the block are applied at most once for ``key`` (``storage.once``)."""
        return written_once(key)

    def identity(self) -> asyncio.Future[str]:
        """Which database this is, the same from every hub and address that reaches it:
        ``<system_identifier>/<database name>`` (the server's id from ``pg_control_system``,
        set once by ``initdb``). A role that may not read it gets a ``LedgerError`` naming
        the grant it needs."""

        async def read(conn: Connection) -> str:
            try:
                cur = await conn.execute(
                    "SELECT system_identifier::text AS sid, current_database() AS name"
                    " FROM pg_control_system()")
            except psycopg.errors.InsufficientPrivilege as exc:
                raise LedgerError(
                    f"cannot read the identity of {self.address}: grant pg_monitor to the"
                    " hubs' role, or EXECUTE on pg_control_system() (无权读取数据库标识)"
                ) from exc
            row = await cur.fetchone()
            if row is None:
                raise LedgerError(f"{self.address} did not say which database it is")
            return f"{row['sid']}/{row['name']}"

        return self._worker.read("database identity", read)

    async def close(self) -> None:
        await self._worker.close()
