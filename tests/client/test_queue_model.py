"""The queue model orders as the hub routes and says when it changed."""

from __future__ import annotations

from seat_client.call.queue_model import QueueModel
from seat_common import protocol


def entry(wo: str, queued_at: float, priority: protocol.Priority = "normal",
          link_lost_until: float = 0.0) -> protocol.QueueEntry:
    return protocol.QueueEntry(
        wo, "SI-UNEMP-QUERY", "失业保险个人明细查询", "web", priority, "video",
        protocol.CitizenInfo(name="吴**"), queued_at, link_lost_until=link_lost_until,
    )


def test_priority_citizens_first_then_longest_waiting() -> None:
    model = QueueModel(clock=lambda: 1000.0)
    model.replace([entry("a", 900), entry("b", 950, "elderly"), entry("c", 800)])
    assert [e.work_order_id for e in model.entries] == ["b", "c", "a"]
    assert model.longest_wait_seconds() == 200


def test_change_event_only_on_real_change() -> None:
    model = QueueModel(clock=lambda: 1000.0)
    seen: list[None] = []
    model.changed.connect(seen.append)
    model.replace([entry("a", 900)])
    model.replace([entry("a", 900)])
    model.clear()
    assert len(seen) == 2


def test_a_citizen_whose_link_dropped_keeps_their_place_with_the_seconds_left() -> None:
    now = [1000.0]
    model = QueueModel(clock=lambda: now[0])
    model.replace([entry("a", 900), entry("b", 800, link_lost_until=1042.0), entry("c", 950)])
    # Where the hub puts them: the longest waiting first, lost link or not.
    assert [e.work_order_id for e in model.entries] == ["b", "a", "c"]
    lost, connected = model.entries[0], model.entries[1]
    assert model.link_lost_seconds_left(lost) == 42.0
    assert model.link_lost_seconds_left(connected) is None
    assert model.link_lost_count() == 1
    now[0] = 1050.0  # past the grace: 0 left until the hub's next snapshot drops them
    assert model.link_lost_seconds_left(lost) == 0.0


def test_a_citizen_coming_back_clears_the_mark_and_is_a_change() -> None:
    model = QueueModel(clock=lambda: 1000.0)
    seen: list[None] = []
    model.changed.connect(seen.append)
    model.replace([entry("a", 900, link_lost_until=1042.0)])
    model.replace([entry("a", 900)])
    assert len(seen) == 2
    assert model.link_lost_count() == 0
    assert model.link_lost_seconds_left(model.entries[0]) is None
