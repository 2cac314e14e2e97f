"""Live calls and after: signaling relay, chat, hang-up, wrap-up and rating.

The hub relays ``Sdp`` and ``Ice`` unchanged, and only between the two
parties of a live call, and ``MediaState`` (a party's camera and microphone) the
same way; nothing else ever passes from one connection to another. Chat goes to
both parties as ``ChatMessage`` and into the ledger; a media state is not stored.
A hang-up (or a party's disconnect) ends the call for both and puts the
agent in wrap-up; the agent's ``WrapUp`` closes the work order, and the
citizen may ``Rate`` it once the call is over.
"""

from __future__ import annotations

import asyncio

from seat_common.protocol import (
    Ack,
    CallEnded,
    Chat,
    ChatMessage,
    EndReason,
    Hangup,
    Ice,
    MediaState,
    Outcome,
    Rate,
    Sdp,
    WorkOrderClosed,
    WrapUp,
)
from seat_hub.calls import consult, transfer
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent, Call, EndedCall
from seat_hub.parties.session import Session
from seat_hub.routing import dispatch, presence, queueing, queueviews
from seat_hub.routing.dispatch import ANONYMOUS_CITIZEN
from seat_hub.storage.records import EndedBy, LegRecord
from seat_hub.supervision import watch


def _call_of(ctx: HubContext, session: Session, call_id: str) -> Call:
    call = ctx.live.calls.get(call_id)
    if call is None or not call.has_party(session):
        raise Refusal("no_such_call", "you are not in a call with this id", "call_id")
    return call


def on_signal(ctx: HubContext, session: Session, message: Sdp | Ice) -> None:
    call = _call_of(ctx, session, message.call_id)
    call.other_party(session).send(message)


def on_media_state(ctx: HubContext, session: Session, message: MediaState) -> None:
    """Tell the other party of the call what the sender's camera and microphone do now."""
    call = _call_of(ctx, session, message.call_id)
    call.other_party(session).send(message)
    ctx.log.event(
        "media_state",
        call_id=call.call_id,
        role=session.role,
        camera=message.camera,
        microphone=message.microphone,
    )


def on_chat(ctx: HubContext, session: Session, message: Chat) -> None:
    call = _call_of(ctx, session, message.call_id)
    if session is call.agent.session:
        sender_name = call.agent.seat.name
    else:
        sender_name = call.contact.citizen.name or session.name or ANONYMOUS_CITIZEN
    assert session.role is not None
    now = ctx.clock()
    delivered = ChatMessage(
        call_id=call.call_id,
        text=message.text,
        sender_role=session.role,
        sender_name=sender_name,
        sent_at=now,
    )
    call.citizen_session.send(delivered)
    call.agent.session.send(delivered)
    ctx.ledger.add_chat(call.contact.work_order_id, session.role, sender_name, message.text, now)


def on_hangup(ctx: HubContext, session: Session, message: Hangup) -> None:
    waiting = ctx.live.contact_of_session.get(session.session_id)
    if waiting is not None and waiting.handover is not None and session.role != "agent":
        # Waiting in a transfer, the page still names the first agent's call: hanging
        # up is leaving the queue (a citizen answered once is not counted abandoned).
        queueing.abandon(ctx, waiting)
        session.send(Ack(of="hangup", work_order_id=waiting.work_order_id))
        return
    call = _call_of(ctx, session, message.call_id)
    assert session.role in ("citizen", "kiosk", "agent")
    end_call(ctx, call, session.role, "hangup")


def end_call(ctx: HubContext, call: Call, ended_by: EndedBy, reason: EndReason) -> EndedCall:
    """End a live call for both parties; the agent goes to wrap-up."""
    agent = call.agent
    work_order_id = call.contact.work_order_id
    transfer.call_ending(ctx, call)
    consult.call_ending(ctx, call)
    watch.call_ended(ctx, call)
    del ctx.live.calls[call.call_id]
    ctx.live.call_of_session.pop(call.citizen_session.session_id, None)
    ctx.live.call_of_session.pop(agent.session.session_id, None)
    now = ctx.clock()
    ctx.ledger.record_end(work_order_id, ended_by, now)
    ctx.ledger.record_leg(
        LegRecord(work_order_id, call.call_id, agent.agent_id, call.answered_at, now, "ended")
    )
    ended = EndedCall(
        work_order_id=work_order_id,
        item_code=call.contact.item.code,
        agent_id=agent.agent_id,
        citizen_session=call.citizen_session,
        answered_at=call.answered_at,
        ended_at=now,
        skill=call.contact.skill,
        item_name=call.contact.item.name,
        channel=call.contact.channel,
    )
    ctx.live.ended[work_order_id] = ended
    start_wrap_up_limit(ctx, ended)
    agent.call = None
    agent.wrap_up = ended
    notice = CallEnded(
        call_id=call.call_id, work_order_id=work_order_id, ended_by=ended_by, reason=reason
    )
    call.citizen_session.send(notice)
    agent.session.send(notice)
    presence.change_state(ctx, agent, "wrap_up")
    ctx.log.event(
        "call_ended",
        call_id=call.call_id,
        work_order_id=work_order_id,
        agent_id=agent.agent_id,
        ended_by=ended_by,
        reason=reason,
        duration_s=round(now - call.answered_at, 3),
    )
    return ended


async def on_wrap_up(ctx: HubContext, agent: Agent, message: WrapUp) -> None:
    if message.outcome == "abandoned":
        raise Refusal("bad_message", "abandoned is set by the hub, not at wrap-up", "outcome")
    ended = ctx.live.ended.get(message.work_order_id)
    if ended is None or ended.agent_id != agent.agent_id or ended.closed:
        call = agent.call
        if call is not None and call.contact.work_order_id == message.work_order_id:
            raise Refusal("bad_state", "the call is still on; hang up first", "work_order_id")
        raise Refusal("no_such_work_order", "no work order of yours to wrap up", "work_order_id")
    await close_ended(ctx, agent, ended, message.outcome, message.notes)


async def close_ended(
    ctx: HubContext, agent: Agent | None, ended: EndedCall, outcome: Outcome, notes: str
) -> None:
    """Close a finished call's work order; its agent (if here) goes back to work."""
    now = ctx.clock()
    ended.closed = True  # before the await: a second WrapUp is refused meanwhile
    if ended.wrap_up_timer is not None:
        ended.wrap_up_timer.cancel()
    try:
        await ctx.ledger.close_work_order(ended.work_order_id, outcome, notes, now)
    except Exception:
        ended.closed = False
        raise
    queueviews.record_handle_time(ctx.live, ended.item_code, now - ended.answered_at)
    ctx.live.today.closed_work_order(now - ended.answered_at, now)
    closed = WorkOrderClosed(work_order_id=ended.work_order_id, outcome=outcome)
    if agent is not None:
        agent.session.send(closed)
    ended.citizen_session.send(closed)
    if agent is not None and agent.wrap_up is ended:
        agent.wrap_up = None
        presence.back_to_work(ctx, agent)
    _forget_if_done(ctx, ended)
    ctx.log.event(
        "work_order_closed",
        work_order_id=ended.work_order_id,
        agent_id=ended.agent_id,
        outcome=outcome,
    )


#: Notes of a work order the hub closed because wrap-up ran over its queue's limit.
WRAP_UP_OVERDUE_NOTES = "closed by the hub: wrap-up time limit reached"


def start_wrap_up_limit(ctx: HubContext, ended: EndedCall, spent_s: float = 0.0) -> None:
    """Close ``ended``'s work order when its queue's wrap-up limit is up (none: no limit);
    ``spent_s`` of it already spent (a wrap-up taken up on another hub)."""
    limit = ctx.settings.wrap_up_limit_for(ended.skill)
    if limit > 0:
        ended.wrap_up_timer = asyncio.get_running_loop().call_later(
            max(0.0, limit - spent_s), _wrap_up_overdue, ctx, ended
        )


def _wrap_up_overdue(ctx: HubContext, ended: EndedCall) -> None:
    """The queue's wrap-up time is up: close the work order, the agent goes back to work."""
    if ended.closed:
        return
    agent = ctx.live.agents.get(ended.agent_id)
    if agent is not None and agent.wrap_up is not ended:
        agent = None

    async def close() -> None:
        try:
            if ctx.shared_close is not None and not await ctx.shared_close(
                    ended.agent_id, ended.work_order_id, "unresolved", WRAP_UP_OVERDUE_NOTES):
                ended.closed = True  # a cluster's other hub has the seat's wrap-up now
                ctx.live.ended.pop(ended.work_order_id, None)
                return
            await close_ended(ctx, agent, ended, "unresolved", WRAP_UP_OVERDUE_NOTES)
            ctx.log.event("wrap_up_overdue", work_order_id=ended.work_order_id)
        except Exception as exc:  # a timer has nobody to raise to
            ctx.log.event("internal_error", where="wrap_up_overdue", error=repr(exc))
        dispatch.settle(ctx)

    ctx.tasks.spawn(close(), name="wrap_up_overdue")


async def on_rate(ctx: HubContext, session: Session, message: Rate) -> None:
    ended = ctx.live.ended.get(message.work_order_id)
    if ended is None or ended.citizen_session is not session:
        contact = ctx.live.contact_of_session.get(session.session_id)
        call = ctx.live.call_of_session.get(session.session_id)
        if call is not None:
            contact = call.contact
        if contact is not None and contact.work_order_id == message.work_order_id:
            raise Refusal("bad_state", "rate after the call has ended", "work_order_id")
        raise Refusal("no_such_work_order", "no call of yours to rate", "work_order_id")
    if ended.rated:
        raise Refusal("bad_state", "this work order is already rated", "work_order_id")
    ended.rated = True
    try:
        await ctx.ledger.rate(ended.work_order_id, message.score, message.comment, ctx.clock())
    except Exception:
        ended.rated = False
        raise
    ctx.live.today.rated(message.score, ctx.clock())
    session.send(Ack(of="rate", work_order_id=ended.work_order_id))
    _forget_if_done(ctx, ended)
    ctx.log.event("rated", work_order_id=ended.work_order_id, score=message.score)


def citizen_left(ctx: HubContext, session: Session) -> None:
    """Forget the finished work orders of a citizen who disconnected."""
    for ended in [e for e in ctx.live.ended.values() if e.citizen_session is session]:
        _forget_if_done(ctx, ended)


def _forget_if_done(ctx: HubContext, ended: EndedCall) -> None:
    if ended.closed and (ended.rated or ended.citizen_session.closing):
        ctx.live.ended.pop(ended.work_order_id, None)
