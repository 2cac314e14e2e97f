"""Today's figures: service level, handling time, users served, and a new day from zero."""

from __future__ import annotations

from seat_common.protocol import CitizenInfo
from seat_hub.supervision.figures import TodayFigures, citizen_key, day_start

NOON = day_start(1_795_800_000.0) + 12 * 3600


def test_service_level_users_and_ratings() -> None:
    today = TodayFigures()
    same = citizen_key(CitizenInfo(name="王小明", id_number="441900199001011234"), "WO-1")
    for i, waited in enumerate((5.0, 20.0, 45.0, 90.0)):
        today.queued(NOON + i)
        who = same if i < 2 else citizen_key(CitizenInfo(), f"WO-{i}")
        today.answered_call(NOON + i, NOON + i + waited, who)
        today.closed_work_order(300.0, NOON + 400)
    today.queued(NOON + 10)
    today.abandoned_call(NOON + 30)
    today.rated(10, NOON + 500)
    today.rated(9, NOON + 501)
    f = today.figures()
    assert (f.offered, f.answered, f.abandoned, f.work_orders_closed) == (5, 4, 1, 4)
    assert (f.service_level_20s, f.service_level_60s) == (0.5, 0.75)
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
