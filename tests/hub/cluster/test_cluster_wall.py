"""The seat wall in a cluster: a supervisor on one hub watches the seats and citizens of
every hub (their states, what each seat is busy with, the one queue by item and the day's
figures from the shared ledger), fed into the workstation's own wall model; the actions a
cluster does not share yet are refused with a message saying so."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cluster_hubs import WITHIN, beside, cluster_args, until_rows
from hubclient import Client, Clients, agent_seat

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.supervision.wall_model import WallModel
from seat_common.protocol import (
    Accept,
    Ack,
    CallStarted,
    Hangup,
    Hold,
    Offer,
    Presence,
    RaiseHand,
    SubscribeWall,
    SuperviseState,
    WallSnapshot,
    WatchCall,
    Whisper,
    WhisperMessage,
    WorkOrderClosed,
    WrapUp,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor", hall="东莞市民服务中心")


@pytest.fixture
def wall_hubs(start_hub: Callable[..., HubProcess], postgres_url: str, redis_url: str,
              tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two cluster hubs sharing the seats a1, a2 and the supervisor S01."""
    first = start_hub([agent_seat("a1"), agent_seat("a2"), SUPERVISOR], ring_timeout=10,
                      extra_args=cluster_args(postgres_url, redis_url, tmp_path))
    second = beside(first, tmp_path / "hub-second")
    try:
        yield first, second
    finally:
        second.stop()


async def _watching(clients: Clients, hub: HubProcess) -> tuple[Client, WallModel]:
    supervisor = await clients.connect(hub.url, "李督导")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(SubscribeWall())
    model = WallModel()
    model.apply(await supervisor.expect(WallSnapshot, within=WITHIN))
    return supervisor, model


async def _until(supervisor: Client, model: WallModel, ok: Callable[[WallModel], bool]
                 ) -> None:
    """What the hub pushes applied to ``model`` until ``ok(model)``."""
    deadline = time.monotonic() + WITHIN
    while not ok(model):
        left = deadline - time.monotonic()
        assert left > 0, f"the wall never got there: {model.seats}, {model.queue}"
        model.apply(await supervisor.recv(left))


async def test_a_supervisor_on_one_hub_watches_the_seats_and_queue_of_every_hub(
    wall_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = wall_hubs
    supervisor, model = await _watching(clients, hub_a)
    assert {s.agent_id: s.state for s in model.seats.values()} == {
        "a1": "offline", "a2": "offline"}

    agent = await clients.agent(hub_b, "a1")  # on the other hub, away at first
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "away")
    citizen = await clients.citizen(hub_b, "王小明")
    queued = await citizen.join(name="王小明")
    await _until(supervisor, model, lambda m: [
        (line.waiting, line.next_work_order_id) for line in m.queue] == [
        (1, queued.work_order_id)])

    await agent.ready()
    offer = await agent.expect(Offer, within=WITHIN)
    await agent.send(Accept(call_id=offer.call_id))
    await citizen.expect(CallStarted, within=WITHIN)
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "on_call"
                 and not m.queue)
    busy = model.seats["a1"]
    assert busy.work_order_id == queued.work_order_id
    assert busy.item_code and busy.item_name and busy.channel
    assert abs(busy.call_started_at - time.time()) < 60
    await agent.send(Hold(call_id=offer.call_id, on=True))
    await _until(supervisor, model, lambda m: m.seats["a1"].on_hold)
    await agent.send(Hold(call_id=offer.call_id, on=False))
    await _until(supervisor, model, lambda m: not m.seats["a1"].on_hold)

    await agent.send(Hangup(call_id=offer.call_id))
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "wrap_up")
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved", notes=""))
    await agent.expect(WorkOrderClosed, within=WITHIN)
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "ready"
                 and not m.seats["a1"].work_order_id)
    await agent.ws.close()
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "offline")

    # Watching a call is not shared yet: refused, saying so.
    await supervisor.send(WatchCall(agent_id="a1"))
    refused = await supervisor.expect_error("not_allowed", within=WITHIN)
    assert "多中心模式下暂不支持" in refused.message


async def test_the_days_figures_on_the_wall_count_every_hubs_calls(
    wall_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = wall_hubs
    for hub, agent_id, name in ((hub_a, "a1", "王小明"), (hub_b, "a2", "李小红")):
        agent = await clients.agent(hub, agent_id)
        await agent.ready()
        citizen = await clients.citizen(hub, name)
        queued = await citizen.join(name=name)
        offer = await agent.expect(Offer, within=WITHIN)
        await agent.send(Accept(call_id=offer.call_id))
        await citizen.expect(CallStarted, within=WITHIN)
        await agent.send(Hangup(call_id=offer.call_id))
        await agent.expect(Presence, lambda p: p.state == "wrap_up", within=WITHIN)
        await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved",
                                notes=""))
        await agent.expect(WorkOrderClosed, within=WITHIN)
    await until_rows(postgres_url, "SELECT state FROM work_orders", (),
                     lambda found: [o["state"] for o in found] == ["closed"] * 2)

    _, model = await _watching(clients, hub_b)
    figures = model.figures
    assert (figures.offered, figures.answered, figures.work_orders_closed) == (2, 2, 2)


async def test_a_supervisor_whispers_to_a_seat_on_another_hub_and_the_audit_keeps_it(
    wall_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = wall_hubs
    supervisor, _ = await _watching(clients, hub_a)
    agent = await clients.agent(hub_b, "a1")
    await supervisor.send(Whisper(agent_id="a1", text="请先核对身份证有效期"))
    assert (await supervisor.expect(Ack, within=WITHIN)).of == "whisper"
    told = await agent.expect(WhisperMessage, within=WITHIN)
    assert (told.text, told.supervisor_id, told.supervisor_name) == (
        "请先核对身份证有效期", "S01", "李督导")
    rows = await until_rows(
        postgres_url, "SELECT target, detail, result FROM audit_log WHERE action = 'whisper'"
        " ORDER BY seq", (), lambda found: len(found) == 2)
    assert [(r["target"], r["result"]) for r in rows] == [("a1", "requested"), ("a1", "ok")]
    assert "核对" not in rows[0]["detail"]  # its length, not its words

    # A seat logged in nowhere is refused, as on a single hub.
    await supervisor.send(Whisper(agent_id="a2", text="在吗"))
    await supervisor.expect_error("bad_state", within=WITHIN)


async def test_a_raised_hand_shows_on_every_hubs_wall_and_follows_its_seat(
    wall_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = wall_hubs
    supervisor, model = await _watching(clients, hub_a)
    agent = await clients.agent(hub_b, "a1")
    await agent.send(RaiseHand(raised=True, reason="不会填表"))
    assert (await agent.expect(Ack, within=WITHIN)).of == "raise_hand"
    await _until(supervisor, model, lambda m: m.seats["a1"].hand == "不会填表")
    assert abs(model.seats["a1"].hand_since - time.time()) < 60

    # A whisper from the supervisor's hub answers it, once, in the audit log too.
    await supervisor.send(Whisper(agent_id="a1", text="我来帮您"))
    await agent.expect(WhisperMessage, within=WITHIN)
    await _until(supervisor, model, lambda m: m.seats["a1"].hand_answered_by == "李督导")
    await until_rows(postgres_url, "SELECT detail FROM audit_log WHERE action ="
                     " 'hand_answered'", (), lambda found: [r["detail"] for r in found] == [
                         "whisper: 不会填表"])

    # The seat logs in on the other hub: its hand is still up there, and it lowers it.
    again = await clients.agent(hub_a, "a1")
    await again.send(RaiseHand(raised=False))
    assert (await again.expect(Ack, within=WITHIN)).of == "raise_hand"
    await _until(supervisor, model, lambda m: m.seats["a1"].hand == ""
                 and m.seats["a1"].state != "offline")

    # Raised again and logged out: the hand goes with the seat.
    await again.send(RaiseHand(raised=True, reason="系统卡住"))
    await _until(supervisor, model, lambda m: m.seats["a1"].hand == "系统卡住")
    await again.ws.close()
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "offline")
    third = await clients.agent(hub_b, "a1")
    await third.send(RaiseHand(raised=False))
    await third.expect_error("bad_state", within=WITHIN)  # 没有举手: it went at logout


async def test_a_supervisor_sets_a_seat_on_another_hub_away_and_is_refused_mid_call(
    wall_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = wall_hubs
    supervisor, model = await _watching(clients, hub_a)
    agent = await clients.agent(hub_b, "a1")
    await agent.ready()
    await supervisor.send(SuperviseState(agent_id="a1", state="away", reason="meeting"))
    assert (await supervisor.expect(Ack, within=WITHIN)).of == "supervise_state"
    told = await agent.expect(Presence, lambda p: p.state == "away", within=WITHIN)
    assert told.reason == "meeting"
    await _until(supervisor, model, lambda m: (m.seats["a1"].state, m.seats["a1"].reason)
                 == ("away", "meeting"))
    # Away in the shared queue too: a citizen waits instead of being offered to it.
    citizen = await clients.citizen(hub_a, "王小明")
    queued = await citizen.join(name="王小明")
    await _until(supervisor, model, lambda m: [line.waiting for line in m.queue] == [1])

    await supervisor.send(SuperviseState(agent_id="a1", state="ready"))
    await supervisor.expect(Ack, within=WITHIN)
    offer = await agent.expect(Offer, within=WITHIN)
    assert offer.work_order_id == queued.work_order_id
    await agent.send(Accept(call_id=offer.call_id))
    await citizen.expect(CallStarted, within=WITHIN)
    await _until(supervisor, model, lambda m: m.seats["a1"].state == "on_call")
    await supervisor.send(SuperviseState(agent_id="a1", state="away", reason="break"))
    await supervisor.expect_error("bad_state", within=WITHIN)  # not in the middle of a call
    rows = await until_rows(
        postgres_url, "SELECT result FROM audit_log WHERE action = 'supervise_state'"
        " ORDER BY seq", (), lambda found: len(found) == 6)
    assert [r["result"] for r in rows] == [
        "requested", "ok", "requested", "ok", "requested", "refused:bad_state"]
