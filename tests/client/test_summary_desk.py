"""The citizen's after-call summary (``ContactSummaryDesk``): nothing during the call, all of
it (last verdict, applications with their numbers, bookings) when the call ends, again when
something is added during wrap-up, and nothing the wire would refuse."""

from __future__ import annotations

import asyncio

from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState, Submission
from seat_client.acceptance.summary import BookedSlot, ContactSummaryDesk
from seat_client.call.workstation import WrapUpRequest
from seat_client.materials.values import MaterialVerdict, PreReviewVerdict
from seat_common import protocol
from seat_common.tasks import TaskOwner

WO, ITEM = "WO-1", "SI-UNEMP-QUERY"


def entry(state: OutboxState, number: str = "", entry_id: int = 1) -> OutboxEntry:
    submission = Submission(WO, ITEM, "失业保险个人明细查询", "generic", {})
    return OutboxEntry(entry_id, f"k{entry_id}", submission, state, application_no=number)


async def test_the_summary_goes_when_the_call_ends_and_again_on_a_late_acceptance() -> None:
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    tasks = TaskOwner("test")
    desk = ContactSummaryDesk(send, tasks)
    desk.take_verdict(PreReviewVerdict(WO, ITEM, (
        MaterialVerdict("id_card", "accepted"),
        MaterialVerdict("hukou", "to_correct", "glare", "请避开灯光重拍")), 1.0, "0012"))
    desk.take_application(entry(OutboxState.QUEUED))
    desk.take_booking(BookedSlot(WO, "BK-1", "东莞市民服务中心", "鸿福路99号",
                                 "2026-12-08", "09:30"))
    desk.take_booking(BookedSlot(WO, "BK-2", "虎门镇行政服务中心", "", "明天", "上午"))  # dropped
    await asyncio.sleep(0)
    assert sent == [], "during the call the citizen has the verdict already"

    desk.call_ended(WrapUpRequest(WO, "失业保险个人明细查询", "agent", "hangup", 60.0), ITEM)
    await _settle(tasks)
    [first] = sent
    assert isinstance(first, protocol.ContactSummary)
    assert protocol.decode(protocol.encode(first)) == first  # what the hub will take
    assert [(e.material_code, e.status, e.reason_code) for e in first.entries] == [
        ("id_card", "accepted", ""), ("hukou", "to_correct", "glare")]
    assert first.applications == (
        protocol.SummaryApplication("submitted", "", "失业保险个人明细查询"),)
    assert [b.booking_no for b in first.bookings] == ["BK-1"]

    # The outbox delivers during wrap-up: the number goes after it; the same again does not.
    desk.take_application(entry(OutboxState.ACCEPTED, "GD-20261207-000042"))
    desk.take_application(entry(OutboxState.ACCEPTED, "GD-20261207-000042"))
    await _settle(tasks)
    assert len(sent) == 2
    second = sent[1]
    assert isinstance(second, protocol.ContactSummary)
    assert [(a.status, a.application_no) for a in second.applications] == [
        ("accepted", "GD-20261207-000042")]
    # A returned application is not the citizen's to keep; a closed work order is forgotten.
    desk.take_application(entry(OutboxState.RETURNED, entry_id=1))
    desk.forget(WO)
    assert desk.summary(WO) is None
    await tasks.close()


async def _settle(tasks: TaskOwner) -> None:
    for _ in range(20):
        await asyncio.sleep(0)
