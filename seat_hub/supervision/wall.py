"""The supervisor feed: the seat wall's records, pushed to subscribed supervisors.

A supervisor's ``SubscribeWall`` gets a ``WallSnapshot`` (every agent seat of
the seats file, logged in or not; the queue per item; today's figures).
After that every change is pushed as a ``WallUpdate``: the whole records of
the seats that changed (``HubContext.seat_changed``, called on every
presence change), the queue panel when the queue changed, and the figures.
Like the agents' queue snapshots, updates are coalesced: the events handled
in one turn of the event loop share one update. Nothing is polled.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from seat_common.protocol import (
    WallQueueLine,
    WallSeat,
    WallSnapshot,
    WallUpdate,
    encode,
)
from seat_hub.connections.seats import Seat
from seat_hub.connections.session import Session
from seat_hub.model import Agent, HubContext
from seat_hub.routing import queueviews
from seat_hub.routing.acd import PRIORITY_PRIORITIES

_THEMES: dict[frozenset[str], tuple[str, ...]] = {}


def themes_of(ctx: HubContext, skills: frozenset[str]) -> tuple[str, ...]:
    """The catalog themes whose items need one of ``skills`` (cached per skill set)."""
    cached = _THEMES.get(skills)
    if cached is None:
        found = {i.theme for i in ctx.catalog.items.values() if i.skill in skills}
        cached = _THEMES[skills] = tuple(sorted(found))[:64]
    return cached


def seat_record(ctx: HubContext, seat: Seat, agent: Agent | None) -> WallSeat:
    """One seat as the wall shows it."""
    base = {
        "agent_id": seat.agent_id,
        "name": seat.name,
        "hall": seat.hall,
        "themes": themes_of(ctx, seat.skills),
    }
    if agent is None:
        return WallSeat(state="offline", mode=seat.mode, **base)  # type: ignore[arg-type]
    item_code = item_name = channel = work_order_id = ""
    started = 0.0
    limit = 0.0
    watched_by = ""
    if agent.call is not None:
        contact = agent.call.contact
        if agent.call.watch is not None:
            watched_by = agent.call.watch.supervisor.name[:200]
        item_code, item_name, channel = contact.item.code, contact.item.name, contact.channel
        work_order_id, started = contact.work_order_id, agent.call.answered_at
    elif agent.offer is not None:
        contact = agent.offer.contact
        item_code, item_name, channel = contact.item.code, contact.item.name, contact.channel
        work_order_id = contact.work_order_id
    elif agent.wrap_up is not None:
        ended = agent.wrap_up
        item_code, item_name, channel = ended.item_code, ended.item_name, ended.channel
        work_order_id = ended.work_order_id
        limit = ctx.settings.wrap_up_limit_for(ended.skill)
    return WallSeat(
        state=agent.state,
        mode=agent.mode,
        reason=agent.reason,
        since=agent.since,
        item_code=item_code,
        item_name=item_name,
        channel=channel,
        work_order_id=work_order_id,
        call_started_at=started,
        wrap_up_limit_s=limit,
        watched_by=watched_by,
        **base,  # type: ignore[arg-type]
    )


def all_seats(ctx: HubContext) -> tuple[WallSeat, ...]:
    return tuple(
        seat_record(ctx, seat, ctx.agents.get(seat.agent_id))
        for seat in ctx.seats.all()
        if seat.role == "agent"
    )


def queue_lines(ctx: HubContext) -> tuple[WallQueueLine, ...]:
    """Waiting citizens per item (those being offered count as waiting), longest wait first."""
    by_item: dict[str, list[float]] = defaultdict(list)
    priority: dict[str, int] = defaultdict(int)
    items = {}
    next_up: dict[str, str] = {}
    for contact in queueviews.ordered(ctx):
        if contact.offer is None:
            next_up.setdefault(contact.item.code, contact.work_order_id)
        code = contact.item.code
        items[code] = contact.item
        by_item[code].append(contact.queued_at)
        if contact.priority in PRIORITY_PRIORITIES:
            priority[code] += 1
    lines = [
        WallQueueLine(
            item_code=code,
            item_name=items[code].name,
            theme=items[code].theme,
            waiting=len(times),
            priority_waiting=priority[code],
            oldest_queued_at=min(times),
            next_work_order_id=next_up.get(code, ""),
        )
        for code, times in by_item.items()
    ]
    lines.sort(key=lambda line: (line.oldest_queued_at, line.item_code))
    return tuple(lines[:1000])


def subscribe(ctx: HubContext, session: Session) -> None:
    """Send ``session`` the whole wall now; updates follow as things change."""
    ctx.wall_subscribers[session.session_id] = session
    session.send(
        WallSnapshot(
            seats=all_seats(ctx),
            queue=queue_lines(ctx),
            figures=ctx.today.figures(),
            sent_at=ctx.clock(),
        )
    )
    ctx.log.event("wall_subscribed", session=session.session_id, supervisor=session.agent_id)


def unsubscribe(ctx: HubContext, session: Session) -> None:
    ctx.wall_subscribers.pop(session.session_id, None)
    if not ctx.wall_subscribers:
        ctx.wall_dirty.clear()


def _pending(ctx: HubContext) -> bool:
    return bool(
        ctx.wall_dirty
        or ctx.wall_queue_version != ctx.queue_version
        or ctx.wall_figures_version != ctx.today.version
    )


def schedule_publish(ctx: HubContext) -> None:
    """Push a wall update once the events now being handled are done."""
    if ctx.wall_scheduled or not ctx.wall_subscribers or not _pending(ctx):
        return
    ctx.wall_scheduled = True
    asyncio.get_running_loop().call_soon(_publish_soon, ctx)


def _publish_soon(ctx: HubContext) -> None:
    ctx.wall_scheduled = False
    try:
        publish(ctx)
    except Exception as exc:  # a loop callback has nobody to raise to
        ctx.log.event("internal_error", where="wall_publish", error=repr(exc))


def publish(ctx: HubContext) -> None:
    """Send every subscribed supervisor what changed, encoded once for all."""
    if not ctx.wall_subscribers or not _pending(ctx):
        return
    seats = []
    for agent_id in sorted(ctx.wall_dirty):
        seat = ctx.seats.get(agent_id)
        if seat is not None:
            seats.append(seat_record(ctx, seat, ctx.agents.get(agent_id)))
    ctx.wall_dirty.clear()
    queue_changed = ctx.wall_queue_version != ctx.queue_version
    ctx.wall_queue_version = ctx.queue_version
    ctx.wall_figures_version = ctx.today.version
    frame = encode(
        WallUpdate(
            seats=tuple(seats),
            queue_changed=queue_changed,
            queue=queue_lines(ctx) if queue_changed else (),
            figures=ctx.today.figures(),
            sent_at=ctx.clock(),
        )
    )
    for session in list(ctx.wall_subscribers.values()):
        session.send_encoded(frame)
