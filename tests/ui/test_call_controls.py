"""The agent's keys and buttons do what they say: F2/F3 on the ringing banner,
mute and camera-off switch the outgoing tracks, chat sends on Enter only with text."""

from __future__ import annotations

import asyncio
import time

import av
import numpy as np
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from seat_client.call.session import CallSession
from seat_common import protocol
from ui.call.chat_pane import ChatPane
from ui.call.offer_banner import OfferBanner
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
