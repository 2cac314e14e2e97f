"""The agent's keys and buttons do what they say: F2/F3 on the ringing banner,
mute and camera-off switch the outgoing tracks, chat sends on Enter only with text; the
video shows when the citizen's camera is off or their microphone muted."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import av
import numpy as np
from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.call.queue_model import QueueModel
from seat_client.call.session import CallSession
from seat_common import protocol
from ui import i18n
from ui.call.chat_pane import ChatPane
from ui.call.offer_banner import OfferBanner
from ui.call.queue_pane import QueueTableModel
from ui.call.video_pane import PaintedFrame, VideoPane


def offer(priority: protocol.Priority = "disabled") -> protocol.Offer:
    return protocol.Offer(
        "C-1", "WO-1", "BR-INDIVIDUAL-SETUP", "个体工商户设立登记", "kiosk", priority, "video",
        protocol.CitizenInfo(name="范**", id_number="4419**********1234"), time.time(), 15.0,
    )


def test_banner_shows_the_offer_and_keys_accept_or_decline(qtbot: QtBot) -> None:
    banner = OfferBanner()
    qtbot.addWidget(banner)
    with qtbot.waitActive(banner):  # window shortcuts need the active window
        banner.show()
        banner.activateWindow()
    banner.show_offer(offer())
    assert banner.isVisible()
    assert "个体工商户设立登记" in banner.title.text()
    assert "Disabled" in banner.title.text() or "残障" in banner.title.text()
    assert "15" in banner.countdown.text() or "14" in banner.countdown.text()
    with qtbot.waitSignal(banner.accept_requested, timeout=1000):
        qtbot.keyClick(banner, Qt.Key.Key_F2)
    with qtbot.waitSignal(banner.decline_requested, timeout=1000):
        qtbot.keyClick(banner, Qt.Key.Key_F3)
    banner.show_offer(None)
    assert not banner.isVisible()


async def test_mute_and_camera_off_change_what_is_sent(qtbot: QtBot) -> None:
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    session = CallSession("C-1", "video", send)
    pane = VideoPane()
    qtbot.addWidget(pane)
    pane.set_in_call(True)
    pane.mute_toggled.connect(session.set_microphone_muted)
    pane.camera_toggled.connect(lambda off: session.set_camera_enabled(not off))

    pane.mute_button.click()
    audio = await session.microphone.recv()
    assert session.microphone.muted
    assert not any(bytes(plane) .strip(b"\x00") for plane in audio.planes)

    pane.camera_button.click()
    frame = await session.camera.recv()
    luma = frame.to_ndarray(format="gray")
    assert luma.max() <= 20, "camera off sends black frames"
    pane.camera_button.click()
    frame = await session.camera.recv()
    assert frame.to_ndarray(format="gray").max() > 100
    await asyncio.wait_for(session.close(), 5)


def test_chat_sends_trimmed_text_on_enter_and_ignores_blank(qtbot: QtBot) -> None:
    pane = ChatPane()
    qtbot.addWidget(pane)
    pane.set_in_call(True)
    sent: list[str] = []
    pane.send_requested.connect(sent.append)
    qtbot.keyClicks(pane.input, "   ")
    qtbot.keyClick(pane.input, Qt.Key.Key_Return)
    pane.input.setText("  请出示身份证 ")  # QTest cannot type CJK; the key is what matters
    qtbot.keyClick(pane.input, Qt.Key.Key_Return)
    assert sent == ["请出示身份证"]
    assert pane.input.text() == ""
    pane.add_message(protocol.ChatMessage("C-1", "<b>你好</b>", "citizen", "范先生", time.time()))
    assert "<b>你好</b>" in pane.transcript.toPlainText(), "citizen text is shown, not rendered"
    assert pane.received_count == 1


async def test_a_frame_is_converted_once_at_the_size_it_is_painted(qtbot: QtBot) -> None:
    """A 720p frame in a 480 px view becomes a 480 px wide image, not a full-size one the
    painter then scales; the agent's own picture is converted once per camera frame."""
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    session = CallSession("C-2", "video", send)
    pane = VideoPane()
    qtbot.addWidget(pane)
    pane.resize(480, 400)
    pane.show()
    pane.view.set_session(session)
    painted: list[PaintedFrame] = []
    pane.view.frame_painted.connect(painted.append)
    picture = av.VideoFrame.from_ndarray(np.zeros((720, 1280, 3), np.uint8), format="rgb24")
    session.frames.put(picture.reformat(format="yuv420p"))
    await session.camera.recv()  # the self view has a frame of the agent's camera
    pane.view.grab()  # paints it, as a screen refresh would
    assert len(painted) == 1
    height, width = painted[0].pixels.shape[:2]
    assert width <= pane.view.width() and (width, height) != (1280, 720)
    assert abs(width / height - 16 / 9) < 0.02, "the picture keeps its shape"
    first = pane.view._self_view
    assert first is not None
    pane.view.grab()  # no new camera frame: the self view is not converted again
    assert pane.view._self_view is first
    await session.close()


async def test_a_picture_a_little_smaller_than_its_view_is_shown_pixel_for_pixel(
        qtbot: QtBot) -> None:
    """640×480 in a view up to an eighth larger is copied, not blurred by a 5 % scale (with
    the background around it); in a view twice its size it is scaled up to fill it."""

    async def send(message: protocol.Message) -> None:
        pass

    session = CallSession("C-5", "video", send)
    pane = VideoPane()
    qtbot.addWidget(pane)
    pane.view.setFixedSize(690, 510)
    pane.show()
    pane.view.set_session(session)
    stripes = np.zeros((480, 640, 3), np.uint8)
    stripes[:, ::2] = 255  # one-pixel stripes: any scaling greys them
    frame = av.VideoFrame.from_ndarray(stripes, format="rgb24")
    session.frames.put(frame)
    shown = _pixels(pane.view.grab().toImage())
    left, top = (690 - 640) // 2, (510 - 480) // 2
    row = shown[top + 100, left : left + 640].min(axis=1).astype(int)
    assert (row[::2] > 200).all() and (row[1::2] < 55).all(), "the stripes were scaled"
    assert (shown[top + 100, : left - 1] == (0x1F, 0x24, 0x28)).all(), "background beside it"
    pane.view.setFixedSize(1280, 960)
    session.frames.put(av.VideoFrame.from_ndarray(np.full((480, 640, 3), 235, np.uint8),
                                                  format="rgb24"))
    assert _bright_share(pane) > 0.9, "scaled up to fill a view twice its size"
    await session.close()


def _pixels(image: QImage) -> np.ndarray:  # type: ignore[type-arg]
    """The image's RGB pixels as an array (rows, columns, 3)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    assert ptr is not None
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    bgra = rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)
    return bgra[..., 2::-1].copy()


def _bright_share(pane: VideoPane) -> float:
    """The share of the remote video area (the self view left out) that is nearly white."""
    pixels = _pixels(pane.view.grab().toImage())
    height, width = pixels.shape[:2]
    remote = pixels[: height * 2 // 3, : width * 2 // 3]
    return float((remote.min(axis=2) > 200).mean())


def _red_tag_pixels(pane: VideoPane) -> int:
    """Pixels of the red microphone tag in the top left corner."""
    corner = _pixels(pane.view.grab().toImage())[:60, :260].astype(int)
    red, green, blue = corner[..., 0], corner[..., 1], corner[..., 2]
    return int(((red > 180) & (green < 80) & (blue < 80)).sum())


def _white_frame() -> av.VideoFrame:
    picture = np.full((480, 640, 3), 235, np.uint8)
    return av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")


async def test_the_citizens_camera_off_replaces_their_frozen_picture_with_a_line(
    qtbot: QtBot,
) -> None:
    async def send(message: protocol.Message) -> None:
        pass

    session = CallSession("C-3", "video", send)
    pane = VideoPane()
    qtbot.addWidget(pane)
    pane.resize(640, 520)
    pane.show()
    pane.view.set_session(session)
    session.frames.put(_white_frame())
    assert _bright_share(pane) > 0.8, "the citizen's (white) picture fills the view"
    assert pane.view.peer_notice == "" and _red_tag_pixels(pane) == 0

    pane.show_peer_media(protocol.MediaState("C-3", "off", "on"))
    assert pane.view.peer_notice == "The citizen turned their camera off"
    shown = _bright_share(pane)
    assert 0 < shown < 0.1, "the line is written where the picture was; the picture is gone"
    session.frames.put(_white_frame())  # frames that still come are not shown
    assert _bright_share(pane) < 0.1
    pane.show_peer_media(protocol.MediaState("C-3", "unavailable", "on"))
    assert pane.view.peer_notice == "The citizen's camera is unavailable"
    assert 0 < _bright_share(pane) < 0.1

    pane.show_peer_media(protocol.MediaState("C-3", "unavailable", "muted"))
    assert pane.view.peer_microphone_tag == "Citizen muted"
    assert _red_tag_pixels(pane) > 100, "a red tag says the citizen muted"

    pane.show_peer_media(protocol.MediaState("C-3", "on", "on"))
    assert pane.view.peer_notice == "" and _red_tag_pixels(pane) == 0
    assert _bright_share(pane) < 0.1, "no stale picture before the camera's next frame"
    session.frames.put(_white_frame())
    assert _bright_share(pane) > 0.8, "the picture is back"

    pane.show_peer_media(protocol.MediaState("C-3", "off", "muted"))
    pane.view.set_session(None)  # the call ends; the next one starts with nothing said
    assert pane.view.peer_notice == "" and pane.view.peer_microphone_tag == ""
    await session.close()


def test_the_lines_about_the_citizens_camera_and_microphone_are_in_chinese(
    qtbot: QtBot,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        pane = VideoPane()
        qtbot.addWidget(pane)
        view = pane.view
        pane.show_peer_media(protocol.MediaState("C-4", "off", "muted"))
        assert (view.peer_notice, view.peer_microphone_tag) == ("市民已关闭摄像头", "市民已静音")
        pane.show_peer_media(protocol.MediaState("C-4", "unavailable", "unavailable"))
        assert (view.peer_notice, view.peer_microphone_tag) == (
            "市民的摄像头不可用", "市民的麦克风不可用")
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)


def test_the_agent_sees_whether_a_priority_is_claimed_or_checked(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        banner = OfferBanner()
        qtbot.addWidget(banner)
        banner.show_offer(replace(offer("elderly"), priority_check="claimed"))
        assert banner.title.text().startswith("【自称老年人】")
        banner.show_offer(replace(offer("elderly"), priority_check="verified"))
        assert banner.title.text().startswith("【老年人（已核验）】")
        banner.show_offer(replace(offer("normal"), priority_check="refused"))
        assert banner.title.text().startswith("【核验非老年人】")
        banner.show_offer(offer("normal"))
        assert banner.title.text() == "个体工商户设立登记"

        queue = QueueModel()
        table = QueueTableModel(queue)
        entry = protocol.QueueEntry("WO-1", "SI-PENSION-CERT", "养老待遇资格认证", "kiosk",
                                    "elderly", "video", protocol.CitizenInfo(), time.time())
        queue.replace([entry, replace(entry, work_order_id="WO-2", priority="disabled",
                                      queued_at=entry.queued_at + 1),
                       replace(entry, work_order_id="WO-3", priority_check="verified",
                               queued_at=entry.queued_at + 2)])
        column = QueueTableModel.COLUMNS.index("priority")
        shown = [table.data(table.index(row, column)) for row in range(table.rowCount())]
        assert shown == ["自称老年人", "自称残障人士", "老年人（已核验）"]
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)


def test_the_official_accounts_contacts_say_公众号_in_the_queue_and_the_offer(
    qtbot: QtBot,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        banner = OfferBanner()
        qtbot.addWidget(banner)
        banner.show_offer(replace(offer(), channel="official_account"))
        assert "· 公众号 ·" in banner.details.text()
        queue = QueueModel()
        table = QueueTableModel(queue)
        entry = protocol.QueueEntry("WO-1", "SI-UNEMP-QUERY", "失业保险个人明细查询",
                                    "official_account", "normal", "video",
                                    protocol.CitizenInfo(), time.time())
        queue.replace([entry, replace(entry, work_order_id="WO-2", channel="web",
                                      queued_at=entry.queued_at + 1)])
        column = QueueTableModel.COLUMNS.index("channel")
        shown = [table.data(table.index(row, column)) for row in range(table.rowCount())]
        assert shown[0] == "公众号" and shown[1] != "公众号"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
