"""The embedded store: all the hub's records in one SQLite file (``HubStore`` for one machine).

    store = await SqliteStore.open(Path("var/hub.sqlite3"), on_write_error=report)
    store.ledger.create_work_order(...)   # the WorkOrderLedger
    await store.close()

The ledger, the material index and the audit trail share the file and its one
worker thread, so their writes are ordered with each other. ``read_only``
opens an existing file without changing it (a report beside a running hub).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from seat_hub.storage.interface import WriteErrorHandler
from seat_hub.storage.once import written_once
from seat_hub.storage.sqlite.audit import SqliteAuditTrail
from seat_hub.storage.sqlite.ledger import SqliteLedger
from seat_hub.storage.sqlite.materials import SqliteMaterialIndex
from seat_hub.storage.sqlite.worker import SqliteWorker


class SqliteStore:
    """The hub's records in one SQLite file: ``ledger``, ``materials`` and ``audit``
    (implements ``HubStore``). Build it with ``await SqliteStore.open(path)``."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker
        self.ledger = SqliteLedger(worker)
        self.materials = SqliteMaterialIndex(worker)
        self.audit = SqliteAuditTrail(worker)

    @property
    def path(self) -> Path:
        return self._worker.path

    @classmethod
    async def open(
        cls,
        path: Path,
        on_write_error: WriteErrorHandler | None = None,
        *,
        read_only: bool = False,
    ) -> SqliteStore:
        """Open the file (creating it and its tables unless ``read_only``); a file that
        cannot be opened is a ``LedgerError`` naming it."""
        worker = SqliteWorker(path, on_write_error)
        await worker.open(read_only=read_only)
        return cls(worker)

    def once(self, key: str) -> AbstractContextManager[None]:
        """Writes queued in the block are applied at most once for ``key`` (``storage.once``)."""
        return written_once(key)

    async def close(self) -> None:
        await self._worker.close()
