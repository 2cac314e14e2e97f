"""Cold transfer through a real hub process: to a skill queue, to a named agent, and back.

Citizens and agents are plain protocol clients (``hubclient``); the ledger is the hub's
own SQLite file. Each test waits on messages or ledger rows, never on time.
"""

from __future__ import annotations

import hashlib
import io

from hubclient import SI, SI_ITEM, Client, Clients, agent_seat, db_rows, wait_for_rows
from PIL import Image

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    CHUNK_UPLOAD,
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Decline,
    FormValue,
    Hangup,
    Hold,
    HoldState,
    MaterialAdded,
    Offer,
    OfferWithdrawn,
    PreReviewNotice,
    Presence,
    RaiseHand,
    ReviewVerdict,
    SetState,
    SubscribeWall,
    Transfer,
    TransferUpdate,
    UploadStart,
    VerdictEntry,
    WallSnapshot,
    WallUpdate,
    Whisper,
    WorkOrderClosed,
    WrapUp,
    chunk_frames,
)

MI = "medical_insurance"
MI_ITEM = "MI-REMOTE-FILING"


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


async def in_call(hub: HubProcess, clients: Clients, agent: Client, item: str = SI_ITEM,
                  label: str = "市民") -> tuple[Client, CallStarted]:
    """A citizen queued for ``item`` and answered by ``agent``."""
    citizen = await clients.citizen(hub, label)
    await citizen.join(item)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted)
    await agent.expect(CallStarted)
    return citizen, started


async def answers(agent: Client, citizen: Client, work_order_id: str) -> Offer:
    """``agent`` is offered the citizen's work order and answers: the call starts."""
    offer = await agent.expect(Offer, within=10)
    assert offer.work_order_id == work_order_id
    await agent.send(Accept(call_id=offer.call_id))
    await citizen.expect(CallStarted)
    return offer


async def test_a_call_handed_to_a_skill_queue_reaches_the_next_agent_with_what_a_knew(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", SI), agent_seat("b1", MI)], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")
    await a.ready()
    await b.ready()
    citizen, started = await in_call(hub, clients, a)
    wo = started.work_order_id
    # What A learns in the call: a chat, a photo, a verdict, form values.
    await citizen.send(Chat(call_id=started.call_id, text="我想办异地就医备案"))
    await a.expect(ChatMessage)
    photo = jpeg(64, 48)
    await citizen.send(UploadStart(upload_id=1, work_order_id=wo, filename="id.jpg",
                                   mime="image/jpeg", byte_size=len(photo),
                                   sha256=hashlib.sha256(photo).hexdigest(),
                                   material_code="id_card"))
    for frame in chunk_frames(CHUNK_UPLOAD, 1, photo):
        await citizen.send_raw(frame)
    added = await a.expect(MaterialAdded, within=10)
    material_id = added.material.material_id
    await a.send(ReviewVerdict(work_order_id=wo, item_code=SI_ITEM, entries=(
        VerdictEntry(material_code="id_card", status="accepted", material_ids=(material_id,)),
    )))
    await citizen.expect(PreReviewNotice)

    await a.send(Transfer(call_id=started.call_id, to_kind="item", to=MI_ITEM,
                          note="市民要办医保异地备案，身份证已核", form=(
                              FormValue(name="phone", value="13800000000"),)))
    ended = await a.expect(CallEnded)
    assert (ended.reason, ended.work_order_id) == ("transferred", wo)
    await a.expect(Presence, lambda p: p.state == "ready")
    update = await citizen.expect(TransferUpdate)
    assert update.phase == "waiting" and update.message.startswith("正在为您转接")

    offer = await b.expect(Offer, within=10)
    assert offer.work_order_id == wo and offer.item_code == MI_ITEM
    (info,) = offer.transfer
    assert (info.from_agent_id, info.leg) == ("a1", 2)
    assert info.note == "市民要办医保异地备案，身份证已核"
    assert [m.material_id for m in info.materials] == [material_id]
    assert [(v.material_code, v.status) for v in info.verdicts] == [("id_card", "accepted")]
    assert [c.text for c in info.chat] == ["我想办异地就医备案"]
    assert info.form == (FormValue(name="phone", value="13800000000"),)
    await b.send(Accept(call_id=offer.call_id))
    again = await citizen.expect(CallStarted)
    assert again.work_order_id == wo and again.call_role == "caller"
    assert (await b.expect(CallStarted)).peer_name == "市民"

    await b.send(Hangup(call_id=again.call_id))
    await b.expect(CallEnded)
    await b.send(WrapUp(work_order_id=wo, outcome="resolved", notes="已备案"))
    await b.expect(WorkOrderClosed)
    legs = await wait_for_rows(
        hub.db_path, "SELECT agent_id, how, handed_to, note FROM call_legs"
        " WHERE work_order_id = ? ORDER BY seq", (wo,), lambda rows: len(rows) == 2)
    assert [(r["agent_id"], r["how"], r["handed_to"]) for r in legs] == [
        ("a1", "transferred", f"skill:{MI}"), ("b1", "ended", "")]
    (order,) = db_rows(hub.db_path, "SELECT item_code, agent_id, answered_at, state"
                       " FROM work_orders WHERE id = ?", (wo,))
    assert (order["item_code"], order["agent_id"], order["state"]) == (MI_ITEM, "b1", "closed")
    # Answered once: the first answer's time is kept for the service level.
    (first,) = db_rows(hub.db_path, "SELECT result_at FROM offers WHERE work_order_id = ?"
                       " AND agent_id = 'a1'", (wo,))
    assert order["answered_at"] == first["result_at"]
    audit = await wait_for_rows(
        hub.db_path, "SELECT supervisor_id, result FROM audit_log WHERE action = 'transfer'",
        (), lambda rows: len(rows) == 2)
    assert [(r["supervisor_id"], r["result"]) for r in audit] == [
        ("a1", "requested"), ("a1", "answered:b1")]


async def test_a_transfer_to_a_queue_nobody_serves_waits_at_the_head_for_the_first_ready(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", SI), agent_seat("b1", MI)], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")  # away
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    later = await clients.citizen(hub, "后来的市民")
    await later.join(MI_ITEM)  # queued before the transfer, for the same skill
    await a.send(Transfer(call_id=started.call_id, to_kind="theme", to="medical_security",
                          note="转医保"))
    await a.expect(CallEnded)
    assert (await citizen.expect(TransferUpdate)).phase == "waiting"
    assert not [m for m in await b.sync() if isinstance(m, Offer)]

    await b.ready()
    offer = await answers(b, citizen, started.work_order_id)  # ahead of the one queued earlier
    assert offer.transfer[0].note == "转医保"


async def test_a_transfer_to_the_agents_own_queue_waits_for_another_not_a_again(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", SI), agent_seat("b1", SI)], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")  # logged in, away: the one who can come
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    await a.send(Transfer(call_id=started.call_id, to_kind="item", to=SI_ITEM, note="请同事办理"))
    await a.expect(CallEnded)
    await a.expect(Presence, lambda p: p.state == "ready")
    assert (await citizen.expect(TransferUpdate)).phase == "waiting"
    # a is ready and has the skill, yet is not rung with the citizen a just handed on.
    assert not [m for m in await a.sync() if isinstance(m, Offer)]

    await b.ready()
    await answers(b, citizen, started.work_order_id)
    assert not [m for m in await a.sync() if isinstance(m, Offer)]


async def test_a_transfer_to_a_queue_only_its_agent_serves_rings_them_again(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", SI), agent_seat("b1", MI)], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    await clients.agent(hub, "b1")
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    await a.send(Transfer(call_id=started.call_id, to_kind="item", to=SI_ITEM, note="无人可转"))
    await a.expect(CallEnded)
    # Nobody else is logged in with the skill: rather than strand the citizen, a again.
    await answers(a, citizen, started.work_order_id)


async def test_a_named_transfer_refused_by_logging_out_mid_ring_goes_back_to_a(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1"), agent_seat("c1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    b = await clients.agent(hub, "b1")
    await b.ready()
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="b1", note="请帮忙"))
    ringing = await a.expect(TransferUpdate)
    assert ringing.phase == "ringing" and ringing.target_name == "坐席b1"
    assert (await citizen.expect(TransferUpdate)).message == "正在为您转接…"
    offer = await b.expect(Offer)
    assert offer.transfer[0].target == "agent"
    await b.ws.close()  # logs out mid-ring
    back = await a.expect(TransferUpdate, lambda u: u.phase == "returned", within=10)
    assert "已退出登录" in back.message and "坐席b1" in back.message
    assert (await citizen.expect(TransferUpdate)).phase == "returned"
    # Still A's call: the chat goes between them, and A may hand it on again.
    await citizen.send(Chat(call_id=started.call_id, text="还在吗"))
    assert (await a.expect(ChatMessage)).text == "还在吗"
    c = await clients.agent(hub, "c1")
    await c.ready()
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="c1"))
    offer = await c.expect(Offer)
    await c.send(Decline(call_id=offer.call_id))
    back = await a.expect(TransferUpdate, lambda u: u.phase == "returned")
    assert "拒绝" in back.message
    await c.expect(OfferWithdrawn)
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="c1"))
    offer = await c.expect(Offer, within=10)
    await c.send(Accept(call_id=offer.call_id))
    assert (await a.expect(CallEnded)).reason == "transferred"
    moved = await citizen.expect(CallStarted)
    assert moved.call_id == offer.call_id and moved.peer_name == "坐席c1"
    legs = await wait_for_rows(hub.db_path, "SELECT agent_id, how FROM call_legs", (),
                               lambda rows: len(rows) == 1)
    assert [(r["agent_id"], r["how"]) for r in legs] == [("a1", "transferred")]


async def test_a_hang_up_while_a_named_transfer_rings_withdraws_it(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    await a.ready()
    citizen, started = await in_call(hub, clients, a)
    b = await clients.agent(hub, "b1")
    await b.ready()
    await a.send(Transfer(call_id=started.call_id, to_kind="agent", to="b1"))
    await b.expect(Offer)
    await citizen.send(Hangup(call_id=started.call_id))
    assert (await b.expect(OfferWithdrawn)).reason == "citizen_left"
    await b.expect(Presence, lambda p: p.state == "ready")
    await a.expect(CallEnded)


async def test_bad_transfers_are_refused_and_change_nothing(start_hub, clients: Clients) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1"), agent_seat("c1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    b = await clients.agent(hub, "b1")  # logged in but away
    await a.ready()
    await a.send(Transfer(call_id="C-none", to_kind="item", to=MI_ITEM))
    await a.expect_error("no_such_call")
    citizen, started = await in_call(hub, clients, a)
    call_id = started.call_id
    await a.send_raw(f'{{"v":1,"type":"transfer","call_id":"{call_id}","to_kind":"agent"}}')
    assert (await a.expect_error("bad_message")).field == "to"
    await a.send_raw(f'{{"v":1,"type":"transfer","call_id":"{call_id}","to_kind":"queue",'
                     '"to":"b1"}')
    assert (await a.expect_error("bad_message")).field == "to_kind"
    cid = started.call_id
    for bad, code in ((Transfer(call_id=cid, to_kind="agent", to="a1"), "bad_message"),
                      (Transfer(call_id=cid, to_kind="agent", to="zz"), "no_such_agent"),
                      (Transfer(call_id=cid, to_kind="agent", to="c1"), "no_such_agent"),
                      (Transfer(call_id=cid, to_kind="agent", to="b1"), "bad_state"),
                      (Transfer(call_id=cid, to_kind="item", to="NOPE"), "no_such_item"),
                      (Transfer(call_id=cid, to_kind="theme", to="nope"), "no_such_item"),
                      (Transfer(call_id=cid, to_kind="item", to=MI_ITEM, note="x" * 501),
                       "bad_message")):
        await a.send(bad)
        error = await a.expect_error(code)
        assert error.of == "transfer" and error.message
    await b.send(SetState(state="ready"))
    await b.expect(Presence, lambda p: p.state == "ready")
    await citizen.send(Transfer(call_id=started.call_id, to_kind="agent", to="b1"))
    await citizen.expect_error("not_allowed")
    # Nothing happened: still A's call.
    await citizen.send(Chat(call_id=started.call_id, text="好的"))
    assert (await a.expect(ChatMessage)).text == "好的"
    assert not [m for m in await b.sync() if isinstance(m, Offer)]


async def test_hold_tells_both_sides_and_bad_holds_are_refused(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), agent_seat("b1")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    await a.ready()
    await a.send(Hold(call_id="C-none", on=True))
    await a.expect_error("no_such_call")
    citizen, started = await in_call(hub, clients, a)
    await a.send(Hold(call_id=started.call_id, on=False))
    assert (await a.expect_error("bad_state")).field == "on"
    await a.send(Hold(call_id=started.call_id, on=True))
    held = await citizen.expect(HoldState)
    assert held.on and held.message.startswith("请稍候")
    assert (await a.expect(HoldState)).on
    await citizen.send(Hold(call_id=started.call_id, on=False))
    await citizen.expect_error("not_allowed")
    await a.send_raw(f'{{"v":1,"type":"hold","call_id":"{started.call_id}","on":"yes"}}')
    assert (await a.expect_error("bad_message")).field == "on"
    await a.send(Hold(call_id=started.call_id, on=False))
    resumed = await citizen.expect(HoldState)
    assert not resumed.on and resumed.message == "通话已恢复。"


def supervisor_seat(agent_id: str) -> SeatSpec:
    return SeatSpec(agent_id=agent_id, name="王主管", role="supervisor", skills=(SI,),
                    hall="东莞市民服务中心")


async def test_a_raised_hand_reaches_the_wall_is_answered_and_audited(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1"), supervisor_seat("S01")], ring_timeout=30)
    a = await clients.agent(hub, "a1")
    await a.ready()
    boss = await clients.connect(hub.url, "S01")
    await boss.hello("supervisor", token=hub.tokens["S01"])
    await boss.send(SubscribeWall())
    await boss.expect(WallSnapshot)
    _citizen, started = await in_call(hub, clients, a)

    await a.send(RaiseHand(raised=True, reason="   "))
    assert (await a.expect_error("bad_message")).field == "reason"
    await a.send(RaiseHand(raised=False))
    assert (await a.expect_error("bad_state")).field == "raised"
    await a.send(RaiseHand(raised=True, reason="市民情绪激动，请支援"))
    await a.expect(Ack, lambda m: m.of == "raise_hand")
    update = await boss.expect(WallUpdate, lambda u: any(s.hand for s in u.seats))
    (seat,) = [s for s in update.seats if s.agent_id == "a1"]
    assert seat.hand == "市民情绪激动，请支援" and seat.hand_since > 0
    await boss.send(Whisper(agent_id="a1", text="我来看看"))
    update = await boss.expect(WallUpdate, lambda u: any(s.hand_answered_by for s in u.seats))
    assert update.seats[0].hand_answered_by == "王主管"
    await a.send(RaiseHand(raised=False))
    await boss.expect(WallUpdate, lambda u: any(s.agent_id == "a1" and not s.hand
                                                for s in u.seats))
    rows = await wait_for_rows(
        hub.db_path, "SELECT supervisor_id, action, detail FROM audit_log WHERE action IN"
        " ('raise_hand', 'hand_answered', 'lower_hand') ORDER BY seq", (),
        lambda rows: len(rows) == 3)
    assert [(r["supervisor_id"], r["action"]) for r in rows] == [
        ("a1", "raise_hand"), ("S01", "hand_answered"), ("a1", "lower_hand")]
    assert rows[1]["detail"] == "whisper: 市民情绪激动，请支援"
    # The hold and the transfer show on the wall too.
    await a.send(Hold(call_id=started.call_id, on=True))
    await boss.expect(WallUpdate, lambda u: any(s.on_hold for s in u.seats))
