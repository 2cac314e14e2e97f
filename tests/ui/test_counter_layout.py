"""Counter mode's layout: the hub-confirmed mode decides which panes the clerk sees.

The window is the real one with its real parts; what the hub would send arrives as the
hub's messages on the workstation's link (nothing is connected). Counter mode hides the
video, chat, queue and work-order docks and puts the walk-in intake in the middle, next
to the same work tabs; combined keeps the video with the intake as a work tab; a mode
change during a call waits until the call is wrapped up; each mode keeps its own dock
arrangement; the mode box alone (no hub to confirm) changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.services import AcceptanceServices, open_acceptance_services
from seat_client.call.hub_link import HubLink
from seat_client.call.workstation import Workstation
from seat_client.counter.intake import CounterIntake
from seat_client.counter.walk_in import WalkInDesk
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.settings import WorkstationSettings
from seat_common import catalog, protocol
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.counter.desk_pane import CounterDeskPane, CounterParts
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import ApplicationParts, PreReviewParts


@dataclass
class Desk:
    window: MainWindow
    link: HubLink
    workstation: Workstation
    counter: CounterParts
    settings: QSettings

    def hub_says(self, message: protocol.Message) -> None:
        self.link.message.emit(message)

    def presence(self, state: protocol.AgentState, mode: protocol.SeatMode,
                 work_order_id: str = "") -> None:
        self.hub_says(protocol.Presence(state=state, mode=mode, since=time.time(),
                                        work_order_id=work_order_id))

    def shows_counter(self) -> bool:
        w = self.window
        return (self.counter.pane.isVisible() and not w.video_pane.isVisible()
                and not w.queue_dock.isVisible() and not w.chat_dock.isVisible()
                and not w.work_order_dock.isVisible() and w.work_dock.isVisible())

    def shows_video(self) -> bool:
        return self.window.video_pane.isVisible() and self.shows_video_docks()

    def shows_video_docks(self) -> bool:
        w = self.window
        return (w.queue_dock.isVisible() and w.chat_dock.isVisible()
                and w.work_order_dock.isVisible() and w.work_dock.isVisible())


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.01)


async def settle() -> None:
    """Let the window's zero-delay layout timer run."""
    for _ in range(5):
        await asyncio.sleep(0.01)


@pytest.fixture
async def desk(qtbot: QtBot, tmp_path: Path) -> AsyncIterator[Desk]:
    # Nothing listens on this port: lookups would fail, and no test here makes one.
    settings = replace(WorkstationSettings(), state_dir=str(tmp_path),
                       gov_api_url="http://127.0.0.1:9")
    acceptance: AcceptanceServices = await open_acceptance_services(settings)
    items = catalog.load()
    link = HubLink("ws://127.0.0.1:9/ws", lambda: protocol.Hello(role="agent", token="t"))
    workstation = Workstation(link)
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    store = ReviewStore(tmp_path)
    pre_review = PreReviewParts(
        ReviewDesk(workstation, transfer, store, items, review.load_reasons()),
        ReviewPane(MaterialImages(), store, agent_id="0012"), transfer)
    desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items, workstation)
    applications = ApplicationParts(
        desk, FormPane(desk), OutboxPane(acceptance.outbox), OutboxBadge(acceptance.outbox),
        ReceiptView(acceptance.receipts_dir))
    walk_ins = WalkInDesk(CounterIntake(PluginHost(items), GovApiLookups(acceptance.client),
                                        acceptance.forms, tmp_path / "counter"),
                          review.load_reasons())
    counter = CounterParts(walk_ins, CounterDeskPane(walk_ins, items))
    qsettings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workstation, qsettings, tmp_path, pre_review=pre_review,
                        applications=applications, counter=counter)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield Desk(window, link, workstation, counter, qsettings)
    pre_review.pane.close_pane()
    if not sip.isdeleted(window):
        window.close()
    await workstation.close()
    await transfer.close()
    await desk.close()
    await acceptance.close()


async def test_counter_mode_hides_the_video_docks_and_back(desk: Desk) -> None:
    w, pane = desk.window, desk.counter.pane
    desk.presence("away", "video")
    await settle()
    assert desk.shows_video() and not pane.isVisible()

    desk.presence("counter", "counter")
    await until(desk.shows_counter, "the counter layout")
    assert w.work_tabs.indexOf(pane) < 0, "the intake is the main area, not a tab"
    assert pane.booking_no.hasFocus() or not w.isActiveWindow()

    desk.presence("away", "video")
    await until(desk.shows_video, "the video layout again")
    assert not pane.isVisible()

    desk.presence("ready", "combined")
    await until(lambda: w.work_tabs.indexOf(pane) == 0, "the intake as the first work tab")
    assert desk.shows_video()
    w.work_tabs.setCurrentWidget(pane)
    assert pane.isVisible()
    desk.presence("counter", "counter")
    await until(desk.shows_counter, "counter from combined")
    assert w.work_tabs.indexOf(pane) < 0


async def test_the_mode_box_alone_changes_nothing_until_the_hub_confirms(desk: Desk) -> None:
    strip = desk.window.status_strip
    strip.mode_box.activated.emit(strip.mode_box.findData("counter"))  # no hub: not sent
    await settle()
    assert desk.shows_video()
    assert strip.mode_box.currentData() == "video", "the box follows the hub, not the click"


async def test_a_mode_change_during_a_call_waits_for_its_wrap_up(desk: Desk) -> None:
    w, ws = desk.window, desk.workstation
    desk.presence("ready", "video")
    desk.hub_says(protocol.CallStarted("C-1", "WO-1", "callee", "范**", "BR-INDIVIDUAL-SETUP",
                                       "个体工商户设立登记", "kiosk", "video"))
    await until(lambda: ws.call is not None, "the call starts")
    desk.presence("on_call", "counter", "WO-1")  # the agent switched; the hub keeps the call
    await settle()
    assert ws.presence.mode == "counter"
    assert desk.shows_video() and w.video_pane.hang_up_button.isEnabled()
    assert not desk.counter.pane.isVisible()

    desk.hub_says(protocol.CallEnded("C-1", "WO-1", "citizen"))
    desk.presence("wrap_up", "counter", "WO-1")
    await settle()
    assert ws.call is None and ws.wrap_up is not None
    # The wrap-up takes the video's place in the middle; the video layout stays around it.
    assert desk.shows_video_docks(), "the video layout stays until the wrap-up is done"
    assert w.work_order_pane.wrap_up_box.isVisible() and not w.video_pane.isVisible()

    desk.hub_says(protocol.WorkOrderClosed("WO-1", "resolved"))
    desk.presence("counter", "counter")
    await until(desk.shows_counter, "the counter layout once the work order is closed")


async def test_each_mode_keeps_its_own_dock_arrangement(desk: Desk) -> None:
    w = desk.window
    right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
    desk.presence("counter", "counter")
    await until(desk.shows_counter, "the counter layout")
    assert w.dockWidgetArea(w.work_dock) == right
    w.addDockWidget(left, w.work_dock)  # this clerk wants the work tabs on the left
    desk.presence("away", "video")
    await until(desk.shows_video, "the video layout")
    assert w.dockWidgetArea(w.work_dock) == right, "the video layout is as it was"
    desk.presence("counter", "counter")
    await until(desk.shows_counter, "the counter layout again")
    assert w.dockWidgetArea(w.work_dock) == left, "the counter layout is as the clerk left it"
    w.save_layout()
    assert desk.settings.value("window/state_counter") is not None
    assert desk.settings.value("window/state") is not None
