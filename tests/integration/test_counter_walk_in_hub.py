"""A walk-in at the hub, seen from the counter and from the seat wall, with the booking's
photos: a real hub process, the real government-API sandbox, the real windows in
Chinese at 1366×768.

A video agent (the workstation's core: hub link, material transfer, the plugin host's
government API with the hub told of the booking) takes a call, adds the citizen's ID
card photo and books a counter appointment in 东莞市民服务中心. The clerk of that hall,
in combined mode, opens the appointment: the walk-in is a work order at the hub, the
seat leaves video routing (the wall shows it serving a walk-in), and the photo
pre-reviewed on video shows as a thumbnail that opens large. Done — next citizen closes
the work order and the seat is ready again. Screenshots: ``out/counter/``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.counter.hub_orders import CounterOrders
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.plugin_host.host import GovApiLookups
from seat_client.supervision.wall_model import WallModel
from seat_common import catalog, protocol
from tests.hub.hubclient import Clients, db_rows
from tests.integration.conftest import ALL_SKILLS, until
from tests.integration.test_counter_mode import (  # noqa: F401 (fixtures)
    CounterSeat,
    counter_seat,
    gov_api,
)
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.counter.linked_photos_strip import LinkedPhotosStrip, PhotoDialog
from ui.supervision.wall_session import WallSession
from ui.supervision.wall_window import SeatWallWindow

OUT = Path(__file__).resolve().parents[2] / "out" / "counter"
HALL = "东莞市民服务中心"
ITEM = "BR-INDIVIDUAL-SETUP"


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    seats = [
        SeatSpec("0012", "张三", skills=ALL_SKILLS, hall=HALL, mode="combined"),
        SeatSpec("0001", "李四", skills=ALL_SKILLS, hall=HALL),
        SeatSpec("S01", "王督导", role="supervisor", hall=HALL),
    ]
    async with HubProcess(seats, ring_timeout=10.0) as process:
        yield process


def _id_card_photo() -> bytes:
    image = Image.new("RGB", (1200, 760), (236, 240, 246))
    for x in range(60, 420):
        for y in range(120, 560, 4):
            image.putpixel((x, y), (90, 110, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def _video_booking(hub: HubProcess, seat: CounterSeat, clients: Clients) -> tuple[str, str]:
    """A video call whose agent adds the ID card photo and books the counter; returns the
    booking number and the photo's SHA-256."""
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0001"]))
    transfer = MaterialTransfer(link, MaterialCache(OUT.parent / "tmp-video-agent"),
                                auto_fetch=False, reply_timeout_s=15)
    transfer.attach()
    offers: list[protocol.Offer] = []
    started: list[protocol.CallStarted] = []

    def on_message(message: protocol.Message) -> None:
        if isinstance(message, protocol.Offer):
            offers.append(message)
        elif isinstance(message, protocol.CallStarted):
            started.append(message)

    link.message.connect(on_message)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the video agent logs in")
        await link.send(protocol.SetState(state="ready"))
        citizen = await clients.citizen(hub, "吴小梅")
        await citizen.join(ITEM)
        await until(lambda: bool(offers), "the call is offered to the video agent")
        await link.send(protocol.Accept(call_id=offers[0].call_id))
        await until(lambda: bool(started), "the call starts")
        work_order_id = started[0].work_order_id
        photo = await transfer.upload_bytes(work_order_id, _id_card_photo(), filename="身份证.jpg",
                                            mime="image/jpeg", source="video_still",
                                            material_code="id_card")
        gov = GovApiLookups(seat.acceptance.client,
                            on_booked=CounterOrders(link, transfer).report_booking)
        halls = await gov.halls()
        assert any(h["code"] == "DG-CITY" and h["name"] == HALL for h in halls)
        slots = await gov.slots("DG-CITY", _next_weekday())
        slot = next(s for s in slots if int(s["available"]) > 0)
        links = {"materials": [{"material_code": "id_card", "sha256": photo.sha256,
                                "status": "accepted", "note": "身份证.jpg"}]}
        answer = await gov.book(f"{work_order_id}:booking", {
            "slot_id": slot["slot_id"], "name": "吴小梅", "id_number": "11010519491231002X",
            "mobile": "13800138000", "item_code": ITEM, "work_order_id": work_order_id,
            "links": links})
        booked = db_rows(hub.db_path, "SELECT work_order_id, hall FROM bookings")
        assert booked == [{"work_order_id": work_order_id, "hall": "DG-CITY"}], booked
        return str(answer["booking_no"]), photo.sha256
    finally:
        await transfer.close()
        await link.stop()


def _next_weekday() -> str:
    import datetime as dt

    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


async def test_a_walk_in_is_on_the_wall_and_the_clerk_sees_the_booked_photo(
    counter_seat: CounterSeat, hub: HubProcess, qtbot: QtBot,  # noqa: F811 (the fixture)
) -> None:
    seat = counter_seat
    OUT.mkdir(parents=True, exist_ok=True)
    clients = Clients()
    closing: list[Callable[[], Awaitable[None]]] = []
    try:
        number, sha = await _video_booking(hub, seat, clients)
        # The supervisor's wall, beside.
        wall_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor",
                                                            token=hub.tokens["S01"]))
        model = WallModel()
        orders = WorkOrderListModel(wall_link.send)
        wall = SeatWallWindow(model, catalog.load(), WorkOrderListPane(orders))
        qtbot.addWidget(wall)
        session = WallSession(wall_link, model, wall, None)
        closing.append(lambda: session.close())
        closing.append(lambda: wall_link.stop())
        wall.resize(1366, 768)
        wall.show()
        wall_link.start()
        await until(lambda: model.synced, "the wall snapshot")
        # The clerk in combined mode, ready for video calls, opens the appointment.
        ws = seat.workstation
        await ws.set_ready()
        await until(lambda: ws.presence is not None and ws.presence.state == "ready",
                    "the clerk is ready")
        pane = seat.pane
        pane.booking_no.setText(number)
        qtbot.keyClick(pane.booking_no, Qt.Key.Key_Return)
        await until(lambda: seat.counter.desk.walk_in is not None, "the appointment opens", 20)
        walk_in = seat.counter.desk.walk_in
        assert walk_in is not None and walk_in.work_order_id.startswith("WO-")
        await until(lambda: ws.presence.state == "counter", "out of video routing")
        await until(lambda: model.seats["0012"].work_order_id == walk_in.work_order_id,
                    "the wall shows the walk-in")
        tile = model.seats["0012"]
        assert (tile.state, tile.channel) == ("counter", "counter")
        strip = pane.findChild(LinkedPhotosStrip)
        assert strip is not None
        await until(lambda: len(strip.buttons) == 1, "the booked photo arrives", 20)
        button = strip.buttons[sha]
        await until(lambda: not button.icon().isNull(), "its thumbnail is drawn")
        assert "身份证" in button.text() and "通过" in button.text(), button.text()
        seat.window.work_tabs.setCurrentWidget(pane)  # combined mode: the intake is a tab
        await asyncio.sleep(0.05)
        assert seat.window.grab().save(str(OUT / "walk_in_photos.png"))
        await asyncio.sleep(0.1)  # let the wall paint the pushed update
        assert wall.grab().save(str(OUT / "wall_walk_in.png"))
        button.click()
        await until(lambda: any(isinstance(w, PhotoDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), "it opens large")
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PhotoDialog))
        await until(lambda: dialog.image.pixmap() is not None
                    and not dialog.image.pixmap().isNull(), "the large photo is drawn")
        assert dialog.image.pixmap().width() > 400
        assert dialog.grab().save(str(OUT / "photo_large.png"))
        dialog.close()
        read = db_rows(hub.db_path, "SELECT supervisor_id, result FROM audit_log"
                       " WHERE action = 'fetch_booked_material'")
        assert read == [{"supervisor_id": "0012", "result": "read"}]
        # Done — next citizen: the work order closes, the seat is ready for video again.
        pane.finish.click()
        await until(lambda: seat.counter.desk.walk_in is None, "the walk-in closes")
        await until(lambda: ws.presence.state == "ready", "back in video routing")
        row = db_rows(hub.db_path, "SELECT channel, state, outcome, agent_id FROM work_orders"
                      " WHERE id = ?", (walk_in.work_order_id,))
        assert row == [{"channel": "counter", "state": "closed", "outcome": "resolved",
                        "agent_id": "0012"}]
        await until(lambda: model.figures.walk_ins == 1,
                    "the wall counts the walk-in")
    finally:
        for close in reversed(closing):
            await close()
        await clients.close_all()
