"""Reads of the work-order ledger's PostgreSQL tables (jobs on the store's connection).

The same answers as the embedded store's reads (``seat_hub.storage.sqlite.ledger_reads``):
one work order, its offers and chat, the handle time per item, the work orders queued in a
period, and the search behind the work-order list. The search matches its text literally
and without regard to case in the work order's id, item code, outcome and agent id
(``ILIKE``, which the trigram indexes of ``schema`` serve), newest first.
"""

from __future__ import annotations

from typing import Any

from seat_hub.storage.postgres.schema import SEARCHED_COLUMNS
from seat_hub.storage.postgres.worker import Connection
from seat_hub.storage.records import (
    ChatRecord,
    HandleTime,
    ListedWorkOrder,
    OfferRecord,
    QueuePlace,
    WorkOrder,
    WorkOrderQuery,
)

#: The work-order columns, in the order of ``WorkOrder``'s fields.
WORK_ORDER_COLUMNS = ", ".join(f"w.{name}" for name in WorkOrder.__dataclass_fields__)


async def work_order(conn: Connection, work_order_id: str) -> WorkOrder | None:
    cur = await conn.execute(
        f"SELECT {WORK_ORDER_COLUMNS} FROM work_orders w WHERE w.id = %s", (work_order_id,))
    row = await cur.fetchone()
    return None if row is None else WorkOrder(**row)


async def queue_places(conn: Connection) -> list[QueuePlace]:
    cur = await conn.execute(
        f"SELECT {WORK_ORDER_COLUMNS}, p.resume_sha256 AS resume_sha256,"
        " p.priority_check AS priority_check, p.large_text AS large_text"
        " FROM work_orders w JOIN queue_places p ON p.work_order_id = w.id"
        " WHERE w.state IN ('queued', 'offered') ORDER BY w.queued_at, w.id")
    places = []
    for fields in await cur.fetchall():
        resume_sha256 = fields.pop("resume_sha256")
        priority_check = fields.pop("priority_check")
        large_text = bool(fields.pop("large_text"))
        places.append(QueuePlace(WorkOrder(**fields), resume_sha256, priority_check,
                                 large_text))
    return places


async def offers(conn: Connection, work_order_id: str) -> list[OfferRecord]:
    cur = await conn.execute(
        "SELECT call_id, work_order_id, agent_id, offered_at, result, result_at FROM offers"
        " WHERE work_order_id = %s ORDER BY offered_at, seq", (work_order_id,))
    return [OfferRecord(**row) for row in await cur.fetchall()]


async def chat(conn: Connection, work_order_id: str) -> list[ChatRecord]:
    cur = await conn.execute(
        "SELECT work_order_id, sender_role, sender_name, text, sent_at FROM chat_messages"
        " WHERE work_order_id = %s ORDER BY id", (work_order_id,))
    return [ChatRecord(**row) for row in await cur.fetchall()]


async def handle_times(conn: Connection) -> dict[str, HandleTime]:
    cur = await conn.execute(
        "SELECT item_code, COUNT(*) AS n, AVG(closed_at - answered_at) AS mean"
        " FROM work_orders WHERE state = 'closed' AND answered_at IS NOT NULL"
        " AND closed_at >= answered_at GROUP BY item_code")
    return {r["item_code"]: HandleTime(int(r["n"]), float(r["mean"]))
            for r in await cur.fetchall()}


async def queued(conn: Connection, since: float, until: float | None) -> list[WorkOrder]:
    if until is None:
        cur = await conn.execute(
            f"SELECT {WORK_ORDER_COLUMNS} FROM work_orders w WHERE w.queued_at >= %s"
            " ORDER BY w.queued_at, w.id", (since,))
    else:
        cur = await conn.execute(
            f"SELECT {WORK_ORDER_COLUMNS} FROM work_orders w"
            " WHERE w.queued_at >= %s AND w.queued_at < %s ORDER BY w.queued_at, w.id",
            (since, until))
    return [WorkOrder(**row) for row in await cur.fetchall()]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(conn: Connection, query: WorkOrderQuery) -> list[ListedWorkOrder]:
    """The work orders matching ``query``, newest first, with their recordings' lengths."""
    where: list[str] = []
    params: list[Any] = []
    if query.agent_id:
        where.append("w.agent_id = %s")
        params.append(query.agent_id)
    if query.since:
        where.append("w.queued_at >= %s")
        params.append(query.since)
    if query.until:
        where.append("w.queued_at < %s")
        params.append(query.until)
    if query.text:
        alternatives = [f"w.{column} ILIKE %s" for column in SEARCHED_COLUMNS]
        params += [_like(query.text)] * len(SEARCHED_COLUMNS)
        if query.item_codes:
            alternatives.append("w.item_code = ANY(%s)")
            params.append(list(query.item_codes))
        where.append("(" + " OR ".join(alternatives) + ")")
    cur = await conn.execute(
        f"SELECT {WORK_ORDER_COLUMNS}, (SELECT duration_s FROM recordings r"
        " WHERE r.work_order_id = w.id) AS recording_s FROM work_orders w"
        f" WHERE {' AND '.join(where) or 'TRUE'}"
        " ORDER BY w.queued_at DESC, w.id DESC LIMIT %s",
        [*params, query.limit])
    found = []
    for fields in await cur.fetchall():
        recording_s = fields.pop("recording_s")
        found.append(ListedWorkOrder(WorkOrder(**fields), float(recording_s or 0.0)))
    return found
