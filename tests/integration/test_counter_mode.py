"""Counter mode end to end: a real hub process, the real government-API sandbox, the real
window in Chinese. The clerk switches the seat to counter in the status strip (and back
and forth with Ctrl+M), the hub confirms, the layout swaps; the citizen's appointment
number opens the proxy booking's work — the form prefilled for confirmation, the
materials with the video pre-review's verdicts; a document-camera scan (F8) joins the
counter's review; a wrong number, a mistyped one and a government-API outage each say
so in Chinese and leave the pane usable."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from PyQt6 import sip
from PyQt6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.acceptance.services import AcceptanceServices
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.counter.hub_orders import CounterOrders
from seat_client.counter.intake import CounterIntake
from seat_client.counter.linked_photos import LinkedPhotos
from seat_client.counter.walk_in import WalkInDesk
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from tests.integration.acceptance_rig import application_parts
from tests.integration.conftest import until
from ui.counter.desk_pane import CounterDeskPane, CounterParts
from ui.counter.linked_photos_strip import LinkedPhotosStrip
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import ApplicationParts, PreReviewParts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600, review_after=0.3) as process:
        yield process


@dataclass
class CounterSeat:
    window: MainWindow
    workstation: Workstation
    counter: CounterParts
    pre_review: PreReviewParts
    applications: ApplicationParts
    acceptance: AcceptanceServices
    camera_folder: Path

    @property
    def pane(self) -> CounterDeskPane:
        return self.counter.pane

    def shows_counter(self) -> bool:
        w = self.window
        return (self.pane.isVisible() and not w.video_pane.isVisible()
                and not w.queue_dock.isVisible() and not w.chat_dock.isVisible()
                and w.work_dock.isVisible())


@pytest.fixture
async def counter_seat(hub: HubProcess, gov_api: GovApiProcess, qtbot: QtBot,
                       tmp_path: Path, acceptance: AcceptanceServices, chinese_ui: None
                       ) -> AsyncIterator[CounterSeat]:
    await gov_api.clear_faults()
    items = catalog.load()
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    workstation = Workstation(link)
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    store = ReviewStore(tmp_path)
    pre_review = PreReviewParts(
        ReviewDesk(workstation, transfer, store, items, review.load_reasons()),
        ReviewPane(MaterialImages(), store, agent_id="0012"), transfer)
    applications = application_parts(acceptance, workstation, items)
    folder = tmp_path / "gaopaiyi"
    folder.mkdir()
    host = PluginHost(items)
    orders = CounterOrders(link, transfer)  # walk-ins are work orders at the hub
    walk_ins = WalkInDesk(CounterIntake(host, GovApiLookups(acceptance.client), acceptance.forms,
                                        tmp_path / "counter"),
                          review.load_reasons(), camera_folder=folder, cache=transfer.cache,
                          orders=orders)
    photos = LinkedPhotosStrip(LinkedPhotos(walk_ins, orders, TaskOwner("linked photos")))
    counter = CounterParts(walk_ins, CounterDeskPane(walk_ins, items, photos=photos))
    window = MainWindow(workstation, QSettings(str(tmp_path / "w.ini"),
                                               QSettings.Format.IniFormat),
                        tmp_path, pre_review=pre_review, applications=applications,
                        counter=counter)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    # Window shortcuts (Ctrl+M, F8) need the active window. Not qtbot.waitActive: its nested
    # event loop would lose a step of the tasks already running (the outbox's worker).
    await until(window.isActiveWindow, "the window is active")
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    yield CounterSeat(window, workstation, counter, pre_review, applications, acceptance, folder)
    pre_review.pane.close_pane()
    await transfer.close()
    if not sip.isdeleted(window):
        window.close()
    await workstation.close()
    await host.close()
    await applications.desk.close()


async def book(seat: CounterSeat) -> str:
    """A proxy booking as a video call makes it: materials, answers and form linked."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_intake
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return await bench_intake.book(GovApiLookups(seat.acceptance.client), 7)


async def go_counter(seat: CounterSeat) -> None:
    strip, ws = seat.window.status_strip, seat.workstation
    strip.mode_box.activated.emit(strip.mode_box.findData("counter"))
    await until(lambda: ws.presence.mode == "counter" and ws.presence.state == "counter",
                "the hub confirms counter mode")
    await until(seat.shows_counter, "the counter layout")


async def test_the_clerk_opens_an_appointment_in_counter_mode(counter_seat: CounterSeat,
                                                              qtbot: QtBot) -> None:
    seat = counter_seat
    number = await book(seat)
    await go_counter(seat)
    pane, form = seat.pane, seat.applications.form
    qtbot.keyClicks(pane.booking_no, number.lower())
    qtbot.keyClick(pane.booking_no, Qt.Key.Key_Return)
    await until(lambda: seat.counter.desk.walk_in is not None, "the appointment opens", 15)
    walk_in = seat.counter.desk.walk_in
    assert walk_in is not None
    assert pane.item.text() == "个体工商户设立登记"
    assert "吴**" in pane.citizen.text() and "11010519491231002X" not in pane.citizen.text()
    assert seat.window.work_tabs.currentWidget() is form, "the form, to confirm, is beside"
    state = seat.applications.desk.form
    assert state is not None
    assert state.values["business_scope"] == "小吃服务"
    assert "business_scope" in state.unconfirmed, "linked values wait for the clerk"
    assert form.confirm_all.isEnabled()
    rows = [pane.materials.item(i).text() for i in range(pane.materials.count())]  # type: ignore[union-attr]
    assert len(rows) == 4 and all("通过 · 视频预审" in row for row in rows), rows
    assert seat.pre_review.pane.session is walk_in.review

    # A scan at the counter: F8 takes the document camera's newest image into the review.
    Image.new("RGB", (1600, 1200), (235, 230, 215)).save(seat.camera_folder / "scan-01.jpg")
    qtbot.keyClick(seat.window, Qt.Key.Key_F8)
    await until(lambda: seat.pre_review.pane.strip.count() == 1, "the scan joins the review")
    assert seat.window.work_tabs.currentWidget() is seat.pre_review.pane

    # The clerk confirms with the citizen and submits through the outbox.
    state.confirm_all()
    form.submit.click()
    await until(lambda: any(e.state is OutboxState.ACCEPTED
                            for e in seat.acceptance.outbox.entries()), "the API accepts", 20)
    (entry,) = seat.acceptance.outbox.entries()
    assert entry.submission.work_order_id == walk_in.work_order_id
    assert set(entry.submission.materials) == {"id_card", "premises_proof", "lease",
                                               "landlord_title"}

    # Ctrl+M cycles the mode through the hub: counter → combined (the video layout again).
    qtbot.keyClick(seat.window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: seat.workstation.presence.mode == "combined", "the hub confirms")
    await until(lambda: seat.window.work_tabs.indexOf(pane) == 0, "the intake as a work tab")
    assert seat.window.video_pane.isVisible() and seat.window.queue_dock.isVisible()


async def test_wrong_numbers_and_an_outage_are_said_in_chinese(
        counter_seat: CounterSeat, gov_api: GovApiProcess, qtbot: QtBot) -> None:
    seat = counter_seat
    await go_counter(seat)
    pane = seat.pane

    async def look_up(text: str) -> str:
        pane.booking_no.setText(text)
        qtbot.keyClick(pane.booking_no, Qt.Key.Key_Return)
        await until(lambda: pane.message.property("tone") == "error", "the answer", 15)
        said = pane.message.text()
        pane.message.setProperty("tone", "")
        return said

    said = await look_up("YY-99999999")
    assert "没有找到预约 YY-99999999" in said, said
    said = await look_up("12345")
    assert "不是有效的预约号" in said, said
    assert not any("/v1/appointments/12345" in str(r.get("path")) for r in gov_api.requests())

    await gov_api.add_fault(kind="error", status=503)
    said = await look_up("YY-00000001")
    assert "暂时无法连接政务服务系统" in said, said
    assert pane.booking_no.isEnabled() and pane.look_up.isEnabled() and pane.progress.isHidden()
    await gov_api.clear_faults()

    number = await book(seat)
    pane.message.clear()
    pane.booking_no.setText(number)
    qtbot.keyClick(pane.booking_no, Qt.Key.Key_Return)
    await until(lambda: seat.counter.desk.walk_in is not None, "usable again after the outage")
    await asyncio.sleep(0)
