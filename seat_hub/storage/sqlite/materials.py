"""The material index in SQLite: ``MaterialIndex`` for the embedded store.

The ``materials`` and ``verdicts`` tables (``schema``) live in the ledger's file;
their statements run on the same worker thread, so they are ordered with the
ledger's own writes and never block the event loop.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

from seat_common.protocol import MaterialInfo, VerdictEntry, to_wire
from seat_hub.storage.records import BookingRecord, Expired, RecordingFile
from seat_hub.storage.sqlite.worker import SqliteWorker


class SqliteMaterialIndex:
    """Reads and writes of the ``materials``, ``verdicts`` and ``bookings`` tables (implements
    ``MaterialIndex``)."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

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

        return self._worker.run("add_material", insert)

    def get(self, material_id: str) -> asyncio.Future[MaterialInfo | None]:
        def read(db: sqlite3.Connection) -> MaterialInfo | None:
            row = db.execute(
                "SELECT id, work_order_id, filename, mime, byte_size, sha256, width, height,"
                " orientation, source, added_at, material_code FROM materials"
                " WHERE id = ? AND purged_at IS NULL",
                (material_id,),
            ).fetchone()
            return None if row is None else _info(row)

        return self._worker.run("get_material", read)

    def of_work_order(self, work_order_id: str) -> asyncio.Future[list[MaterialInfo]]:
        def read(db: sqlite3.Connection) -> list[MaterialInfo]:
            rows = db.execute(
                "SELECT id, work_order_id, filename, mime, byte_size, sha256, width, height,"
                " orientation, source, added_at, material_code FROM materials"
                " WHERE work_order_id = ? AND purged_at IS NULL"
                " ORDER BY added_at, rowid",
                (work_order_id,),
            )
            return [_info(r) for r in rows]

        return self._worker.run("work_order_materials", read)

    def link_booking(self, booking: BookingRecord) -> asyncio.Future[bool]:
        def link(db: sqlite3.Connection) -> bool:
            with db:
                db.execute(
                    "INSERT OR IGNORE INTO bookings (booking_no, work_order_id, hall, hall_name,"
                    " agent_id, booked_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (booking.booking_no, booking.work_order_id, booking.hall, booking.hall_name,
                     booking.agent_id, booking.booked_at),
                )
            row = db.execute("SELECT work_order_id FROM bookings WHERE booking_no = ?",
                             (booking.booking_no,)).fetchone()
            return row is not None and row[0] == booking.work_order_id

        return self._worker.run("link_booking", link)

    def booking(self, booking_no: str) -> asyncio.Future[BookingRecord | None]:
        def read(db: sqlite3.Connection) -> BookingRecord | None:
            row = db.execute(
                "SELECT booking_no, work_order_id, hall, hall_name, agent_id, booked_at"
                " FROM bookings WHERE booking_no = ?", (booking_no,)).fetchone()
            return None if row is None else BookingRecord(
                str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), float(row[5]))

        return self._worker.run("booking", read)

    def verdicts(self, work_order_id: str) -> asyncio.Future[list[dict[str, object]]]:
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

        return self._worker.run("verdicts", read)

    def expire(self, closed_before: float, now: float) -> asyncio.Future[Expired]:
        return self._worker.run("expire", lambda db: expire(db, closed_before, now))

    def recording_file(self, work_order_id: str) -> asyncio.Future[RecordingFile | None]:
        def read(db: sqlite3.Connection) -> RecordingFile | None:
            row = db.execute(
                "SELECT r.work_order_id, r.agent_id, r.duration_s, r.byte_size, r.sha256,"
                " r.saved_at, f.stored_at, f.purged_at FROM recordings r LEFT JOIN"
                " recording_files f ON f.work_order_id = r.work_order_id"
                " WHERE r.work_order_id = ?", (work_order_id,)).fetchone()
            if row is None:
                return None
            return RecordingFile(str(row[0]), str(row[1]), float(row[2]), int(row[3]),
                                 str(row[4]), float(row[5]), float(row[6] or 0.0),
                                 float(row[7] or 0.0))

        return self._worker.run("recording_file", read)

    def add_recording_file(self, work_order_id: str, at: float) -> asyncio.Future[bool]:
        def insert(db: sqlite3.Connection) -> bool:
            with db:
                return db.execute(
                    "INSERT OR IGNORE INTO recording_files (work_order_id, stored_at)"
                    " VALUES (?, ?)", (work_order_id, at)).rowcount == 1

        return self._worker.run("add_recording_file", insert)

    def expire_recordings(self, saved_before: float, now: float) -> asyncio.Future[
            tuple[str, ...]]:
        def purge(db: sqlite3.Connection) -> tuple[str, ...]:
            with db:
                ids = [str(r[0]) for r in db.execute(
                    "SELECT f.work_order_id FROM recording_files f JOIN recordings r"
                    " ON r.work_order_id = f.work_order_id"
                    " WHERE f.purged_at IS NULL AND r.saved_at < ?", (saved_before,))]
                files = [str(r[0]) for r in db.execute(
                    "SELECT r.sha256 FROM recording_files f JOIN recordings r"
                    " ON r.work_order_id = f.work_order_id"
                    " WHERE f.purged_at IS NULL AND r.saved_at < ?", (saved_before,))]
                db.executemany("UPDATE recording_files SET purged_at = ? WHERE work_order_id = ?",
                               [(now, i) for i in ids])
            return tuple(sorted(set(files)))

        return self._worker.run("expire_recordings", purge)

    def add_verdict(
        self,
        work_order_id: str,
        agent_id: str,
        item_code: str,
        entries: tuple[VerdictEntry, ...],
        decided_at: float,
    ) -> asyncio.Future[int]:
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

        return self._worker.run("add_verdict", insert)


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


def expire(db: sqlite3.Connection, closed_before: float, now: float) -> Expired:
    """``MaterialIndex.expire`` on the worker thread, in one transaction."""
    with db:
        blanked = db.execute(
            "UPDATE work_orders SET citizen_name = '', citizen_id_number = '', citizen_phone = ''"
            " WHERE closed_at < ? AND (citizen_name != '' OR citizen_id_number != ''"
            " OR citizen_phone != '')", (closed_before,)).rowcount
        expired = [str(r[0]) for r in db.execute(
            "SELECT DISTINCT m.sha256 FROM materials m JOIN work_orders w"
            " ON w.id = m.work_order_id WHERE w.closed_at < ? AND m.purged_at IS NULL",
            (closed_before,))]
        purged = db.execute(
            "UPDATE materials SET purged_at = ? WHERE purged_at IS NULL AND work_order_id IN"
            " (SELECT id FROM work_orders WHERE closed_at < ?)", (now, closed_before)).rowcount
        still_kept = {str(r[0]) for r in db.execute(
            "SELECT DISTINCT sha256 FROM materials WHERE purged_at IS NULL")}
    return Expired(blanked, purged, tuple(sorted(set(expired) - still_kept)))
