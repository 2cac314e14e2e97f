"""Agent presence: the state and mode of each seat, and the rules for changing them.

The hub decides an agent's state; the agent asks with ``SetState`` and
``SetMode`` and hears the result as ``Presence`` (sent on login and on
every change). ready ↔ away freely; ringing and on_call only the call flow
changes; from wrap_up only a ``WrapUp`` gets the agent back. Counter mode
(综窗) takes the seat out of routing (switched during a call: after it); so does
an open walk-in in combined mode (``calls.walk_ins``), which also keeps the seat
from switching to video mode until it is closed.
"""

from __future__ import annotations

from seat_common.protocol import AgentState, AwayReason, Presence, SetMode, SetState
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent
from seat_hub.parties.seats import Seat
from seat_hub.parties.session import Session
from seat_hub.routing.acd import ROUTED_MODES


def log_in(ctx: HubContext, session: Session, seat: Seat) -> Agent:
    """A new agent session: away (or counter, for a counter seat), or in wrap-up if
    the seat still owes the wrap-up of a call that ended while it was gone, or serving
    the walk-in it left open (``calls.walk_ins``)."""
    now = ctx.clock()
    state: AgentState = "away" if seat.mode in ROUTED_MODES else "counter"
    agent = Agent(
        seat=seat, session=session, state=state, mode=seat.mode, since=now, idle_since=now
    )
    for ended in ctx.live.ended.values():
        if ended.agent_id == seat.agent_id and not ended.closed:
            agent.state = "wrap_up"
            agent.wrap_up = ended
            break
    walk_in = ctx.live.walk_ins.get(seat.agent_id)
    if walk_in is not None and agent.wrap_up is None:
        # The walk-in left open when the link dropped: still served, still out of routing.
        agent.walk_in = walk_in
        agent.state = "counter"
    ctx.live.agents[seat.agent_id] = agent
    send_presence(ctx, agent)
    return agent


def send_presence(ctx: HubContext, agent: Agent) -> None:
    ctx.seat_changed(agent.agent_id)
    agent.session.send(
        Presence(
            state=agent.state,
            mode=agent.mode,
            reason=agent.reason,
            since=agent.since,
            missed_offers=agent.missed_offers,
            work_order_id=current_work_order(agent),
        )
    )
    ctx.log.event(
        "presence",
        agent_id=agent.agent_id,
        state=agent.state,
        mode=agent.mode,
        reason=agent.reason,
        missed_offers=agent.missed_offers,
    )


def current_work_order(agent: Agent) -> str:
    """The work order the agent is being offered, is serving, or owes a wrap-up for."""
    work = agent.work()
    return work.work_order_id if work is not None else ""


def change_state(ctx: HubContext, agent: Agent, state: AgentState, reason: AwayReason = "") -> None:
    """Set the agent's state and tell them; becoming ready makes them idle from now."""
    now = ctx.clock()
    if state == "ready":
        agent.idle_since = now
    agent.state = state
    agent.reason = reason if state == "away" else ""
    agent.since = now
    send_presence(ctx, agent)


def back_to_work(ctx: HubContext, agent: Agent) -> None:
    """After an offer or a wrap-up: ready again, or counter if the seat switched modes."""
    change_state(ctx, agent, "ready" if agent.mode in ROUTED_MODES else "counter")


def on_set_state(ctx: HubContext, agent: Agent, message: SetState) -> None:
    if agent.state in ("ringing", "on_call"):
        raise Refusal("bad_state", f"cannot change state while {agent.state}", "state")
    if agent.state == "wrap_up":
        raise Refusal("bad_state", "finish the wrap-up first", "state")
    if agent.walk_in is not None:
        raise Refusal("bad_state", "the seat is serving a walk-in; close it first", "state")
    if agent.mode not in ROUTED_MODES:
        raise Refusal("bad_state", "the seat is in counter mode; switch mode first", "state")
    if message.state == "ready":
        if message.reason:
            raise Refusal("bad_message", "a reason is only for away", "reason")
        if agent.state == "away":
            # Coming back is a fresh start: missed offers count "in a row".
            agent.missed_offers = 0
        change_state(ctx, agent, "ready")
    else:
        change_state(ctx, agent, "away", message.reason)


def on_set_mode(ctx: HubContext, agent: Agent, message: SetMode) -> None:
    # During a call the switch takes effect after it: the seat is busy (not routed)
    # until its wrap-up, and ``back_to_work`` then puts a counter seat in ``counter``.
    if agent.state == "ringing":
        raise Refusal("bad_state", "cannot change mode while ringing; answer or decline", "mode")
    if agent.walk_in is not None:
        # The walk-in keeps the seat at its counter, out of routing, until it is closed.
        if message.mode == "video":
            raise Refusal("bad_state", "the seat is serving a walk-in; close it first", "mode")
        if agent.mode != message.mode:
            agent.walk_in.resume_state, agent.walk_in.resume_reason = "away", ""
        agent.mode = message.mode
        send_presence(ctx, agent)
        return
    agent.mode = message.mode
    if message.mode not in ROUTED_MODES and agent.state in ("ready", "away"):
        change_state(ctx, agent, "counter")
    elif message.mode in ROUTED_MODES and agent.state == "counter":
        change_state(ctx, agent, "away")
    else:
        # Same state (video ↔ combined keeps ready; wrap-up stays until done).
        send_presence(ctx, agent)
