"""The citizen's summary of a contact (``contact_summary``): checked and relayed.

Only the agent holding the work order (in its call or in wrap-up) may send it, and only
for the work order's own item; it goes unchanged to the work order's citizen while their
connection is open (a citizen already gone misses it: the agent is still acked, and the
log says it was not delivered). The hub keeps no copy: the verdicts are stored as
``review_verdict`` revisions, applications and bookings by the government API.

The receipt's PDF (``receipt_pdf``, checked by the codec: base64 of a ``%PDF-`` file within
its size) is relayed the same way: only from the agent holding the work order, to its
citizen, unstored.
"""

from __future__ import annotations

from seat_common.protocol import Ack, ContactSummary, ReceiptPdf
from seat_hub.context import HubContext, Refusal
from seat_hub.materials.delivery import other_party
from seat_hub.parties.session import Session


def _item_of(ctx: HubContext, work_order_id: str) -> str:
    for call in ctx.live.calls.values():
        if call.contact.work_order_id == work_order_id:
            return call.contact.item.code
    ended = ctx.live.ended.get(work_order_id)
    return ended.item_code if ended is not None else ""


def on_contact_summary(ctx: HubContext, session: Session, message: ContactSummary) -> None:
    citizen = other_party(ctx, session, message.work_order_id)  # refuses a stranger's
    if message.item_code != _item_of(ctx, message.work_order_id):
        raise Refusal("bad_message", "the summary names another item than the work order's",
                      "item_code")
    if citizen is not None:
        citizen.send(message)
    session.send(Ack(of="contact_summary", work_order_id=message.work_order_id))
    ctx.log.event(
        "contact_summary",
        work_order_id=message.work_order_id,
        agent_id=session.agent_id,
        entries=len(message.entries),
        applications=len(message.applications),
        bookings=len(message.bookings),
        delivered=citizen is not None,
    )


def on_receipt_pdf(ctx: HubContext, session: Session, message: ReceiptPdf) -> None:
    citizen = other_party(ctx, session, message.work_order_id)  # refuses a stranger's
    if citizen is not None:
        citizen.send(message)
    session.send(Ack(of=ReceiptPdf.TYPE, work_order_id=message.work_order_id))
    ctx.log.event("receipt_pdf", work_order_id=message.work_order_id,
                  agent_id=session.agent_id, base64_chars=len(message.pdf),
                  delivered=citizen is not None)
