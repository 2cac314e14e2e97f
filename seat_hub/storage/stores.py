"""Which store holds the hub's records: the one place that picks an implementation.

The composition roots (``seat-hub``, ``seat-report``, ``seat-hub migrate``) call
``open_store`` with what the command line named and get a ``HubStore``; they never name
an implementation. The address says which:

- a file path, or ``sqlite:PATH``: the embedded store, one SQLite file (the default, a
  town hall on one machine);
- ``postgresql://…`` (or ``postgres://…``): a cluster's store in PostgreSQL, shared by
  every hub of a city.

``StoreAddress.parse`` checks an address where it enters (an unknown scheme is refused
with a message saying what is accepted), and ``shown`` never includes a password.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from seat_hub.storage.interface import HubStore, LedgerError, OutageHandler, WriteErrorHandler
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.postgres.worker import shown as shown_url
from seat_hub.storage.sqlite.store import SqliteStore

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True, slots=True)
class StoreAddress:
    """Where a hub's records are: an SQLite file (``path``) or a PostgreSQL URL (``url``)."""

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    url: str = ""

    @classmethod
    def parse(cls, text: str) -> StoreAddress:
        """``PATH``, ``sqlite:PATH`` or ``postgresql://…``; a ``ValueError`` saying what is
        accepted for anything else."""
        text = text.strip()
        if not text:
            raise ValueError("数据库地址为空 / empty database address")
        scheme = _SCHEME.match(text)
        name = scheme.group(1).lower() if scheme else ""
        if name in ("postgresql", "postgres"):
            if not text[len(name) + 1:].startswith("//"):
                raise ValueError(f"PostgreSQL 地址应为 postgresql://用户@主机/库名，而不是 {text!r}"
                                 " / want postgresql://user@host/dbname")
            return cls("postgresql", url=text)
        if name == "sqlite":
            path = text[len("sqlite:"):].removeprefix("//")
            if not path:
                raise ValueError("sqlite: 之后应为文件路径 / sqlite: wants a file path")
            return cls("sqlite", path=Path(path))
        if scheme and "://" in text:
            raise ValueError(f"不支持的数据库地址 {name}:// （只支持 SQLite 文件路径、sqlite:路径"
                             f" 或 postgresql://）/ unsupported database scheme {name!r}")
        return cls("sqlite", path=Path(text))

    @property
    def shown(self) -> str:
        """The address fit for a message or a log line (no password)."""
        return str(self.path) if self.path is not None else shown_url(self.url)

    @property
    def folder(self) -> Path | None:
        """The folder beside the records (an SQLite file's); None for a server."""
        return None if self.path is None else self.path.parent

    def __str__(self) -> str:
        return self.shown


def address_argument(text: str) -> StoreAddress:
    """A ``--db`` option's value checked where it enters (``type=`` of an argparse option):
    a file path, ``sqlite:PATH`` or ``postgresql://…``; exit 2 with what is accepted."""
    try:
        return StoreAddress.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def open_store(
    location: Path | StoreAddress,
    *,
    on_write_error: WriteErrorHandler | None = None,
    read_only: bool = False,
    sole_hub: bool = False,
    cluster_hub: bool = False,
    on_outage: OutageHandler | None = None,
) -> HubStore:
    """Open the records at ``location`` (a ``LedgerError`` naming it if they cannot be).

    ``on_write_error`` hears of every failed write, awaited or not; ``read_only``
    opens existing records without changing them (a report beside a running hub).
    ``sole_hub``: the caller keeps live state (queue, calls) in its own memory, so no
    other hub may use the same PostgreSQL database at once (refused with a
    ``LedgerError``); ``cluster_hub``: the caller is one of a cluster's hubs, sharing their
    live state in Redis: any number of them may, but not while a sole hub does.
    ``on_outage`` hears when a database server is lost and back (writes are held meanwhile).
    """
    address = location if isinstance(location, StoreAddress) else StoreAddress("sqlite", location)
    if cluster_hub and address.path is not None:
        raise LedgerError(f"a cluster's hubs share one PostgreSQL database, not the file"
                          f" {address.path} (集群需要 PostgreSQL 数据库)")
    if address.path is None:
        return await PostgresStore.open(address.url, on_write_error, read_only=read_only,
                                        sole_hub=sole_hub, cluster_hub=cluster_hub,
                                        on_outage=on_outage)
    return await SqliteStore.open(address.path, on_write_error, read_only=read_only)
