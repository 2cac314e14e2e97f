"""The citizen's large-text choice reaches the agent's queue and offer, and the agent's
after-call summary (``contact_summary``) reaches the work order's citizen, and only them:
the hub checks the flag, the sender, the work order and the item where the message enters.

Each test runs its own hub process; the parties are plain protocol clients on loopback.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    ContactSummary,
    Hangup,
    JoinQueue,
    Offer,
    Queued,
    QueueSnapshot,
    ReceiptPdf,
    SummaryApplication,
    SummaryBooking,
    VerdictEntry,
    encode,
)
from tests.hub.hubclient import SI_ITEM, Client, Clients, agent_seat

StartHub = Callable[..., HubProcess]

SUMMARY_PARTS = {
    "entries": (VerdictEntry("id_card", "to_correct", "blurry", "请在光线好的地方重拍"),),
    "applications": (SummaryApplication("accepted", "GD-20261207-000042", "失业保险个人明细查询"),),
    "bookings": (SummaryBooking("BK-1207-0031", "东莞市民服务中心", "2026-12-08", "09:30",
                                "东莞市南城街道鸿福路"),),
}


async def _call(clients: Clients, hub: HubProcess) -> tuple[Client, Client, Offer]:
    agent = await clients.agent(hub, "0001")
    citizen = await clients.citizen(hub, "吴小梅")
    await citizen.send(JoinQueue(item_code=SI_ITEM, channel="web", large_text=True))
    await citizen.expect(Queued)
    snapshot = await agent.expect(QueueSnapshot, lambda s: bool(s.entries))
    assert [e.large_text for e in snapshot.entries] == [True]
    await agent.ready()
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(CallStarted)
    await citizen.expect(CallStarted)
    return agent, citizen, offer


async def test_large_text_shows_in_the_queue_and_offer_and_the_summary_reaches_the_citizen(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")])
    agent, citizen, offer = await _call(clients, hub)
    assert offer.large_text is True
    assert [e["large_text"] for e in hub.events("queued")] == [True]

    await agent.send(Hangup(call_id=offer.call_id))
    await citizen.expect(CallEnded)
    summary = ContactSummary(offer.work_order_id, SI_ITEM, **SUMMARY_PARTS)  # type: ignore[arg-type]
    await agent.send(summary)  # in wrap-up: still the agent's work order
    assert await citizen.expect(ContactSummary) == summary
    ack = await agent.expect(Ack, lambda a: a.of == "contact_summary")
    assert ack.work_order_id == offer.work_order_id
    [event] = hub.events("contact_summary")
    assert (event["applications"], event["bookings"], event["delivered"]) == (1, 1, True)


async def test_a_summary_from_a_stranger_or_for_another_item_is_refused_and_not_relayed(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001"), agent_seat("0002")])
    agent, citizen, offer = await _call(clients, hub)
    other = await clients.agent(hub, "0002")
    await other.send(ContactSummary(offer.work_order_id, SI_ITEM))
    error = await other.expect_error("no_such_work_order")
    assert (error.field, error.of) == ("work_order_id", "contact_summary")
    await agent.send(ContactSummary(offer.work_order_id, "BR-INDIVIDUAL-SETUP"))
    error = await agent.expect_error("bad_message")
    assert (error.field, error.of) == ("item_code", "contact_summary")
    await citizen.send(ContactSummary(offer.work_order_id, SI_ITEM))
    assert (await citizen.expect_error("not_allowed")).of == "contact_summary"
    # A bad booking day is refused where it enters, naming the field.
    raw = json.loads(encode(ContactSummary(offer.work_order_id, SI_ITEM, **SUMMARY_PARTS)))  # type: ignore[arg-type]
    raw["bookings"][0]["day"] = "明天上午"
    await agent.send_raw(json.dumps(raw, ensure_ascii=False))
    error = await agent.expect_error("bad_message")
    assert error.field is not None and error.field.startswith("bookings")
    assert [m for m in await citizen.sync() if isinstance(m, ContactSummary)] == []
    assert hub.events("contact_summary") == []


async def test_a_large_text_flag_that_is_not_true_or_false_is_refused(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")])
    citizen = await clients.citizen(hub, "吴小梅")
    raw = json.loads(encode(JoinQueue(item_code=SI_ITEM, channel="web")))
    raw["large_text"] = "yes"
    await citizen.send_raw(json.dumps(raw))
    error = await citizen.expect_error("bad_message")
    assert (error.field, error.of) == ("large_text", "join_queue")
    assert hub.events("queued") == []
    queued = await citizen.join(SI_ITEM)  # the connection stays; without the flag: false
    assert queued.position == 1
    assert [e["large_text"] for e in hub.events("queued")] == [False]


async def test_the_receipt_pdf_reaches_the_citizen_only_from_the_agent_holding_the_order(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001"), agent_seat("0002")])
    agent, citizen, offer = await _call(clients, hub)
    other = await clients.agent(hub, "0002")
    pdf = base64.b64encode(b"%PDF-1.7\n% receipt\n" + bytes(range(256)) * 40).decode("ascii")
    receipt = ReceiptPdf(offer.work_order_id, "GD-20261207-000042", pdf)
    await other.send(receipt)
    assert (await other.expect_error("no_such_work_order")).of == "receipt_pdf"
    await citizen.send(receipt)
    assert (await citizen.expect_error("not_allowed")).of == "receipt_pdf"
    # Not a PDF, or not base64: refused where it enters, naming the field.
    for bad in (base64.b64encode(b"<script>alert(1)</script>").decode("ascii"), "not base64!"):
        raw = json.loads(encode(receipt))
        raw["pdf"] = bad
        await agent.send_raw(json.dumps(raw))
        error = await agent.expect_error("bad_message")
        assert (error.field, error.of) == ("pdf", "receipt_pdf")
    assert [m for m in await citizen.sync() if isinstance(m, ReceiptPdf)] == []

    await agent.send(Hangup(call_id=offer.call_id))
    await citizen.expect(CallEnded)
    await agent.send(receipt)  # in wrap-up: still the agent's work order
    assert await citizen.expect(ReceiptPdf) == receipt
    await agent.expect(Ack, lambda a: a.of == "receipt_pdf")
    [event] = hub.events("receipt_pdf")
    assert event["delivered"] is True and event["agent_id"] == "0001"
