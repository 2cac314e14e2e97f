"""Walk-ins are work orders at the hub, and a booking's photos reach that hall's counter.

Against a real hub process: a combined-mode seat serving a walk-in is out of video
routing (the waiting caller is offered to it once the walk-in closes), the wall shows
the seat serving it, the ledger has the work order on channel ``counter`` and the
figures count it as a walk-in, never as a call. A proxy booking's pre-reviewed photo
is fetched by the workstation's own ``MaterialTransfer`` for a clerk of the booking's
hall, audited first; a clerk of another hall is refused in Chinese, and that is in the
audit log too.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

from hubclient import SI, SI_ITEM, Client, Clients, agent_seat, db_rows
from PIL import Image

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.counter.hub_orders import CounterHubError, CounterOrders
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer, MaterialTransferError
from seat_common.protocol import (
    CHUNK_UPLOAD,
    Accept,
    Ack,
    BookingMade,
    CallStarted,
    CitizenInfo,
    Hello,
    MaterialAdded,
    Offer,
    Presence,
    SetMode,
    SetState,
    SubscribeWall,
    UploadStart,
    WalkInClose,
    WalkInOpen,
    WalkInOpened,
    WallSnapshot,
    WallUpdate,
    WorkOrderClosed,
    chunk_frames,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor", hall="东莞市民服务中心")
#: A clerk in the booking's hall (the government API names it 东莞市民服务中心, DG-CITY).
CLERK = SeatSpec("0002", "窗口0002", skills=(SI,), hall="东莞市民服务中心", mode="counter")
#: A clerk of another hall.
OTHER_CLERK = SeatSpec("0003", "窗口0003", skills=(SI,), hall="松山湖分中心", mode="counter")


async def until(check: Callable[[], object], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_walk_in_in_combined_mode_keeps_video_calls_away_until_it_closes(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI, mode="combined"), SUPERVISOR])
    supervisor = await clients.connect(hub.url, "supervisor")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(SubscribeWall())
    await supervisor.expect(WallSnapshot)
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    await agent.send(WalkInOpen(item_code=SI_ITEM, booking_no="YY-00000042", citizen=CitizenInfo(
        name="吴小梅", id_number="11010519491231002X", hall="别处")))
    opened = await agent.expect(WalkInOpened)
    serving = await agent.expect(Presence, lambda p: p.state == "counter")
    assert serving.work_order_id == opened.work_order_id
    seat = (await supervisor.expect(
        WallUpdate, lambda u: any(s.work_order_id == opened.work_order_id for s in u.seats)
    )).seats[0]
    assert (seat.state, seat.channel, seat.item_code) == ("counter", "counter", SI_ITEM)
    assert seat.call_started_at == opened.opened_at
    # A caller queues meanwhile: no offer while the walk-in is served, no way round it.
    caller = await clients.citizen(hub, "caller")
    await caller.join(SI_ITEM)
    await agent.send(SetState(state="ready"))
    await agent.expect_error("bad_state")
    await agent.send(SetMode(mode="video"))
    await agent.expect_error("bad_state")
    assert not any(isinstance(m, Offer) for m in await agent.sync())
    await agent.send(WalkInClose(work_order_id=opened.work_order_id, outcome="accepted",
                                 notes="窗口受理"))
    await agent.expect(WorkOrderClosed, lambda c: c.work_order_id == opened.work_order_id)
    await agent.expect(Offer)  # back to ready: the caller is offered at once
    row = db_rows(hub.db_path, "SELECT * FROM work_orders WHERE id = ?",
                  (opened.work_order_id,))[0]
    assert (row["channel"], row["agent_id"], row["state"], row["outcome"]) == (
        "counter", "0001", "closed", "accepted")
    assert row["hall"] == "东莞市民服务中心", "a walk-in is in the clerk's hall"
    assert row["offered_at"] is None and row["answered_at"] == row["queued_at"]
    figures = (await supervisor.expect(
        WallUpdate, lambda u: u.figures.work_orders_closed == 1 and u.figures.offered == 1
    )).figures
    assert (figures.walk_ins, figures.users_served, figures.work_orders_closed) == (1, 1, 1)
    assert (figures.answered, figures.abandoned) == (0, 0), "a walk-in is not a call"


async def test_walk_in_requests_are_checked(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), CLERK])
    video = await clients.agent(hub, "0001")
    await video.send(WalkInOpen(item_code=SI_ITEM))
    refused = await video.expect_error("bad_state")
    assert (refused.field, refused.of) == ("item_code", "walk_in_open")
    assert "视频模式" in refused.message
    clerk = await clients.agent(hub, "0002")
    await clerk.send(WalkInOpen(item_code="NO-SUCH-ITEM"))
    await clerk.expect_error("no_such_item")
    await clerk.send(WalkInClose(work_order_id="WO-20260101-000001", outcome="resolved"))
    await clerk.expect_error("no_such_work_order")
    await clerk.send(WalkInOpen(item_code=SI_ITEM))
    opened = await clerk.expect(WalkInOpened)
    await clerk.send(WalkInOpen(item_code=SI_ITEM))
    assert "当前的窗口接待" in (await clerk.expect_error("bad_state")).message
    await clerk.send(WalkInClose(work_order_id=opened.work_order_id, outcome="abandoned"))
    assert (await clerk.expect_error("bad_message")).field == "outcome"
    await clerk.send_raw(json.dumps({"v": 1, "type": "walk_in_open", "item_code": SI_ITEM,
                                     "booking_no": "42"}))
    assert (await clerk.expect_error("bad_message")).field == "booking_no"
    citizen = await clients.citizen(hub)
    await citizen.send(WalkInOpen(item_code=SI_ITEM))
    assert (await citizen.expect_error("not_allowed")).field == "type"
    # The clerk's link drops: the walk-in is still theirs when they come back.
    await clerk.ws.close()
    again = await clients.connect(hub.url, "0002 again")
    await again.hello("agent", token=hub.tokens["0002"])
    back = await again.expect(Presence)
    assert (back.state, back.work_order_id) == ("counter", opened.work_order_id)
    await again.send(WalkInClose(work_order_id=opened.work_order_id, outcome="resolved"))
    await again.expect(WorkOrderClosed)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


async def _booked_call(hub: HubProcess, clients: Clients) -> tuple[Client, str, str]:
    """A video call whose agent adds an ID-card photo and books a counter appointment in
    东莞市民服务中心; returns the agent, the booking number and the photo's SHA-256."""
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub)
    queued = await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(CallStarted)
    data = _photo()
    sha = hashlib.sha256(data).hexdigest()
    await agent.send(UploadStart(upload_id=1, work_order_id=queued.work_order_id,
                                 filename="id.jpg", mime="image/jpeg", byte_size=len(data),
                                 sha256=sha, source="video_still", material_code="ID-CARD"))
    for frame in chunk_frames(CHUNK_UPLOAD, 1, data):
        await agent.send_raw(frame)
    await agent.expect(MaterialAdded, lambda m: m.upload_id == 1, within=10)
    await agent.send(BookingMade(work_order_id=queued.work_order_id, booking_no="YY-00000042",
                                 hall="DG-CITY", hall_name="东莞市民服务中心"))
    await agent.expect(Ack, lambda a: a.of == "booking_made")
    return agent, "YY-00000042", sha


async def _clerk(hub: HubProcess, agent_id: str, cache: Path) -> tuple[HubLink, CounterOrders]:
    link = HubLink(hub.url, lambda: Hello(role="agent", token=hub.tokens[agent_id]))
    transfer = MaterialTransfer(link, MaterialCache(cache), reply_timeout_s=10)
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED)
    return link, CounterOrders(link, transfer)


async def test_the_booked_photo_reaches_a_clerk_of_its_hall_only_and_every_look_is_audited(
    start_hub: Callable[..., HubProcess], clients: Clients, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("0001", SI), CLERK, OTHER_CLERK])
    _, booking_no, sha = await _booked_call(hub, clients)
    other_link, other = await _clerk(hub, "0003", tmp_path / "other")
    mine_link, mine = await _clerk(hub, "0002", tmp_path / "mine")
    try:
        try:
            await other.fetch_photo(booking_no, sha)
        except MaterialTransferError as exc:
            assert exc.reason == "not_allowed"
            assert "东莞市民服务中心" in exc.message and "无权查看" in exc.message
        else:
            raise AssertionError("a clerk of another hall got the photo")
        ref = await mine.fetch_photo(booking_no, sha)
        assert hashlib.sha256(ref.path.read_bytes()).hexdigest() == sha
        assert ref.material_code == "ID-CARD"
        try:
            await mine.fetch_photo(booking_no, "0" * 64)
        except MaterialTransferError as exc:
            assert exc.reason == "no_such_material"
        else:
            raise AssertionError("a photo not of the booking was sent")
        # The walk-in itself, through the same core the desk uses.
        opened = await mine.open(SI_ITEM, booking_no)
        try:
            await other.open("NO-SUCH-ITEM")
        except CounterHubError as exc:
            assert exc.code == "no_such_item"
        else:
            raise AssertionError("an unknown item opened a walk-in")
        await mine.close(opened.work_order_id, "accepted")
    finally:
        await other_link.stop()
        await mine_link.stop()
    rows = db_rows(hub.db_path, "SELECT supervisor_id, action, result FROM audit_log"
                   " WHERE action = 'fetch_booked_material' ORDER BY seq")
    assert [(r["supervisor_id"], r["result"]) for r in rows] == [
        ("0003", "refused:not_allowed"), ("0002", "read")]


async def test_the_walk_in_desk_opens_and_closes_its_work_orders_at_the_hub(
    start_hub: Callable[..., HubProcess], tmp_path: Path
) -> None:
    from seat_client.acceptance.gov_api_client import GovApiClient
    from seat_client.counter.intake import CounterIntake
    from seat_client.counter.walk_in import LookupProblem, WalkInDesk, WalkInFailure
    from seat_client.plugin_host.host import GovApiLookups, PluginHost
    from seat_client.review import session as review
    from seat_common import catalog
    from seat_common.forms import FormLibrary

    hub = start_hub([agent_seat("0001", SI), CLERK])
    gov = GovApiLookups(GovApiClient("http://127.0.0.1:9", credentials=None))  # type: ignore[arg-type]

    async def desk_of(agent_id: str) -> tuple[HubLink, WalkInDesk, list[WalkInFailure]]:
        link = HubLink(hub.url, lambda: Hello(role="agent", token=hub.tokens[agent_id]))
        link.start()
        await until(lambda: link.state is LinkState.CONNECTED)
        intake = CounterIntake(PluginHost(catalog.load()), gov, FormLibrary(), tmp_path / agent_id)
        desk = WalkInDesk(intake, review.load_reasons(), orders=CounterOrders(link))
        failures: list[WalkInFailure] = []
        desk.failed.connect(failures.append)
        return link, desk, failures

    video_link, video, refused = await desk_of("0001")
    clerk_link, clerk, failures = await desk_of("0002")
    try:
        assert await video.start_without_appointment(SI_ITEM) is None
        assert [f.problem for f in refused] == [LookupProblem.HUB]
        assert "视频模式" in refused[0].detail and video.walk_in is None
        first = await clerk.start_without_appointment(SI_ITEM)
        assert first is not None and first.work_order_id.startswith("WO-") and first.at_hub
        second = await clerk.start_without_appointment(SI_ITEM)  # the next citizen
        assert second is not None and second.work_order_id != first.work_order_id
        second.outcome = "accepted"
        await clerk.finish()
        assert clerk.walk_in is None and not failures
    finally:
        await video_link.stop()
        await clerk_link.stop()
    rows = db_rows(hub.db_path, "SELECT id, channel, state, outcome FROM work_orders ORDER BY id")
    assert [(r["channel"], r["state"], r["outcome"]) for r in rows] == [
        ("counter", "closed", "resolved"), ("counter", "closed", "accepted")]
