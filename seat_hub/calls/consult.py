"""Consult (warm transfer): the agent of a call (the host) asks a colleague (the guest).

``consult`` puts the citizen on hold (unless they are already), rings the guest (a
named ready agent, or the ready agent with the item's or theme's skill idle longest)
and tells both (``consult_state`` ``ringing``; the guest's carries ``TransferInfo``:
the note, verdicts, materials, chat and form values, as a cold transfer's offer
would). The guest answers (``consult_answer``); host and guest then talk agent to
agent on a peer of their own (the host offers, ``consult_sdp`` relayed here). The
host chooses (``consult_choice``):

- ``return``: the consult ends and the citizen comes off hold (unless they were on
  hold before it began). The guest may ``return`` too: they leave.
- ``three_way``: all three talk; the citizen comes off hold. The host's workstation
  is the centre (docs/protocol.md "Consult and three-way calls").
- ``hand_over`` (while talking, or in a three-way call, where it is the host
  leaving): the consult ends and the call is handed to the guest as a named cold
  transfer (``calls.transfer``): the guest's seat is offered the call with what the
  host knew and takes it (a new leg; the host's leg ends ``transferred``).

A consult declined, rung out, or whose guest logs out comes back to the host, told
why in Chinese; the citizen hanging up (or the host going) ends it for the guest.
Each consult is an audit row (``consult``, written first) and its outcome another.
The guest's seat is ``ringing`` and then ``on_call`` meanwhile (no citizen is
offered to it); the seat wall shows the consult on both seats.
"""

from __future__ import annotations

import asyncio
from typing import Final

from seat_common.personal_data.pii import opaque_reference
from seat_common.protocol import (
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultEndReason,
    ConsultRole,
    ConsultSdp,
    ConsultState,
    PartyPhase,
    PartyUpdate,
    TransferUpdate,
)
from seat_hub.calls import transfer
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent, Call, Consultation, Handover
from seat_hub.routing import dispatch, presence
from seat_hub.routing.acd import ROUTED_MODES
from seat_hub.routing.handover import TRANSFERRING
from seat_hub.storage.interface import MaterialIndex
from seat_hub.supervision.audit import record_first

#: What the host is told when a consult ends, by reason ({guest}: the colleague's name).
HOST_TOLD: Final[dict[ConsultEndReason, str]] = {
    "": "",
    "returned": "会商结束，已回到与市民的通话。",
    "declined": "{guest}拒绝了会商，已回到与市民的通话。",
    "timeout": "{guest}未在振铃时间内接听会商，已回到与市民的通话。",
    "agent_left": "{guest}已退出登录，会商结束。",
    "handed_over": "正在将通话交给{guest}…",
    "call_ended": "通话已结束，会商随之结束。",
}
#: What the guest is told when a consult ends ({host}: the colleague who asked).
GUEST_TOLD: Final[dict[ConsultEndReason, str]] = {
    "": "",
    "returned": "会商已结束。",
    "declined": "您拒绝了会商。",
    "timeout": "会商未接听，已取消。",
    "agent_left": "{host}已退出登录，会商结束。",
    "handed_over": "{host}已将市民的通话交给您。",
    "call_ended": "市民的通话已结束，会商随之结束。",
}
#: What the citizen is told when the colleague joins the three-way call, and leaves it.
CITIZEN_TOLD: Final[dict[PartyPhase, str]] = {
    "joined": "业务同事{guest}已加入通话，可以看到和听到您。",
    "left": "业务同事{guest}已离开通话。",
}


async def on_consult(
    ctx: HubContext, agent: Agent, message: Consult, materials: MaterialIndex | None
) -> None:
    call = _own_call(agent, message.call_id)
    guest = _guest(ctx, agent, call, message)
    wo = call.contact.work_order_id
    await record_first(ctx, agent.session, "consult", wo,
                       f"with {guest.agent_id} note {message.note[:200]}")
    info = await transfer.gather(ctx, agent, call.contact, materials, note=message.note,
                                 form=message.form, target="agent")
    # The awaits let other messages in: check again that all still stands.
    if agent.call is not call:
        raise Refusal("no_such_call", "the call ended before the consult began", "call_id")
    _own_call(agent, message.call_id)
    guest = _ready(ctx, agent, guest.agent_id)
    consult = Consultation(opaque_reference("K-"), call, agent, guest, info, ctx.clock(),
                           held_before=call.on_hold)
    call.consult = consult
    guest.consult = consult
    if not call.on_hold:
        transfer.set_hold(ctx, call, True)
    presence.change_state(ctx, guest, "ringing")
    consult.timer = asyncio.get_running_loop().call_later(
        ctx.settings.ring_timeout_s, _ring_timeout, ctx, consult
    )
    _tell(ctx, consult)
    ctx.log.event("consult", consult_id=consult.consult_id, work_order_id=wo,
                  call_id=call.call_id, agent_id=agent.agent_id, guest_id=guest.agent_id)


def _own_call(agent: Agent, call_id: str) -> Call:
    call = agent.call
    if call is None or call.call_id != call_id:
        raise Refusal("no_such_call", "you are not in a call with this id", "call_id")
    if call.contact.handover is not None:
        raise Refusal("bad_state", "该通话正在转接中", "call_id")
    if call.consult is not None:
        raise Refusal("bad_state", "已在会商中", "call_id")
    if call.watch is not None and call.watch.phase == "joined":
        # One second picture for the citizen: the supervisor's (supervision/watch.py).
        raise Refusal("bad_state", "值班长已加入通话，请等值班长退出后再会商", "call_id")
    return call


def _guest(ctx: HubContext, agent: Agent, call: Call, message: Consult) -> Agent:
    """The named agent, or the ready agent with the skill that has been idle longest."""
    if message.to_kind == "agent":
        return _ready(ctx, agent, message.to)
    skill = transfer.skill_of(ctx, call.contact, message.to_kind, message.to)
    ready = [a for a in ctx.live.agents.values()
             if a is not agent and skill in a.seat.skills and _takes_consults(a)]
    if not ready:
        raise Refusal("bad_state", "该队列当前没有空闲的坐席，请稍后再试", "to")
    return min(ready, key=lambda a: (a.idle_since, a.agent_id))


def _ready(ctx: HubContext, agent: Agent, agent_id: str) -> Agent:
    guest = ctx.live.agents.get(agent_id)
    if agent_id == agent.agent_id:
        raise Refusal("bad_message", "不能与自己会商", "to")
    if guest is None:
        raise Refusal("no_such_agent", "该坐席未登录", "to")
    if not _takes_consults(guest):
        raise Refusal("bad_state", f"{guest.seat.name}当前不是空闲状态，无法会商", "to")
    return guest


def _takes_consults(agent: Agent) -> bool:
    return (agent.state == "ready" and agent.mode in ROUTED_MODES and agent.offer is None
            and agent.consult is None and agent.call is None)


def _ring_timeout(ctx: HubContext, consult: Consultation) -> None:
    if consult.phase != "ringing" or consult.guest.consult is not consult:
        return
    try:
        end(ctx, consult, "timeout")
        dispatch.settle(ctx)
    except Exception as exc:  # a timer callback has nobody to raise to
        ctx.log.event("internal_error", where="consult_timeout", error=repr(exc))


def _consult_of(agent: Agent, consult_id: str) -> tuple[Consultation, ConsultRole]:
    """The consult ``consult_id`` of this agent, and whether they host it or are its guest."""
    hosted = agent.call.consult if agent.call is not None else None
    if hosted is not None and hosted.consult_id == consult_id:
        return hosted, "host"
    if agent.consult is not None and agent.consult.consult_id == consult_id:
        return agent.consult, "guest"
    raise Refusal("no_such_call", "no such consult of yours", "consult_id")


def on_consult_answer(ctx: HubContext, agent: Agent, message: ConsultAnswer) -> None:
    consult, role = _consult_of(agent, message.consult_id)
    if role != "guest" or consult.phase != "ringing":
        raise Refusal("bad_state", "没有等待您接听的会商", "consult_id")
    if not message.accept:
        end(ctx, consult, "declined")
        return
    if consult.timer is not None:
        consult.timer.cancel()
    consult.phase = "talking"
    presence.change_state(ctx, agent, "on_call")
    _tell(ctx, consult)
    ctx.log.event("consult_answered", consult_id=consult.consult_id, agent_id=agent.agent_id)


def on_consult_sdp(ctx: HubContext, agent: Agent, message: ConsultSdp) -> None:
    """Relay the host's offer to the guest and the guest's answer back."""
    consult, role = _consult_of(agent, message.consult_id)
    if consult.phase not in ("talking", "three_way"):
        raise Refusal("bad_state", "the consult is not answered yet", "consult_id")
    if (role == "host") != (message.sdp_type == "offer"):
        raise Refusal("bad_message", "the host offers and the guest answers", "sdp_type")
    other = consult.guest if role == "host" else consult.host
    other.session.send(message)


def on_consult_choice(ctx: HubContext, agent: Agent, message: ConsultChoice) -> None:
    consult, role = _consult_of(agent, message.consult_id)
    choice = message.choice
    if role == "guest" and choice != "return":
        raise Refusal("not_allowed", "只有发起会商的坐席可以转为三方通话或移交", "choice")
    if choice == "return":
        end(ctx, consult, "returned")
        return
    if consult.phase == "ringing":
        raise Refusal("bad_state", "对方尚未接听会商", "choice")
    if choice == "three_way":
        if consult.phase == "three_way":
            raise Refusal("bad_state", "已是三方通话", "choice")
        consult.phase = "three_way"
        if consult.call.on_hold:
            transfer.set_hold(ctx, consult.call, False)
        _tell(ctx, consult)
        _tell_citizen(consult, "joined")
        ctx.log.event("three_way", consult_id=consult.consult_id,
                      call_id=consult.call.call_id)
        return
    hand_over(ctx, consult)


def hand_over(ctx: HubContext, consult: Consultation) -> None:
    """The host leaves the call to the guest: a named transfer the guest's seat takes."""
    call, guest = consult.call, consult.guest
    contact = call.contact
    end(ctx, consult, "handed_over")
    contact.handover = Handover(
        info=consult.info, from_agent_id=consult.host.agent_id, target="agent",
        skill=contact.item.skill, target_agent_id=guest.agent_id, started_at=ctx.clock(),
        call=call, on_hold=False,
    )
    name = guest.seat.name[:200]
    contact.session.send(TransferUpdate(work_order_id=contact.work_order_id, phase="ringing",
                                        message=TRANSFERRING, target_name=name))
    dispatch.offer(ctx, contact, guest)
    _audit(ctx, consult, "hand_over")


def end(ctx: HubContext, consult: Consultation, reason: ConsultEndReason,
        gone: Agent | None = None) -> None:
    """End the consult: both told why; the host is back with the citizen (off hold unless
    they were on hold before), the guest back to work (unless the call is handed to them,
    or they are gone)."""
    if consult.timer is not None:
        consult.timer.cancel()
    call, host, guest = consult.call, consult.host, consult.guest
    if call.consult is consult:
        call.consult = None
    if guest.consult is consult:
        guest.consult = None
    # The citizen saw the colleague: say they left, unless the call itself is over or
    # the colleague is taking it (the transfer says so).
    if consult.phase == "three_way" and reason not in ("call_ended", "handed_over"):
        _tell_citizen(consult, "left")
    consult.phase = "ended"
    _tell(ctx, consult, reason, gone)
    live = ctx.live.calls.get(call.call_id) is call
    if live and reason != "call_ended" and call.on_hold != consult.held_before:
        transfer.set_hold(ctx, call, consult.held_before)
    if reason != "handed_over" and gone is not guest and guest.state in ("ringing", "on_call"):
        presence.back_to_work(ctx, guest)
    ctx.seat_changed(host.agent_id)
    ctx.seat_changed(guest.agent_id)
    ctx.log.event("consult_ended", consult_id=consult.consult_id, reason=reason)
    if reason != "handed_over":
        _audit(ctx, consult, reason)


def call_ending(ctx: HubContext, call: Call) -> None:
    """The call ends (a hang-up, the citizen gone): so does its consult."""
    if call.consult is not None:
        end(ctx, call.consult, "call_ended")


def agent_gone(ctx: HubContext, agent: Agent) -> None:
    """A host or guest logged out or lost its link: the consult ends for the other."""
    if agent.consult is not None:
        end(ctx, agent.consult, "agent_left", gone=agent)
    if agent.call is not None and agent.call.consult is not None:
        end(ctx, agent.call.consult, "agent_left", gone=agent)


def _tell(ctx: HubContext, consult: Consultation, reason: ConsultEndReason = "",
          gone: Agent | None = None) -> None:
    host, guest = consult.host, consult.guest
    names = {"host": host.seat.name[:200], "guest": guest.seat.name[:200]}
    contact = consult.call.contact
    for role, agent in (("host", host), ("guest", guest)):
        if agent is gone:
            continue
        told = (HOST_TOLD if role == "host" else GUEST_TOLD)[reason].format(**names)
        agent.session.send(ConsultState(
            consult_id=consult.consult_id, call_id=consult.call.call_id,
            work_order_id=contact.work_order_id, role="host" if role == "host" else "guest",
            phase=consult.phase, host_id=host.agent_id, host_name=names["host"],
            guest_id=guest.agent_id, guest_name=names["guest"], item_name=contact.item.name,
            media=contact.media, reason=reason, message=told[:200],
            info=(consult.info,) if role == "guest" and consult.phase == "ringing" else (),
        ))
    ctx.seat_changed(host.agent_id)
    ctx.seat_changed(guest.agent_id)


def _tell_citizen(consult: Consultation, phase: PartyPhase) -> None:
    """The citizen's page or kiosk shows the colleague's picture only while they are in."""
    call = consult.call
    told = CITIZEN_TOLD[phase].format(guest=consult.guest.seat.name[:100])
    call.citizen_session.send(PartyUpdate(call_id=call.call_id, party="colleague", phase=phase,
                                          message=told[:200]))


def _audit(ctx: HubContext, consult: Consultation, result: str) -> None:
    async def write() -> None:
        await ctx.audit.record(at=ctx.clock(), supervisor_id=consult.host.agent_id,
                               action="consult", target=consult.call.contact.work_order_id,
                               detail=f"with {consult.guest.agent_id}", result=result)

    ctx.tasks.spawn(write(), name="consult_audit")
