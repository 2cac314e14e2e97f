"""The work-order ledger (工单台账) in PostgreSQL: ``WorkOrderLedger`` for a cluster's store.

The same statements as the embedded ledger (``seat_hub.storage.sqlite.ledger``), queued on
the store's one connection (``PostgresWorker``) when called, so one hub's writes land in
the order it made them; ``UPDATE ... WHERE state = ...`` makes a late or repeated write a
no-op there as here. What several hubs sharing the database adds: a new work order's
number is taken under a transaction-scoped advisory lock, so two hubs never hand out the
same one. A write of several statements opens no transaction: the worker runs every write
job inside one (alone or with the writes queued beside it: ``group_commit``), and a job
that fails rolls it back. The reads and the search are in ``ledger_reads``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Final

from seat_common.protocol import CitizenInfo, Outcome
from seat_hub.storage.postgres import ledger_reads as reads
from seat_hub.storage.postgres.group_commit import MANY_ROWS
from seat_hub.storage.postgres.worker import Connection, PostgresWorker
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

#: The advisory lock under which a new work order takes the day's next number.
_NUMBERING_LOCK: Final = 0x5EA7_0002

#: The lock a new work order takes that every hub's new work orders wait for
#: (``PostgresWorker.run``).
_NUMBERING: Final = "work order numbers"


class WorkOrderNumbersUsedUp(RuntimeError):
    """A day has had 999,999 work orders: its numbers are used up."""


class PostgresLedger:
    """The work-order ledger in the store's database (implements ``WorkOrderLedger``)."""

    def __init__(self, worker: PostgresWorker) -> None:
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
        async def create(conn: Connection) -> str:
            work_order_id = await _create(conn, item_code, channel, priority, media,
                                          citizen, queued_at, citizen_key)
            if resume_sha256:
                await conn.execute(
                    "INSERT INTO queue_places (work_order_id, resume_sha256,"
                    " priority_check, large_text) VALUES (%s, %s, %s, %s)",
                    (work_order_id, resume_sha256, priority_check, int(large_text)))
            return work_order_id

        return self._worker.run("create_work_order", create, lock=_NUMBERING)

    def record_offer(
        self, work_order_id: str, call_id: str, agent_id: str, offered_at: float
    ) -> asyncio.Future[None]:
        async def offer(conn: Connection) -> None:
            await conn.execute(
                "INSERT INTO offers (call_id, work_order_id, agent_id, offered_at)"
                " VALUES (%s, %s, %s, %s)", (call_id, work_order_id, agent_id, offered_at))
            await conn.execute(
                "UPDATE work_orders SET offered_at = COALESCE(offered_at, %s),"
                " state = 'offered' WHERE id = %s AND state = 'queued'",
                (offered_at, work_order_id))

        return self._worker.run("record_offer", offer)

    def record_offer_result(
        self, call_id: str, result: OfferResult, at: float
    ) -> asyncio.Future[None]:
        async def ended(conn: Connection) -> None:
            await conn.execute(
                "UPDATE offers SET result = %s, result_at = %s WHERE call_id = %s",
                (result, at, call_id))
            await conn.execute(
                "UPDATE work_orders SET state = 'queued' WHERE state = 'offered'"
                " AND id = (SELECT work_order_id FROM offers WHERE call_id = %s)",
                (call_id,))

        return self._worker.run("record_offer_result", ended)

    def record_answer(
        self, work_order_id: str, call_id: str, agent_id: str, answered_at: float
    ) -> asyncio.Future[None]:
        async def answer(conn: Connection) -> None:
            await conn.execute(
                "UPDATE offers SET result = 'accepted', result_at = %s WHERE call_id = %s",
                (answered_at, call_id))
            await conn.execute(
                # COALESCE: a transferred call keeps its first answer (counted once).
                "UPDATE work_orders SET agent_id = %s,"
                " answered_at = COALESCE(answered_at, %s), state = 'in_call' WHERE id = %s",
                (agent_id, answered_at, work_order_id))

        return self._worker.run("record_answer", answer)

    def record_end(
        self, work_order_id: str, ended_by: EndedBy, ended_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "record_end",
            "UPDATE work_orders SET ended_at = %s, ended_by = %s, state = 'ended'"
            " WHERE id = %s AND state = 'in_call'",
            (ended_at, ended_by, work_order_id),
        )

    def close_work_order(
        self, work_order_id: str, outcome: Outcome, notes: str, closed_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "close_work_order",
            "UPDATE work_orders SET outcome = %s, notes = %s, closed_at = %s, state = 'closed'"
            " WHERE id = %s AND state IN ('in_call', 'ended')",
            (outcome, notes, closed_at, work_order_id),
        )

    def record_leg(self, leg: LegRecord) -> asyncio.Future[None]:
        return self._worker.execute(
            "record_leg",
            "INSERT INTO call_legs (work_order_id, call_id, agent_id, from_at, to_at, how,"
            " handed_to, note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (leg.work_order_id, leg.call_id, leg.agent_id, leg.from_at, leg.to_at, leg.how,
             leg.handed_to, leg.note),
        )

    def legs(self, work_order_id: str) -> asyncio.Future[list[LegRecord]]:
        async def read(conn: Connection) -> list[LegRecord]:
            cur = await conn.execute(
                "SELECT work_order_id, call_id, agent_id, from_at, to_at, how, handed_to, note"
                " FROM call_legs WHERE work_order_id = %s ORDER BY seq", (work_order_id,))
            return [LegRecord(**row) for row in await cur.fetchall()]

        return self._worker.read("legs", read)

    def open_walk_in(
        self,
        *,
        item_code: str,
        agent_id: str,
        citizen: CitizenInfo,
        opened_at: float,
        citizen_key: str = "",
    ) -> asyncio.Future[str]:
        async def open_(conn: Connection) -> str:
            work_order_id = await _create(conn, item_code, "counter", "normal", "in_person",
                                          citizen, opened_at, citizen_key)
            await conn.execute(
                "UPDATE work_orders SET agent_id = %s, answered_at = %s, state = 'in_call'"
                " WHERE id = %s AND state = 'queued'",
                (agent_id, opened_at, work_order_id))
            return work_order_id

        return self._worker.run("open_walk_in", open_, lock=_NUMBERING)

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]:
        return self._worker.execute(
            "abandon",
            # in_call too: a citizen who leaves while waiting to be transferred.
            "UPDATE work_orders SET outcome = 'abandoned', closed_at = %s, state = 'abandoned'"
            " WHERE id = %s AND state IN ('queued', 'offered', 'in_call')",
            (at, work_order_id),
        )

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]:
        return self._worker.execute(
            "move_item",
            "UPDATE work_orders SET item_code = %s"
            " WHERE id = %s AND state IN ('queued', 'offered', 'in_call')",
            (item_code, work_order_id),
        )

    def add_chat(
        self, work_order_id: str, sender_role: str, sender_name: str, text: str, sent_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "add_chat",
            "INSERT INTO chat_messages (work_order_id, sender_role, sender_name, text, sent_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (work_order_id, sender_role, sender_name, text, sent_at),
        )

    def rate(
        self, work_order_id: str, score: int, comment: str, rated_at: float
    ) -> asyncio.Future[None]:
        return self._worker.execute(
            "rate",
            "UPDATE work_orders SET rating = %s, rating_comment = %s, rated_at = %s"
            " WHERE id = %s",
            (score, comment, rated_at, work_order_id),
        )

    def link_recording(self, report: RecordingReport) -> asyncio.Future[RecordingLink]:
        async def link(conn: Connection) -> RecordingLink:
            return await _link_recording(conn, report)

        return self._worker.run("recording_saved", link)

    def queue_places(self) -> asyncio.Future[list[QueuePlace]]:
        return self._worker.read("queue_places", reads.queue_places)

    def close_stale(self, at: float, keep: Collection[str] = ()) -> asyncio.Future[int]:
        kept = list(keep)

        async def close(conn: Connection) -> int:
            return await _close_stale(conn, at, kept)

        return self._worker.run("close_stale", close, lock=MANY_ROWS)

    # --- reads ------------------------------------------------------------------

    def work_order(self, work_order_id: str) -> asyncio.Future[WorkOrder | None]:
        return self._worker.read("work_order", lambda conn: reads.work_order(conn, work_order_id))

    def offers(self, work_order_id: str) -> asyncio.Future[list[OfferRecord]]:
        return self._worker.read("offers", lambda conn: reads.offers(conn, work_order_id))

    def chat_messages(self, work_order_id: str) -> asyncio.Future[list[ChatRecord]]:
        return self._worker.read("chat_messages", lambda conn: reads.chat(conn, work_order_id))

    def handle_times(self) -> asyncio.Future[dict[str, HandleTime]]:
        return self._worker.read("handle_times", reads.handle_times)

    def work_orders_queued(
        self, since: float, until: float | None = None
    ) -> asyncio.Future[list[WorkOrder]]:
        return self._worker.read("work_orders_queued",
                                lambda conn: reads.queued(conn, since, until))

    def search(self, query: WorkOrderQuery) -> asyncio.Future[list[ListedWorkOrder]]:
        return self._worker.read("search_work_orders", lambda conn: reads.search(conn, query))


# --- writes of more than one statement (inside the caller's transaction) ----------------


async def _create(
    conn: Connection,
    item_code: str,
    channel: str,
    priority: str,
    media: str,
    citizen: CitizenInfo,
    queued_at: float,
    citizen_key: str,
) -> str:
    prefix = time.strftime("WO-%Y%m%d-", time.localtime(queued_at))
    # Another hub may be numbering the same day: one at a time, until this commits.
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_NUMBERING_LOCK,))
    # The day's last number, by a range on the primary key (zero-padded: the greatest id
    # is the last). COLLATE "C": byte order, whatever the database's collation.
    cur = await conn.execute(
        'SELECT MAX(id COLLATE "C") AS last FROM work_orders'
        ' WHERE id COLLATE "C" > %s AND id COLLATE "C" < %s', (prefix, prefix + "~"))
    row = await cur.fetchone()
    last = int(row["last"][len(prefix):]) if row is not None and row["last"] else 0
    if last >= 999_999:  # six digits a day: far beyond any city, and said if not
        raise WorkOrderNumbersUsedUp(f"work order numbers of {prefix} are used up")
    work_order_id = f"{prefix}{last + 1:06d}"
    await conn.execute(
        "INSERT INTO work_orders (id, item_code, channel, priority, media, citizen_name,"
        " citizen_id_number, citizen_phone, hall, queued_at, state, citizen_key)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'queued', %s)",
        (work_order_id, item_code, channel, priority, media, citizen.name, citizen.id_number,
         citizen.phone, citizen.hall, queued_at, citizen_key),
    )
    return work_order_id


async def _link_recording(conn: Connection, report: RecordingReport) -> RecordingLink:
    cur = await conn.execute(
        "SELECT 1 FROM offers WHERE call_id = %s AND work_order_id = %s"
        " AND result = 'accepted'", (report.call_id, report.work_order_id))
    if await cur.fetchone() is None:
        return "no_such_call"
    await conn.execute(
        "INSERT INTO recordings (work_order_id, call_id, agent_id, duration_s, byte_size,"
        " sha256, video_frames, saved_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (work_order_id) DO NOTHING",
        (report.work_order_id, report.call_id, report.agent_id, report.duration_s,
         report.byte_size, report.sha256, report.video_frames, report.saved_at))
    cur = await conn.execute(
        "SELECT call_id, agent_id, duration_s, byte_size, sha256, video_frames FROM recordings"
        " WHERE work_order_id = %s", (report.work_order_id,))
    linked = await cur.fetchone()
    # kept once: the same report again is fine, another is not
    same = linked is not None and tuple(linked.values()) == (
        report.call_id, report.agent_id, report.duration_s, report.byte_size, report.sha256,
        report.video_frames)
    return "linked" if same else "already_recorded"


async def _close_stale(conn: Connection, at: float, keep: list[str]) -> int:
    await conn.execute(
        "UPDATE work_orders SET state = 'queued' WHERE state = 'offered' AND id = ANY(%s)",
        (keep,))
    abandoned = await conn.execute(
        "UPDATE work_orders SET outcome = 'abandoned', closed_at = %s, state = 'abandoned'"
        " WHERE state IN ('queued', 'offered') AND NOT (id = ANY(%s))", (at, keep))
    await conn.execute(
        "UPDATE offers SET result = 'withdrawn', result_at = %s WHERE result = 'ringing'",
        (at,))
    dropped = await conn.execute(
        "UPDATE work_orders SET ended_at = COALESCE(ended_at, %s),"
        " ended_by = COALESCE(ended_by, 'hub'), outcome = 'dropped', closed_at = %s,"
        " notes = 'closed by the hub after a restart', state = 'closed'"
        " WHERE state IN ('in_call', 'ended')", (at, at))
    return max(abandoned.rowcount, 0) + max(dropped.rowcount, 0)
