"""Consult (warm transfer) through a real hub process: ring a colleague with the citizen on
hold, talk, then return, go three-way, hand over; the wall, the ledger's legs, bad input.
Also the transfer gaps: who is ready (``list_agents``), a hold carried to the next agent,
a hang-up while waiting in a transfer, and a citizen leaving it not counted abandoned.

Citizens and agents are plain protocol clients (``hubclient``); each test waits on
messages or ledger rows, never on time.
"""

from __future__ import annotations

from hubclient import SI, Client, Clients, agent_seat, wait_for_rows
from test_call_transfer import MI, MI_ITEM, in_call, supervisor_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    Ack,
    AgentList,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultSdp,
    ConsultState,
    FormValue,
    Hangup,
    Hold,
    HoldState,
    ListAgents,
    Offer,
    PartyUpdate,
    Presence,
    SubscribeWall,
    Transfer,
    TransferUpdate,
    WallSnapshot,
    WallUpdate,
    WorkOrderClosed,
    WrapUp,
)


async def consulting(hub: HubProcess, clients: Clients, a: Client, b: Client
                     ) -> tuple[Client, CallStarted, ConsultState]:
    """A citizen in a call with ``a``, who consults ``b`` (answered)."""
    citizen, started = await in_call(hub, clients, a)
    await a.send(Consult(call_id=started.call_id, to_kind="agent", to=b.label,
                         note="请帮忙看医保", form=(FormValue(name="phone", value="138"),)))
    assert (await citizen.expect(HoldState)).on
    assert (await a.expect(HoldState)).on
    ringing = await b.expect(ConsultState)
    assert (ringing.role, ringing.phase, ringing.host_id) == ("guest", "ringing", "a1")
    (info,) = ringing.info
    assert info.note == "请帮忙看医保" and info.form == (FormValue(name="phone", value="138"),)
    assert (await a.expect(ConsultState)).phase == "ringing"
    await b.send(ConsultAnswer(consult_id=ringing.consult_id, accept=True))
    await b.expect(Presence, lambda p: p.state == "on_call")
    talking = await a.expect(ConsultState, lambda s: s.phase == "talking")
    assert talking.role == "host" and talking.guest_name == "坐席b1"
    await b.expect(ConsultState, lambda s: s.phase == "talking")
    return citizen, started, talking


async def test_consult_rings_the_colleague_relays_sdp_and_returns_to_the_citizen(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    await b.ready()
    citizen, started, talking = await consulting(hub, clients, a, b)
    kid = talking.consult_id
    await a.send(ConsultSdp(consult_id=kid, sdp_type="offer", sdp="v=0 host"))
    assert (await b.expect(ConsultSdp)).sdp == "v=0 host"
    await b.send(ConsultSdp(consult_id=kid, sdp_type="answer", sdp="v=0 guest"))
    assert (await a.expect(ConsultSdp)).sdp == "v=0 guest"
    # The wrong side's SDP, a stranger's, and the guest choosing for the host: refused.
    await b.send(ConsultSdp(consult_id=kid, sdp_type="offer", sdp="v=0"))
    assert (await b.expect_error("bad_message")).field == "sdp_type"
    await citizen.send(ConsultSdp(consult_id=kid, sdp_type="offer", sdp="v=0"))
    await citizen.expect_error("not_allowed")
    await b.send(ConsultChoice(consult_id=kid, choice="hand_over"))
    assert (await b.expect_error("not_allowed")).field == "choice"
    # Hold and transfer belong to the consult meanwhile.
    await a.send(Hold(call_id=started.call_id, on=False))
    await a.expect_error("bad_state")
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="b1"))
    await a.expect_error("bad_state")

    await a.send(ConsultChoice(consult_id=kid, choice="return"))
    ended = await b.expect(ConsultState, lambda s: s.phase == "ended")
    assert ended.reason == "returned" and ended.message
    await b.expect(Presence, lambda p: p.state == "ready")
    assert not (await citizen.expect(HoldState)).on  # back with A, off hold
    await citizen.send(Chat(call_id=started.call_id, text="好的"))
    assert (await a.expect(ChatMessage)).text == "好的"
    rows = await wait_for_rows(
        hub.db_path, "SELECT supervisor_id, result FROM audit_log WHERE action = 'consult'"
        " ORDER BY seq", (), lambda rows: len(rows) == 2)
    assert [r["result"] for r in rows] == ["requested", "returned"]


async def test_consult_three_way_then_a_leaves_and_b_finishes_with_two_legs(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1"), supervisor_seat("S01")],
                    ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    boss = await clients.connect(hub.url, "S01")
    await boss.hello("supervisor", token=hub.tokens["S01"])
    await boss.send(SubscribeWall())
    await boss.expect(WallSnapshot)
    await a.ready()
    await b.ready()
    citizen, started, talking = await consulting(hub, clients, a, b)
    wo = started.work_order_id
    await boss.expect(WallUpdate, lambda u: any(
        s.agent_id == "b1" and s.consult_phase == "talking" and s.consult_with == "坐席a1"
        for s in u.seats))
    await a.send(ConsultChoice(consult_id=talking.consult_id, choice="three_way"))
    assert (await b.expect(ConsultState, lambda s: s.phase != "talking")).phase == "three_way"
    assert not (await citizen.expect(HoldState)).on  # the citizen hears both now
    joined = await citizen.expect(PartyUpdate)
    assert (joined.call_id, joined.party, joined.phase) == (started.call_id, "colleague", "joined")
    assert joined.message == "业务同事坐席b1已加入通话，可以看到和听到您。"
    await boss.expect(WallUpdate, lambda u: any(
        s.agent_id == "a1" and s.consult_phase == "three_way" and s.consult_with == "坐席b1"
        for s in u.seats))
    await a.send(ConsultChoice(consult_id=talking.consult_id, choice="three_way"))
    await a.expect_error("bad_state")

    await a.send(ConsultChoice(consult_id=talking.consult_id, choice="hand_over"))
    assert (await b.expect(ConsultState, lambda s: s.phase == "ended")).reason == "handed_over"
    offer = await b.expect(Offer)
    assert offer.work_order_id == wo and offer.transfer[0].note == "请帮忙看医保"
    await b.send(Accept(call_id=offer.call_id))
    assert (await a.expect(CallEnded)).reason == "transferred"
    await a.expect(Presence, lambda p: p.state == "ready")
    moved = await citizen.expect(CallStarted)
    assert moved.peer_name == "坐席b1"
    # B took the call: the transfer said so, no "left" for the colleague who stays.
    assert not [m for m in await citizen.sync()
                if (isinstance(m, HoldState) and m.on) or isinstance(m, PartyUpdate)]
    await b.send(Hangup(call_id=moved.call_id))
    await b.expect(CallEnded)
    await b.send(WrapUp(work_order_id=wo, outcome="resolved", notes="三方后办结"))
    await b.expect(WorkOrderClosed)
    legs = await wait_for_rows(
        hub.db_path, "SELECT agent_id, how, handed_to FROM call_legs WHERE work_order_id = ?"
        " ORDER BY seq", (wo,), lambda rows: len(rows) == 2)
    assert [(r["agent_id"], r["how"], r["handed_to"]) for r in legs] == [
        ("a1", "transferred", "b1"), ("b1", "ended", "")]


async def test_the_citizen_is_told_when_the_colleague_leaves_a_three_way_call(
    start_hub, clients: Clients
) -> None:
    """Back from three-way to two: the colleague's picture goes at once on the citizen's
    side. A call that ends during a three-way tells them only that the call ended."""
    hub = start_hub([agent_seat("a1"), agent_seat("b1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    await b.ready()
    citizen, started, talking = await consulting(hub, clients, a, b)
    await a.send(ConsultChoice(consult_id=talking.consult_id, choice="three_way"))
    await citizen.expect(PartyUpdate, lambda p: p.phase == "joined")
    await a.send(ConsultChoice(consult_id=talking.consult_id, choice="return"))
    left = await citizen.expect(PartyUpdate, lambda p: p.phase == "left")
    assert (left.party, left.message) == ("colleague", "业务同事坐席b1已离开通话。")
    await b.expect(Presence, lambda p: p.state == "ready")

    # Again, and this time the citizen hangs up while all three talk.
    await a.send(Consult(call_id=started.call_id, to_kind="agent", to="b1"))
    ringing = await b.expect(ConsultState, lambda s: s.phase == "ringing")
    await b.send(ConsultAnswer(consult_id=ringing.consult_id, accept=True))
    await a.expect(ConsultState, lambda s: s.phase == "talking")
    await a.send(ConsultChoice(consult_id=ringing.consult_id, choice="three_way"))
    await citizen.expect(PartyUpdate, lambda p: p.phase == "joined")
    before = len(citizen.received)
    await citizen.send(Hangup(call_id=started.call_id))
    await citizen.expect(CallEnded)
    assert (await b.expect(ConsultState, lambda s: s.phase == "ended")).reason == "call_ended"
    await citizen.sync()
    assert not [m for m in citizen.received[before:] if isinstance(m, PartyUpdate)]


async def test_a_consult_declined_rung_out_or_left_comes_back_to_a(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1"), agent_seat("c1", MI)],
                    ring_timeout=2)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    await b.ready()
    citizen, started = await in_call(hub, clients, a)
    cid = started.call_id
    await a.send(Consult(call_id=cid, to_kind="agent", to="b1"))
    ringing = await b.expect(ConsultState)
    await b.send(ConsultAnswer(consult_id=ringing.consult_id, accept=False))
    back = await a.expect(ConsultState, lambda s: s.phase == "ended")
    assert back.reason == "declined" and "坐席b1" in back.message
    assert not (await citizen.expect(HoldState, lambda h: not h.on)).on
    await b.expect(Presence, lambda p: p.state == "ready")

    # To a skill: the ready agent with it; nobody answers within the ring time.
    c = await clients.agent(hub, "c1")
    await c.ready()
    await a.send(Consult(call_id=cid, to_kind="item", to=MI_ITEM))
    assert (await c.expect(ConsultState)).phase == "ringing"
    timed_out = await a.expect(ConsultState, lambda s: s.phase == "ended", within=10)
    assert timed_out.reason == "timeout"
    await citizen.expect(HoldState, lambda h: not h.on)
    await c.expect(Presence, lambda p: p.state == "ready")

    # Already on hold before the consult: stays on hold when the guest logs out.
    await a.send(Hold(call_id=cid, on=True))
    await citizen.expect(HoldState, lambda h: h.on)
    await a.send(Consult(call_id=cid, to_kind="agent", to="b1"))
    ringing = await b.expect(ConsultState)
    await b.send(ConsultAnswer(consult_id=ringing.consult_id, accept=True))
    await a.expect(ConsultState, lambda s: s.phase == "talking")
    await b.ws.close()
    left = await a.expect(ConsultState, lambda s: s.phase == "ended", within=10)
    assert left.reason == "agent_left" and "已退出登录" in left.message
    assert not [m for m in await citizen.sync() if isinstance(m, HoldState) and not m.on]


async def test_the_citizen_hanging_up_ends_the_consult_for_the_guest(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    await b.ready()
    citizen, started, _talking = await consulting(hub, clients, a, b)
    await citizen.send(Hangup(call_id=started.call_id))
    assert (await b.expect(ConsultState, lambda s: s.phase == "ended")).reason == "call_ended"
    await b.expect(Presence, lambda p: p.state == "ready")
    await a.expect(CallEnded)


async def test_bad_consults_are_refused_and_change_nothing(start_hub, clients: Clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1"), agent_seat("c1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")  # logged in but away
    await a.ready()
    await a.send(Consult(call_id="C-none", to_kind="agent", to="b1"))
    await a.expect_error("no_such_call")
    citizen, started = await in_call(hub, clients, a)
    cid = started.call_id
    for bad, code in ((Consult(call_id=cid, to_kind="agent", to="a1"), "bad_message"),
                      (Consult(call_id=cid, to_kind="agent", to="zz"), "no_such_agent"),
                      (Consult(call_id=cid, to_kind="agent", to="c1"), "no_such_agent"),
                      (Consult(call_id=cid, to_kind="agent", to="b1"), "bad_state"),
                      (Consult(call_id=cid, to_kind="item", to="NOPE"), "no_such_item"),
                      (Consult(call_id=cid, to_kind="item", to=MI_ITEM), "bad_state"),
                      (Consult(call_id=cid, to_kind="agent", to="b1", note="x" * 501),
                       "bad_message"),
                      (ConsultAnswer(consult_id="K-none", accept=True), "no_such_call"),
                      (ConsultChoice(consult_id="K-none", choice="return"), "no_such_call"),
                      (ConsultSdp(consult_id="K-none", sdp_type="offer", sdp="v=0"),
                       "no_such_call")):
        await a.send(bad)
        error = await a.expect_error(code)
        assert error.message
    await a.send_raw('{"v":1,"type":"consult_choice","consult_id":"K-1","choice":"x"}')
    assert (await a.expect_error("bad_message")).field == "choice"
    await citizen.send(Consult(call_id=cid, to_kind="agent", to="b1"))
    await citizen.expect_error("not_allowed")
    # Nothing happened: no hold, nothing rang.
    assert not [m for m in await citizen.sync() if isinstance(m, HoldState)]
    assert not [m for m in await b.sync() if isinstance(m, ConsultState)]
    # Ringing: the host cannot go three-way before the answer; the guest cannot SDP yet.
    await b.ready()
    await a.send(Consult(call_id=cid, to_kind="agent", to="b1"))
    ringing = await b.expect(ConsultState)
    await a.send(ConsultChoice(consult_id=ringing.consult_id, choice="three_way"))
    await a.expect_error("bad_state")
    await b.send(ConsultSdp(consult_id=ringing.consult_id, sdp_type="answer", sdp="v=0"))
    await b.expect_error("bad_state")
    await a.send(Consult(call_id=cid, to_kind="agent", to="b1"))
    await a.expect_error("bad_state")  # one consult at a time


async def test_the_dialog_hears_who_is_ready(start_hub, clients: Clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1", MI), agent_seat("c1")],
                    ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await clients.agent(hub, "c1")  # away
    await b.ready()
    await a.send(ListAgents())
    listed = await a.expect(AgentList)
    assert [(e.agent_id, e.state, e.takes_calls) for e in listed.agents] == [
        ("b1", "ready", True), ("c1", "away", False)]
    assert listed.agents[0].skills == (MI,)


async def test_hold_is_carried_and_leaving_a_transfer_wait_is_not_abandoned(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", SI), agent_seat("b1"), agent_seat("c1", MI),
                     supervisor_seat("S01")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    await b.ready()
    await a.send(Hold(call_id=started.call_id, on=True))
    await citizen.expect(HoldState, lambda h: h.on)
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="b1"))
    offer = await b.expect(Offer)
    await b.send(Accept(call_id=offer.call_id))
    await b.expect(CallStarted)
    held = await b.expect(HoldState)
    assert held.on and held.call_id == offer.call_id
    await citizen.expect(CallStarted)
    assert (await citizen.expect(HoldState)).on
    await b.send(Hold(call_id=offer.call_id, on=False))
    await citizen.expect(HoldState, lambda h: not h.on)

    # B hands it to a queue nobody serves; the page hangs up with the old call id.
    await b.send(Transfer(call_id=offer.call_id, to_kind="item", to=MI_ITEM))
    await citizen.expect(TransferUpdate, lambda u: u.phase == "waiting")
    await citizen.send(Hangup(call_id=offer.call_id))
    await citizen.expect(Ack, lambda m: m.of == "hangup")
    rows = await wait_for_rows(hub.db_path, "SELECT state FROM work_orders WHERE id = ?",
                               (started.work_order_id,),
                               lambda rows: rows[0]["state"] == "abandoned")
    assert rows
    boss = await clients.connect(hub.url, "S01")
    await boss.hello("supervisor", token=hub.tokens["S01"])
    await boss.send(SubscribeWall())
    figures = (await boss.expect(WallSnapshot)).figures
    assert (figures.answered, figures.abandoned) == (1, 0)  # answered once, not abandoned
    c = await clients.agent(hub, "c1")
    await c.ready()
    assert not [m for m in await c.sync() if isinstance(m, Offer)]  # nobody waits now
