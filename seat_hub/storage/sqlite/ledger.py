"""The work-order ledger (工单台账) in SQLite: ``WorkOrderLedger`` for the embedded store.

Every method queues its statements on the file's worker thread
(``SqliteWorker``) when it is called, so writes land in the order the hub made
them. A write that must see the state an earlier one left (an end after an
answer) relies on that order, and on each write running in one transaction:
``UPDATE ... WHERE state = ...`` makes a late or repeated write a no-op
instead of a rewrite of history. The reads and the search are in
``ledger_reads``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Collection

from seat_common.protocol import CitizenInfo, Outcome
from seat_hub.storage.records import (
    ChatRecord,
    EndedBy,
    HandleTime,
    LegRecord,
    ListedWorkOrder,
    OfferRecord,
    OfferResult,
    QueuePlace,
    RecordingLink,
    RecordingReport,
    WorkOrder,
    WorkOrderQuery,
)
from seat_hub.storage.sqlite import ledger_reads as reads
from seat_hub.storage.sqlite.worker import SqliteWorker


class SqliteLedger:
    """The work-order ledger in the store's SQLite file (implements ``WorkOrderLedger``)."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    # --- a contact's life -----------------------------------------------------

    def create_work_order(
        self,
        *,
        item_code: str,
        channel: str,
        priority: str,
        media: str,
        citizen: CitizenInfo,
        queued_at: float,
        citizen_key: str = "",
        resume_sha256: str = "",
        priority_check: str = "",
        large_text: bool = False,
    ) -> asyncio.Future[str]:
        return self._worker.run(
            "create_work_order",
            lambda db: _create(
                db, item_code, channel, priority, media, citizen, queued_at, citizen_key,
                resume_sha256, priority_check, large_text,
            ),
        )

    def record_offer(
        self, work_order_id: str, call_id: str, agent_id: str, offered_at: float
    ) -> asyncio.Future[None]:
        return self._worker.run(
            "record_offer",
            lambda db: _record_offer(db, work_order_id, call_id, agent_id, offered_at),
        )

    def record_offer_result(
        self, call_id: str, result: OfferResult, at: float
    ) -> asyncio.Future[None]:
        return self._worker.run(
            "record_offer_result", lambda db: _record_offer_result(db, call_id, result, at)
        )

    def record_answer(
        self, work_order_id: str, call_id: str, agent_id: str, answered_at: float
    ) -> asyncio.Future[None]:
        return self._worker.run(
            "record_answer",
            lambda db: _record_answer(db, work_order_id, call_id, agent_id, answered_at),
        )

    def record_end(
        self, work_order_id: str, ended_by: EndedBy, ended_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "record_end",
            "UPDATE work_orders SET ended_at = ?, ended_by = ?, state = 'ended'"
            " WHERE id = ? AND state = 'in_call'",
            (ended_at, ended_by, work_order_id),
        )

    def close_work_order(
        self, work_order_id: str, outcome: Outcome, notes: str, closed_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "close_work_order",
            "UPDATE work_orders SET outcome = ?, notes = ?, closed_at = ?, state = 'closed'"
            " WHERE id = ? AND state IN ('in_call', 'ended')",
            (outcome, notes, closed_at, work_order_id),
        )

    def open_walk_in(
        self,
        *,
        item_code: str,
        agent_id: str,
        citizen: CitizenInfo,
        opened_at: float,
        citizen_key: str = "",
    ) -> asyncio.Future[str]:
        def open_(db: sqlite3.Connection) -> str:
            work_order_id = _create(db, item_code, "counter", "normal", "in_person", citizen,
                                    opened_at, citizen_key)
            with db:
                db.execute(
                    "UPDATE work_orders SET agent_id = ?, answered_at = ?, state = 'in_call'"
                    " WHERE id = ? AND state = 'queued'",
                    (agent_id, opened_at, work_order_id),
                )
            return work_order_id

        return self._worker.run("open_walk_in", open_)

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]:
        return self._worker.execute(
            "abandon",
            # in_call too: a citizen who leaves while waiting to be transferred.
            "UPDATE work_orders SET outcome = 'abandoned', closed_at = ?, state = 'abandoned'"
            " WHERE id = ? AND state IN ('queued', 'offered', 'in_call')",
            (at, work_order_id),
        )

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]:
        return self._worker.execute(
            "move_item",
            # in_call too: a call handed on to another item's queue (``calls.transfer``).
            "UPDATE work_orders SET item_code = ?"
            " WHERE id = ? AND state IN ('queued', 'offered', 'in_call')",
            (item_code, work_order_id),
        )

    def add_chat(
        self, work_order_id: str, sender_role: str, sender_name: str, text: str, sent_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "add_chat",
            "INSERT INTO chat_messages (work_order_id, sender_role, sender_name, text, sent_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (work_order_id, sender_role, sender_name, text, sent_at),
        )

    def rate(
        self, work_order_id: str, score: int, comment: str, rated_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "rate",
            "UPDATE work_orders SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ?",
            (score, comment, rated_at, work_order_id),
        )

    def link_recording(self, report: RecordingReport) -> asyncio.Future[RecordingLink]:
        return self._worker.run("recording_saved", lambda db: _link_recording(db, report))

    def queue_places(self) -> asyncio.Future[list[QueuePlace]]:
        return self._worker.run("queue_places", reads.queue_places)

    def close_stale(self, at: float, keep: Collection[str] = ()) -> asyncio.Future[int]:
        kept = tuple(keep)
        return self._worker.run("close_stale", lambda db: _close_stale(db, at, kept))

    # --- reads ------------------------------------------------------------------

    def work_order(self, work_order_id: str) -> asyncio.Future[WorkOrder | None]:
        return self._worker.run("work_order", lambda db: reads.work_order(db, work_order_id))

    def record_leg(self, leg: LegRecord) -> asyncio.Future[None]:
        return self._worker.execute(
            "record_leg",
            "INSERT INTO call_legs (work_order_id, call_id, agent_id, from_at, to_at, how,"
            " handed_to, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (leg.work_order_id, leg.call_id, leg.agent_id, leg.from_at, leg.to_at, leg.how,
             leg.handed_to, leg.note),
        )

    def legs(self, work_order_id: str) -> asyncio.Future[list[LegRecord]]:
        def read(db: sqlite3.Connection) -> list[LegRecord]:
            rows = db.execute(
                "SELECT work_order_id, call_id, agent_id, from_at, to_at, how, handed_to, note"
                " FROM call_legs WHERE work_order_id = ? ORDER BY seq", (work_order_id,))
            return [LegRecord(*row) for row in rows]

        return self._worker.run("legs", read)

    def offers(self, work_order_id: str) -> asyncio.Future[list[OfferRecord]]:
        return self._worker.run("offers", lambda db: reads.offers(db, work_order_id))

    def chat_messages(self, work_order_id: str) -> asyncio.Future[list[ChatRecord]]:
        return self._worker.run("chat_messages", lambda db: reads.chat(db, work_order_id))

    def handle_times(self) -> asyncio.Future[dict[str, HandleTime]]:
        return self._worker.run("handle_times", reads.handle_times)

    def work_orders_queued(
        self, since: float, until: float | None = None
    ) -> asyncio.Future[list[WorkOrder]]:
        return self._worker.run("work_orders_queued", lambda db: reads.queued(db, since, until))

    def search(self, query: WorkOrderQuery) -> asyncio.Future[list[ListedWorkOrder]]:
        return self._worker.run("search_work_orders", lambda db: reads.search(db, query))


# --- on the worker thread: writes of more than one statement ------------------------


def _create(
    db: sqlite3.Connection,
    item_code: str,
    channel: str,
    priority: str,
    media: str,
    citizen: CitizenInfo,
    queued_at: float,
    citizen_key: str,
    resume_sha256: str = "",
    priority_check: str = "",
    large_text: bool = False,
) -> str:
    prefix = time.strftime("WO-%Y%m%d-", time.localtime(queued_at))
    with db:
        # The day's last number, by a range on the primary key (a LIKE would read the
        # whole table): the numbers are zero-padded, so the greatest id is the last.
        row = db.execute(
            "SELECT MAX(id) FROM work_orders WHERE id > ? AND id < ?", (prefix, prefix + "~")
        ).fetchone()
        last = int(row[0][len(prefix) :]) if row[0] else 0
        if last >= 999_999:  # six digits a day: far beyond any hall, and said if not
            raise sqlite3.IntegrityError(f"work order numbers of {prefix} are used up")
        work_order_id = f"{prefix}{last + 1:06d}"
        db.execute(
            "INSERT INTO work_orders (id, item_code, channel, priority, media,"
            " citizen_name, citizen_id_number, citizen_phone, hall, queued_at, state,"
            " citizen_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
            (
                work_order_id,
                item_code,
                channel,
                priority,
                media,
                citizen.name,
                citizen.id_number,
                citizen.phone,
                citizen.hall,
                queued_at,
                citizen_key,
            ),
        )
        if resume_sha256:
            db.execute(
                "INSERT INTO queue_places (work_order_id, resume_sha256, priority_check,"
                " large_text) VALUES (?, ?, ?, ?)",
                (work_order_id, resume_sha256, priority_check, int(large_text)),
            )
    return work_order_id


def _record_offer(
    db: sqlite3.Connection, work_order_id: str, call_id: str, agent_id: str, offered_at: float
) -> None:
    with db:
        db.execute(
            "INSERT INTO offers (call_id, work_order_id, agent_id, offered_at)"
            " VALUES (?, ?, ?, ?)",
            (call_id, work_order_id, agent_id, offered_at),
        )
        db.execute(
            "UPDATE work_orders SET offered_at = COALESCE(offered_at, ?), state = 'offered'"
            " WHERE id = ? AND state = 'queued'",
            (offered_at, work_order_id),
        )


def _record_offer_result(
    db: sqlite3.Connection, call_id: str, result: OfferResult, at: float
) -> None:
    with db:
        db.execute(
            "UPDATE offers SET result = ?, result_at = ? WHERE call_id = ?",
            (result, at, call_id),
        )
        db.execute(
            "UPDATE work_orders SET state = 'queued' WHERE state = 'offered'"
            " AND id = (SELECT work_order_id FROM offers WHERE call_id = ?)",
            (call_id,),
        )


def _record_answer(
    db: sqlite3.Connection, work_order_id: str, call_id: str, agent_id: str, answered_at: float
) -> None:
    with db:
        db.execute(
            "UPDATE offers SET result = 'accepted', result_at = ? WHERE call_id = ?",
            (answered_at, call_id),
        )
        db.execute(
            # COALESCE: a transferred call keeps its first answer (counted once).
            "UPDATE work_orders SET agent_id = ?, answered_at = COALESCE(answered_at, ?),"
            " state = 'in_call' WHERE id = ?",
            (agent_id, answered_at, work_order_id),
        )


def _link_recording(db: sqlite3.Connection, report: RecordingReport) -> RecordingLink:
    answered = db.execute(
        "SELECT 1 FROM offers WHERE call_id = ? AND work_order_id = ? AND result = 'accepted'",
        (report.call_id, report.work_order_id),
    ).fetchone()
    if answered is None:
        return "no_such_call"
    linked = db.execute(
        "SELECT call_id, agent_id, duration_s, byte_size, sha256, video_frames FROM recordings"
        " WHERE work_order_id = ?", (report.work_order_id,)
    ).fetchone()
    if linked is not None:  # kept once: the same report again is fine, another is not
        same = tuple(linked) == (report.call_id, report.agent_id, report.duration_s,
                                 report.byte_size, report.sha256, report.video_frames)
        return "linked" if same else "already_recorded"
    with db:
        db.execute(
            "INSERT INTO recordings (work_order_id, call_id, agent_id, duration_s,"
            " byte_size, sha256, video_frames, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.work_order_id,
                report.call_id,
                report.agent_id,
                report.duration_s,
                report.byte_size,
                report.sha256,
                report.video_frames,
                report.saved_at,
            ),
        )
    return "linked"


def _close_stale(db: sqlite3.Connection, at: float, keep: tuple[str, ...]) -> int:
    with db:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS kept_places (id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM kept_places")
        db.executemany("INSERT OR IGNORE INTO kept_places (id) VALUES (?)", [(k,) for k in keep])
        db.execute(
            "UPDATE work_orders SET state = 'queued'"
            " WHERE state = 'offered' AND id IN (SELECT id FROM kept_places)"
        )
        abandoned = db.execute(
            "UPDATE work_orders SET outcome = 'abandoned', closed_at = ?, state = 'abandoned'"
            " WHERE state IN ('queued', 'offered') AND id NOT IN (SELECT id FROM kept_places)",
            (at,),
        ).rowcount
        db.execute(
            "UPDATE offers SET result = 'withdrawn', result_at = ? WHERE result = 'ringing'",
            (at,),
        )
        dropped = db.execute(
            "UPDATE work_orders SET ended_at = COALESCE(ended_at, ?),"
            " ended_by = COALESCE(ended_by, 'hub'), outcome = 'dropped', closed_at = ?,"
            " notes = 'closed by the hub after a restart', state = 'closed'"
            " WHERE state IN ('in_call', 'ended')",
            (at, at),
        ).rowcount
    return abandoned + dropped
