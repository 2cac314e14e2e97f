"""The hub links a call's recording to its work order: only the work order's agent may report
it, for a call that was answered on it; a second report replaces the first; the work-order list
shows its length; and ``--no-record-calls`` tells both parties the call is not recorded."""

from __future__ import annotations

from collections.abc import Callable

from hubclient import SI, SI_ITEM, Clients, agent_seat, db_rows

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    Ack,
    CallStarted,
    Hangup,
    Offer,
    RecordingSaved,
    SearchWorkOrders,
    SetState,
    WorkOrderList,
)

SHA = "ab" * 32


def report(work_order_id: str, call_id: str, duration_s: float = 61.5) -> RecordingSaved:
    return RecordingSaved(
        work_order_id=work_order_id, call_id=call_id, duration_s=duration_s,
        byte_size=4_200_000, sha256=SHA, video_frames=900,
    )


async def test_the_agent_links_the_recording_and_others_are_refused(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), agent_seat("0002", SI)], ring_timeout=5)
    one = await clients.agent(hub, "0001")
    two = await clients.agent(hub, "0002")
    await two.send(SetState(state="away", reason="break"))
    await one.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(SI_ITEM, name="王小明")
    offer = await one.expect(Offer)
    await one.send(Accept(call_id=offer.call_id))
    assert (await one.expect(CallStarted)).recorded, "recording is on by default"
    assert (await citizen.expect(CallStarted)).recorded, "the citizen is told"
    await one.send(Hangup(call_id=offer.call_id))
    work_order_id = queued.work_order_id

    await one.send(report(work_order_id, offer.call_id))
    ack = await one.expect(Ack, lambda a: a.of == "recording_saved")
    assert ack.work_order_id == work_order_id
    await one.send(SearchWorkOrders())
    rows = (await one.expect(WorkOrderList)).rows
    assert [(r.work_order_id, r.recording_s) for r in rows] == [(work_order_id, 61.5)]

    await one.send(report(work_order_id, offer.call_id))  # sent again after a dropped link
    await one.expect(Ack, lambda a: a.of == "recording_saved")
    await one.send(report(work_order_id, offer.call_id, duration_s=62.0))  # another one
    refused = await one.expect_error("bad_state")
    assert refused.field == "work_order_id" and "first is kept" in refused.message
    stored = db_rows(hub.db_path, "SELECT * FROM recordings")
    assert len(stored) == 1
    assert stored[0]["duration_s"] == 61.5 and stored[0]["agent_id"] == "0001"
    assert stored[0]["sha256"] == SHA and stored[0]["call_id"] == offer.call_id

    await two.send(report(work_order_id, offer.call_id))  # someone else's work order
    error = await two.expect_error("not_allowed")
    assert error.field == "work_order_id" and error.of == "recording_saved"
    await one.send(report("WO-19990101-000001", offer.call_id))
    assert (await one.expect_error("no_such_work_order")).field == "work_order_id"
    await one.send(report(work_order_id, "not-this-call"))
    assert (await one.expect_error("no_such_call")).field == "call_id"
    await one.send(RecordingSaved(work_order_id, offer.call_id, 1.0, 1, "zz" * 32))
    assert (await one.expect_error("bad_message")).field == "sha256"
    await citizen.send(report(work_order_id, offer.call_id))
    await citizen.expect_error("not_allowed")
    assert [r["duration_s"] for r in db_rows(hub.db_path, "SELECT * FROM recordings")] == [61.5]


async def test_without_recording_nobody_is_told_the_call_is_recorded(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI)], ring_timeout=5, extra_args=["--no-record-calls"])
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    assert not (await agent.expect(CallStarted)).recorded
    assert not (await citizen.expect(CallStarted)).recorded
