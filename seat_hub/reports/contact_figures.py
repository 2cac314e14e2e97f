"""The statistics report's figures, defined as contact centres define them.

``summarise`` reads the ledger's work orders of a period (``storage.records.
WorkOrder``, unmasked but never shown: only counts and the citizens'
pseudonymous keys are used) and sums them overall and per value of each
breakdown asked for (hall, theme, item, agent, channel, month, day).

The definitions (``DEFINITIONS`` prints them on the report, in Chinese):

- work orders: queued in the period, abandoned ones included; completed (办结):
  answered and closed, by the agent's wrap-up or by the hub (wrap-up overdue, a call
  cut by a restart) (the article's 办结工单数);
- users served: different citizens answered, told apart by their pseudonymous key
  (``parties.citizen_keys``); a contact without ID number or phone counts as one;
- offered: contacts that stopped waiting, answered or abandoned (still waiting at
  the end of the period: not counted); abandons within ``SHORT_ABANDON_S`` (a
  wrong tap, a citizen who never really waited) are left out of the service level,
  the abandonment rate and the average wait, as contact centres do;
- service level: answered within the threshold ÷ (offered − short abandons);
- abandonment rate: abandons after ``SHORT_ABANDON_S`` ÷ (offered − short abandons);
- average speed of answer: mean wait, queued to answered, of answered contacts;
- average wait: mean wait of answered contacts and of the abandons counted (queued
  to answered or to abandoned);
- average handling time: mean answered → closed of completed work orders (the call
  and its wrap-up);
- rating: mean of the citizens' 1–10 ratings.

A walk-in served at a counter (channel ``counter``) is a work order too, but not a
call: nobody queued for it, so it is never offered, answered or abandoned and counts
in no wait, service level or abandonment figure. It counts in work orders, in walk-ins,
in completed once closed, in users served (its citizen, by key) and in the average
handling time (opened → closed), and has its own row in the channel breakdown.

A ratio with nothing to divide is ``None`` (the report prints "–", never 0 %).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias, get_args

from seat_common.catalog import Catalog
from seat_hub.storage.records import WorkOrder

#: Abandons within this many seconds of queueing are left out of the ratios.
SHORT_ABANDON_S: Final = 5.0
#: The service level's default threshold (seconds from queueing to answer).
DEFAULT_THRESHOLD_S: Final = 20.0

Dimension: TypeAlias = Literal["hall", "theme", "item", "agent", "channel", "month", "day"]
DIMENSIONS: Final[tuple[Dimension, ...]] = get_args(Dimension)

#: What a work order with no value for a dimension is listed as.
NO_HALL: Final = "（线上，未分到大厅）"
NOBODY: Final = "（未接通）"
#: The channel of walk-ins served at a counter (not a call: see the module's docstring).
COUNTER: Final = "counter"


def user_of(work_order: WorkOrder) -> str:
    """Who was served, for counting users: the citizen's key, or the work order itself."""
    return f"key:{work_order.citizen_key}" if work_order.citizen_key else f"wo:{work_order.id}"


@dataclass
class GroupFigures:
    """The sums of one group of work orders (all, a theme, an agent, ...) and the figures
    made from them (see the module's docstring)."""

    threshold_s: float = DEFAULT_THRESHOLD_S
    work_orders: int = 0
    completed: int = 0
    walk_ins: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    within_threshold: int = 0
    answer_wait_sum_s: float = 0.0
    abandon_wait_sum_s: float = 0.0
    handled: int = 0
    handle_sum_s: float = 0.0
    ratings: int = 0
    rating_sum: int = 0
    users: set[str] = field(default_factory=set)

    def add(self, w: WorkOrder) -> None:
        self.work_orders += 1
        if w.channel == COUNTER:
            self.walk_ins += 1
            self.users.add(user_of(w))
        elif w.answered_at is not None:
            waited = max(0.0, w.answered_at - w.queued_at)
            self.answered += 1
            self.answer_wait_sum_s += waited
            self.within_threshold += waited <= self.threshold_s
            self.users.add(user_of(w))
        elif w.state == "abandoned":
            waited = max(0.0, (w.closed_at or w.queued_at) - w.queued_at)
            self.abandoned += 1
            if waited < SHORT_ABANDON_S:
                self.short_abandoned += 1
            else:
                self.abandon_wait_sum_s += waited
        if w.state == "closed" and w.answered_at is not None:
            self.completed += 1
            if w.closed_at is not None and w.closed_at >= w.answered_at:
                self.handled += 1
                self.handle_sum_s += w.closed_at - w.answered_at
        if w.rating is not None:
            self.ratings += 1
            self.rating_sum += int(w.rating)

    @property
    def offered(self) -> int:
        """Contacts that stopped waiting: answered or abandoned."""
        return self.answered + self.abandoned

    @property
    def counted(self) -> int:
        """The ratios' denominator: offered less the short abandons."""
        return self.offered - self.short_abandoned

    @property
    def service_level(self) -> float | None:
        return self.within_threshold / self.counted if self.counted else None

    @property
    def abandonment_rate(self) -> float | None:
        return (self.abandoned - self.short_abandoned) / self.counted if self.counted else None

    @property
    def average_speed_of_answer_s(self) -> float | None:
        return self.answer_wait_sum_s / self.answered if self.answered else None

    @property
    def average_wait_s(self) -> float | None:
        total = self.answer_wait_sum_s + self.abandon_wait_sum_s
        return total / self.counted if self.counted else None

    @property
    def average_handling_s(self) -> float | None:
        return self.handle_sum_s / self.handled if self.handled else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


@dataclass
class ContactFigures:
    """Everything a report counts: the total, each breakdown (value → figures, in the
    order to show) and the ratings' distribution."""

    threshold_s: float
    total: GroupFigures
    breakdowns: dict[Dimension, dict[str, GroupFigures]]
    ratings: Counter[int]


def value_of(
    w: WorkOrder,
    dimension: Dimension,
    catalog: Catalog,
    agent_halls: Mapping[str, str],
) -> str:
    """The work order's value for ``dimension`` (a code: names are the report's business).

    A work order's hall is the one its citizen came from (a kiosk's), else the hall of
    the agent who answered it."""
    if dimension == "hall":
        return w.hall or agent_halls.get(w.agent_id or "", "") or NO_HALL
    if dimension == "theme":
        item = catalog.item(w.item_code)
        return item.theme if item is not None else "-"
    if dimension == "item":
        return w.item_code
    if dimension == "agent":
        return w.agent_id or NOBODY
    if dimension == "channel":
        return w.channel
    moment = dt.datetime.fromtimestamp(w.queued_at)
    return moment.strftime("%Y-%m" if dimension == "month" else "%Y-%m-%d")


def summarise(
    work_orders: Iterable[WorkOrder],
    catalog: Catalog,
    *,
    by: Iterable[Dimension] = ("theme", "agent", "channel"),
    threshold_s: float = DEFAULT_THRESHOLD_S,
    agents: Iterable[str] = (),
    agent_halls: Mapping[str, str] | None = None,
) -> ContactFigures:
    """Sum ``work_orders``; ``agents`` are listed in the agent breakdown even with nothing."""
    halls = agent_halls or {}
    dimensions = tuple(dict.fromkeys(by))
    total = GroupFigures(threshold_s)
    breakdowns: dict[Dimension, dict[str, GroupFigures]] = {d: {} for d in dimensions}
    if "agent" in breakdowns:
        for agent_id in agents:
            breakdowns["agent"][agent_id] = GroupFigures(threshold_s)
    ratings: Counter[int] = Counter()
    for w in work_orders:
        total.add(w)
        for dimension, groups in breakdowns.items():
            value = value_of(w, dimension, catalog, halls)
            group = groups.get(value)
            if group is None:
                group = groups[value] = GroupFigures(threshold_s)
            group.add(w)
        if w.rating is not None:
            ratings[int(w.rating)] += 1
    for dimension, groups in breakdowns.items():
        breakdowns[dimension] = dict(sorted(groups.items(), key=_order(dimension)))
    return ContactFigures(threshold_s, total, breakdowns, ratings)


def _order(dimension: Dimension) -> Callable[[tuple[str, GroupFigures]], tuple[int, str]]:
    """Time and agents in their own order; the rest busiest first."""
    if dimension in ("month", "day", "agent"):
        return lambda kv: (0, kv[0])
    return lambda kv: (-kv[1].work_orders, kv[0])
