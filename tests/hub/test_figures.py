"""Today's figures: service level, handling time, users served, a new day from zero, and the
day so far summed from the ledger after a restart."""

from __future__ import annotations

from dataclasses import replace

from seat_hub.storage.records import WorkOrder, WorkOrderState
from seat_hub.supervision.figures import (
    TodayFigures,
    day_of,
    day_start,
    sum_today,
    user_of,
)

NOON = day_start(1_795_800_000.0) + 12 * 3600


def test_service_level_users_and_ratings() -> None:
    today = TodayFigures()
    same = user_of("k" * 64, "WO-1")
    for i, waited in enumerate((5.0, 20.0, 45.0, 90.0)):
        today.queued(NOON + i)
        who = same if i < 2 else user_of("", f"WO-{i}")
        today.answered_call(NOON + i, NOON + i + waited, who)
        today.closed_work_order(300.0, NOON + 400)
    today.queued(NOON + 10)
    today.abandoned_call(NOON + 30, NOON + 10)
    today.queued(NOON + 11)
    today.abandoned_call(NOON + 13, NOON + 11)  # a wrong tap: out of the service level
    today.rated(10, NOON + 500)
    today.rated(9, NOON + 501)
    f = today.figures()
    assert (f.offered, f.answered, f.abandoned, f.work_orders_closed) == (6, 4, 2, 4)
    # Over the five who waited 5 s or more, the abandoned one included.
    assert (f.service_level_20s, f.service_level_60s) == (0.4, 0.6)
    assert f.average_speed_of_answer_s == 40.0 and f.average_handling_s == 300.0
    assert f.users_served == 3  # the same citizen twice counts once
    assert (f.average_rating, f.ratings) == (9.5, 2)


def test_a_new_day_starts_from_zero() -> None:
    today = TodayFigures()
    today.queued(NOON)
    today.rated(10, NOON)
    version = today.version
    today.queued(NOON + 24 * 3600)
    f = today.figures()
    assert (f.offered, f.ratings) == (1, 0)
    assert today.version > version


_BLANK = WorkOrder(
    id="", item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
    citizen_name="", citizen_id_number="", citizen_phone="", hall="", agent_id="0001",
    queued_at=0.0, offered_at=None, answered_at=None, ended_at=None, closed_at=None,
    ended_by=None, outcome=None, notes="", rating=None, rating_comment="", rated_at=None,
    state="queued",
)


def _work_order(
    n: int,
    state: WorkOrderState,
    *,
    answered_at: float | None = None,
    closed_at: float | None = None,
    rating: int | None = None,
) -> WorkOrder:
    return replace(
        _BLANK, id=f"WO-{n}", citizen_name="王小明", citizen_key="k" * 64 if n < 3 else "",
        queued_at=NOON + n,
        state=state, answered_at=answered_at, closed_at=closed_at, rating=rating,
    )


def test_the_day_so_far_is_summed_from_the_ledgers_work_orders() -> None:
    today = sum_today(
        [
            _work_order(1, "closed", answered_at=NOON + 11, closed_at=NOON + 311, rating=10),
            _work_order(2, "closed", answered_at=NOON + 62, closed_at=NOON + 162, rating=8),
            _work_order(3, "abandoned", closed_at=NOON + 43),  # gave up after 40 s
            _work_order(4, "in_call", answered_at=NOON + 5),
        ],
        NOON + 3600,
    )
    f = today.figures()
    assert (f.offered, f.answered, f.abandoned, f.work_orders_closed) == (4, 3, 1, 2)
    # Two of four within 20 s: the abandoned contact counts against the service level.
    assert (f.service_level_20s, f.average_handling_s) == (0.5, 200.0)
    assert f.users_served == 2  # the same citizen twice counts once; WO-4 is someone else
    assert (f.average_rating, f.ratings) == (9.0, 2)
    assert today.day == day_of(NOON)


def test_a_day_without_work_orders_starts_from_zero() -> None:
    f = sum_today([], NOON).figures()
    assert (f.offered, f.answered, f.users_served, f.average_rating) == (0, 0, 0, 0.0)


def test_after_a_restart_a_walk_in_is_a_user_served_and_a_work_order_closed_not_a_call() -> None:
    call = _work_order(1, "closed", answered_at=NOON + 11, closed_at=NOON + 311)
    walk_in = replace(_work_order(5, "closed", answered_at=NOON + 5, closed_at=NOON + 605),
                      channel="counter", citizen_key="w" * 64)
    f = sum_today([call, walk_in], NOON + 3600).figures()
    assert (f.offered, f.answered, f.abandoned, f.walk_ins) == (1, 1, 0, 1)
    assert (f.users_served, f.work_orders_closed) == (2, 2)
    assert f.service_level_20s == 1.0, "the walk-in is not in the service level"
    assert f.average_handling_s == 450.0, "its handling time counts: (300 + 600) / 2"
