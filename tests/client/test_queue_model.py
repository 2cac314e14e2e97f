"""The queue model orders as the hub routes and says when it changed."""

from __future__ import annotations

from seat_client.call.queue_model import QueueModel
from seat_common import protocol


def entry(wo: str, queued_at: float, priority: protocol.Priority = "normal") -> protocol.QueueEntry:
    return protocol.QueueEntry(
        wo, "SI-UNEMP-QUERY", "失业保险个人明细查询", "web", priority, "video",
        protocol.CitizenInfo(name="吴**"), queued_at,
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
