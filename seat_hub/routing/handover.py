"""The routing side of a cold transfer (``calls.transfer`` starts one): a transferred
citizen's offer answered or ended, and the first agent's leg of the call closed.

A named transfer that ends unanswered goes back to the first agent, who is told why
in Chinese (``transfer_update`` ``returned``); a queue transfer keeps waiting at the head
of its queue. Every leg that ends is written to the ledger's ``call_legs`` and the
transfer's outcome to the audit log (the row its start was written under).
"""

from __future__ import annotations

from typing import Final

from seat_common.protocol import CallEnded, HoldState, TransferUpdate, WithdrawReason
from seat_hub.context import HubContext
from seat_hub.model import Agent, Call, Contact, Handover
from seat_hub.routing import presence
from seat_hub.storage.records import LegRecord
from seat_hub.supervision import watch

#: What the citizen on hold is shown.
ON_HOLD: Final = "请稍候，工作人员正在为您查询，通话已暂停…"
#: What the citizen is shown when the hold ends.
OFF_HOLD: Final = "通话已恢复。"
#: What the citizen (page, kiosk) is shown while the call is handed on.
TRANSFERRING: Final = "正在为您转接…"
#: Shown to the citizen waiting at the head of the new queue.
WAITING_AT_HEAD: Final = "正在为您转接…您已排在该队列首位，请稍候。"
#: Shown to the citizen when a transfer to a named agent falls through.
STAYING: Final = "转接未成功，原坐席继续为您服务。"
#: Why a transfer to a named agent came back, told to the first agent.
RETURNED_WHY: Final[dict[WithdrawReason, str]] = {
    "declined": "{name}拒绝了转接，通话已回到您这里。",
    "timeout": "{name}未在振铃时间内接听，通话已回到您这里。",
    "agent_left": "{name}已退出登录，转接未成功，通话已回到您这里。",
    "citizen_left": "市民已离开，转接取消。",
}


def end_leg(ctx: HubContext, call: Call, handed_to: str, note: str) -> None:
    """The first agent's leg is over: they are told (``call_ended``, ``transferred``) and go
    straight back to work; the citizen stays with the work order."""
    agent = call.agent
    now = ctx.clock()
    watch.call_ended(ctx, call)
    del ctx.live.calls[call.call_id]
    ctx.live.call_of_session.pop(call.citizen_session.session_id, None)
    ctx.live.call_of_session.pop(agent.session.session_id, None)
    agent.call = None
    wo = call.contact.work_order_id
    ctx.ledger.record_leg(LegRecord(wo, call.call_id, agent.agent_id, call.answered_at, now,
                                    "transferred", handed_to, note))
    agent.session.send(CallEnded(call_id=call.call_id, work_order_id=wo, ended_by="agent",
                                 reason="transferred"))
    presence.back_to_work(ctx, agent)
    ctx.log.event("leg_ended", work_order_id=wo, call_id=call.call_id, agent_id=agent.agent_id,
                  handed_to=handed_to, duration_s=round(now - call.answered_at, 3))


def answered(ctx: HubContext, contact: Contact, agent: Agent) -> None:
    """The new agent took the transferred call: end the first agent's leg (a named
    transfer kept it until now) and forget the hand-over."""
    handover = contact.handover
    assert handover is not None
    contact.handover = None
    if handover.call is not None and ctx.live.calls.get(handover.call.call_id) is handover.call:
        end_leg(ctx, handover.call, agent.agent_id, handover.info.note)
    _audit_result(ctx, handover, contact.work_order_id, f"answered:{agent.agent_id}")


def offer_ended(ctx: HubContext, contact: Contact, reason: WithdrawReason, name: str) -> bool:
    """A transfer's offer ended unanswered. A named transfer goes back to the first agent
    (told why): True. A queue transfer keeps waiting at the head: False."""
    handover = contact.handover
    if handover is None or handover.call is None:
        return False
    contact.handover = None
    wo = contact.work_order_id
    first = handover.call.agent
    why = RETURNED_WHY[reason].format(name=name)
    first.session.send(TransferUpdate(work_order_id=wo, phase="returned", message=why[:200],
                                      target_name=name[:200]))
    if reason != "citizen_left":
        contact.session.send(TransferUpdate(work_order_id=wo, phase="returned",
                                            message=STAYING))
    ctx.log.event("transfer_returned", work_order_id=wo, agent_id=first.agent_id,
                  reason=reason)
    _audit_result(ctx, handover, wo, f"returned:{reason}")
    return True


def carry_hold(ctx: HubContext, call: Call, held: bool) -> None:
    """The citizen was on hold when handed on: the new agent's call starts on hold too
    (both told after ``call_started``); the new agent takes it off with ``hold``."""
    if not held:
        return
    call.on_hold = True
    state = HoldState(call_id=call.call_id, on=True, message=ON_HOLD)
    call.citizen_session.send(state)
    call.agent.session.send(state)
    ctx.log.event("hold", call_id=call.call_id, agent_id=call.agent.agent_id, on=True,
                  carried=True)


def counts_as_answer(contact: Contact) -> bool:
    """Whether answering ``contact`` is its first answer (today's figures count a
    transferred call once)."""
    return contact.handover is None


def _audit_result(ctx: HubContext, handover: Handover, wo: str, result: str) -> None:
    async def write() -> None:
        await ctx.audit.record(at=ctx.clock(), supervisor_id=handover.from_agent_id,
                               action="transfer", target=wo, detail=handover.target_agent_id
                               or f"skill:{handover.skill}", result=result)

    ctx.tasks.spawn(write(), name="transfer_audit")
