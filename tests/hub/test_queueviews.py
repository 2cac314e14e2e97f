"""What agents are shown of the queue: masked, in serving order, and always sendable."""

from __future__ import annotations

from seat_common.catalog import load
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    CitizenInfo,
    QueueSnapshot,
    decode,
    encode,
)
from seat_hub.model import Agent, Contact
from seat_hub.parties.seats import Seat
from seat_hub.parties.session import Session
from seat_hub.routing.queueviews import queue_rows, snapshot_for

CATALOG = load()


class _NoSink:
    async def send(self, message: str) -> None:
        raise AssertionError("nothing is sent in this test")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        raise AssertionError("nothing is closed in this test")


def _agent(*skills: str) -> Agent:
    seat = Seat("a1", "张三", "agent", frozenset(skills), "", "video", "0" * 64)
    return Agent(seat, Session(_NoSink(), "S-a", "test"), "ready", "video", 0.0, 0.0)


def _contacts(n: int, item_code: str = "SI-UNEMP-QUERY", **citizen: str) -> list[Contact]:
    item = CATALOG.items[item_code]
    session = Session(_NoSink(), "S-c", "test")
    return [
        Contact(
            f"WO-{i:06d}",
            item,
            "web",
            "normal",
            "video",
            CitizenInfo(**citizen),
            session,
            float(i),
            i,
        )
        for i in range(n)
    ]


def test_snapshots_mask_personal_data_and_show_only_the_agents_skills() -> None:
    contacts = _contacts(2, name="王小明", id_number="441900199001011234", phone="13800138000")
    contacts += _contacts(1, "HF-RENT-WITHDRAW")
    entries = snapshot_for(_agent("social_insurance"), queue_rows(contacts))
    assert [e.work_order_id for e in entries] == ["WO-000000", "WO-000001"]
    assert entries[0].citizen == CitizenInfo("王**", "4419**********1234", "138****8000", "")


def test_a_huge_queue_is_cut_to_what_one_message_may_carry() -> None:
    contacts = _contacts(1500, name="名" * 200, hall="东莞市民服务中心" * 25)
    entries = snapshot_for(_agent("social_insurance"), queue_rows(contacts))
    frame = encode(QueueSnapshot(entries=entries))
    assert 0 < len(entries) < 1500
    assert len(frame.encode()) <= MAX_MESSAGE_BYTES
    assert decode(frame) == QueueSnapshot(entries=entries)
    assert entries[0].work_order_id == "WO-000000"  # the next ones served are kept
