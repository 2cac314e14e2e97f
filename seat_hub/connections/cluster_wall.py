"""The seat wall on a cluster's hub: every hub's seats and the one queue, read from Redis.

A single hub's wall (``supervision.wall``) is pushed from its own memory as things change.
A cluster's hub holds only its own parties, so a supervisor subscribed here is shown what
Redis holds for the whole city instead:

- **Seats**: each agent seat of the seats file from its agent hash (state, mode, reason,
  since, a raised hand: ``cluster_supervision``), with what it is busy with: the work
  order of its ringing offer, its call (and when the call started) or its owed wrap-up,
  described from the contact's details.
- **The queue panel**: the citizens waiting for every skill, by item, in the ACD's order,
  those whose link is down counted (``cluster_views``).
- **Today's figures**: summed from the ledger in the database, which every hub writes to,
  every ``FIGURES_EVERY_S``.

The wall is read once a ``PERIOD_S`` while anyone here is subscribed, and only what changed
is pushed (``WallUpdate``), so a supervisor sees a change within about a second on any
hub; while Redis cannot be read the wall stays as last shown (logged once). What the
cluster does not share yet (watching, transfers, consults) is shown as none.
A seat whose hash is unreadable is shown offline and logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Final, get_args

import redis.asyncio as aioredis

from seat_common.protocol import (
    AwayReason,
    WallFigures,
    WallQueueLine,
    WallSeat,
    WallSnapshot,
    WallUpdate,
    encode,
)
from seat_hub.cluster import keys
from seat_hub.cluster.queue_results import AGENT_STATES, SEAT_MODES
from seat_hub.connections.cluster_details import BadDetails, ContactDetails
from seat_hub.connections.cluster_parties import SHARED_ERRORS
from seat_hub.connections.cluster_views import SharedQueueViews
from seat_hub.context import HubContext
from seat_hub.model import Contact
from seat_hub.parties.seats import Seat
from seat_hub.parties.session import Session
from seat_hub.storage.interface import LedgerError
from seat_hub.supervision import figures
from seat_hub.supervision.wall import queue_line

#: How often the wall is read while a supervisor here is subscribed (s).
PERIOD_S: Final = 1.0
#: How often today's figures are summed again from the ledger (s).
FIGURES_EVERY_S: Final = 15.0
#: The queue panel's most lines, as on a single hub.
MOST_LINES: Final = 1000


class SharedWall:
    """The wall of the whole cluster for the supervisors held here (see the module's
    docstring). ``run`` it on the floor's tasks."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis,
                 views: SharedQueueViews) -> None:
        self.ctx = ctx
        self._redis = client
        self._views = views
        self._subscribers: dict[str, Session] = {}
        self._someone = asyncio.Event()
        self._seats: dict[str, WallSeat] = {}
        self._queue: tuple[WallQueueLine, ...] = ()
        self._figures = WallFigures()
        self._figures_at = float("-inf")
        self._unreadable: set[str] = set()
        self._away = False  # the last read failed (said once)

    async def subscribe(self, session: Session) -> None:
        """Send ``session`` the whole wall now; updates follow while it is subscribed."""
        seats, queue, shown = await self._read()
        self._seats, self._queue, self._figures = {s.agent_id: s for s in seats}, queue, shown
        self._subscribers[session.session_id] = session
        self._someone.set()
        session.send(WallSnapshot(seats=seats, queue=queue, figures=shown,
                                  sent_at=self.ctx.clock()))
        self.ctx.log.event("wall_subscribed", session=session.session_id,
                           supervisor=session.agent_id, shared=True)

    def unsubscribe(self, session: Session) -> None:
        """``session`` left: no more updates for it."""
        self._subscribers.pop(session.session_id, None)
        if not self._subscribers:
            self._someone.clear()

    async def run(self) -> None:
        """Read and push what changed, once a ``PERIOD_S`` while anyone is subscribed."""
        while True:
            await self._someone.wait()
            await asyncio.sleep(PERIOD_S)
            if not self._subscribers:
                continue
            try:
                await self.publish()
            except SHARED_ERRORS as exc:  # Redis away: the wall stays as last shown
                if not self._away:
                    self.ctx.log.event("cluster_error", where="wall", error=repr(exc))
                self._away = True
                await asyncio.sleep(PERIOD_S)  # a pause before asking again
            else:
                self._away = False

    async def publish(self) -> None:
        """Push every subscriber what changed since the last push (nothing if nothing did)."""
        seats, queue, shown = await self._read()
        changed = tuple(s for s in seats if self._seats.get(s.agent_id) != s)
        queue_changed = queue != self._queue
        if not changed and not queue_changed and shown == self._figures:
            return
        self._seats = {s.agent_id: s for s in seats}
        self._queue, self._figures = queue, shown
        frame = encode(WallUpdate(seats=changed, queue_changed=queue_changed,
                                  queue=queue if queue_changed else (), figures=shown,
                                  sent_at=self.ctx.clock()))
        for session in list(self._subscribers.values()):
            session.send_encoded(frame)

    async def _read(self) -> tuple[tuple[WallSeat, ...], tuple[WallQueueLine, ...],
                                   WallFigures]:
        seats = await self._seat_records()
        skills = {item.skill for item in self.ctx.catalog.items.values()}
        lines: dict[str, list[Contact]] = {}
        for contact in await self._views.waiting(skills):
            lines.setdefault(contact.item.code, []).append(contact)
        queue = sorted((queue_line(line) for line in lines.values()),
                       key=lambda line: (line.oldest_queued_at, line.item_code))
        return seats, tuple(queue[:MOST_LINES]), await self._today()

    async def _today(self) -> WallFigures:
        """Today's figures of every hub, summed from the ledger again when due."""
        now = self.ctx.clock()
        if now - self._figures_at >= FIGURES_EVERY_S:
            try:
                orders = await self.ctx.ledger.work_orders_queued(figures.day_start(now))
            except LedgerError as exc:  # the database away: the last figures stay
                self.ctx.log.event("cluster_error", where="wall figures", error=repr(exc))
            else:
                self._figures = figures.sum_today(orders, now).figures()
                self._figures_at = now
        return self._figures

    async def _seat_records(self) -> tuple[WallSeat, ...]:
        seats = [seat for seat in self.ctx.seats.all() if seat.role == "agent"]
        async with self._redis.pipeline(transaction=False) as pipe:
            for seat in seats:
                pipe.hgetall(keys.agent_key(seat.agent_id))
            hashes: list[Any] = await pipe.execute()
        agents: dict[str, dict[str, str] | None] = {}
        for seat, raw in zip(seats, hashes, strict=True):
            agents[seat.agent_id] = _checked(raw)
            if raw and agents[seat.agent_id] is None and seat.agent_id not in self._unreadable:
                self._unreadable.add(seat.agent_id)  # said once, not once a second
                self.ctx.log.event("cluster_error", where="wall", agent_id=seat.agent_id,
                                   error=f"unreadable agent hash {str(raw)[:200]}")
        busy = {agent_id: fields for agent_id, fields in agents.items()
                if fields and fields["state"] in ("ringing", "on_call", "wrap_up")}
        calls = await self._calls(busy)
        orders = {agent_id: calls[agent_id][0] if agent_id in calls else fields["wrap_up"]
                  for agent_id, fields in busy.items()}
        details = await self._details(orders)
        return tuple(self._record(seat, agents[seat.agent_id],
                                  details.get(orders.get(seat.agent_id, "")),
                                  calls.get(seat.agent_id, ("", 0.0, False)))
                     for seat in seats)

    async def _calls(self, busy: Mapping[str, dict[str, str]]
                     ) -> dict[str, tuple[str, float, bool]]:
        """Per seat ringing or in a call: its work order, when its call started (0 for an
        offer), and whether its citizen is on hold."""
        asked = [(agent_id, fields) for agent_id, fields in busy.items()
                 if fields["state"] != "wrap_up"]
        async with self._redis.pipeline(transaction=False) as pipe:
            for _, fields in asked:
                if fields["state"] == "on_call":
                    pipe.hmget(keys.call_key(fields["call"] or "-"), "work_order_id", "started",
                               "on_hold")
                else:
                    pipe.hmget(keys.offer_key(fields["offer"] or "-"), "work_order_id")
            answers: list[Any] = await pipe.execute()
        found: dict[str, tuple[str, float, bool]] = {}
        for (agent_id, _), answer in zip(asked, answers, strict=True):
            work_order_id = answer[0] if isinstance(answer[0], str) else ""
            started = answer[1] if len(answer) > 1 else None
            found[agent_id] = (work_order_id, _seconds(started),
                               len(answer) > 2 and answer[2] == "1")
        return found

    async def _details(self, orders: Mapping[str, str]) -> dict[str, ContactDetails]:
        wanted = sorted({wo for wo in orders.values() if wo})
        if not wanted:
            return {}
        raw = await self._redis.mget([keys.details_key(wo) for wo in wanted])
        found: dict[str, ContactDetails] = {}
        for wo, value in zip(wanted, raw, strict=True):
            try:
                found[wo] = ContactDetails.decode(value, wo)
            except BadDetails:
                continue  # closed a moment ago: shown without its item
        return found

    def _record(self, seat: Seat, fields: dict[str, str] | None,
                known: ContactDetails | None, call: tuple[str, float, bool]) -> WallSeat:
        wall = self.ctx.wall
        base: dict[str, Any] = {"agent_id": seat.agent_id, "name": seat.name,
                                "hall": seat.hall, "themes": wall.themes_of(seat.skills)}
        if not fields or fields["state"] == "offline":
            return WallSeat(state="offline", mode=seat.mode, **base)
        item = self.ctx.catalog.item(known.item_code) if known is not None else None
        state = fields["state"]
        limit = self.ctx.settings.wrap_up_limit_for(item.skill) \
            if item is not None and state == "wrap_up" else 0.0
        return WallSeat(
            state=state, mode=fields["mode"], reason=fields["reason"],  # type: ignore[arg-type]
            since=_seconds(fields.get("since")),
            item_code=item.code if item is not None else "",
            item_name=item.name if item is not None else "",
            channel=known.channel if known is not None else "",
            work_order_id=known.work_order_id if known is not None else "",
            call_started_at=call[1], on_hold=call[2], wrap_up_limit_s=limit,
            hand=fields["hand"][:100], hand_since=_seconds(fields["hand_since"], 1),
            hand_answered_by=fields["hand_answered_by"][:200], **base)


def _checked(raw: object) -> dict[str, str] | None:
    """A seat's agent hash with the fields the wall shows, checked (``None``: no hash,
    or one the wall cannot show)."""
    if not isinstance(raw, dict) or not raw:
        return None
    fields = {str(k): str(v) for k, v in raw.items()}
    if fields.get("state") not in AGENT_STATES or fields.get("mode") not in SEAT_MODES:
        return None
    if fields.get("reason", "") not in get_args(AwayReason):
        fields["reason"] = ""
    for name in ("reason", "call", "offer", "wrap_up", "hand", "hand_since",
                 "hand_answered_by"):
        fields.setdefault(name, "")
    return fields


def _seconds(text: str | None, per_second: float = 1000) -> float:
    """A time as kept on the agent's hash (whole ms of Redis's clock; a hand's since, in
    seconds) in seconds; 0 if not one."""
    try:
        value = float(text) / per_second if text else 0.0
    except ValueError:
        return 0.0
    return value if 0 <= value < 10**12 else 0.0
