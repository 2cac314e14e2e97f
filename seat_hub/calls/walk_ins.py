"""Walk-ins (窗口接待): citizens served at an agent's counter are work orders too.

``walk_in_open`` opens a work order on channel ``counter`` in the ledger, answered at
once (nobody queued for it), and puts it on the seat: the wall shows the seat serving
it (``Agent.work``). In combined mode the seat leaves video routing for as long as the
walk-in is open (state ``counter``) and goes back where it was (ready or away) when
``walk_in_close`` closes it; a counter-mode seat is in ``counter`` anyway. A video-mode
seat has no counter, and a seat ringing, on a call or owing a wrap-up finishes that
first. The walk-in is kept in ``LiveState.walk_ins`` while the seat's link is down, so a
reconnecting clerk still has it (``presence.log_in``).

Figures (``supervision.figures``): a walk-in is a user served when it opens, a work
order closed (with its handling time, opened → closed) when it closes; it is never
offered, answered or abandoned.
"""

from __future__ import annotations

import dataclasses

from seat_common.protocol import WalkInClose, WalkInOpen, WalkInOpened, WorkOrderClosed
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Agent, WalkIn
from seat_hub.routing import presence
from seat_hub.routing.acd import ROUTED_MODES
from seat_hub.supervision.figures import user_of


async def on_walk_in_open(ctx: HubContext, agent: Agent, message: WalkInOpen) -> None:
    if agent.mode == "video":
        raise Refusal("bad_state", "视频模式的坐席没有窗口：请先切换到综窗或视频+窗口模式",
                      "item_code")
    if agent.walk_in is not None:
        raise Refusal("bad_state", "请先结束当前的窗口接待", "item_code")
    if agent.state in ("ringing", "on_call", "wrap_up"):
        raise Refusal("bad_state", "请先处理完视频呼叫（接听/拒接、挂断或话后处理）",
                      "item_code")
    item = ctx.catalog.item(message.item_code)
    if item is None:
        raise Refusal("no_such_item", f"unknown item {message.item_code!r}", "item_code")
    now = ctx.clock()
    # The walk-in is in the clerk's hall, whatever the workstation says.
    citizen = dataclasses.replace(message.citizen, hall=agent.seat.hall)
    key = ctx.citizen_keys.key_of(citizen)
    work_order_id = await ctx.ledger.open_walk_in(
        item_code=item.code, agent_id=agent.agent_id, citizen=citizen, opened_at=now,
        citizen_key=key)
    if agent.walk_in is not None or agent.state in ("ringing", "on_call", "wrap_up"):
        # Something rang or opened while the ledger wrote: serve that, close this one.
        await ctx.ledger.close_work_order(work_order_id, "unresolved",
                                          "closed by the hub: the seat became busy", now)
        raise Refusal("bad_state", "坐席状态已变化，请重试", "item_code")
    walk_in = WalkIn(work_order_id, item.code, item.name, now, key)
    if agent.mode == "combined" and agent.state in ("ready", "away"):
        walk_in.resume_state, walk_in.resume_reason = agent.state, agent.reason
    agent.walk_in = walk_in
    ctx.live.walk_ins[agent.agent_id] = walk_in
    ctx.live.today.walk_in(now, user_of(key, work_order_id))
    agent.session.send(WalkInOpened(work_order_id=work_order_id, item_code=item.code,
                                    opened_at=now, booking_no=message.booking_no))
    if agent.state != "counter":
        presence.change_state(ctx, agent, "counter")  # out of video routing meanwhile
    else:
        presence.send_presence(ctx, agent)  # the wall shows the walk-in
    ctx.log.event("walk_in_opened", work_order_id=work_order_id, agent_id=agent.agent_id,
                  item_code=item.code, booking_no=message.booking_no, mode=agent.mode)


async def on_walk_in_close(ctx: HubContext, agent: Agent, message: WalkInClose) -> None:
    walk_in = agent.walk_in
    if walk_in is None or walk_in.work_order_id != message.work_order_id:
        raise Refusal("no_such_work_order", "no open walk-in of yours has this work order",
                      "work_order_id")
    if message.outcome == "abandoned":
        raise Refusal("bad_message", "abandoned is set by the hub, not by the counter",
                      "outcome")
    now = ctx.clock()
    agent.walk_in = None  # before the await: a second close is refused meanwhile
    try:
        await ctx.ledger.close_work_order(walk_in.work_order_id, message.outcome,
                                          message.notes, now)
    except Exception:
        agent.walk_in = walk_in
        raise
    ctx.live.walk_ins.pop(agent.agent_id, None)
    ctx.live.today.closed_work_order(now - walk_in.opened_at, now)
    agent.session.send(WorkOrderClosed(work_order_id=walk_in.work_order_id,
                                       outcome=message.outcome))
    if agent.mode in ROUTED_MODES and agent.state == "counter":
        presence.change_state(ctx, agent, walk_in.resume_state, walk_in.resume_reason)
    else:
        presence.send_presence(ctx, agent)
    ctx.log.event("walk_in_closed", work_order_id=walk_in.work_order_id,
                  agent_id=agent.agent_id, outcome=message.outcome)

