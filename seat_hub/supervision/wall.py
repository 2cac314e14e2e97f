"""The supervisor feed: the seat wall's records, pushed to subscribed supervisors.

A supervisor's ``SubscribeWall`` gets a ``WallSnapshot`` (every agent seat of
the seats file, logged in or not; the queue per item; today's figures).
After that every change is pushed as a ``WallUpdate``: the whole records of
the seats that changed (``seat_changed``, called on every presence change),
the queue panel when the queue changed (``queue_changed``), and the figures.
Like the agents' queue snapshots, updates are coalesced: the events handled
in one turn of the event loop share one update. Nothing is polled.

``SeatWall`` keeps that feed's bookkeeping (subscribers, the seats changed
since the last update, whether the queue or the figures changed, whether an
update is scheduled) and reads the live state through narrow questions: the
agent at a seat and what they are busy with (``Agent.work``), the queue per
item (``queueviews.lines_by_item``), today's figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from seat_common.catalog import Catalog
from seat_common.protocol import (
    WallFigures,
    WallQueueLine,
    WallSeat,
    WallSnapshot,
    WallUpdate,
    encode,
)
from seat_hub.model import Contact, LiveState
from seat_hub.parties.seats import Seat, SeatRegistry
from seat_hub.parties.session import Session
from seat_hub.routing import queueviews
from seat_hub.routing.acd import PRIORITY_PRIORITIES
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog


class SeatWall:
    """The seat wall's feed: whom to push to and what changed since the last push."""

    def __init__(
        self,
        live: LiveState,
        seats: SeatRegistry,
        catalog: Catalog,
        settings: HubSettings,
        log: EventLog,
        clock: Callable[[], float],
    ) -> None:
        self._live = live
        self._seats = seats
        self._catalog = catalog
        self._settings = settings
        self._log = log
        self._clock = clock
        #: Supervisors' sessions that subscribed, by session id.
        self._subscribers: dict[str, Session] = {}
        #: Seats whose record changed since the last update.
        self._dirty: set[str] = set()
        # A first update always carries the queue panel (as if it had changed).
        self._queue_changed = True
        self._figures_version = -1
        self._scheduled = False
        self._themes: dict[frozenset[str], tuple[str, ...]] = {}

    # --- told by the rest of the hub ----------------------------------------------

    def seat_changed(self, agent_id: str) -> None:
        """A seat's wall record changed (published with the next wall update)."""
        if self._subscribers:
            self._dirty.add(agent_id)

    def queue_changed(self) -> None:
        """The queue changed: the next wall update carries the queue panel."""
        self._queue_changed = True

    def subscribe(self, session: Session) -> None:
        """Send ``session`` the whole wall now; updates follow as things change."""
        self._subscribers[session.session_id] = session
        session.send(
            WallSnapshot(
                seats=self.all_seats(),
                queue=self.queue_lines(),
                figures=self._figures(),
                sent_at=self._clock(),
            )
        )
        self._log.event(
            "wall_subscribed", session=session.session_id, supervisor=session.agent_id
        )

    def seats_reloaded(self) -> None:
        """The seats file was read again (seats added, removed, renamed): every subscriber
        gets the whole wall again."""
        self._dirty.clear()
        for session in list(self._subscribers.values()):
            session.send(WallSnapshot(seats=self.all_seats(), queue=self.queue_lines(),
                                      figures=self._figures(), sent_at=self._clock()))

    def unsubscribe(self, session: Session) -> None:
        self._subscribers.pop(session.session_id, None)
        if not self._subscribers:
            self._dirty.clear()

    # --- the records ------------------------------------------------------------------

    def themes_of(self, skills: frozenset[str]) -> tuple[str, ...]:
        """The catalog themes whose items need one of ``skills`` (cached per skill set)."""
        cached = self._themes.get(skills)
        if cached is None:
            found = {i.theme for i in self._catalog.items.values() if i.skill in skills}
            cached = self._themes[skills] = tuple(sorted(found))[:64]
        return cached

    def seat_record(self, seat: Seat) -> WallSeat:
        """One seat as the wall shows it."""
        base = {
            "agent_id": seat.agent_id,
            "name": seat.name,
            "hall": seat.hall,
            "themes": self.themes_of(seat.skills),
        }
        agent = self._live.agent(seat.agent_id)
        if agent is None:
            return WallSeat(state="offline", mode=seat.mode, **base)  # type: ignore[arg-type]
        work = agent.work()
        limit = 0.0
        if work is not None and work.wrap_up_skill is not None:
            limit = self._settings.wrap_up_limit_for(work.wrap_up_skill)
        return WallSeat(
            state=agent.state,
            mode=agent.mode,
            reason=agent.reason,
            since=agent.since,
            item_code=work.item_code if work else "",
            item_name=work.item_name if work else "",
            channel=work.channel if work else "",
            work_order_id=work.work_order_id if work else "",
            call_started_at=work.call_started_at if work else 0.0,
            wrap_up_limit_s=limit,
            watched_by=work.watched_by if work else "",
            watch_phase=work.watch_phase if work else "",
            on_hold=work.on_hold if work else False,
            transfer_to=work.transfer_to if work else "",
            consult_with=work.consult_with if work else "",
            consult_phase=work.consult_phase if work else "",
            hand=agent.hand,
            hand_since=agent.hand_since,
            hand_answered_by=agent.hand_answered_by,
            **base,  # type: ignore[arg-type]
        )

    def all_seats(self) -> tuple[WallSeat, ...]:
        return tuple(self.seat_record(seat) for seat in self._seats.all() if seat.role == "agent")

    def queue_lines(self) -> tuple[WallQueueLine, ...]:
        """Waiting citizens per item (those being offered count as waiting), longest wait
        first."""
        lines = [queue_line(line) for line in queueviews.lines_by_item(self._live).values()]
        lines.sort(key=lambda line: (line.oldest_queued_at, line.item_code))
        return tuple(lines[:1000])

    def _figures(self) -> WallFigures:
        return self._live.today.figures()

    # --- publishing ---------------------------------------------------------------------

    def _pending(self) -> bool:
        return bool(
            self._dirty
            or self._queue_changed
            or self._figures_version != self._live.today.version
        )

    def publish_soon(self) -> None:
        """Push a wall update once the events now being handled are done."""
        if self._scheduled or not self._subscribers or not self._pending():
            return
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self._publish_now)

    def _publish_now(self) -> None:
        self._scheduled = False
        try:
            self.publish()
        except Exception as exc:  # a loop callback has nobody to raise to
            self._log.event("internal_error", where="wall_publish", error=repr(exc))

    def publish(self) -> None:
        """Send every subscribed supervisor what changed, encoded once for all."""
        if not self._subscribers or not self._pending():
            return
        seats = []
        for agent_id in sorted(self._dirty):
            seat = self._seats.get(agent_id)
            if seat is not None:
                seats.append(self.seat_record(seat))
        self._dirty.clear()
        queue_changed, self._queue_changed = self._queue_changed, False
        self._figures_version = self._live.today.version
        frame = encode(
            WallUpdate(
                seats=tuple(seats),
                queue_changed=queue_changed,
                queue=self.queue_lines() if queue_changed else (),
                figures=self._figures(),
                sent_at=self._clock(),
            )
        )
        for session in list(self._subscribers.values()):
            session.send_encoded(frame)


def queue_line(line: list[Contact]) -> WallQueueLine:
    """One item's line of the queue panel, from its contacts in serving order."""
    item = line[0].item
    next_up = next((c.work_order_id for c in line if c.offer is None), "")
    return WallQueueLine(
        item_code=item.code,
        item_name=item.name,
        theme=item.theme,
        waiting=len(line),
        priority_waiting=sum(1 for c in line if c.priority in PRIORITY_PRIORITIES),
        oldest_queued_at=min(c.queued_at for c in line),
        next_work_order_id=next_up,
        link_lost=sum(1 for c in line if c.link_lost_until),
    )
