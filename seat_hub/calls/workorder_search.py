"""The searchable work-order list: an agent's own work orders, or all for a supervisor.

``SearchWorkOrders`` is answered with ``WorkOrderList``: work orders queued
in the asked time range whose id, item code or name, outcome or agent id
contain the search text, newest first, with the citizen's name, ID number
and phone masked (as everywhere outside the call). An agent always gets
only their own (an ``agent_id`` naming someone else is refused); a
supervisor gets everyone's. The list is cut to what fits in one message.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

from seat_common.catalog import Catalog
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    CitizenInfo,
    SearchWorkOrders,
    WorkOrderList,
    WorkOrderRow,
    to_wire,
)
from seat_hub.connections.session import Session
from seat_hub.model import HubContext, Refusal
from seat_hub.routing.queueviews import masked

_ENVELOPE_BYTES: Final = 128


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query(
    db: sqlite3.Connection, message: SearchWorkOrders, agent_id: str, item_codes: list[str]
) -> list[sqlite3.Row]:
    """Rows of ``work_orders`` matching the search (run on the ledger's thread)."""
    where = ["1 = 1"]
    params: list[Any] = []
    if agent_id:
        where.append("agent_id = ?")
        params.append(agent_id)
    if message.since:
        where.append("queued_at >= ?")
        params.append(message.since)
    if message.until:
        where.append("queued_at < ?")
        params.append(message.until)
    if message.text:
        like = _like(message.text)
        alternatives = [
            "id LIKE ? ESCAPE '\\'",
            "item_code LIKE ? ESCAPE '\\'",
            "outcome LIKE ? ESCAPE '\\'",
            "agent_id LIKE ? ESCAPE '\\'",
        ]
        params.extend([like] * 4)
        if item_codes:
            alternatives.append(f"item_code IN ({', '.join('?' * len(item_codes))})")
            params.extend(item_codes)
        where.append("(" + " OR ".join(alternatives) + ")")
    params.append(message.limit + 1)
    return list(
        db.execute(
            "SELECT *, (SELECT duration_s FROM recordings r WHERE r.work_order_id = w.id)"
            f" AS recording_s FROM work_orders w WHERE {' AND '.join(where)}"  # fixed SQL parts
            " ORDER BY queued_at DESC, id DESC LIMIT ?",
            params,
        )
    )


def row_of(catalog: Catalog, r: sqlite3.Row) -> WorkOrderRow:
    item = catalog.item(r["item_code"])
    answered = r["answered_at"] or 0.0
    closed = r["closed_at"] or 0.0
    citizen = CitizenInfo(
        name=r["citizen_name"][:200],
        id_number=r["citizen_id_number"][:32],
        phone=r["citizen_phone"][:32],
        hall=r["hall"][:200],
    )
    return WorkOrderRow(
        work_order_id=r["id"],
        item_code=r["item_code"],
        item_name=(item.name if item is not None else r["item_code"])[:200],
        theme=(item.theme if item is not None else "")[:64],
        channel=r["channel"][:32],
        agent_id=(r["agent_id"] or "")[:64],
        citizen=masked(citizen),
        state=r["state"],
        outcome=(r["outcome"] or "")[:32],
        queued_at=r["queued_at"],
        answered_at=answered,
        closed_at=closed,
        handle_s=max(0.0, closed - answered) if answered and closed else 0.0,
        rating=int(r["rating"] or 0),
        rating_comment=r["rating_comment"][:500],
        recording_s=_recording_s(r),
    )


def _recording_s(r: sqlite3.Row) -> float:
    """The recording's length, if the query joined it (``query`` does; other callers may not)."""
    seconds = r["recording_s"] if "recording_s" in r.keys() else None  # noqa: SIM118 (a Row)
    return min(86400.0, max(0.0, float(seconds or 0.0)))


async def on_search(ctx: HubContext, session: Session, message: SearchWorkOrders) -> None:
    if session.role == "agent":
        if message.agent_id and message.agent_id != session.agent_id:
            raise Refusal("not_allowed", "an agent sees only their own work orders", "agent_id")
        agent_id = session.agent_id
    else:
        agent_id = message.agent_id
    text = message.text.strip()
    item_codes = [
        i.code for i in ctx.catalog.items.values() if text and (text in i.name or text in i.name_en)
    ][:200]
    found = await ctx.ledger.run(
        "search_work_orders", lambda db: query(db, message, agent_id, item_codes)
    )
    rows: list[WorkOrderRow] = []
    budget = MAX_MESSAGE_BYTES - _ENVELOPE_BYTES
    truncated = len(found) > message.limit
    for raw in found[: message.limit]:
        row = row_of(ctx.catalog, raw)
        size = len(json.dumps(to_wire(row), ensure_ascii=False).encode()) + 1
        budget -= size
        if budget < 0:
            truncated = True
            break
        rows.append(row)
    session.send(WorkOrderList(rows=tuple(rows), truncated=truncated))
