"""Offers: matching waiting citizens to ready agents and what becomes of each offer.

``settle`` runs after every event that may free an agent or add a contact:
it asks ``acd.plan_dispatch`` for a plan, rings the chosen agents
(``Offer``, with the citizen's personal data masked) and then has what
changed published (``HubContext.publish_soon``). An offer ends in exactly
one way: accepted (the call starts), declined, rung out (``--ring-timeout``;
after ``--max-missed`` in a row the agent goes away with reason
``missed_offers``, as FreeSWITCH mod_callcenter does), the citizen left, or
the agent left. A contact whose offer ends without an answer keeps its
place: its original queue time.
"""

from __future__ import annotations

import asyncio

from seat_common.personal_data.pii import opaque_reference
from seat_common.protocol import (
    Accept,
    CallRole,
    CallStarted,
    Decline,
    Offer,
    OfferWithdrawn,
    WithdrawReason,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent, Call, Contact, Ringing
from seat_hub.routing import handover, presence, queueviews
from seat_hub.routing.acd import AgentView, plan_dispatch
from seat_hub.storage.records import OfferResult
from seat_hub.supervision.figures import user_of

_RESULTS: dict[WithdrawReason, OfferResult] = {
    "timeout": "timeout",
    "declined": "declined",
    "citizen_left": "withdrawn",
    "agent_left": "agent_left",
}

#: Shown to the agent as the caller's name when the citizen gave none.
ANONYMOUS_CITIZEN = "市民"


def settle(ctx: HubContext) -> None:
    """Offer whoever can be offered now, then (soon) publish what changed."""
    # A citizen whose link dropped keeps their place but is not offered until back.
    waiting = [
        queueviews.waiting_view(c)
        for c in ctx.live.contacts.values()
        if c.offer is None and c.session.open
    ] if ctx.plans_offers else []
    if waiting:
        agents = [
            AgentView(a.agent_id, a.state, a.mode, a.seat.skills, a.idle_since)
            for a in ctx.live.agents.values()
        ]
        plan = plan_dispatch(waiting, agents)
        for work_order_id in plan.exclusions_reset:
            ctx.live.contacts[work_order_id].excluded.clear()
            ctx.log.event("exclusions_reset", work_order_id=work_order_id)
        for assignment in plan.assignments:
            contact = ctx.live.contacts[assignment.work_order_id]
            offer(ctx, contact, ctx.live.agents[assignment.agent_id])
    ctx.publish_soon()


def offer(ctx: HubContext, contact: Contact, agent: Agent, call_id: str = "") -> None:
    """Ring ``agent`` with ``contact`` now (as ``call_id`` when the offer was made
    elsewhere: a cluster's dispatch names its calls)."""
    now = ctx.clock()
    # Both present since: the later of the citizen queueing and the agent becoming ready.
    dispatch_ms = max(0.0, now - max(contact.queued_at, agent.idle_since)) * 1000
    ringing = Ringing(call_id or opaque_reference("C-"), contact, agent, now)
    contact.offer = ringing
    agent.offer = ringing
    ctx.queue_changed()
    presence.change_state(ctx, agent, "ringing")
    agent.session.send(
        Offer(
            call_id=ringing.call_id,
            work_order_id=contact.work_order_id,
            item_code=contact.item.code,
            item_name=contact.item.name,
            channel=contact.channel,
            priority=contact.priority,
            media=contact.media,
            citizen=queueviews.masked(contact.citizen),
            queued_at=contact.queued_at,
            ring_timeout_s=ctx.settings.ring_timeout_s,
            priority_check=contact.priority_check,
            large_text=contact.large_text,
            transfer=(contact.handover.info,) if contact.handover is not None else (),
        )
    )
    ringing.timer = asyncio.get_running_loop().call_later(
        ctx.settings.ring_timeout_s, _ring_timeout, ctx, ringing
    )
    ctx.ledger.record_offer(contact.work_order_id, ringing.call_id, agent.agent_id, now)
    ctx.log.event(
        "offer",
        call_id=ringing.call_id,
        work_order_id=contact.work_order_id,
        agent_id=agent.agent_id,
        item_code=contact.item.code,
        priority=contact.priority,
        excluded=sorted(contact.excluded),
        dispatch_ms=round(dispatch_ms, 3),
    )


def _ring_timeout(ctx: HubContext, ringing: Ringing) -> None:
    if ringing.agent.offer is not ringing:
        return  # already answered, declined or withdrawn
    try:
        withdraw_offer(ctx, ringing, "timeout")
        settle(ctx)
    except Exception as exc:  # a timer callback has nobody to raise to
        ctx.log.event("internal_error", where="ring_timeout", error=repr(exc))


def _ringing(agent: Agent, call_id: str) -> Ringing:
    ringing = agent.offer
    if ringing is None or ringing.call_id != call_id:
        raise Refusal("no_such_call", "no such offer ringing at this seat", "call_id")
    return ringing


def withdraw_offer(ctx: HubContext, ringing: Ringing, reason: WithdrawReason) -> None:
    """End an unanswered offer; the contact waits again, the agent moves on."""
    agent, contact = ringing.agent, ringing.contact
    if ringing.timer is not None:
        ringing.timer.cancel()
    agent.offer = None
    contact.offer = None
    ctx.queue_changed()
    ctx.ledger.record_offer_result(ringing.call_id, _RESULTS[reason], ctx.clock())
    ctx.log.event(
        "offer_withdrawn",
        call_id=ringing.call_id,
        work_order_id=contact.work_order_id,
        agent_id=agent.agent_id,
        reason=reason,
    )
    handover.offer_ended(ctx, contact, reason, agent.seat.name)
    if reason in ("timeout", "declined"):
        contact.excluded.add(agent.agent_id)
    if reason == "agent_left":
        return  # the agent is gone; the caller takes them off the roster
    agent.session.send(OfferWithdrawn(call_id=ringing.call_id, reason=reason))
    if reason == "timeout":
        agent.missed_offers += 1
        if agent.missed_offers >= ctx.settings.max_missed:
            presence.change_state(ctx, agent, "away", "missed_offers")
            return
    presence.back_to_work(ctx, agent)


def on_decline(ctx: HubContext, agent: Agent, message: Decline) -> None:
    withdraw_offer(ctx, _ringing(agent, message.call_id), "declined")


def on_accept(ctx: HubContext, agent: Agent, message: Accept) -> None:
    ringing = _ringing(agent, message.call_id)
    contact = ringing.contact
    if ringing.timer is not None:
        ringing.timer.cancel()
    agent.offer = None
    contact.offer = None
    # A citizen transferred to this agent by name was never back in the queue.
    ctx.live.contacts.pop(contact.work_order_id, None)
    ctx.live.contact_of_session.pop(contact.session.session_id, None)
    ctx.queue_changed()
    first_answer = handover.counts_as_answer(contact)
    held = contact.handover is not None and contact.handover.on_hold
    if contact.handover is not None:
        handover.answered(ctx, contact, agent)  # the first agent's leg ends here
    contact.legs += 1
    now = ctx.clock()
    call = Call(ringing.call_id, contact, agent, now)
    ctx.live.calls[call.call_id] = call
    ctx.live.call_of_session[contact.session.session_id] = call
    ctx.live.call_of_session[agent.session.session_id] = call
    agent.call = call
    agent.missed_offers = 0
    if first_answer:  # a transferred call counts once in today's figures
        who = user_of(ctx.citizen_keys.key_of(contact.citizen), contact.work_order_id)
        ctx.live.today.answered_call(contact.queued_at, now, who)
    ctx.ledger.record_answer(contact.work_order_id, call.call_id, agent.agent_id, now)
    presence.change_state(ctx, agent, "on_call")
    citizen_name = contact.citizen.name or contact.session.name or ANONYMOUS_CITIZEN
    recorded = ctx.settings.record_calls
    contact.session.send(_call_started(call, "caller", agent.seat.name, recorded))
    agent.session.send(_call_started(call, "callee", citizen_name, recorded))
    handover.carry_hold(ctx, call, held)
    ctx.log.event(
        "call_started",
        call_id=call.call_id,
        work_order_id=contact.work_order_id,
        agent_id=agent.agent_id,
        waited_s=round(now - contact.queued_at, 3),
        recorded=recorded,
    )


def call_started_for(ctx: HubContext, call: Call, role: CallRole, peer_name: str) -> CallStarted:
    """``call_started`` again, for a party that resumed the call on a new connection."""
    return _call_started(call, role, peer_name or ANONYMOUS_CITIZEN, ctx.settings.record_calls)


def _call_started(call: Call, role: CallRole, peer_name: str, recorded: bool) -> CallStarted:
    contact = call.contact
    return CallStarted(
        call_id=call.call_id,
        work_order_id=contact.work_order_id,
        call_role=role,
        peer_name=peer_name[:200],
        item_code=contact.item.code,
        item_name=contact.item.name,
        channel=contact.channel,
        media=contact.media,
        recorded=recorded,
    )
