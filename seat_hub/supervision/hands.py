"""Asking for help (举手): an agent raises a hand with a short reason, the seat wall shows
it (``WallSeat.hand``), and a supervisor answers by whispering to the seat or watching its
call (one click on the wall). Raising, lowering and the first answer each get an audit row
(``raise_hand``, ``lower_hand``, ``hand_answered`` with how it was answered); a row that
cannot be written refuses the raise or lower (``record_first``)."""

from __future__ import annotations

from seat_common.protocol import Ack, RaiseHand
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent
from seat_hub.parties.session import Session
from seat_hub.supervision.audit import record_first


async def on_raise_hand(ctx: HubContext, agent: Agent, message: RaiseHand) -> None:
    if message.raised and not message.reason.strip():
        raise Refusal("bad_message", "请简要说明需要什么帮助", "reason")
    if not message.raised and not agent.hand:
        raise Refusal("bad_state", "没有举手", "raised")
    action = "raise_hand" if message.raised else "lower_hand"
    detail = message.reason.strip() if message.raised else agent.hand
    await record_first(ctx, agent.session, action, agent.agent_id, detail, "ok")
    if message.raised:
        agent.hand, agent.hand_since, agent.hand_answered_by = detail, ctx.clock(), ""
    else:
        agent.hand, agent.hand_since, agent.hand_answered_by = "", 0.0, ""
    ctx.seat_changed(agent.agent_id)
    agent.session.send(Ack(of="raise_hand"))
    ctx.log.event(action, agent_id=agent.agent_id)


def answered(ctx: HubContext, agent_id: str, supervisor: Session, how: str) -> None:
    """A supervisor whispered to or watches a seat: if its hand is up and not yet answered,
    that supervisor answered it (on the wall, and in the audit log)."""
    agent = ctx.live.agents.get(agent_id)
    if agent is None or not agent.hand or agent.hand_answered_by:
        return
    agent.hand_answered_by = (supervisor.name or supervisor.agent_id)[:200]
    ctx.seat_changed(agent_id)

    async def write() -> None:
        await ctx.audit.record(at=ctx.clock(), supervisor_id=supervisor.agent_id,
                               action="hand_answered", target=agent_id,
                               detail=f"{how}: {agent.hand}"[:500], result="ok")

    ctx.tasks.spawn(write(), name="hand_answered_audit")
