"""The supervisor feed and supervisor actions against a real hub process.

Roles are the hub's business: a supervisor token subscribes to the wall and
acts on seats; an agent or citizen is refused. The wall model in
``seat_client`` is fed by the hub's pushes only; every action lands in the
append-only audit log.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable

import pytest
from hubclient import SI, SI_ITEM, Client, Clients, agent_seat, db_rows, wait_for_rows

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.supervision.wall_model import WallFilters, WallModel
from seat_common.protocol import (
    Accept,
    Ack,
    AuditLog,
    FetchAudit,
    Hangup,
    Hello,
    MoveContact,
    Offer,
    Presence,
    Rate,
    SetMode,
    SubscribeWall,
    SuperviseState,
    WallSnapshot,
    WallUpdate,
    Whisper,
    WhisperMessage,
    WorkOrderClosed,
    WrapUp,
    encode,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor", hall="东莞市民服务中心")
#: An item of another skill (housing fund) offered on the web channel.
HF_WEB_ITEM = "HF-RENT-WITHDRAW"


def _seats() -> list[SeatSpec]:
    return [
        agent_seat("0001", SI),
        agent_seat("0002", SI),
        SeatSpec("0003", "坐席0003", skills=("housing_fund",), hall="松山湖分中心"),
        SUPERVISOR,
    ]


async def _supervisor(clients: Clients, hub: HubProcess) -> Client:
    client = await clients.connect(hub.url, "supervisor")
    welcome = await client.hello("supervisor", token=hub.tokens["S01"])
    assert welcome.role == "supervisor"
    return client


async def _feed(client: Client, model: WallModel, ok: Callable[[WallModel], bool]) -> None:
    """Apply what the hub pushes to ``model`` until ``ok(model)``."""
    deadline = time.monotonic() + 5
    while not ok(model):
        left = deadline - time.monotonic()
        assert left > 0, f"wall never got there: {model.seats}"
        model.apply(await client.recv(left))


async def test_only_a_supervisor_may_watch_the_wall_and_act(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent = await clients.agent(hub, "0001")
    citizen = await clients.citizen(hub)
    for client in (agent, citizen):
        for message in (
            SubscribeWall(),
            Whisper(agent_id="0002", text="hi"),
            SuperviseState(agent_id="0002", state="ready"),
            MoveContact(work_order_id="WO-1", to_agent_id="0002"),
            FetchAudit(),
        ):
            await client.send(message)
            error = await client.expect_error("not_allowed")
            assert (error.field, error.of) == ("type", message.TYPE)
        assert not any(isinstance(m, WallSnapshot | WallUpdate) for m in await client.sync())
    # An agent's token does not open the supervisor's door, nor the other way round.
    impostor = await clients.connect(hub.url, "impostor")
    await impostor.send_raw(encode(Hello(role="supervisor", token=hub.tokens["0001"])))
    await impostor.expect_error("bad_token")
    posing = await clients.connect(hub.url, "posing")
    await posing.send_raw(encode(Hello(role="agent", token=hub.tokens["S01"])))
    await posing.expect_error("bad_token")


async def test_the_wall_model_follows_the_hub(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats(), ring_timeout=5)
    supervisor = await _supervisor(clients, hub)
    model = WallModel()
    await supervisor.send(SubscribeWall())
    await _feed(supervisor, model, lambda m: m.synced)
    assert sorted(model.seats) == ["0001", "0002", "0003"]  # agents only, logged in or not
    assert {s.state for s in model.seats.values()} == {"offline"}
    assert model.seats["0003"].hall == "松山湖分中心"
    assert "social_security" in model.seats["0001"].themes or model.seats["0001"].themes

    agent = await clients.agent(hub, "0001")
    await _feed(supervisor, model, lambda m: m.seats["0001"].state == "away")
    await agent.ready()
    await _feed(supervisor, model, lambda m: m.seats["0001"].state == "ready")
    citizen = await clients.citizen(hub)
    queued = await citizen.join(
        SI_ITEM, priority="elderly", name="王小明", id_number="441900199001011234"
    )
    offer = await agent.expect(Offer)
    await _feed(supervisor, model, lambda m: m.seats["0001"].state == "ringing")
    ringing = model.seats["0001"]
    assert (ringing.item_code, ringing.channel, ringing.work_order_id) == (
        SI_ITEM,
        "web",
        queued.work_order_id,
    )
    assert model.queue and model.queue[0].priority_waiting == 1
    await agent.send(Accept(call_id=offer.call_id))
    await _feed(supervisor, model, lambda m: m.seats["0001"].state == "on_call")
    assert model.seats["0001"].call_started_at > 0
    assert model.queue == ()
    assert model.figures.offered == 1 and model.figures.answered == 1
    assert model.figures.service_level_20s == 1.0
    await agent.send(Hangup(call_id=offer.call_id))
    await _feed(supervisor, model, lambda m: m.seats["0001"].state == "wrap_up")
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
    await citizen.send(Rate(work_order_id=queued.work_order_id, score=10))
    await _feed(supervisor, model, lambda m: m.figures.ratings == 1)
    figures = model.figures
    assert (figures.work_orders_closed, figures.users_served, figures.average_rating) == (1, 1, 10)
    assert model.seats["0001"].state == "ready"
    # No personal data reaches the wall: the seat record names the item, not the citizen.
    assert "王小明" not in repr(model.seats) and "1234" not in repr(model.queue)

    model.set_filters(WallFilters(halls=frozenset({"松山湖分中心"})))
    assert [s.agent_id for s in model.visible_seats()] == ["0003"]
    model.set_filters(WallFilters(states=frozenset({"ready"})))
    assert [s.agent_id for s in model.visible_seats()] == ["0001"]
    await clients.close_all()


async def test_figures_survive_a_hub_restart(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    citizen = await clients.citizen(hub)
    await citizen.join(SI_ITEM)
    await citizen.ws.close()
    await wait_for_rows(hub.db_path, "SELECT * FROM work_orders WHERE state='abandoned'", (), len)
    hub.stop()
    hub.start()
    supervisor = await _supervisor(clients, hub)
    await supervisor.send(SubscribeWall())
    snapshot = await supervisor.expect(WallSnapshot)
    assert (snapshot.figures.offered, snapshot.figures.abandoned) == (1, 1)


async def test_whisper_reaches_only_that_agent_and_is_audited(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    supervisor = await _supervisor(clients, hub)
    one = await clients.agent(hub, "0001")
    two = await clients.agent(hub, "0002")
    await supervisor.send(Whisper(agent_id="0001", text="请注意语速"))
    await supervisor.expect(Ack, lambda a: a.of == "whisper")
    whisper = await one.expect(WhisperMessage)
    assert (whisper.text, whisper.supervisor_id, whisper.supervisor_name) == (
        "请注意语速",
        "S01",
        "李督导",
    )
    assert not any(isinstance(m, WhisperMessage) for m in await two.sync())
    await supervisor.send(Whisper(agent_id="9999", text="?"))
    await supervisor.expect_error("no_such_agent")
    await supervisor.send(Whisper(agent_id="0003", text="?"))  # not logged in
    await supervisor.expect_error("bad_state")
    await supervisor.send(FetchAudit(limit=10))
    log = await supervisor.expect(AuditLog)
    # Newest first: each action's row written before it ("requested"), then its outcome.
    assert [(e.action, e.target, e.result) for e in log.entries] == [
        ("whisper", "0003", "refused:bad_state"),
        ("whisper", "0003", "requested"),
        ("whisper", "9999", "refused:no_such_agent"),
        ("whisper", "9999", "requested"),
        ("whisper", "0001", "ok"),
        ("whisper", "0001", "requested"),
    ]
    assert all(e.supervisor_id == "S01" for e in log.entries)
    assert "请注意" not in repr(log.entries)  # the words stay private


async def test_supervisor_sets_an_agents_state(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    supervisor = await _supervisor(clients, hub)
    agent = await clients.agent(hub, "0001")
    await supervisor.send(SuperviseState(agent_id="0001", state="ready"))
    await supervisor.expect(Ack, lambda a: a.of == "supervise_state")
    await agent.expect(Presence, lambda p: p.state == "ready")
    await supervisor.send(SuperviseState(agent_id="0001", state="away", reason="meeting"))
    await supervisor.expect(Ack)
    presence = await agent.expect(Presence, lambda p: p.state == "away")
    assert presence.reason == "meeting"
    rows = db_rows(hub.db_path, "SELECT action, target, detail, result FROM audit_log"
                   " WHERE result != 'requested' ORDER BY seq")  # the outcomes
    assert rows == [
        {"action": "supervise_state", "target": "0001", "detail": "ready", "result": "ok"},
        {
            "action": "supervise_state",
            "target": "0001",
            "detail": "away (meeting)",
            "result": "ok",
        },
    ]


async def test_supervisor_moves_a_waiting_citizen_to_an_agent_or_a_queue(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats(), ring_timeout=5)
    supervisor = await _supervisor(clients, hub)
    si_agent = await clients.agent(hub, "0001")
    hf_agent = await clients.agent(hub, "0003")
    citizen = await clients.citizen(hub)
    queued = await citizen.join(SI_ITEM)
    # Nobody is ready: the citizen waits. Move them to the housing-fund queue...
    await supervisor.send(MoveContact(work_order_id=queued.work_order_id, to_item_code=HF_WEB_ITEM))
    await supervisor.expect(Ack, lambda a: a.of == "move_contact")
    await wait_for_rows(
        hub.db_path,
        "SELECT item_code FROM work_orders WHERE id = ?",
        (queued.work_order_id,),
        lambda rows: rows[0]["item_code"] == HF_WEB_ITEM,
    )
    # ...where a housing-fund agent gets them when ready, and the SI agent never does.
    await hf_agent.ready()
    offer = await hf_agent.expect(Offer)
    assert (offer.work_order_id, offer.item_code) == (queued.work_order_id, HF_WEB_ITEM)
    assert not any(isinstance(m, Offer) for m in await si_agent.sync())
    await hf_agent.ws.close()  # the offer is withdrawn; nobody else serves that queue
    # Straight to a named ready agent (the supervisor decides, skill or not).
    await si_agent.ready()
    await supervisor.send(MoveContact(work_order_id=queued.work_order_id, to_agent_id="0001"))
    await supervisor.expect(Ack, lambda a: a.of == "move_contact")
    offer = await si_agent.expect(Offer)
    assert offer.work_order_id == queued.work_order_id
    # Being offered now: it cannot be moved; an agent who is not ready cannot take it.
    await supervisor.send(MoveContact(work_order_id=queued.work_order_id, to_item_code=SI_ITEM))
    await supervisor.expect_error("bad_state")
    await supervisor.send(MoveContact(work_order_id="WO-nope", to_agent_id="0001"))
    await supervisor.expect_error("no_such_work_order")
    rows = db_rows(hub.db_path, "SELECT action, result FROM audit_log ORDER BY seq")
    assert [r["result"] for r in rows] == [  # each written before the action, then after
        "requested", "ok",
        "requested", "ok",
        "requested", "refused:bad_state",
        "requested", "refused:no_such_work_order",
    ]
    assert {r["action"] for r in rows} == {"move_contact"}


async def test_the_audit_log_is_append_only(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    supervisor = await _supervisor(clients, hub)
    await clients.agent(hub, "0001")
    await supervisor.send(SuperviseState(agent_id="0001", state="ready"))
    await supervisor.expect(Ack)
    db = sqlite3.connect(hub.db_path, timeout=5)
    try:
        for sql in ("UPDATE audit_log SET result = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(sql)
    finally:
        db.close()
    assert db_rows(hub.db_path, "SELECT result FROM audit_log") == [
        {"result": "requested"}, {"result": "ok"}]


async def test_counter_mode_takes_the_seat_out_of_routing_after_its_call(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI, mode="combined"), SUPERVISOR], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    first = await clients.citizen(hub, "first")
    queued = await first.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(Presence, lambda p: p.state == "on_call")
    # Switching during the call: the call goes on, the mode changes now.
    await agent.send(SetMode(mode="counter"))
    switched = await agent.expect(Presence, lambda p: p.mode == "counter")
    assert switched.state == "on_call"
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
    after = await agent.expect(Presence, lambda p: p.state != "on_call" and p.state != "wrap_up")
    assert after.state == "counter"
    second = await clients.citizen(hub, "second")
    await second.join(SI_ITEM)
    assert not any(isinstance(m, Offer) for m in await agent.sync())
    # Back to video: away first, then ready, and the waiting citizen is offered.
    await agent.send(SetMode(mode="video"))
    await agent.expect(Presence, lambda p: p.state == "away")
    await agent.ready()
    await agent.expect(Offer)


async def test_wrap_up_has_a_time_limit_per_queue(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats(), ring_timeout=5, extra_args=["--queue-wrap-up-limit", f"{SI}=0.5"])
    supervisor = await _supervisor(clients, hub)
    await supervisor.send(SubscribeWall())
    model = WallModel()
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.send(Hangup(call_id=offer.call_id))
    await _feed(supervisor, model, lambda m: m.synced and m.seats["0001"].state == "wrap_up")
    assert model.seats["0001"].wrap_up_limit_s == 0.5
    closed = await agent.expect(WorkOrderClosed, within=3)
    assert (closed.work_order_id, closed.outcome) == (queued.work_order_id, "unresolved")
    await agent.expect(Presence, lambda p: p.state == "ready")
    rows = db_rows(hub.db_path, "SELECT state, notes FROM work_orders")
    assert rows[0]["state"] == "closed" and "time limit" in rows[0]["notes"]
    await asyncio.sleep(0)


async def test_the_wall_counts_a_waiting_citizen_whose_link_dropped_until_they_are_back(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    supervisor = await _supervisor(clients, hub)
    model = WallModel()
    await supervisor.send(SubscribeWall())
    await _feed(supervisor, model, lambda m: m.synced)
    citizen = await clients.connect(hub.url, "citizen")
    welcome = await citizen.hello("citizen", name="赵六")
    await citizen.join(SI_ITEM)  # no agent is ready: they wait
    await _feed(supervisor, model, lambda m: bool(m.queue))
    assert (model.queue[0].waiting, model.queue[0].link_lost) == (1, 0)

    citizen.ws.transport.abort()  # the link drops, no goodbye
    await _feed(supervisor, model, lambda m: bool(m.queue) and m.queue[0].link_lost == 1)
    assert model.queue_summary().waiting == 1  # still waiting: the place is kept
    assert model.queue_summary().link_lost == 1

    again = await clients.connect(hub.url, "citizen again")
    await again.send(Hello(role="citizen", resume=welcome.resume_token))
    await _feed(supervisor, model, lambda m: bool(m.queue) and m.queue[0].link_lost == 0)
    assert model.queue[0].waiting == 1
