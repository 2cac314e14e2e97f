"""A supervisor watching a live call, barging in with their voice, or joining it.

The hub only brokers: it checks who may watch what, names the watch, tells
both the supervisor and the agent (``WatchState``) and relays the two
parties' session descriptions (``WatchSdp``). The media flows between the
agent's workstation (the offerer: the citizen's camera and the call's two
voices) and the supervisor's seat wall; the citizen's own connection is not
touched. One supervisor watches a call at a time.

A watch ends when the supervisor stops it, when the agent's workstation
reports that its side failed, when the call ends, or when either party goes
away; the party still there hears ``WatchState`` ``ended`` with the reason.
``watch_call``, ``barge_in`` and ``stop_watch`` from a supervisor are audited
like every other supervisor action.

Joining (``join_call``, or ``watch_call`` with ``join`` for one click from the wall): the
watch's phase becomes ``joined`` and the supervisor is the call's third party, as a
consulted colleague is in a three-way call: the agent's workstation relays their picture
to the citizen and mixes their voice into what the citizen and the agent hear, and sends
the supervisor the agent's camera besides the citizen's (the watch peer carries that
section from the start, dark until joined, so nothing is renegotiated). The citizen is
told (``PartyUpdate``) when the supervisor joins and when they leave. A call with a
consult (on hold, or already three-way), a transfer under way or the citizen on hold
cannot be joined: there is one second picture for the citizen, and a held citizen hears
no one (so while joined, the agent's consult and hold are refused: calls/). Joining and
leaving are audited (``join_call``, ``leave_call``).
"""

from __future__ import annotations

from typing import Final

from seat_common.personal_data.pii import opaque_reference
from seat_common.protocol import (
    BargeIn,
    JoinCall,
    PartyPhase,
    PartyUpdate,
    StopWatch,
    WatchCall,
    WatchEndReason,
    WatchPhase,
    WatchSdp,
    WatchState,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Call, Watch
from seat_hub.parties.session import Session
from seat_hub.supervision import hands
from seat_hub.supervision.audit import audited

#: What the citizen is told when a supervisor joins the call, and when they leave it.
JOINED: Final = "值班长已加入通话，可以看到和听到您与工作人员。"
LEFT: Final = "值班长已离开通话。"


def _state(watch: Watch, reason: WatchEndReason = "") -> WatchState:
    return WatchState(
        watch_id=watch.watch_id,
        call_id=watch.call.call_id,
        agent_id=watch.call.agent.agent_id,
        supervisor_id=watch.supervisor.agent_id,
        supervisor_name=watch.supervisor.name[:200],
        phase=watch.phase,
        reason=reason,
    )


def _tell_both(ctx: HubContext, watch: Watch, reason: WatchEndReason = "") -> None:
    """Tell the supervisor and the agent; the seat wall's tile follows too."""
    state = _state(watch, reason)
    watch.supervisor.send(state)
    watch.call.agent.session.send(state)
    ctx.seat_changed(watch.call.agent.agent_id)


def _supervisors_watch(ctx: HubContext, session: Session, watch_id: str) -> Watch:
    watch = ctx.live.watches.get(watch_id)
    if watch is None or watch.supervisor is not session:
        raise Refusal("no_such_call", "no such watch of yours", "watch_id")
    return watch


async def on_watch_call(ctx: HubContext, session: Session, message: WatchCall) -> None:
    watch_id = opaque_reference("w-", 6)
    seated = ctx.live.agents.get(message.agent_id)
    on_call = seated.call if seated is not None else None
    detail = f"call {on_call.call_id} watch {watch_id}" if on_call else ""

    def act() -> None:
        agent = ctx.agent_at_seat(message.agent_id)
        call = agent.call
        if call is None:
            raise Refusal("bad_state", "that agent is not on a call", "agent_id")
        if call.watch is not None:
            raise Refusal("bad_state", "that call is already watched", "agent_id")
        if message.join:
            _joinable(call, "agent_id")
        watch = Watch(watch_id, call, session, "joined" if message.join else "watching")
        call.watch = watch
        ctx.live.watches[watch_id] = watch
        ctx.log.event("watch_started", watch_id=watch_id, call_id=call.call_id,
                      agent_id=agent.agent_id, supervisor=session.agent_id,
                      joined=message.join)
        _tell_both(ctx, watch)
        if message.join:
            _tell_citizen(call, "joined")

    action = "join_call" if message.join else "watch_call"
    await audited(ctx, session, action, message.agent_id, detail, act)
    hands.answered(ctx, message.agent_id, session, "join" if message.join else "watch")


def _joinable(call: Call, where: str) -> None:
    """Refuse to join ``call`` while it cannot take a third party (see the docstring)."""
    if call.consult is not None:
        raise Refusal("bad_state", "该通话正在会商或三方通话中，值班长暂不能加入", where)
    if call.contact.handover is not None:
        raise Refusal("bad_state", "该通话正在转接中，值班长暂不能加入", where)
    if call.on_hold:
        raise Refusal("bad_state", "市民正处于保持状态，值班长暂不能加入", where)


def _tell_citizen(call: Call, phase: PartyPhase) -> None:
    call.citizen_session.send(PartyUpdate(call_id=call.call_id, party="supervisor", phase=phase,
                                          message=JOINED if phase == "joined" else LEFT))


async def on_join_call(ctx: HubContext, session: Session, message: JoinCall) -> None:
    known = ctx.live.watches.get(message.watch_id)
    target = known.call.agent.agent_id if known is not None else ""

    def act() -> None:
        watch = _supervisors_watch(ctx, session, message.watch_id)
        if message.on:
            if watch.phase == "joined":
                raise Refusal("bad_state", "您已加入该通话", "on")
            _joinable(watch.call, "watch_id")
            watch.phase = "joined"
        else:
            if watch.phase != "joined":
                raise Refusal("bad_state", "您没有加入该通话", "on")
            watch.phase = "watching"
        _tell_both(ctx, watch)
        _tell_citizen(watch.call, "joined" if message.on else "left")
        ctx.log.event("watch_joined" if message.on else "watch_left",
                      watch_id=watch.watch_id, call_id=watch.call.call_id)

    action = "join_call" if message.on else "leave_call"
    await audited(ctx, session, action, target, f"watch {message.watch_id}", act)
    if message.on and known is not None:
        hands.answered(ctx, target, session, "join")


async def on_barge_in(ctx: HubContext, session: Session, message: BargeIn) -> None:
    known = ctx.live.watches.get(message.watch_id)
    target = known.call.agent.agent_id if known is not None else ""

    def act() -> None:
        watch = _supervisors_watch(ctx, session, message.watch_id)
        if watch.phase == "joined":
            raise Refusal("bad_state", "您已加入通话，大家都能听到您；要只监看请先退出通话", "on")
        phase: WatchPhase = "barging" if message.on else "watching"
        if watch.phase != phase:
            watch.phase = phase
            _tell_both(ctx, watch)

    detail = f"watch {message.watch_id} {'on' if message.on else 'off'}"
    await audited(ctx, session, "barge_in", target, detail, act)


async def on_stop_watch(ctx: HubContext, session: Session, message: StopWatch) -> None:
    watch = ctx.live.watches.get(message.watch_id)
    if session.role == "agent":
        # The watched agent's workstation gives up: its media side failed.
        if watch is None or watch.call.agent.session is not session:
            raise Refusal("no_such_call", "no such watch of your call", "watch_id")
        end(ctx, watch, "media_failed")
        return
    target = watch.call.agent.agent_id if watch is not None else ""

    def act() -> None:
        end(ctx, _supervisors_watch(ctx, session, message.watch_id), "stopped")

    await audited(ctx, session, "stop_watch", target, f"watch {message.watch_id}", act)


def on_watch_sdp(ctx: HubContext, session: Session, message: WatchSdp) -> None:
    """Relay a session description to the other party of the watch, and to no one else."""
    watch = ctx.live.watches.get(message.watch_id)
    if watch is None:
        raise Refusal("no_such_call", "no such watch", "watch_id")
    agent_session = watch.call.agent.session
    if session is agent_session:
        watch.supervisor.send(message)
    elif session is watch.supervisor:
        agent_session.send(message)
    else:
        raise Refusal("not_allowed", "not a party of this watch", "watch_id")


def end(ctx: HubContext, watch: Watch, reason: WatchEndReason) -> None:
    """End ``watch`` and tell both parties (a gone party's send is dropped)."""
    if ctx.live.watches.pop(watch.watch_id, None) is None:
        return
    watch.call.watch = None
    if watch.phase == "joined" and reason in ("stopped", "supervisor_left", "media_failed"):
        _tell_citizen(watch.call, "left")  # the call goes on without them
    watch.phase = "ended"
    _tell_both(ctx, watch, reason)
    ctx.log.event("watch_ended", watch_id=watch.watch_id, call_id=watch.call.call_id,
                  reason=reason)


def call_ended(ctx: HubContext, call: Call, reason: WatchEndReason = "call_ended") -> None:
    """The call is over (or its agent went away): its watch ends with it."""
    if call.watch is not None:
        end(ctx, call.watch, reason)


def supervisor_gone(ctx: HubContext, session: Session) -> None:
    """A supervisor's connection closed: the agents they watched are told."""
    for watch in [w for w in ctx.live.watches.values() if w.supervisor is session]:
        end(ctx, watch, "supervisor_left")
