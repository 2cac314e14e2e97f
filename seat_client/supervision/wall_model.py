"""The supervisor's seat wall as plain Python: seats, queue panel, today's figures.

``WallModel.apply`` takes the hub's ``WallSnapshot`` and ``WallUpdate``
messages (the hub pushes them; nothing here polls) and keeps the latest
record of every seat, the queue per item and the figures. Filters (hall or
town, theme, state) choose the seats shown; ``visible_seats`` gives them in
a stable order (hall, then agent id). ``WallLink`` sends the supervisor's
requests through any ``send`` coroutine (a ``HubLink``'s in the app).

Events: ``changed`` (the ids of the seats whose record changed; empty for a
snapshot, meaning "everything"), ``queue_changed``, ``figures_changed``,
``filters_changed``. Each carries the model's receive time of the message
as ``last_received`` so a bench can measure hub-to-wall latency.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from seat_common import protocol
from seat_common.events import Event
from seat_common.protocol import (
    AgentState,
    AwayReason,
    WallFigures,
    WallQueueLine,
    WallSeat,
    WallSnapshot,
    WallUpdate,
)


@dataclass(frozen=True, slots=True)
class WallFilters:
    """Which seats to show; an empty set shows all."""

    halls: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    states: frozenset[AgentState] = frozenset()

    def admits(self, seat: WallSeat) -> bool:
        if self.halls and seat.hall not in self.halls:
            return False
        if self.themes and not self.themes.intersection(seat.themes):
            return False
        return not (self.states and seat.state not in self.states)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """The queue panel's headline: waiting, priority waiting, the longest wait and how many
    of the waiting lost their link."""

    waiting: int
    priority_waiting: int
    longest_wait_s: float
    #: Of ``waiting``, those whose link dropped (place kept, not offered until back).
    link_lost: int = 0


class WallModel:
    """The latest wall the hub sent; ``synced`` once a snapshot arrived."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.seats: dict[str, WallSeat] = {}
        self.queue: tuple[WallQueueLine, ...] = ()
        self.figures = WallFigures()
        self.filters = WallFilters()
        self.synced = False
        self.last_received = 0.0
        #: Hub time minus local time at the last message (for timers on another host).
        self.clock_offset_s = 0.0
        self.changed: Event[frozenset[str]] = Event()
        self.queue_changed: Event[tuple[WallQueueLine, ...]] = Event()
        self.figures_changed: Event[WallFigures] = Event()
        self.filters_changed: Event[WallFilters] = Event()

    def apply(self, message: protocol.Message) -> bool:
        """Fold a hub message into the wall; False if it is not a wall message."""
        if isinstance(message, WallSnapshot):
            self.last_received = self._clock()
            self.clock_offset_s = message.sent_at - self.last_received
            self.seats = {s.agent_id: s for s in message.seats}
            self.synced = True
            self._set_queue(message.queue)
            self._set_figures(message.figures)
            self.changed.emit(frozenset())
            return True
        if isinstance(message, WallUpdate):
            self.last_received = self._clock()
            self.clock_offset_s = message.sent_at - self.last_received
            for seat in message.seats:
                self.seats[seat.agent_id] = seat
            if message.queue_changed:
                self._set_queue(message.queue)
            if message.figures != self.figures:
                self._set_figures(message.figures)
            if message.seats:
                self.changed.emit(frozenset(s.agent_id for s in message.seats))
            return True
        return False

    def _set_queue(self, queue: tuple[WallQueueLine, ...]) -> None:
        self.queue = queue
        self.queue_changed.emit(queue)

    def _set_figures(self, figures: WallFigures) -> None:
        self.figures = figures
        self.figures_changed.emit(figures)

    # --- reading ---------------------------------------------------------------

    def hub_now(self) -> float:
        """The hub's clock now, as far as the last message tells."""
        return self._clock() + self.clock_offset_s

    def set_filters(self, filters: WallFilters) -> None:
        if filters != self.filters:
            self.filters = filters
            self.filters_changed.emit(filters)

    def visible_seats(self) -> list[WallSeat]:
        """The seats the filters admit, by hall then agent id."""
        shown = [s for s in self.seats.values() if self.filters.admits(s)]
        shown.sort(key=lambda s: (s.hall, s.agent_id))
        return shown

    def halls(self) -> list[str]:
        return sorted({s.hall for s in self.seats.values()})

    def themes(self) -> list[str]:
        return sorted({t for s in self.seats.values() for t in s.themes})

    def counts_by_state(self) -> dict[AgentState, int]:
        counts: dict[AgentState, int] = {}
        for seat in self.seats.values():
            counts[seat.state] = counts.get(seat.state, 0) + 1
        return counts

    def queue_summary(self, now: float | None = None) -> QueueSummary:
        hub_now = self.hub_now() if now is None else now
        oldest = min((line.oldest_queued_at for line in self.queue), default=hub_now)
        return QueueSummary(
            waiting=sum(line.waiting for line in self.queue),
            priority_waiting=sum(line.priority_waiting for line in self.queue),
            longest_wait_s=max(0.0, hub_now - oldest),
            link_lost=sum(line.link_lost for line in self.queue),
        )

    def queue_by_theme(self) -> dict[str, int]:
        """Waiting citizens per theme code."""
        by_theme: dict[str, int] = {}
        for line in self.queue:
            by_theme[line.theme] = by_theme.get(line.theme, 0) + line.waiting
        return by_theme


class WallLink:
    """The supervisor's requests, sent with ``send`` (e.g. ``HubLink.send``)."""

    def __init__(self, send: Callable[[protocol.Message], Awaitable[None]]) -> None:
        self._send = send

    async def subscribe(self) -> None:
        await self._send(protocol.SubscribeWall())

    async def whisper(self, agent_id: str, text: str) -> None:
        await self._send(protocol.Whisper(agent_id=agent_id, text=text))

    async def set_state(self, agent_id: str, state: str, reason: AwayReason = "") -> None:
        if state not in ("ready", "away"):
            raise ValueError(f"a supervisor sets ready or away, not {state!r}")
        await self._send(
            protocol.SuperviseState(agent_id=agent_id, state=state, reason=reason)  # type: ignore[arg-type]
        )

    async def move_to_agent(self, work_order_id: str, agent_id: str) -> None:
        await self._send(protocol.MoveContact(work_order_id=work_order_id, to_agent_id=agent_id))

    async def move_to_item(self, work_order_id: str, item_code: str) -> None:
        await self._send(protocol.MoveContact(work_order_id=work_order_id, to_item_code=item_code))
