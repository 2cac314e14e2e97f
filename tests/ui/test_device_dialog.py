"""The 设备 dialog and the status bar's device button, on the session's sound rig.

The lists follow the PC (a microphone plugged in appears, one pulled out goes) and a
choice switches the device in use; the test tone is heard on the speaker; the meter
moves when someone speaks and says so when the microphone hears nothing; the camera's
picture shows, and stops showing when the camera does; the check's results show in
words; the button says what is wrong and opens the dialog. Last, the dialog and the
button are rendered in Chinese and English, normal and large text, and measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from sandbox.sound_rig import SoundRig, tone_burst
from sandbox.virtual_camera import VirtualCamera
from seat_client.media.devices import load_choice
from seat_common.tasks import TaskOwner
from tests.layout.geometry import layout_problems
from tests.ui.device_rig import language, open_devices, plugged_microphone, until
from ui.devices.device_button import DeviceButton
from ui.devices.device_dialog import DeviceDialog
from ui.devices.precheck import DeviceCheck
from ui.devices.registry import device_id
from ui.devices.seat_devices import SeatDevices
from ui.theme import apply_theme

OUT = Path(__file__).resolve().parents[2] / "out" / "devices"
CAMERA_MISSING = "未检测到摄像头。您仍可接听语音通话，市民会看到“坐席摄像头暂不可用”。"


@dataclass
class Page:
    """A seat's devices, their check, and the dialog open on them."""

    devices: SeatDevices
    check: DeviceCheck
    dialog: DeviceDialog


@asynccontextmanager
async def device_page(path: Path, qtbot: QtBot) -> AsyncIterator[Page]:
    tasks = TaskOwner("test")
    async with open_devices(path) as devices:
        check = DeviceCheck(devices, tasks)
        dialog = DeviceDialog(devices, check)
        qtbot.addWidget(dialog)
        dialog.show()
        try:
            yield Page(devices, check, dialog)
        finally:
            dialog.close()
            await check.close()


@pytest.fixture
async def page(sound: SoundRig, tmp_path: Path, qtbot: QtBot) -> AsyncIterator[Page]:
    async with device_page(tmp_path / "devices.json", qtbot) as opened:
        yield opened


def in_use(devices: SeatDevices, kind: str) -> str:
    current = devices.current(kind)  # type: ignore[arg-type]
    return device_id(current) if current is not None else ""


def listed(page: Page, kind: str) -> list[str]:
    combo = page.dialog.combos[kind]  # type: ignore[index]
    return [combo.itemData(i) for i in range(combo.count())]


async def test_the_lists_show_the_devices_with_the_one_in_use_selected(page: Page) -> None:
    microphones = page.dialog.combos["microphone"]
    assert microphones.currentData() == "mic" == in_use(page.devices, "microphone")
    assert microphones.currentText() == "mic (default)"
    assert page.dialog.combos["speaker"].currentData() == "speaker"
    cameras = page.dialog.combos["camera"]
    assert cameras.count() == 0 and not cameras.isEnabled(), "this machine has no camera"


async def test_a_microphone_plugged_in_is_listed_chosen_and_dropped_when_pulled_out(
        page: Page, sound: SoundRig) -> None:
    assert "usbmic" not in listed(page, "microphone")
    with plugged_microphone(sound, "usbmic", "USB 耳麦"):
        await until(lambda: "usbmic" in listed(page, "microphone"),
                    "the headset is listed while the dialog is open")
        combo = page.dialog.combos["microphone"]
        combo.setCurrentIndex(combo.findData("usbmic"))
        assert in_use(page.devices, "microphone") == "usbmic", "chosen: in use at once"
        assert combo.currentText() == "USB 耳麦"
        assert load_choice(page.devices.choice_path).microphone == "usbmic", "remembered"
    await until(lambda: "usbmic" not in listed(page, "microphone"),
                "the headset pulled out leaves the list")
    assert in_use(page.devices, "microphone") == "mic"
    assert page.dialog.combos["microphone"].currentData() == "mic", "the selection follows"


async def test_choosing_a_speaker_switches_it(page: Page, sound: SoundRig) -> None:
    sound.add_speaker("usbspeaker", "USB 音箱")
    try:
        await until(lambda: "usbspeaker" in listed(page, "speaker"), "the speaker is listed")
        combo = page.dialog.combos["speaker"]
        combo.setCurrentIndex(combo.findData("usbspeaker"))
        assert in_use(page.devices, "speaker") == "usbspeaker"
        combo.setCurrentIndex(combo.findData("speaker"))
        assert in_use(page.devices, "speaker") == "speaker"
    finally:
        sound.remove("usbspeaker")


async def test_the_test_tone_is_heard_on_the_speaker(page: Page, sound: SoundRig) -> None:
    ear = sound.speaker_ear
    before = time.monotonic()
    await asyncio.sleep(0.3)  # a stretch of the speaker heard before the click
    assert ear.onset(before, 0.05, 660.0) is None, "no tone before the click"
    clicked = time.monotonic()
    page.dialog.test_tone_button.click()
    await until(lambda: ear.onset(clicked, 0.05, 660.0) is not None,
                "the test tone's 660 Hz note is heard on the speaker")
    await until(lambda: ear.onset(clicked, 0.05, 880.0) is not None, "then its 880 Hz note")


async def test_the_meter_moves_when_someone_speaks(page: Page, sound: SoundRig) -> None:
    meter = page.dialog.meter
    await until(lambda: -75 < meter.level_dbfs < -40, "the meter shows the quiet room")
    speaking = asyncio.ensure_future(asyncio.to_thread(
        sound.mouth.say, tone_burst(1000.0, 1.0, amplitude=0.3)))
    try:
        await until(lambda: meter.level_dbfs > -20, "the meter rises with the voice")
    finally:
        await speaking
    await until(lambda: meter.level_dbfs < -40, "and falls back after it")
    assert meter.hint.isHidden(), "a microphone hearing the room is not silent"


async def test_a_dead_microphone_gets_the_silent_hint(page: Page, sound: SoundRig) -> None:
    meter = page.dialog.meter
    with plugged_microphone(sound, "deadmic", "坏耳麦", room_dbfs=None):
        await until(lambda: "deadmic" in listed(page, "microphone"), "it is listed")
        combo = page.dialog.combos["microphone"]
        combo.setCurrentIndex(combo.findData("deadmic"))
        await until(lambda: not meter.hint.isHidden(), "the meter says it hears nothing")
        assert meter.level_dbfs < -75
        combo.setCurrentIndex(combo.findData("mic"))
        await until(meter.hint.isHidden, "a live microphone: the hint goes")


async def test_the_preview_shows_the_camera_and_not_a_frozen_picture(page: Page) -> None:
    preview = page.dialog.preview
    assert not preview.showing_picture
    camera = VirtualCamera(640, 360, 15)
    page.devices.camera.open_input(camera.frame_input)
    camera.start()
    try:
        await until(lambda: preview.painted_seq > 0, "the camera's picture is painted")
        painted = preview.painted_seq
        await until(lambda: preview.painted_seq > painted + 3, "and keeps moving")
    finally:
        camera.stop()
    await until(lambda: not preview.showing_picture, "a camera gone quiet shows no picture")


async def test_the_echo_switch_is_kept(page: Page) -> None:
    assert page.dialog.echo_box.isChecked()
    page.dialog.echo_box.click()
    assert not page.devices.choice.echo_cancellation
    assert load_choice(page.devices.choice_path).echo_cancellation is False
    page.dialog.echo_box.click()
    assert load_choice(page.devices.choice_path).echo_cancellation is True


async def test_the_check_shows_its_results_in_chinese(sound: SoundRig, tmp_path: Path,
                                                     qtbot: QtBot) -> None:
    with language("zh_CN"):
        async with device_page(tmp_path / "devices.json", qtbot) as page:
            results = page.dialog.results
            assert results.text("microphone") == "尚未检测"
            page.dialog.check_button.click()
            assert not page.dialog.check_button.isEnabled(), "one check at a time"
            await until(lambda: page.check.report is not None, "the check finishes")
            await until(page.dialog.check_button.isEnabled, "the button is back")
            assert results.text("camera") == CAMERA_MISSING
            assert results.text("microphone") == results.text("speaker") == "正常"
            assert page.dialog.preview.notice == CAMERA_MISSING


async def test_the_device_button_says_what_is_wrong_and_opens_the_dialog(
        sound: SoundRig, tmp_path: Path, qtbot: QtBot) -> None:
    tasks = TaskOwner("test")
    async with open_devices(tmp_path / "devices.json") as devices:
        check = DeviceCheck(devices, tasks)
        window = QMainWindow()
        qtbot.addWidget(window)
        button = DeviceButton(check)
        status_bar = window.statusBar()
        assert status_bar is not None
        status_bar.addPermanentWidget(button)
        window.show()
        try:
            assert button.text() == "⚠ No camera" and button.has_problem, "known at start"
            with plugged_microphone(sound, "deadmic", "坏耳麦", room_dbfs=None):
                await until(lambda: devices.registry.present("microphone", "deadmic"),
                            "the dead microphone is listed")
                devices.choose("microphone", "deadmic")
                await check.run()
                assert button.text() == "⚠ Microphone silent (+1)"
                assert "gives no sound" in button.toolTip()
                assert "No camera found" in button.toolTip()
                devices.choose("microphone", "mic")
                assert button.text() == "⚠ No camera", "the dead microphone's finding went"
            camera = VirtualCamera(640, 360, 15)
            devices.camera.open_input(camera.frame_input)
            camera.start()
            try:
                await check.run()
            finally:
                camera.stop()
            assert button.text() == "Devices OK" and not button.has_problem
            button.click()
            assert button.dialog is not None and button.dialog.isVisible()
            button.dialog.close()
            window.activateWindow()  # shortcuts need the active window
            await until(window.isActiveWindow, "the window is active")
            qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
                           | Qt.KeyboardModifier.ShiftModifier)
            assert button.dialog.isVisible(), "Ctrl+Shift+D opens it again"
        finally:
            if button.dialog is not None:
                button.dialog.close()
            await check.close()


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_the_dialog_and_the_button_fit_a_counter_screen(
        lang: str, large_text: bool, sound: SoundRig, tmp_path: Path, qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    name = f"{lang}-{'large' if large_text else 'normal'}"
    OUT.mkdir(parents=True, exist_ok=True)
    apply_theme(app, large_text=large_text)
    try:
        with language(lang), plugged_microphone(
                sound, "deadmic", "USB 耳麦 (Logitech H390 带降噪麦克风的超长名称)",
                room_dbfs=None):
            async with device_page(tmp_path / "devices.json", qtbot) as page:
                await until(lambda: page.devices.registry.present("microphone", "deadmic"),
                            "the headset is listed")
                page.devices.choose("microphone", "deadmic")  # the longest results
                await page.check.run()
                await until(lambda: not page.dialog.meter.hint.isHidden(), "the hint shows")
                window = QMainWindow()
                qtbot.addWidget(window)
                window.resize(1366, 768)
                status_bar = window.statusBar()
                assert status_bar is not None
                status_bar.addPermanentWidget(QLabel("● 录像中", window))
                status_bar.addPermanentWidget(DeviceButton(page.check))
                window.show()
                await asyncio.sleep(0.2)  # the layouts settle on the loop
                dialog = page.dialog
                assert dialog.width() <= 1366 and dialog.height() <= 728, "fits the screen"
                assert dialog.grab().save(str(OUT / f"dialog-{name}.png"))
                assert status_bar.grab().save(str(OUT / f"status-{name}.png"))
                assert layout_problems(dialog) == []
                assert layout_problems(window) == []
    finally:
        apply_theme(app, large_text=False)
