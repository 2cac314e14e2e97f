"""Reads of the work-order ledger's SQLite tables (run on the worker thread).

Each function takes the open connection and gives back the values of
``seat_hub.storage.records``: one work order, its offers and chat, the handle
time per item, the work orders queued in a period (today's figures, the
statistics report) and the search behind the work-order list.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from seat_hub.storage.records import (
    ChatRecord,
    HandleTime,
    ListedWorkOrder,
    OfferRecord,
    QueuePlace,
    WorkOrder,
    WorkOrderQuery,
)


def work_order(db: sqlite3.Connection, work_order_id: str) -> WorkOrder | None:
    row = db.execute("SELECT * FROM work_orders WHERE id = ?", (work_order_id,)).fetchone()
    return None if row is None else WorkOrder(**dict(row))


def queue_places(db: sqlite3.Connection) -> list[QueuePlace]:
    rows = db.execute(
        "SELECT w.*, p.resume_sha256 AS resume_sha256, p.priority_check AS priority_check,"
        " p.large_text AS large_text"
        " FROM work_orders w JOIN queue_places p ON p.work_order_id = w.id"
        " WHERE w.state IN ('queued', 'offered') ORDER BY w.queued_at, w.id"
    )
    places = []
    for row in rows:
        fields = dict(row)
        resume_sha256 = fields.pop("resume_sha256")
        priority_check = fields.pop("priority_check")
        large_text = bool(fields.pop("large_text"))
        places.append(QueuePlace(WorkOrder(**fields), resume_sha256, priority_check,
                                 large_text))
    return places


def offers(db: sqlite3.Connection, work_order_id: str) -> list[OfferRecord]:
    rows = db.execute(
        "SELECT * FROM offers WHERE work_order_id = ? ORDER BY offered_at, rowid",
        (work_order_id,),
    )
    return [OfferRecord(**dict(r)) for r in rows]


def chat(db: sqlite3.Connection, work_order_id: str) -> list[ChatRecord]:
    rows = db.execute(
        "SELECT work_order_id, sender_role, sender_name, text, sent_at FROM chat_messages"
        " WHERE work_order_id = ? ORDER BY id",
        (work_order_id,),
    )
    return [ChatRecord(**dict(r)) for r in rows]


def handle_times(db: sqlite3.Connection) -> dict[str, HandleTime]:
    rows = db.execute(
        "SELECT item_code, COUNT(*) AS n, AVG(closed_at - answered_at) AS mean"
        " FROM work_orders WHERE state = 'closed' AND answered_at IS NOT NULL"
        " AND closed_at >= answered_at GROUP BY item_code"
    )
    return {r["item_code"]: HandleTime(int(r["n"]), float(r["mean"])) for r in rows}


def queued(db: sqlite3.Connection, since: float, until: float | None) -> list[WorkOrder]:
    if until is None:
        rows = db.execute(
            "SELECT * FROM work_orders WHERE queued_at >= ? ORDER BY queued_at", (since,)
        )
    else:
        rows = db.execute(
            "SELECT * FROM work_orders WHERE queued_at >= ? AND queued_at < ?"
            " ORDER BY queued_at",
            (since, until),
        )
    return [WorkOrder(**dict(r)) for r in rows]


#: A text this long or longer is looked up in the trigram index; shorter, row by row.
TRIGRAM = 3


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(db: sqlite3.Connection, query: WorkOrderQuery) -> list[ListedWorkOrder]:
    """The work orders matching ``query``, newest first, with their recordings' lengths.

    A text of ``TRIGRAM`` characters or more is looked up in the trigram index
    (``schema.WORK_ORDER_TEXT``), newest row first, so a rare text reads few rows and a
    common one stops at ``limit``; "newest" there is the order rows were written, which is
    the order citizens queued in. A shorter text is matched row by row (LIKE)."""
    where: list[str] = []
    params: list[Any] = []
    if query.agent_id:
        where.append("w.agent_id = ?")
        params.append(query.agent_id)
    if query.since:
        where.append("w.queued_at >= ?")
        params.append(query.since)
    if query.until:
        where.append("w.queued_at < ?")
        params.append(query.until)
    by_item = ([f"w.item_code IN ({', '.join('?' * len(query.item_codes))})"],
               list(query.item_codes)) if query.item_codes else None
    if not query.text:
        return _listed(db, where, params, query.limit)
    if len(query.text) < TRIGRAM:
        alternatives = [f"w.{column} LIKE ? ESCAPE '\\'"
                        for column in ("id", "item_code", "outcome", "agent_id")]
        alternative_params: list[Any] = [_like(query.text)] * 4
        if by_item is not None:
            alternatives += by_item[0]
            alternative_params += by_item[1]
        return _listed(db, [*where, "(" + " OR ".join(alternatives) + ")"],
                       [*params, *alternative_params], query.limit)
    phrase = '"' + query.text.replace('"', '""') + '"'  # the text as it is, not a query
    found = _listed(db, ["t.work_orders_text MATCH ?", *where], [phrase, *params], query.limit,
                    text_index=True)
    if by_item is not None:
        found += _listed(db, [*where, *by_item[0]], [*params, *by_item[1]], query.limit)
    newest = sorted({f.work_order.id: f for f in found}.values(),
                    key=lambda f: (f.work_order.queued_at, f.work_order.id), reverse=True)
    return newest[: query.limit]


def _listed(db: sqlite3.Connection, where: list[str], params: list[Any], limit: int,
            *, text_index: bool = False) -> list[ListedWorkOrder]:
    """Work orders meeting every condition of ``where`` (fixed SQL parts; the values in
    ``params``), at most ``limit``, newest first; through the text index as ``t``."""
    source = ("work_orders_text t JOIN work_orders w ON w.rowid = t.rowid" if text_index
              else "work_orders w")
    order = "t.rowid DESC" if text_index else "w.queued_at DESC, w.id DESC"
    rows = db.execute(
        "SELECT w.*, (SELECT duration_s FROM recordings r WHERE r.work_order_id = w.id)"
        f" AS recording_s FROM {source} WHERE {' AND '.join(where) or '1 = 1'}"
        f" ORDER BY {order} LIMIT ?",
        [*params, limit],
    )
    found = []
    for row in rows:
        fields = dict(row)
        recording_s = fields.pop("recording_s")
        found.append(ListedWorkOrder(WorkOrder(**fields), float(recording_s or 0.0)))
    return found
