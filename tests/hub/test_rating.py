"""A rating is the citizen's choice or nothing: the hub refuses a rate message without a valid
score with a clear error, records nothing for it, and takes the citizen's real choice after."""

from __future__ import annotations

import json
from collections.abc import Callable

from hubclient import SI, SI_ITEM, Clients, agent_seat, db_rows

from sandbox.hub_process import HubProcess
from seat_common.protocol import Accept, Ack, Hangup, Offer, Rate, WorkOrderClosed, WrapUp


async def test_a_rating_without_a_valid_score_is_refused_and_records_nothing(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI)], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub, "吴女士")
    queued = await citizen.join(SI_ITEM, name="吴女士")
    offer = await agent.expect(Offer, within=10)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
    await agent.expect(WorkOrderClosed, within=10)

    base = {"v": 1, "type": "rate", "work_order_id": queued.work_order_id, "comment": ""}
    for wrong, says in (
        ({}, "required field missing"),  # a page that sent no choice
        ({"score": None}, "must be a whole number"),
        ({"score": 0}, "must be at least 1"),
        ({"score": 11}, "must be at most 10"),
        ({"score": "10"}, "must be a whole number"),
        ({"score": True}, "must be a whole number"),
    ):
        await citizen.send_raw(json.dumps({**base, **wrong}))
        error = await citizen.expect_error("bad_message", within=10)
        assert (error.field, error.message) == ("score", says), wrong
    rows = db_rows(hub.db_path, "SELECT rating, rated_at FROM work_orders WHERE id = ?",
                   (queued.work_order_id,))
    assert rows == [{"rating": None, "rated_at": None}]

    await citizen.send(Rate(work_order_id=queued.work_order_id, score=7))
    await citizen.expect(Ack, within=10)
    rows = db_rows(hub.db_path, "SELECT rating FROM work_orders WHERE id = ?",
                   (queued.work_order_id,))
    assert rows == [{"rating": 7}]
