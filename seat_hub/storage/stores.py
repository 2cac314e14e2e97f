"""Which store holds the hub's records: the one place that picks an implementation.

The composition roots (``seat-hub``, ``seat-report``) call ``open_store`` with
what the command line named and get a ``HubStore``; they never name an
implementation. Today that is a file path, and the store is the embedded
SQLite one. A cluster's store (PostgreSQL) is chosen here too, from its own
address, without touching anything that uses the records.
"""

from __future__ import annotations

from pathlib import Path

from seat_hub.storage.interface import HubStore
from seat_hub.storage.sqlite.store import SqliteStore
from seat_hub.storage.sqlite.worker import WriteErrorHandler


async def open_store(
    location: Path,
    *,
    on_write_error: WriteErrorHandler | None = None,
    read_only: bool = False,
) -> HubStore:
    """Open the records at ``location`` (a ``LedgerError`` naming it if they cannot be).

    ``on_write_error`` hears of every failed write, awaited or not; ``read_only``
    opens existing records without changing them (a report beside a running hub).
    """
    return await SqliteStore.open(location, on_write_error, read_only=read_only)
