"""A queue's wrap-up limit on a single hub: an agent who does not wrap up within it has
the work order closed ``unresolved`` by the hub (the ledger says so, with the hub's note)
and goes back to work, told, as does the citizen."""

from __future__ import annotations

from hubclient import Clients, agent_seat, wait_for_rows

from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Hangup,
    Offer,
    Presence,
    WorkOrderClosed,
)
from seat_hub.calls.lifecycle import WRAP_UP_OVERDUE_NOTES

#: The hub's wrap-up limit in these tests (s).
LIMIT = 2


async def test_a_wrap_up_left_over_its_limit_is_closed_by_the_hub(start_hub, clients: Clients
                                                                  ) -> None:
    hub = start_hub([agent_seat("a1")], extra_args=["--wrap-up-limit", str(LIMIT)])
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(name="王小明")
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await citizen.expect(CallStarted)
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.expect(CallEnded)
    await agent.expect(Presence, lambda p: p.state == "wrap_up")

    closed = await agent.expect(WorkOrderClosed, within=LIMIT + 10)
    assert (closed.work_order_id, closed.outcome) == (queued.work_order_id, "unresolved")
    assert (await citizen.expect(WorkOrderClosed)).outcome == "unresolved"
    await agent.expect(Presence, lambda p: p.state == "ready")
    rows = await wait_for_rows(
        hub.db_path, "SELECT state, outcome, notes FROM work_orders WHERE id = ?",
        (queued.work_order_id,), lambda rows: rows and rows[0]["state"] == "closed")
    assert (rows[0]["outcome"], rows[0]["notes"]) == ("unresolved", WRAP_UP_OVERDUE_NOTES)
