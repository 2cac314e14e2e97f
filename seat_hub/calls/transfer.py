"""Cold transfer: an agent hands a live call on to a named agent or to a skill queue.

``Transfer`` is checked here (the sender's live call, exactly one target that exists,
a named agent who is ready right now and is not the sender), an audit row is written
first (``record_first``), and the new agent's offer carries ``TransferInfo``: the
note, the newest pre-review verdict, the work order's materials, the chat transcript
and the first agent's form values. One work order follows the citizen; each agent's
stretch of the call is a row of the ledger's ``call_legs`` (written as it ends).

- To a **named agent**: the first agent keeps the call (the citizen keeps the
  picture and sound) while the target rings. The target answering ends the first
  agent's leg (``call_ended`` with reason ``transferred``; they go straight back to
  work: the work order is not theirs to wrap up) and starts the call with the target.
  The target declining, letting it ring out or logging out gives the call back to
  the first agent, who is told why in Chinese (``transfer_update`` ``returned``).
- To a **skill queue** (``to_kind`` ``item`` or ``theme``): the first agent's leg ends at once
  and the citizen waits at the head of that queue, ahead of new arrivals
  (``acd.contact_order_key``), told ``正在为您转接…``; the first agent to come ready
  with the skill rings (not the one who handed it on, while anyone else could).
"""

from __future__ import annotations

from collections import Counter
from typing import Final, cast

from seat_common.protocol import (
    ChatLine,
    FormValue,
    Hold,
    HoldState,
    Role,
    Transfer,
    TransferInfo,
    TransferTarget,
    TransferTo,
    TransferUpdate,
    VerdictEntry,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent, Call, Contact, Handover
from seat_hub.routing import dispatch
from seat_hub.routing.acd import ROUTED_MODES
from seat_hub.routing.handover import (
    OFF_HOLD,
    ON_HOLD,
    TRANSFERRING,
    WAITING_AT_HEAD,
    end_leg,
)
from seat_hub.storage.interface import MaterialIndex
from seat_hub.supervision.audit import record_first

#: Chat lines carried to the new agent (the newest).
CHAT_CARRIED: Final = 50


async def on_transfer(
    ctx: HubContext, agent: Agent, message: Transfer, materials: MaterialIndex | None
) -> None:
    call = agent.call
    if call is None or call.call_id != message.call_id:
        raise Refusal("no_such_call", "you are not in a call with this id", "call_id")
    contact = call.contact
    if contact.handover is not None:
        raise Refusal("bad_state", "该通话正在转接中", "call_id")
    if call.consult is not None:
        raise Refusal("bad_state", "正在会商中：请先结束会商", "call_id")
    target, skill, handed_to = _target(ctx, agent, contact, message)
    item = ctx.catalog.item(message.to) if message.to_kind == "item" else None
    wo = contact.work_order_id
    await record_first(ctx, agent.session, "transfer", wo,
                       f"to {handed_to} note {message.note[:200]}")
    info = await gather(ctx, agent, contact, materials, note=message.note, form=message.form,
                        target="agent" if message.to_kind == "agent" else "skill")
    # The awaits let other messages in: check again that all still stands.
    if agent.call is not call or contact.handover is not None or call.consult is not None:
        raise Refusal("no_such_call", "the call ended before it could be handed on", "call_id")
    if target is not None:
        target = _ready_agent(ctx, agent, target.agent_id)
    now = ctx.clock()
    contact.handover = Handover(
        info=info,
        from_agent_id=agent.agent_id,
        target="agent" if target is not None else "skill",
        skill=skill,
        target_agent_id=target.agent_id if target is not None else "",
        started_at=now,
        call=call if target is not None else None,
        on_hold=call.on_hold,
    )
    ctx.log.event("transfer", work_order_id=wo, call_id=call.call_id,
                  agent_id=agent.agent_id, to=handed_to, skill=skill)
    if target is not None:
        name = target.seat.name
        contact.session.send(TransferUpdate(work_order_id=wo, phase="ringing",
                                            message=TRANSFERRING, target_name=name))
        agent.session.send(TransferUpdate(work_order_id=wo, phase="ringing",
                                          message=f"正在转接给{name}…", target_name=name))
        dispatch.offer(ctx, contact, target)
        return
    end_leg(ctx, call, handed_to, message.note)
    if item is not None and item.code != contact.item.code:
        contact.item = item  # the work order moves to the item it is handed on for
        ctx.ledger.move_item(wo, item.code)
    contact.excluded = {agent.agent_id}
    contact.offer = None
    ctx.live.contacts[wo] = contact
    ctx.live.contact_of_session[contact.session.session_id] = contact
    ctx.queue_changed()
    contact.session.send(TransferUpdate(work_order_id=wo, phase="waiting",
                                        message=WAITING_AT_HEAD))


def _target(
    ctx: HubContext, agent: Agent, contact: Contact, message: Transfer
) -> tuple[Agent | None, str, str]:
    """The named agent (or None), the skill queue and how the ledger names the target."""
    if message.to_kind == "agent":
        target = _ready_agent(ctx, agent, message.to)
        return target, contact.item.skill, target.agent_id
    skill = skill_of(ctx, contact, message.to_kind, message.to)
    return None, skill, f"skill:{skill}"


def skill_of(ctx: HubContext, contact: Contact, to_kind: TransferTo, to: str) -> str:
    """The skill queue an item's or a theme's code names (refused if there is none)."""
    if to_kind == "item":
        item = ctx.catalog.item(to)
        if item is None:
            raise Refusal("no_such_item", "没有这个事项", "to")
        return item.skill
    items = ctx.catalog.items_in_theme(to)
    if not items:
        raise Refusal("no_such_item", "没有这个主题", "to")
    # The skill most of the theme's items need (ties: the first in code order).
    return Counter(i.skill for i in sorted(items, key=lambda i: i.code)).most_common(1)[0][0]


def _ready_agent(ctx: HubContext, agent: Agent, agent_id: str) -> Agent:
    target = ctx.live.agents.get(agent_id)
    if agent_id == agent.agent_id:
        raise Refusal("bad_message", "不能转接给自己", "to")
    if target is None:
        raise Refusal("no_such_agent", "该坐席未登录", "to")
    if target.state != "ready" or target.mode not in ROUTED_MODES:
        raise Refusal("bad_state", f"{target.seat.name}当前不是空闲状态，无法转接", "to")
    return target


async def gather(
    ctx: HubContext, agent: Agent, contact: Contact, materials: MaterialIndex | None, *,
    note: str, form: tuple[FormValue, ...], target: TransferTarget,
) -> TransferInfo:
    """What the new agent is handed: the note and everything the first agent had."""
    wo = contact.work_order_id
    chat = await ctx.ledger.chat_messages(wo)
    stored = await materials.of_work_order(wo) if materials is not None else []
    verdicts = await materials.verdicts(wo) if materials is not None else []
    entries: tuple[VerdictEntry, ...] = ()
    if verdicts:
        raw = verdicts[-1]["entries"]
        assert isinstance(raw, list)
        entries = tuple(VerdictEntry(
            material_code=str(e["material_code"]), status=e["status"],
            reason_code=str(e.get("reason_code", "")), note=str(e.get("note", "")),
            material_ids=tuple(str(m) for m in e.get("material_ids", ())),
        ) for e in raw)
    return TransferInfo(
        from_agent_id=agent.agent_id,
        from_name=agent.seat.name[:200],
        note=note,
        target=target,
        leg=contact.legs + 1,
        verdicts=entries,
        materials=tuple(stored[-60:]),
        chat=tuple(ChatLine(sender_role=cast(Role, c.sender_role), sender_name=c.sender_name[:200],
                            text=c.text, sent_at=c.sent_at) for c in chat[-CHAT_CARRIED:]),
        form=form,
    )


def call_ending(ctx: HubContext, call: Call) -> None:
    """The call ends while a named transfer rings: withdraw that offer."""
    contact = call.contact
    if contact.handover is not None and contact.offer is not None:
        dispatch.withdraw_offer(ctx, contact.offer, "citizen_left")


def on_hold(ctx: HubContext, agent: Agent, message: Hold) -> None:
    """The agent puts the citizen on hold, or takes them off it: both sides are told."""
    call = agent.call
    if call is None or call.call_id != message.call_id:
        raise Refusal("no_such_call", "you are not in a call with this id", "call_id")
    if call.contact.handover is not None:
        raise Refusal("bad_state", "该通话正在转接中", "call_id")
    if call.consult is not None:
        raise Refusal("bad_state", "会商中由会商决定保持：请先结束会商", "call_id")
    if message.on and call.watch is not None and call.watch.phase == "joined":
        # A held citizen hears no one, but a joined supervisor's voice is mixed in by the
        # agent's workstation: refused, as consult and transfer are while joined.
        raise Refusal("bad_state", "值班长已加入通话，请等值班长退出后再保持", "on")
    if call.on_hold == message.on:
        raise Refusal("bad_state", "已在保持中" if message.on else "通话并未保持", "on")
    set_hold(ctx, call, message.on)


def set_hold(ctx: HubContext, call: Call, on: bool) -> None:
    """Put the citizen of ``call`` on hold or take them off it; both sides are told."""
    call.on_hold = on
    state = HoldState(call_id=call.call_id, on=on, message=ON_HOLD if on else OFF_HOLD)
    call.citizen_session.send(state)
    call.agent.session.send(state)
    ctx.seat_changed(call.agent.agent_id)
    ctx.log.event("hold", call_id=call.call_id, agent_id=call.agent.agent_id, on=on)
