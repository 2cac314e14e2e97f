"""Today's live figures for the seat wall: offered, answered, abandoned, service level.

``TodayFigures`` holds running sums for the hub's local day, changed by the
call flow as it happens (``queued``, ``answered``, ``abandoned``, ``closed``,
``rated``) and summed at start from the work orders the ledger holds for the
day (``sum_today``), so a hub restart does not zero the day. ``figures()``
turns the sums into the wire's ``WallFigures``. The service level is defined
as the statistics report defines it (``reports.contact_figures``): contacts
answered within 20 s (60 s) of queueing over the contacts that stopped waiting,
answered or abandoned, less those abandoned within 5 s. Users served counts
distinct citizens answered by their pseudonymous key (``parties.citizen_keys``:
a keyed hash of the ID number, else the phone); a contact without either counts
as a user of its own. A walk-in at a counter (channel ``counter``) is no call: it is
counted in ``walk_ins``, users served, work orders closed and the handling time, never in
offered, answered, abandoned or the service level. A new day starts from zero.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from seat_common.protocol import WallFigures
from seat_hub.storage.records import WorkOrder

#: Abandons within this many seconds of queueing are left out of the service level
#: (the statistics report's ``contact_figures.SHORT_ABANDON_S``, the same rule).
SHORT_ABANDON_S: Final = 5.0


def day_of(at: float) -> str:
    """The hub's local calendar day of a timestamp, as YYYY-MM-DD."""
    return _dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d")


def day_start(at: float) -> float:
    """The timestamp of local midnight starting ``at``'s day."""
    moment = _dt.datetime.fromtimestamp(at)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def user_of(citizen_key: str, work_order_id: str) -> str:
    """Who was served, for counting users: the citizen's key, or the work order itself when
    the citizen gave nothing that tells them apart (a name does not: namesakes abound)."""
    return f"key:{citizen_key}" if citizen_key else f"wo:{work_order_id}"


@dataclass
class TodayFigures:
    """Running sums of one day; ``version`` grows with every change."""

    day: str = ""
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    wait_sum_s: float = 0.0
    within_20s: int = 0
    within_60s: int = 0
    closed: int = 0
    walk_ins: int = 0
    handle_sum_s: float = 0.0
    handled: int = 0
    rating_sum: int = 0
    ratings: int = 0
    users: set[str] = field(default_factory=set)
    version: int = 0

    def _roll(self, at: float) -> None:
        day = day_of(at)
        if day != self.day:
            fresh = TodayFigures(day=day, version=self.version + 1)
            self.__dict__.update(fresh.__dict__)
        self.version += 1

    def queued(self, at: float) -> None:
        self._roll(at)
        self.offered += 1

    def answered_call(self, queued_at: float, at: float, who: str) -> None:
        self._roll(at)
        self.answered += 1
        waited = max(0.0, at - queued_at)
        self.wait_sum_s += waited
        self.within_20s += waited <= 20.0
        self.within_60s += waited <= 60.0
        self.users.add(who)

    def walk_in(self, at: float, who: str) -> None:
        """A citizen served at a counter: a user served, no call."""
        self._roll(at)
        self.walk_ins += 1
        self.users.add(who)

    def abandoned_call(self, at: float, queued_at: float) -> None:
        self._roll(at)
        self.abandoned += 1
        self.short_abandoned += at - queued_at < SHORT_ABANDON_S

    def closed_work_order(self, handle_s: float | None, at: float) -> None:
        self._roll(at)
        self.closed += 1
        if handle_s is not None and handle_s >= 0:
            self.handled += 1
            self.handle_sum_s += handle_s

    def rated(self, score: int, at: float) -> None:
        self._roll(at)
        self.rating_sum += score
        self.ratings += 1

    def figures(self) -> WallFigures:
        answered = self.answered
        counted = answered + self.abandoned - self.short_abandoned
        return WallFigures(
            offered=self.offered,
            answered=answered,
            abandoned=self.abandoned,
            average_speed_of_answer_s=round(self.wait_sum_s / answered, 2) if answered else 0.0,
            service_level_20s=round(self.within_20s / counted, 4) if counted else 0.0,
            service_level_60s=round(self.within_60s / counted, 4) if counted else 0.0,
            average_handling_s=round(self.handle_sum_s / self.handled, 2) if self.handled else 0.0,
            work_orders_closed=self.closed,
            users_served=len(self.users),
            average_rating=round(self.rating_sum / self.ratings, 2) if self.ratings else 0.0,
            ratings=self.ratings,
            walk_ins=self.walk_ins,
        )


def sum_today(work_orders: Iterable[WorkOrder], now: float) -> TodayFigures:
    """Today's sums from the work orders queued since local midnight of ``now``'s day
    (``WorkOrderLedger.work_orders_queued(day_start(now))``)."""
    today = TodayFigures(day=day_of(now))
    for w in work_orders:
        if w.channel == "counter":
            today.walk_ins += 1
            today.users.add(user_of(w.citizen_key, w.id))
        else:
            _sum_call(today, w)
        if w.state == "closed":
            today.closed += 1
            if w.answered_at is not None and w.closed_at is not None:
                today.handled += 1
                today.handle_sum_s += max(0.0, w.closed_at - w.answered_at)
        if w.rating is not None:
            today.ratings += 1
            today.rating_sum += int(w.rating)
    return today


def _sum_call(today: TodayFigures, w: WorkOrder) -> None:
    """The queue's part of a call's work order: offered, abandoned or answered."""
    today.offered += 1
    if w.state == "abandoned":
        today.abandoned += 1
        left_at = w.closed_at if w.closed_at is not None else w.queued_at
        today.short_abandoned += left_at - w.queued_at < SHORT_ABANDON_S
    if w.answered_at is not None:
        waited = max(0.0, w.answered_at - w.queued_at)
        today.answered += 1
        today.wait_sum_s += waited
        today.within_20s += waited <= 20.0
        today.within_60s += waited <= 60.0
        today.users.add(user_of(w.citizen_key, w.id))
