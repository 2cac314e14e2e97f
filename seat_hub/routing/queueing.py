"""Joining and leaving the queue: a citizen or kiosk asks for an agent for an item.

``JoinQueue`` is checked against the catalog (the item exists and is offered
on that channel) and the admission rules (``admission``: the kiosk channel,
the queue cap, the priority claim), a work order is written to the ledger
(with the priority as claimed), and only then is the contact in the queue and
the citizen told ``Queued``. Leaving (or
disconnecting) before an answer abandons the work order; an offer ringing
for it is withdrawn from the agent.
"""

from __future__ import annotations

import asyncio

from seat_common.protocol import Ack, JoinQueue, Queued
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Contact
from seat_hub.parties.session import Session
from seat_hub.routing import admission, dispatch


async def on_join_queue(ctx: HubContext, session: Session, message: JoinQueue) -> None:
    item = ctx.catalog.item(message.item_code)
    if item is None:
        raise Refusal("no_such_item", "no such service item", "item_code")
    if message.channel not in item.channels:
        raise Refusal("not_allowed", f"{item.code} is not offered on this channel", "channel")
    if session.session_id in ctx.live.contact_of_session:
        raise Refusal("already_queued", "you are already in the queue", "item_code")
    if session.session_id in ctx.live.call_of_session:
        raise Refusal("already_queued", "you are in a call", "item_code")
    admitted = admission.admit(ctx, session, message)
    queued_at = ctx.clock()
    # No other message of this session runs while this one awaits the ledger
    # (a session's messages are handled one at a time), so the checks above hold.
    work_order_id = await ctx.ledger.create_work_order(
        item_code=item.code,
        channel=message.channel,
        priority=message.priority,
        media=message.media,
        citizen=admitted.citizen,
        citizen_key=ctx.citizen_keys.key_of(admitted.citizen),
        queued_at=queued_at,
        # A citizen who may take this place back after a hub restart: kept with the work
        # order, in one transaction, before the citizen is told Queued.
        resume_sha256=session.resume_key,
        priority_check=admitted.priority_check if session.resume_key else "",
        large_text=message.large_text,
    )
    contact = Contact(
        work_order_id=work_order_id,
        item=item,
        channel=message.channel,
        priority=admitted.priority,
        media=message.media,
        citizen=admitted.citizen,
        session=session,
        queued_at=queued_at,
        seq=ctx.live.next_seq(),
        priority_check=admitted.priority_check,
        large_text=message.large_text,
    )
    ctx.live.contacts[work_order_id] = contact
    ctx.live.today.queued(queued_at)
    ctx.live.contact_of_session[session.session_id] = contact
    ctx.queue_changed()
    position = ctx.queue_views.first_position(contact)
    session.send(
        Queued(
            work_order_id=work_order_id,
            item_code=item.code,
            item_name=item.name,
            position=position,
            expected_wait_s=ctx.queue_views.expected_wait(contact, position),
            agents_on_duty=ctx.queue_views.on_duty(contact.item.skill),
        )
    )
    ctx.log.event(
        "queued",
        session=session.session_id,
        work_order_id=work_order_id,
        item_code=item.code,
        channel=message.channel,
        priority=admitted.priority,
        claimed_priority=message.priority,
        priority_check=admitted.priority_check,
        large_text=message.large_text,
        device_id=session.kiosk.device_id if session.kiosk is not None else "",
        position=position,
    )


async def on_leave_queue(ctx: HubContext, session: Session) -> None:
    contact = ctx.live.contact_of_session.get(session.session_id)
    if contact is None:
        if session.session_id in ctx.live.call_of_session:
            raise Refusal("not_in_queue", "you are in a call; hang up instead", "type")
        raise Refusal("not_in_queue", "you are not in the queue", "type")
    await abandon(ctx, contact)
    session.send(Ack(of="leave_queue", work_order_id=contact.work_order_id))


def abandon(ctx: HubContext, contact: Contact) -> asyncio.Future[None]:
    """The citizen left before an answer: take them out and close the work order."""
    if contact.offer is not None:
        dispatch.withdraw_offer(ctx, contact.offer, "citizen_left")
    del ctx.live.contacts[contact.work_order_id]
    ctx.live.contact_of_session.pop(contact.session.session_id, None)
    ctx.queue_changed()
    if contact.legs == 0:  # answered once already (waiting in a transfer): counted there
        ctx.live.today.abandoned_call(ctx.clock(), contact.queued_at)
    ctx.log.event(
        "abandoned", work_order_id=contact.work_order_id, session=contact.session.session_id,
        answered_before=contact.legs > 0,
    )
    return ctx.ledger.abandon(contact.work_order_id, ctx.clock())
