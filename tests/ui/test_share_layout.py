"""The citizen's shared screen at 1366×768 is wide enough for a clerk to read their form.

The window is the real one with its real parts at the counter PCs' 1366×768; the hub's
``call_started`` and ``screen_share`` arrive on the workstation's link (nothing is
connected) and the shared picture is a 1366×768 page of the government portal put into the
call's screen slot, as the decoder would. Screenshots land in ``out/share/``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QSettings, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QPainter
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.services import AcceptanceServices, open_acceptance_services
from seat_client.call.hub_link import HubLink
from seat_client.call.shared_screen import SharedScreen
from seat_client.call.workstation import Workstation
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.settings import WorkstationSettings
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from ui import i18n
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import ApplicationParts, PreReviewParts

OUT = Path(__file__).resolve().parents[2] / "out" / "share"
CALL = protocol.CallStarted("C-1", "WO-1", "callee", "吴**", "SI-UNEMP-QUERY", "失业保险金申领",
                            "web", "video")


@dataclass
class SharingDesk:
    window: MainWindow
    link: HubLink
    workstation: Workstation
    shared: SharedScreen


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.01)


def pixels_font(size: int) -> QFont:
    font = QFont()
    font.setPixelSize(size)
    return font


def portal_page(width: int = 1366, height: int = 768) -> Any:
    """A citizen's browser tab of the portal's form, as a decoded frame (16 px text)."""
    image = QImage(width, height, QImage.Format.Format_RGB888)
    image.fill(QColor("#f0f4fa"))
    painter = QPainter(image)
    painter.fillRect(0, 0, width, 64, QColor("#c8102e"))
    painter.setPen(QColor("white"))
    painter.setFont(pixels_font(26))
    painter.drawText(32, 42, "广东政务服务网 · 失业保险金申领")
    painter.setPen(QColor("#1f2328"))
    painter.setFont(pixels_font(16))  # a browser's default text
    rows = [("姓名", "吴小梅"), ("公民身份号码", "44190019880101234X"), ("参保地", "东莞市"),
            ("失业时间", "2026-10-31"), ("开户银行", "中国工商银行东莞分行"),
            ("银行账号", "6222 0220 1234 5678 901"), ("联系电话", "138 2690 1234"),
            ("解除劳动合同证明", "请上传 PDF/JPG，不超过 5 MB")]
    for n, (label, value) in enumerate(rows):
        top = 100 + n * 48
        painter.drawText(48, top + 22, f"{label}：")
        painter.drawRect(240, top, 520, 32)
        painter.drawText(252, top + 22, value)
    painter.end()
    pixels = np.frombuffer(image.constBits().asstring(image.sizeInBytes()),  # type: ignore[union-attr]
                           np.uint8).reshape(height, image.bytesPerLine())[:, :width * 3]
    rgb = av.VideoFrame.from_ndarray(pixels.reshape(height, width, 3).copy(), format="rgb24")
    return rgb.reformat(format="yuv420p")  # as the decoder hands it over


@pytest.fixture
async def desk(qtbot: QtBot, tmp_path: Path) -> AsyncIterator[SharingDesk]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")  # as the clerks see it
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
    applications_desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items, workstation)
    applications = ApplicationParts(
        applications_desk, FormPane(applications_desk), OutboxPane(acceptance.outbox),
        OutboxBadge(acceptance.outbox), ReceiptView(acceptance.receipts_dir))
    qsettings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workstation, qsettings, tmp_path, pre_review=pre_review,
                        applications=applications)
    qtbot.addWidget(window)
    shared = SharedScreen(workstation, TaskOwner("shared screen"))
    window.video_pane.attach_shared_screen(shared)
    window.resize(1366, 768)
    window.show()
    link.message.emit(CALL)
    await until(lambda: workstation.call is not None, "the call starts")
    yield SharingDesk(window, link, workstation, shared)
    shared.close()
    view = window.video_pane.screen_view
    if view is not None:
        view.disconnect_shared()
    pre_review.pane.close_pane()
    if not sip.isdeleted(window):
        window.close()
    await workstation.close()
    await transfer.close()
    await applications_desk.close()
    await acceptance.close()
    for translator in translators:
        QCoreApplication.removeTranslator(translator)
    i18n.install(app, "en")  # the locale back to the suite's default


async def share(desk: SharingDesk) -> None:
    """The citizen shares their browser tab; its first frame is decoded and painted."""
    desk.link.message.emit(protocol.ScreenShare("C-1", True, "browser"))
    call = desk.workstation.call
    assert call is not None
    call.session.screen_frames.put(portal_page())
    call.session.screen_frame_arrived.emit(None)
    view = desk.window.video_pane.screen_view
    assert view is not None
    await until(lambda: view.canvas.painted_count >= 1, "the shared tab is painted")


def docks_shown(window: MainWindow) -> list[bool]:
    return [dock.isVisible() for dock in (window.queue_dock, window.work_order_dock,
                                          window.chat_dock, window.work_dock)]


#: A citizen's browser tab is about 1366 px wide, its text 16 px. Drawn at least 1000 px
#: wide, that text is 12 px or more: the size of the smallest Chinese text a clerk reads
#: without leaning in (the workstation's own small print); at 380 px (the pane beside the
#: side panels) it was 4 px.
READABLE_WIDTH = 1000


async def test_shift_f11_gives_the_shared_screen_the_window_and_esc_gives_it_back(
    desk: SharingDesk, qtbot: QtBot
) -> None:
    window = desk.window
    await share(desk)
    view = window.video_pane.screen_view
    assert view is not None
    beside_panels = view.canvas.frame_rect().width()
    assert docks_shown(window) == [True] * 4
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / "layout-sharing-1366x768.png"))
    window.activateWindow()
    await until(window.isActiveWindow, "the window has the keyboard")

    qtbot.keyClick(window, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    await until(lambda: view.enlarged and not any(docks_shown(window)), "the panels go")
    await until(lambda: view.canvas.frame_rect().width() >= READABLE_WIDTH,
                "the shared screen is wide enough to read")
    assert window.video_pane.view.isVisible(), "the citizen's camera stays, in a column"
    assert window.video_pane.hang_up_button.isVisible(), "the call's controls stay"
    assert view.enlarge_button.text() == "还原 (Shift+F11)"
    window.grab().save(str(OUT / "layout-sharing-enlarged-1366x768.png"))
    print(f"shared screen drawn {beside_panels:.0f} px wide beside the panels,"
          f" {view.canvas.frame_rect().width():.0f} px enlarged")

    qtbot.keyClick(window, Qt.Key.Key_Escape)
    await until(lambda: docks_shown(window) == [True] * 4, "the panels come back")
    assert not view.enlarged and view.enlarge_button.text() == "放大共享屏幕 (Shift+F11)"
    await until(lambda: view.canvas.frame_rect().width() == beside_panels, "as they were")
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # not enlarged: Esc does nothing here
    assert docks_shown(window) == [True] * 4


async def test_the_panels_come_back_when_the_citizen_stops_sharing(desk: SharingDesk) -> None:
    window = desk.window
    await share(desk)
    view = window.video_pane.screen_view
    assert view is not None
    view.enlarge_button.click()
    await until(lambda: not any(docks_shown(window)), "the panels go")
    desk.link.message.emit(protocol.ScreenShare("C-1", False, ""))
    await until(lambda: docks_shown(window) == [True] * 4, "the panels come back")
    assert not view.isVisible() and not view.enlarged


async def test_the_layout_saved_while_enlarged_is_the_one_with_the_panels(
    desk: SharingDesk,
) -> None:
    window = desk.window
    await share(desk)
    view = window.video_pane.screen_view
    assert view is not None
    view.enlarge_button.click()
    await until(lambda: not any(docks_shown(window)), "the panels go")
    window.save_layout()  # as on closing the window
    saved = window._settings.value("window/state")
    view.enlarge_button.click()
    await until(lambda: docks_shown(window) == [True] * 4, "the panels come back")
    window.chat_dock.hide()
    assert window.restoreState(saved, 4)
    assert docks_shown(window) == [True] * 4, "the next start has its panels"
