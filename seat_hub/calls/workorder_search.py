"""The searchable work-order list: an agent's own work orders, or all for a supervisor.

``SearchWorkOrders`` is answered with ``WorkOrderList``: work orders queued
in the asked time range whose id, item code or name, outcome or agent id
contain the search text, newest first, with the citizen's name, ID number
and phone masked (as everywhere outside the call). An agent always gets
only their own (an ``agent_id`` naming someone else is refused); a
supervisor gets everyone's. The list is cut to what fits in one message. Each search is
in the audit log before anything is read (``supervision/audit.py``, the text masked).
"""

from __future__ import annotations

import json
from typing import Final

from seat_common.catalog import Catalog
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    CitizenInfo,
    SearchWorkOrders,
    WorkOrderList,
    WorkOrderRow,
    to_wire,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.routing.queueviews import masked
from seat_hub.storage.records import WorkOrder, WorkOrderQuery
from seat_hub.supervision.audit import record_read

_ENVELOPE_BYTES: Final = 128


def row_of(catalog: Catalog, work_order: WorkOrder, recording_s: float = 0.0) -> WorkOrderRow:
    """A work order as lists show it: the citizen masked, every text cut to the wire's
    limits, the item named from the catalog."""
    w = work_order
    item = catalog.item(w.item_code)
    answered = w.answered_at or 0.0
    closed = w.closed_at or 0.0
    citizen = CitizenInfo(
        name=w.citizen_name[:200],
        id_number=w.citizen_id_number[:32],
        phone=w.citizen_phone[:32],
        hall=w.hall[:200],
    )
    return WorkOrderRow(
        work_order_id=w.id,
        item_code=w.item_code,
        item_name=(item.name if item is not None else w.item_code)[:200],
        theme=(item.theme if item is not None else "")[:64],
        channel=w.channel[:32],
        agent_id=(w.agent_id or "")[:64],
        citizen=masked(citizen),
        state=w.state,
        outcome=(w.outcome or "")[:32],
        queued_at=w.queued_at,
        answered_at=answered,
        closed_at=closed,
        handle_s=max(0.0, closed - answered) if answered and closed else 0.0,
        rating=int(w.rating or 0),
        rating_comment=w.rating_comment[:500],
        recording_s=min(86400.0, max(0.0, recording_s)),
    )


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
    # One more than asked: whether there were more is what ``truncated`` says.
    query = WorkOrderQuery(
        agent_id=agent_id,
        since=message.since,
        until=message.until,
        text=message.text,
        item_codes=tuple(item_codes),
        limit=message.limit + 1,
    )
    # Staff reading citizens' work orders: in the audit log first (the text masked).
    await record_read(ctx, session, "search_work_orders", agent_id or "*",
                      f"text={text!r} since={message.since:g} until={message.until:g}")
    found = await ctx.ledger.search(query)
    rows: list[WorkOrderRow] = []
    budget = MAX_MESSAGE_BYTES - _ENVELOPE_BYTES
    truncated = len(found) > message.limit
    for listed in found[: message.limit]:
        row = row_of(ctx.catalog, listed.work_order, listed.recording_s)
        size = len(json.dumps(to_wire(row), ensure_ascii=False).encode()) + 1
        budget -= size
        if budget < 0:
            truncated = True
            break
        rows.append(row)
    session.send(WorkOrderList(rows=tuple(rows), truncated=truncated))
