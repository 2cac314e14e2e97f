"""The watch window's sound controls and what it says about the supervisor's devices.

While barging in a red line says the supervisor's microphone is live; 静音监听 (M) and the
volume slider say what the supervisor wants to hear; with no microphone the window says
so and there is no barge-in (one under way can still be ended); with no speaker it says
the call cannot be heard and the listening controls rest. Joined (加入通话, Ctrl+J), the
agent's picture shows beside the citizen's and the red line says camera and microphone.
The window is fed the hub's messages through a real ``WatchViewer``; screenshots land in
``out/wall/`` for a look.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sandbox.camera import StampedCameraTrack
from seat_client.media.devices import DeviceProblem
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from ui import i18n
from ui.supervision.watch_window import WatchWindow

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"
NO_MICROPHONE = {"microphone": DeviceProblem("microphone", "missing")}


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def watch_state(phase: protocol.WatchPhase) -> protocol.WatchState:
    return protocol.WatchState("w1", "c1", "0012", "S01", "王督导", phase)


class Watch:
    """A watch window on a viewer the test feeds as the hub would, and what it asked for."""

    def __init__(self, viewer: WatchViewer, window: WatchWindow) -> None:
        self.viewer = viewer
        self.window = window
        self.barge: list[bool] = []
        self.join: list[bool] = []
        self.mute: list[bool] = []
        self.volume: list[float] = []
        window.barge_toggled.connect(self.barge.append)
        window.join_toggled.connect(self.join.append)
        window.mute_toggled.connect(self.mute.append)
        window.volume_changed.connect(self.volume.append)

    def hub_says(self, phase: protocol.WatchPhase) -> None:
        self.viewer.apply(watch_state(phase))
        self.window.show_state(self.viewer.state)


@pytest.fixture
async def watch(qtbot: QtBot) -> AsyncIterator[Watch]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")

    async def send(message: protocol.Message) -> None:
        return None

    viewer = WatchViewer(send)
    viewer.apply(watch_state("watching"))
    camera = StampedCameraTrack(1280, 720)
    viewer.frames.put(await camera.recv())  # the citizen, as the agent's workstation sends it
    camera.stop()
    window = WatchWindow(viewer, lambda agent_id: f"张三（{agent_id}）· 社会保障卡申领")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()  # shortcuts need the active window
    await until(window.isActiveWindow)
    yield Watch(viewer, window)
    window.close_for_hub()
    await viewer.close()
    for translator in translators:
        QCoreApplication.removeTranslator(translator)
    i18n.install(app, "en")  # the locale back to the suite's default


def is_red(colour: QColor) -> bool:
    return colour.red() > 170 and colour.green() < 90 and colour.blue() < 90


async def test_barging_in_shows_in_red_that_the_microphone_is_live(watch: Watch) -> None:
    window = watch.window
    assert window.mic_live.isHidden(), "watching only: the microphone is not live"
    assert window.device_problems.isHidden()
    watch.hub_says("barging")
    assert not window.mic_live.isHidden()
    assert window.mic_live.text().endswith("您的麦克风已接入通话")
    badge = window.mic_live.grab().toImage()
    assert is_red(badge.pixelColor(4, badge.height() // 2)), "a red line, not grey text"
    OUT.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(OUT / "watch-window-barging-1366x768.png"))
    watch.hub_says("watching")
    assert window.mic_live.isHidden(), "back to watching: the line goes"


async def test_m_mutes_what_the_supervisor_hears_and_the_slider_sets_the_volume(
    watch: Watch, qtbot: QtBot
) -> None:
    window = watch.window
    assert window.mute_button.text() == "静音监听 (M)"
    qtbot.keyClick(window, Qt.Key.Key_M)  # a shortcut clicks its button after a moment
    await until(lambda: watch.mute == [True])
    assert window.mute_button.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_M)
    await until(lambda: watch.mute == [True, False])
    assert not window.mute_button.isChecked()
    window.volume.setValue(40)
    assert watch.volume[-1] == pytest.approx(0.4)
    window.show_listening(True, 0.7)
    assert window.mute_button.isChecked() and window.volume.value() == 70
    assert watch.mute == [True, False], "showing the state asks for nothing"


async def test_without_a_microphone_there_is_no_barge_in(watch: Watch, qtbot: QtBot) -> None:
    window = watch.window
    window.show_devices(NO_MICROPHONE)
    assert not window.device_problems.isHidden()
    assert window.device_problems.text() == "未检测到麦克风，无法插话"
    assert not window.barge_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_M)  # clicked after whatever Ctrl+B would have clicked
    await until(lambda: watch.mute == [True])
    assert watch.barge == [], "Ctrl+B does nothing either"
    assert window.mute_button.isEnabled(), "the call can still be heard"
    OUT.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(OUT / "watch-window-no-microphone-1366x768.png"))

    window.show_devices({})  # a headset plugged in
    assert window.device_problems.isHidden() and window.barge_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: watch.barge == [True])


async def test_a_microphone_lost_while_barging_in_still_lets_the_supervisor_stop(
    watch: Watch,
) -> None:
    window = watch.window
    watch.hub_says("barging")
    window.show_devices(NO_MICROPHONE)
    assert window.barge_button.isEnabled() and window.barge_button.isChecked()
    window.barge_button.click()
    assert watch.barge == [False]
    watch.hub_says("watching")
    assert not window.barge_button.isEnabled(), "and cannot barge in again"


async def test_without_a_speaker_the_window_says_the_call_cannot_be_heard(
    watch: Watch,
) -> None:
    window = watch.window
    window.show_devices({"speaker": DeviceProblem("speaker", "missing")})
    assert window.device_problems.text() == "未检测到扬声器，无法监听声音"
    assert not window.mute_button.isEnabled() and not window.volume.isEnabled()
    assert window.barge_button.isEnabled(), "the supervisor can still talk"


async def test_a_device_that_fails_is_named(watch: Watch) -> None:
    window = watch.window
    window.show_devices({"microphone": DeviceProblem("microphone", "busy", "USB 耳麦"),
                         "speaker": DeviceProblem("speaker", "failed", "HDMI 音箱")})
    assert window.device_problems.text().splitlines() == [
        "麦克风「USB 耳麦」无法使用，无法插话", "扬声器「HDMI 音箱」无法使用，无法监听声音"]
    assert not window.barge_button.isEnabled() and not window.mute_button.isEnabled()


async def test_when_the_watch_ends_nothing_is_live(watch: Watch) -> None:
    window = watch.window
    watch.hub_says("barging")
    watch.viewer.apply(protocol.WatchState("w1", "c1", "0012", "S01", "王督导", "ended",
                                           "call_ended"))
    window.show_state(None)
    assert window.mic_live.isHidden() and not window.barge_button.isEnabled()
    assert window.mode.text() == "监看已结束"


async def test_ctrl_j_joins_and_the_joined_window_shows_the_agent_beside_the_citizen(
    watch: Watch, qtbot: QtBot
) -> None:
    window = watch.window
    assert window.join_button.text() == "加入通话 (Ctrl+J)"
    assert window.agent_video.isHidden(), "watching: only the citizen"
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: watch.join == [True])
    watch.hub_says("joined")
    camera = StampedCameraTrack(640, 480)
    watch.viewer.agent_frames.put(await camera.recv())  # the agent's camera, sent once joined
    camera.stop()
    assert not window.agent_video.isHidden()
    assert window.mic_live.text().endswith("您的摄像头和麦克风已接入通话")
    assert window.mode.text().endswith("通话中：群众和坐席都能看到、听到您")
    assert not window.barge_button.isEnabled(), "no barge-in while in the call"
    assert window.join_button.text() == "退出通话 (Ctrl+J)"
    await until(lambda: window.agent_video.painted_count > 0 and window.video.painted_count > 0)
    assert window.agent_video.width() >= 240 and window.video.width() > window.agent_video.width()
    OUT.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(OUT / "watch-window-joined-1366x768.png"))

    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # 退出通话
    await until(lambda: watch.join == [True, False])
    watch.hub_says("watching")
    assert window.agent_video.isHidden() and window.mic_live.isHidden()
    assert window.barge_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # and back in
    await until(lambda: watch.join == [True, False, True])
