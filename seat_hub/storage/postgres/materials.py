"""The material index in PostgreSQL: ``MaterialIndex`` for a cluster's store.

The ``materials``, ``verdicts``, ``bookings``, ``recordings`` and ``recording_files`` tables
(``schema``), written on the store's one connection in order with the ledger's writes, as
in the embedded store (``seat_hub.storage.sqlite.materials``). A verdict's revision is
numbered under a lock on its work order, so two hubs never give two verdicts one number.
"""

from __future__ import annotations

import asyncio
import json

from seat_common.protocol import MaterialInfo, VerdictEntry, to_wire
from seat_hub.storage.postgres.group_commit import MANY_ROWS
from seat_hub.storage.postgres.worker import Connection, PostgresWorker
from seat_hub.storage.records import BookingRecord, Expired, RecordingFile

_MATERIAL_COLUMNS = ("id AS material_id, work_order_id, filename, mime, byte_size, sha256, width,"
                     " height, orientation, source, added_at, material_code")


class PostgresMaterialIndex:
    """Reads and writes of the material tables (implements ``MaterialIndex``)."""

    def __init__(self, worker: PostgresWorker) -> None:
        self._worker = worker

    def add(self, info: MaterialInfo, uploaded_by: str) -> asyncio.Future[None]:
        return self._worker.execute(
            "add_material",
            "INSERT INTO materials (id, work_order_id, sha256, mime, byte_size, width, height,"
            " orientation, filename, source, uploaded_by, added_at, material_code)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (info.material_id, info.work_order_id, info.sha256, info.mime, info.byte_size,
             info.width, info.height, info.orientation, info.filename, info.source,
             uploaded_by, info.added_at, info.material_code),
        )

    def get(self, material_id: str) -> asyncio.Future[MaterialInfo | None]:
        async def read(conn: Connection) -> MaterialInfo | None:
            cur = await conn.execute(
                f"SELECT {_MATERIAL_COLUMNS} FROM materials WHERE id = %s AND purged_at IS NULL",
                (material_id,))
            row = await cur.fetchone()
            return None if row is None else MaterialInfo(**row)

        return self._worker.read("get_material", read)

    def of_work_order(self, work_order_id: str) -> asyncio.Future[list[MaterialInfo]]:
        async def read(conn: Connection) -> list[MaterialInfo]:
            cur = await conn.execute(
                f"SELECT {_MATERIAL_COLUMNS} FROM materials"
                " WHERE work_order_id = %s AND purged_at IS NULL ORDER BY added_at, seq",
                (work_order_id,))
            return [MaterialInfo(**row) for row in await cur.fetchall()]

        return self._worker.read("work_order_materials", read)

    def link_booking(self, booking: BookingRecord) -> asyncio.Future[bool]:
        async def link(conn: Connection) -> bool:
            await conn.execute(
                "INSERT INTO bookings (booking_no, work_order_id, hall, hall_name, agent_id,"
                " booked_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (booking_no) DO NOTHING",
                (booking.booking_no, booking.work_order_id, booking.hall, booking.hall_name,
                 booking.agent_id, booking.booked_at))
            cur = await conn.execute(
                "SELECT work_order_id FROM bookings WHERE booking_no = %s", (booking.booking_no,))
            row = await cur.fetchone()
            return row is not None and row["work_order_id"] == booking.work_order_id

        return self._worker.run("link_booking", link)

    def booking(self, booking_no: str) -> asyncio.Future[BookingRecord | None]:
        async def read(conn: Connection) -> BookingRecord | None:
            cur = await conn.execute(
                "SELECT booking_no, work_order_id, hall, hall_name, agent_id, booked_at"
                " FROM bookings WHERE booking_no = %s", (booking_no,))
            row = await cur.fetchone()
            return None if row is None else BookingRecord(**row)

        return self._worker.read("booking", read)

    def verdicts(self, work_order_id: str) -> asyncio.Future[list[dict[str, object]]]:
        async def read(conn: Connection) -> list[dict[str, object]]:
            cur = await conn.execute(
                "SELECT revision, agent_id, item_code, entries_json, decided_at FROM verdicts"
                " WHERE work_order_id = %s ORDER BY revision", (work_order_id,))
            return [
                {"revision": r["revision"], "agent_id": r["agent_id"],
                 "item_code": r["item_code"], "entries": json.loads(r["entries_json"]),
                 "decided_at": r["decided_at"]}
                for r in await cur.fetchall()
            ]

        return self._worker.read("verdicts", read)

    def add_verdict(
        self,
        work_order_id: str,
        agent_id: str,
        item_code: str,
        entries: tuple[VerdictEntry, ...],
        decided_at: float,
    ) -> asyncio.Future[int]:
        entries_json = json.dumps(to_wire(entries), ensure_ascii=False)

        async def insert(conn: Connection) -> int:
            # One revision at a time per work order, whichever hub decides it.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                               ("verdict " + work_order_id,))
            cur = await conn.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 AS next FROM verdicts"
                " WHERE work_order_id = %s", (work_order_id,))
            row = await cur.fetchone()
            revision = int(row["next"]) if row is not None else 1
            await conn.execute(
                "INSERT INTO verdicts (work_order_id, revision, agent_id, item_code,"
                " entries_json, decided_at) VALUES (%s, %s, %s, %s, %s, %s)",
                (work_order_id, revision, agent_id, item_code, entries_json, decided_at))
            return revision

        return self._worker.run("add_verdict", insert, lock="verdict numbers")

    def expire(self, closed_before: float, now: float) -> asyncio.Future[Expired]:
        async def expire(conn: Connection) -> Expired:
            blanked = await conn.execute(
                "UPDATE work_orders SET citizen_name = '', citizen_id_number = '',"
                " citizen_phone = '' WHERE closed_at < %s AND (citizen_name != ''"
                " OR citizen_id_number != '' OR citizen_phone != '')", (closed_before,))
            cur = await conn.execute(
                "SELECT DISTINCT m.sha256 FROM materials m JOIN work_orders w"
                " ON w.id = m.work_order_id WHERE w.closed_at < %s AND m.purged_at IS NULL",
                (closed_before,))
            expired = {str(r["sha256"]) for r in await cur.fetchall()}
            purged = await conn.execute(
                "UPDATE materials SET purged_at = %s WHERE purged_at IS NULL AND"
                " work_order_id IN (SELECT id FROM work_orders WHERE closed_at < %s)",
                (now, closed_before))
            cur = await conn.execute(
                "SELECT DISTINCT sha256 FROM materials WHERE purged_at IS NULL")
            still_kept = {str(r["sha256"]) for r in await cur.fetchall()}
            return Expired(max(blanked.rowcount, 0), max(purged.rowcount, 0),
                           tuple(sorted(expired - still_kept)))

        return self._worker.run("expire", expire, lock=MANY_ROWS)

    def recording_file(self, work_order_id: str) -> asyncio.Future[RecordingFile | None]:
        async def read(conn: Connection) -> RecordingFile | None:
            cur = await conn.execute(
                "SELECT r.work_order_id, r.agent_id, r.duration_s, r.byte_size, r.sha256,"
                " r.saved_at, COALESCE(f.stored_at, 0) AS stored_at,"
                " COALESCE(f.purged_at, 0) AS purged_at FROM recordings r"
                " LEFT JOIN recording_files f ON f.work_order_id = r.work_order_id"
                " WHERE r.work_order_id = %s", (work_order_id,))
            row = await cur.fetchone()
            return None if row is None else RecordingFile(**row)

        return self._worker.read("recording_file", read)

    def add_recording_file(self, work_order_id: str, at: float) -> asyncio.Future[bool]:
        async def insert(conn: Connection) -> bool:
            cur = await conn.execute(
                "INSERT INTO recording_files (work_order_id, stored_at) VALUES (%s, %s)"
                " ON CONFLICT (work_order_id) DO NOTHING", (work_order_id, at))
            return cur.rowcount == 1

        return self._worker.run("add_recording_file", insert)

    def expire_recordings(self, saved_before: float, now: float) -> asyncio.Future[
            tuple[str, ...]]:
        async def purge(conn: Connection) -> tuple[str, ...]:
            cur = await conn.execute(
                "UPDATE recording_files f SET purged_at = %s FROM recordings r"
                " WHERE r.work_order_id = f.work_order_id AND f.purged_at IS NULL"
                " AND r.saved_at < %s RETURNING r.sha256", (now, saved_before))
            return tuple(sorted({str(r["sha256"]) for r in await cur.fetchall()}))

        return self._worker.run("expire_recordings", purge)
