"""The hub as a real process on a free port, driven by plain websocket clients.

Routing (ACD order, ring timeouts, missed offers), a whole call with its
signaling and chat ending in a closed work order in the SQLite file, and
what happens to citizens and agents who leave. Bad input has its own module.
"""

from __future__ import annotations

import asyncio
import json
import signal
import urllib.error
import urllib.request

import pytest
from hubclient import HF, SI_ITEM, agent_seat, db_rows, wait_for_rows

from sandbox.hub_process import HubProcess, HubStartError, SeatSpec
from sandbox.turn_process import free_port
from seat_common import protocol
from seat_common.protocol import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Decline,
    Hangup,
    Hello,
    Ice,
    LeaveQueue,
    Offer,
    OfferWithdrawn,
    Presence,
    ProtocolError,
    Queued,
    QueuePosition,
    QueueSnapshot,
    Rate,
    Sdp,
    SetMode,
    SetState,
    Welcome,
    WorkOrderClosed,
    WrapUp,
)

RING = 0.4


async def test_the_launcher_starts_the_hub_on_a_free_port_and_stops_it_cleanly(
    start_hub, clients
) -> None:
    hub = start_hub([agent_seat("a1")])
    assert hub.url.startswith("ws://127.0.0.1:") and hub.url.endswith("/ws")
    assert not hub.url.endswith(":0/ws")
    seats = json.loads(hub.seats_path.read_text(encoding="utf-8"))
    assert hub.tokens["a1"] not in hub.seats_path.read_text(encoding="utf-8")
    assert len(seats["seats"][0]["token_sha256"]) == 64
    agent = await clients.agent(hub, "a1")
    assert agent.received[0].agent_id == "a1"  # type: ignore[attr-defined]
    http_url = hub.url.replace("ws://", "http://").replace("/ws", "/elsewhere")
    with pytest.raises(urllib.error.HTTPError) as refused:
        await asyncio.to_thread(urllib.request.urlopen, http_url, timeout=3)
    assert refused.value.code == 404
    refused.value.close()
    assert await asyncio.to_thread(hub.stop) == 0
    assert hub.events("stopped"), hub.log_text()


async def test_a_broken_seats_file_stops_the_hub_with_a_message(tmp_path) -> None:
    bad = HubProcess([agent_seat("a1", "no_such_skill")], workdir=tmp_path)
    with pytest.raises(HubStartError, match="unknown skill 'no_such_skill'"):
        bad.start()


async def test_priority_citizen_who_joined_later_is_offered_first(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("a2"), agent_seat("a3")], ring_timeout=5)
    agents = [await clients.agent(hub, f"a{i}") for i in (1, 2, 3)]
    first = await (await clients.citizen(hub, "first")).join(name="陈一")
    second = await (await clients.citizen(hub, "second")).join(name="陈二")
    elderly = await (await clients.citizen(hub, "elderly")).join(priority="elderly", name="李老伯")
    assert (first.position, second.position, elderly.position) == (1, 2, 1)
    offered = []
    for agent in agents:  # agents become ready one at a time
        await agent.ready()
        offered.append((await agent.expect(Offer)).work_order_id)
    assert offered == [elderly.work_order_id, first.work_order_id, second.work_order_id]


async def test_waiting_citizens_hear_when_their_position_moves(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1")])
    normal = await clients.citizen(hub, "normal")
    assert (await normal.join()).position == 1
    disabled = await clients.citizen(hub, "disabled")
    assert (await disabled.join(priority="disabled")).position == 1
    moved = await normal.expect(QueuePosition)
    assert moved.position == 2 and moved.expected_wait_s > 0


async def test_longest_idle_agent_gets_the_offer_and_unskilled_agents_never_do(
    start_hub, clients
) -> None:
    hub = start_hub(
        [agent_seat("early"), agent_seat("late"), agent_seat("housing", HF)], ring_timeout=5
    )
    housing = await clients.agent(hub, "housing")
    await housing.ready()  # idle longest of all, but without the skill
    early = await clients.agent(hub, "early")
    await early.ready()
    late = await clients.agent(hub, "late")
    await late.ready()
    one = await (await clients.citizen(hub, "one")).join(SI_ITEM)
    assert (await early.expect(Offer)).work_order_id == one.work_order_id
    two = await (await clients.citizen(hub, "two")).join(SI_ITEM)
    assert (await late.expect(Offer)).work_order_id == two.work_order_id
    await (await clients.citizen(hub, "three")).join(SI_ITEM)
    seen_by_housing = await housing.sync()
    assert not [m for m in seen_by_housing if isinstance(m, Offer)]
    assert not [m for m in await early.sync() if isinstance(m, Offer)]  # busy ringing


async def test_an_offer_that_rings_out_moves_to_the_next_agent(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("a2")], ring_timeout=RING)
    a1 = await clients.agent(hub, "a1")
    await a1.ready()
    a2 = await clients.agent(hub, "a2")
    await a2.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join(name="王小明")
    offer = await a1.expect(Offer)
    assert offer.ring_timeout_s == RING
    withdrawn = await a1.expect(OfferWithdrawn, within=RING + 2)
    assert (withdrawn.call_id, withdrawn.reason) == (offer.call_id, "timeout")
    presence = await a1.expect(Presence)
    assert (presence.state, presence.missed_offers) == ("ready", 1)
    second = await a2.expect(Offer)
    assert second.work_order_id == queued.work_order_id
    assert second.queued_at == offer.queued_at  # keeps its place in the queue
    rows = await wait_for_rows(
        hub.db_path,
        "SELECT agent_id, result FROM offers WHERE work_order_id = ? ORDER BY offered_at",
        (queued.work_order_id,),
        lambda rows: len(rows) == 2,
    )
    assert [(r["agent_id"], r["result"]) for r in rows] == [("a1", "timeout"), ("a2", "ringing")]


async def test_missed_offers_in_a_row_set_the_agent_away(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1")], ring_timeout=0.3, max_missed=3)
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join()
    for _ in range(3):
        await agent.expect(Offer)
        await agent.expect(OfferWithdrawn, lambda w: w.reason == "timeout", within=2)
    away = await agent.expect(Presence, lambda p: p.state != "ringing")
    assert (away.state, away.reason, away.missed_offers) == ("away", "missed_offers", 3)
    assert not [m for m in await agent.sync() if isinstance(m, Offer)]
    assert [e.work_order_id for e in agent.last(QueueSnapshot).entries] == [queued.work_order_id]
    await agent.ready()  # coming back resets the count and the offer comes again
    assert (await agent.expect(Offer)).work_order_id == queued.work_order_id


async def test_a_seat_in_counter_mode_takes_no_video_calls(start_hub, clients) -> None:
    hub = start_hub(
        [agent_seat("clerk", mode="combined"), agent_seat("counter", mode="counter")],
        ring_timeout=5,
    )
    counter = await clients.agent(hub, "counter")
    assert (counter.last(Presence).state, counter.last(Presence).mode) == ("counter", "counter")
    await counter.send(SetState(state="ready"))
    await counter.expect_error("bad_state")
    clerk = await clients.agent(hub, "clerk")
    await clerk.ready()
    await clerk.send(SetMode(mode="counter"))
    presence = await clerk.expect(Presence)
    assert (presence.state, presence.mode) == ("counter", "counter")
    queued = await (await clients.citizen(hub)).join()
    for seat in (clerk, counter):
        assert not [m for m in await seat.sync() if isinstance(m, Offer)]
    await clerk.send(SetMode(mode="combined"))
    presence = await clerk.expect(Presence)
    assert (presence.state, presence.mode) == ("away", "combined")
    await clerk.ready()
    assert (await clerk.expect(Offer)).work_order_id == queued.work_order_id


async def test_a_declined_offer_goes_to_the_next_agent(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("a2")], ring_timeout=5)
    a1 = await clients.agent(hub, "a1")
    await a1.ready()
    a2 = await clients.agent(hub, "a2")
    await a2.ready()
    queued = await (await clients.citizen(hub)).join()
    offer = await a1.expect(Offer)
    await a1.send(Decline(call_id=offer.call_id))
    assert (await a1.expect(OfferWithdrawn)).reason == "declined"
    assert (await a1.expect(Presence)).state == "ready"
    assert (await a2.expect(Offer)).work_order_id == queued.work_order_id


async def test_a_whole_call_ends_as_a_closed_work_order_in_the_ledger(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1")], ring_timeout=5)
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(name="王小明", id_number="441900199001011234", phone="13800138000")
    offer = await agent.expect(Offer)
    assert offer.citizen.id_number == "4419**********1234"  # masked for the agent
    assert offer.citizen.phone == "138****8000"
    await agent.send(Accept(call_id=offer.call_id))
    caller = await citizen.expect(CallStarted)
    callee = await agent.expect(CallStarted)
    assert (caller.call_role, caller.peer_name) == ("caller", "坐席a1")
    assert (callee.call_role, callee.peer_name) == ("callee", "王小明")
    assert caller.work_order_id == callee.work_order_id == queued.work_order_id
    call_id = caller.call_id

    sdp_offer = Sdp(call_id=call_id, sdp_type="offer", sdp="v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n")
    await citizen.send(sdp_offer)
    assert await agent.expect(Sdp) == sdp_offer
    sdp_answer = Sdp(call_id=call_id, sdp_type="answer", sdp="v=0\r\no=- 3 4 IN IP4 0.0.0.0\r\n")
    await agent.send(sdp_answer)
    assert await citizen.expect(Sdp) == sdp_answer
    candidate = Ice(call_id=call_id, candidate="candidate:1 1 UDP 1 127.0.0.1 5000 typ host")
    await citizen.send(candidate)
    assert await agent.expect(Ice) == candidate
    await agent.send(Ice(call_id=call_id, candidate=""))
    assert (await citizen.expect(Ice)).candidate == ""

    await citizen.send(Chat(call_id=call_id, text="我想查失业保险"))
    for party in (citizen, agent):
        said = await party.expect(ChatMessage)
        assert (said.text, said.sender_role, said.sender_name) == (
            "我想查失业保险",
            "citizen",
            "王小明",
        )
    await agent.send(Chat(call_id=call_id, text="好的，请稍等"))
    for party in (citizen, agent):
        assert (await party.expect(ChatMessage)).sender_role == "agent"

    await citizen.send(Hangup(call_id=call_id))
    for party in (citizen, agent):
        ended = await party.expect(CallEnded)
        assert (ended.ended_by, ended.reason) == ("citizen", "hangup")
    assert (await agent.expect(Presence)).state == "wrap_up"
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved", notes="已解答"))
    assert (await agent.expect(WorkOrderClosed)).outcome == "resolved"
    assert (await citizen.expect(WorkOrderClosed)).outcome == "resolved"
    assert (await agent.expect(Presence)).state == "ready"
    await citizen.send(Rate(work_order_id=queued.work_order_id, score=10, comment="很满意"))
    assert await citizen.expect(Ack) == Ack(of="rate", work_order_id=queued.work_order_id)

    [row] = db_rows(hub.db_path, "SELECT * FROM work_orders WHERE id = ?", (queued.work_order_id,))
    assert row["state"] == "closed" and row["outcome"] == "resolved" and row["notes"] == "已解答"
    assert row["agent_id"] == "a1" and row["ended_by"] == "citizen"
    assert row["queued_at"] <= row["offered_at"] <= row["answered_at"] <= row["ended_at"]
    assert row["ended_at"] <= row["closed_at"]
    assert (row["rating"], row["rating_comment"]) == (10, "很满意")
    chat = db_rows(
        hub.db_path,
        "SELECT sender_role, text FROM chat_messages WHERE work_order_id = ? ORDER BY id",
        (queued.work_order_id,),
    )
    assert [(c["sender_role"], c["text"]) for c in chat] == [
        ("citizen", "我想查失业保险"),
        ("agent", "好的，请稍等"),
    ]
    log = hub.log_text()
    assert "441900199001011234" not in log and "13800138000" not in log
    assert hub.tokens["a1"] not in log


async def test_a_citizen_who_leaves_while_ringing_abandons_the_work_order(
    start_hub, clients
) -> None:
    hub = start_hub([agent_seat("a1")], ring_timeout=5)
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join()
    offer = await agent.expect(Offer)
    await citizen.send(LeaveQueue())
    assert (await citizen.expect(Ack)).work_order_id == queued.work_order_id
    withdrawn = await agent.expect(OfferWithdrawn)
    assert (withdrawn.call_id, withdrawn.reason) == (offer.call_id, "citizen_left")
    assert (await agent.expect(Presence)).state == "ready"
    [row] = db_rows(hub.db_path, "SELECT * FROM work_orders WHERE id = ?", (queued.work_order_id,))
    assert (row["state"], row["outcome"]) == ("abandoned", "abandoned")


async def test_a_citizen_who_disconnects_while_waiting_leaves_the_queue(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1")])
    agent = await clients.agent(hub, "a1")  # away: nothing is offered
    citizen = await clients.citizen(hub)
    queued = await citizen.join()
    snapshot = await agent.expect(QueueSnapshot, lambda s: len(s.entries) == 1)
    assert snapshot.entries[0].work_order_id == queued.work_order_id
    await citizen.ws.close()
    await agent.expect(QueueSnapshot, lambda s: not s.entries)
    await wait_for_rows(
        hub.db_path,
        "SELECT state FROM work_orders WHERE id = ?",
        (queued.work_order_id,),
        lambda rows: rows[0]["state"] == "abandoned",
    )


async def test_an_agent_who_disconnects_while_ringing_passes_the_contact_on(
    start_hub, clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("a2")], ring_timeout=5)
    a1 = await clients.agent(hub, "a1")
    await a1.ready()
    a2 = await clients.agent(hub, "a2")
    await a2.ready()
    queued = await (await clients.citizen(hub)).join()
    await a1.expect(Offer)
    await a1.ws.close()
    assert (await a2.expect(Offer)).work_order_id == queued.work_order_id


async def test_a_party_who_disconnects_mid_call_ends_it_for_the_other(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1")], ring_timeout=5)
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join()
    await agent.send(Accept(call_id=(await agent.expect(Offer)).call_id))
    await agent.expect(CallStarted)
    await citizen.ws.close()
    ended = await agent.expect(CallEnded)
    assert (ended.ended_by, ended.reason) == ("hub", "disconnected")
    assert (await agent.expect(Presence)).state == "wrap_up"
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="dropped"))
    assert (await agent.expect(WorkOrderClosed)).outcome == "dropped"


async def test_a_restart_keeps_the_waiting_citizens_and_they_take_their_places_back(
    tmp_path, clients
) -> None:
    hub = HubProcess([agent_seat("a1")], workdir=tmp_path / "hub", port=free_port())
    hub.start()
    try:
        first = await clients.connect(hub.url, "first")
        token1 = (await first.hello("citizen", name="甲")).resume_token
        queued1 = await first.join(large_text=True)  # 大字版: kept with the place
        second = await clients.connect(hub.url, "second")
        token2 = (await second.hello("citizen", name="乙")).resume_token
        queued2 = await second.join()
        kiosk = await clients.kiosk(hub)  # a kiosk has no resume token: not kept
        at_kiosk = await kiosk.join(channel="kiosk")
        hub._proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        assert await asyncio.to_thread(hub.stop) == 0
        rows = db_rows(hub.db_path, "SELECT id, state FROM work_orders")
        states = {r["id"]: r["state"] for r in rows}
        assert states[queued1.work_order_id] == states[queued2.work_order_id] == "queued"

        await asyncio.to_thread(hub.start)
        await hub.wait_for_event("queue_restored", lambda e: e.get("work_orders") == 2)
        [row] = db_rows(hub.db_path, "SELECT state FROM work_orders WHERE id = ?",
                        (at_kiosk.work_order_id,))
        assert row["state"] == "abandoned"
        back2 = await clients.connect(hub.url, "second again")
        await back2.send(Hello(role="citizen", resume=token2))
        await back2.expect(Welcome)
        place2 = await back2.expect(Queued)
        assert (place2.work_order_id, place2.position) == (queued2.work_order_id, 2)
        back1 = await clients.connect(hub.url, "first again")
        await back1.send(Hello(role="citizen", resume=token1))
        await back1.expect(Welcome)
        place1 = await back1.expect(Queued)
        assert (place1.work_order_id, place1.position) == (queued1.work_order_id, 1)

        agent = await clients.agent(hub, "a1")
        await agent.ready()
        offer = await agent.expect(Offer)
        assert offer.work_order_id == queued1.work_order_id
        assert offer.large_text  # the agent still learns the citizen reads large text
        await agent.send(Accept(call_id=offer.call_id))
        assert (await back1.expect(CallStarted)).work_order_id == queued1.work_order_id
    finally:
        await asyncio.to_thread(hub.stop)


async def test_a_citizen_told_queued_keeps_the_place_through_a_crash_that_follows_at_once(
    tmp_path, clients
) -> None:
    """The place is on disk before ``Queued`` is sent: a power cut the moment the last
    of ten citizens is told loses none of them (the place used to be a second write,
    queued behind the others, which a crash could beat)."""
    hub = HubProcess([agent_seat("a1")], workdir=tmp_path / "hub", port=free_port())
    hub.start()
    try:
        async def one(i: int) -> tuple[str, str]:
            citizen = await clients.connect(hub.url, f"c{i}")
            token = (await citizen.hello("citizen", name=f"等候{i}")).resume_token
            return (await citizen.join()).work_order_id, token

        joined = await asyncio.gather(*(one(i) for i in range(10)))
        hub.crash()
        await asyncio.to_thread(hub.stop)
        kept = {r["work_order_id"] for r in db_rows(
            hub.db_path, "SELECT work_order_id FROM queue_places")}
        assert kept == {wo for wo, _ in joined}

        await asyncio.to_thread(hub.start)
        await hub.wait_for_event("queue_restored", lambda e: e.get("work_orders") == 10)
        wo, token = joined[-1]
        back = await clients.connect(hub.url, "back")
        await back.send(Hello(role="citizen", resume=token))
        await back.expect(Welcome)
        assert (await back.expect(Queued)).work_order_id == wo
    finally:
        await asyncio.to_thread(hub.stop)


async def test_a_restored_place_nobody_takes_back_is_abandoned_after_the_grace_period(
    tmp_path, clients
) -> None:
    hub = HubProcess([agent_seat("a1")], workdir=tmp_path / "hub", port=free_port(),
                     extra_args=("--resume-grace", "1"))
    hub.start()
    try:
        citizen = await clients.connect(hub.url, "gone")
        await citizen.hello("citizen", name="丙")
        queued = await citizen.join()
        hub._proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        assert await asyncio.to_thread(hub.stop) == 0
        await asyncio.to_thread(hub.start)
        await hub.wait_for_event("resume_expired", within=30)
        await wait_for_rows(
            hub.db_path,
            "SELECT state FROM work_orders WHERE id = ?",
            (queued.work_order_id,),
            lambda rows: rows[0]["state"] == "abandoned",
        )
    finally:
        await asyncio.to_thread(hub.stop)


def test_the_sync_api_works_without_an_event_loop(tmp_path) -> None:
    with HubProcess([SeatSpec("s1", "主管", role="supervisor")], workdir=tmp_path) as hub:
        assert hub.running and hub.url.startswith("ws://")
        assert hub.events("listening")[0]["seats"] == 1
    assert not hub.running and hub.returncode == 0


async def test_supervisors_log_in(start_hub, clients) -> None:
    hub = start_hub([agent_seat("a1"), SeatSpec("s1", "主管", role="supervisor")])
    supervisor = await clients.connect(hub.url)
    welcome = await supervisor.hello("supervisor", token=hub.tokens["s1"])
    assert (welcome.role, welcome.agent_id, welcome.name) == ("supervisor", "s1", "主管")
    wrong_role = await clients.connect(hub.url)
    await wrong_role.send_raw(
        json.dumps({"v": 1, "type": "hello", "role": "agent", "token": hub.tokens["s1"]})
    )
    await wrong_role.expect_error("bad_token")


async def test_waiting_citizens_hear_how_many_agents_are_on_duty_for_their_item(
    start_hub, clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("housing", HF)])
    citizen = await clients.citizen(hub)
    queued = await citizen.join(SI_ITEM)
    assert queued.agents_on_duty == 0, "nobody is logged in: the page says so"
    await clients.agent(hub, "housing")  # logged in, but without the item's skill
    assert not [m for m in await citizen.sync() if isinstance(m, QueuePosition)]
    a1 = await clients.agent(hub, "a1")  # logged in with the skill, not ready yet
    moved = await citizen.expect(QueuePosition)
    assert (moved.position, moved.agents_on_duty) == (1, 1)
    await a1.ws.close()
    gone = await citizen.expect(QueuePosition)
    assert (gone.position, gone.agents_on_duty) == (1, 0)


def test_agents_on_duty_is_optional_on_the_wire_and_checked_when_given() -> None:
    frame = (
        '{"v":1,"type":"queued","work_order_id":"w","item_code":"i","item_name":"n",'
        '"position":1,"expected_wait_s":180'
    )
    old = protocol.decode(frame + "}")
    assert isinstance(old, Queued) and old.agents_on_duty == -1  # from an older hub
    with pytest.raises(ProtocolError) as refused:
        protocol.decode(frame + ',"agents_on_duty":-2}')
    assert refused.value.field == "agents_on_duty"
