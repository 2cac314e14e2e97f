"""The materials and verdicts of work orders, in the ledger's SQLite file.

``MaterialRecords`` adds two tables to the work-order ledger and runs its
statements on the ledger's thread (``WorkOrderLedger.run``), so they are
ordered with the ledger's own writes and never block the event loop:

- ``materials``: one row per stored material (the file itself lives in the
  content-addressed store, ``<materials dir>/<sha[:2]>/<sha>``);
- ``verdicts``: every pre-review verdict an agent sent, in order (the history).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Final

from seat_common.protocol import MaterialInfo, VerdictEntry, to_wire
from seat_hub.storage.ledger import WorkOrderLedger

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS materials (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    sha256        TEXT NOT NULL,
    mime          TEXT NOT NULL,
    byte_size     INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    orientation   INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    source        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    added_at      REAL NOT NULL,
    material_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS materials_work_order ON materials (work_order_id);
CREATE TABLE IF NOT EXISTS verdicts (
    id            INTEGER PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    revision      INTEGER NOT NULL,
    agent_id      TEXT NOT NULL,
    item_code     TEXT NOT NULL,
    entries_json  TEXT NOT NULL,
    decided_at    REAL NOT NULL,
    UNIQUE (work_order_id, revision)
);
"""


class MaterialRecords:
    """Reads and writes of the ``materials`` and ``verdicts`` tables."""

    def __init__(self, ledger: WorkOrderLedger) -> None:
        self._ledger = ledger

    def create_tables(self) -> asyncio.Future[None]:
        def create(db: sqlite3.Connection) -> None:
            db.executescript(SCHEMA)

        return self._ledger.run("materials_schema", create)

    def add(self, info: MaterialInfo, uploaded_by: str) -> asyncio.Future[None]:
        def insert(db: sqlite3.Connection) -> None:
            with db:
                db.execute(
                    "INSERT INTO materials (id, work_order_id, sha256, mime, byte_size, width,"
                    " height, orientation, filename, source, uploaded_by, added_at, material_code)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        info.material_id,
                        info.work_order_id,
                        info.sha256,
                        info.mime,
                        info.byte_size,
                        info.width,
                        info.height,
                        info.orientation,
                        info.filename,
                        info.source,
                        uploaded_by,
                        info.added_at,
                        info.material_code,
                    ),
                )

        return self._ledger.run("add_material", insert)

    def get(self, material_id: str) -> asyncio.Future[MaterialInfo | None]:
        def read(db: sqlite3.Connection) -> MaterialInfo | None:
            row = db.execute(
                "SELECT id, work_order_id, filename, mime, byte_size, sha256, width, height,"
                " orientation, source, added_at, material_code FROM materials WHERE id = ?",
                (material_id,),
            ).fetchone()
            return None if row is None else _info(row)

        return self._ledger.run("get_material", read)

    def of_work_order(self, work_order_id: str) -> asyncio.Future[list[MaterialInfo]]:
        def read(db: sqlite3.Connection) -> list[MaterialInfo]:
            rows = db.execute(
                "SELECT id, work_order_id, filename, mime, byte_size, sha256, width, height,"
                " orientation, source, added_at, material_code FROM materials"
                " WHERE work_order_id = ?"
                " ORDER BY added_at, rowid",
                (work_order_id,),
            )
            return [_info(r) for r in rows]

        return self._ledger.run("work_order_materials", read)

    def verdicts(self, work_order_id: str) -> asyncio.Future[list[dict[str, object]]]:
        """The work order's verdict history, oldest first (entries as wire data)."""

        def read(db: sqlite3.Connection) -> list[dict[str, object]]:
            rows = db.execute(
                "SELECT revision, agent_id, item_code, entries_json, decided_at FROM verdicts"
                " WHERE work_order_id = ? ORDER BY revision",
                (work_order_id,),
            )
            return [
                {
                    "revision": r[0],
                    "agent_id": r[1],
                    "item_code": r[2],
                    "entries": json.loads(r[3]),
                    "decided_at": r[4],
                }
                for r in rows
            ]

        return self._ledger.run("verdicts", read)

    def add_verdict(
        self,
        work_order_id: str,
        agent_id: str,
        item_code: str,
        entries: tuple[VerdictEntry, ...],
        decided_at: float,
    ) -> asyncio.Future[int]:
        """Store a verdict as the work order's next revision; resolves to the revision."""

        def insert(db: sqlite3.Connection) -> int:
            with db:
                row = db.execute(
                    "SELECT COALESCE(MAX(revision), 0) FROM verdicts WHERE work_order_id = ?",
                    (work_order_id,),
                ).fetchone()
                revision = int(row[0]) + 1
                db.execute(
                    "INSERT INTO verdicts (work_order_id, revision, agent_id, item_code,"
                    " entries_json, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        work_order_id,
                        revision,
                        agent_id,
                        item_code,
                        json.dumps(to_wire(entries), ensure_ascii=False),
                        decided_at,
                    ),
                )
            return revision

        return self._ledger.run("add_verdict", insert)


def _info(row: sqlite3.Row) -> MaterialInfo:
    return MaterialInfo(
        material_id=row[0],
        work_order_id=row[1],
        filename=row[2],
        mime=row[3],
        byte_size=row[4],
        sha256=row[5],
        width=row[6],
        height=row[7],
        orientation=row[8],
        source=row[9],
        added_at=row[10],
        material_code=row[11],
    )
