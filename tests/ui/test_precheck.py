"""The device check (设备检测) on real devices: the session's sound rig and a virtual camera.

Working devices pass; no camera, a camera that shows nothing, a dead microphone and a
speaker that plays nothing are each found and told in words the agent can act on.
"""

from __future__ import annotations

import time
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from sandbox.sound_rig import SoundRig
from sandbox.virtual_camera import VirtualCamera
from seat_client.media.devices import DeviceProblem, kinds
from seat_common.tasks import TaskOwner
from tests.ui.device_rig import (
    choose_when_listed,
    language,
    open_devices,
    plugged_microphone,
    until,
)
from ui.devices.precheck import DeviceCheck, problem_text, run_check, short_problem_text

CAMERA_MISSING = "未检测到摄像头。您仍可接听语音通话，市民会看到“坐席摄像头暂不可用”。"
MICROPHONE_SILENT = "麦克风没有声音：请检查麦克风是否静音或插好，然后对着麦克风说话重试。"


async def test_working_microphone_speaker_and_camera_pass(sound: SoundRig, tmp_path: Path
                                                          ) -> None:
    async with open_devices(tmp_path / "devices.json") as devices:
        camera = VirtualCamera(640, 360, 15)
        devices.camera.open_input(camera.frame_input)
        camera.start()
        try:
            report = await run_check(devices)
        finally:
            camera.stop()
    assert report.results == {"camera": None, "microphone": None, "speaker": None}
    assert report.ok and not report.blocks_ready


async def test_a_camera_that_shows_nothing_fails(sound: SoundRig, tmp_path: Path) -> None:
    async with open_devices(tmp_path / "devices.json") as devices:
        camera = VirtualCamera(640, 360, 15)  # in the capture path, but never started
        devices.camera.open_input(camera.frame_input)
        report = await run_check(devices)
    assert report.problem("camera") == DeviceProblem("camera", "failed")
    assert not report.blocks_ready, "a call can still go on by voice"


async def test_no_camera_is_told_and_voice_calls_go_on(sound: SoundRig, tmp_path: Path) -> None:
    async with open_devices(tmp_path / "devices.json") as devices:
        report = await run_check(devices)
    assert report.problems == [DeviceProblem("camera", "missing")]
    assert not report.blocks_ready
    with language("zh_CN"):
        assert problem_text(report.problems[0]) == CAMERA_MISSING
        assert short_problem_text(report.problems[0]) == "无摄像头"


async def test_a_dead_microphone_is_found_silent_and_a_live_one_is_not(
        sound: SoundRig, tmp_path: Path) -> None:
    async with open_devices(tmp_path / "devices.json") as devices:
        with plugged_microphone(sound, "deadmic", "USB 耳麦", room_dbfs=None):
            await choose_when_listed(devices, "deadmic")
            started = time.monotonic()
            report = await run_check(devices)
            assert report.problem("microphone") == DeviceProblem("microphone", "silent",
                                                                 "USB 耳麦")
            assert time.monotonic() - started >= 1.5, "it listened before judging"
            assert report.blocks_ready
            with language("zh_CN"):
                assert problem_text(report.problems[0]) == MICROPHONE_SILENT
                assert short_problem_text(report.problems[0]) == "麦克风无声"
            devices.choose("microphone", "mic")  # the rig's own, hearing the room
            report = await run_check(devices)
            assert report.problem("microphone") is None
            assert report.problem("speaker") is None


async def test_a_speaker_that_plays_nothing_fails(sound: SoundRig, tmp_path: Path) -> None:
    async with open_devices(tmp_path / "devices.json") as devices:
        speaker = devices.speaker
        await until(lambda: speaker.written > 48_000, "the speaker plays")
        sound.pactl("suspend-sink", "speaker", "1")  # the device stops taking sound
        try:
            stalled = [speaker.written, time.monotonic()]

            def has_stalled() -> bool:
                if speaker.written != stalled[0]:
                    stalled[:] = [speaker.written, time.monotonic()]
                return time.monotonic() - stalled[1] > 0.3

            await until(has_stalled, "the speaker's buffer is full")
            report = await run_check(devices)
        finally:
            sound.pactl("suspend-sink", "speaker", "0")
        assert report.problem("speaker") == DeviceProblem("speaker", "failed", "speaker")
        assert report.blocks_ready
        with language("zh_CN"):
            assert problem_text(report.problem("speaker")) == (  # type: ignore[arg-type]
                "扬声器无法打开（speaker），您将听不到市民的声音。")
        await until(lambda: speaker.written - stalled[0] > 4_800, "it plays again")
        report = await run_check(devices)
        assert report.problem("speaker") is None


def test_every_problem_has_its_own_chinese_words(qapp: QApplication) -> None:
    with language("zh_CN"):
        texts = {(kind, code): problem_text(DeviceProblem(kind, code, "罗技 C920"))
                 for kind in kinds()
                 for code in ("missing", "busy", "refused", "failed")}
        shorts = {short_problem_text(DeviceProblem(kind, code))
                  for kind in kinds() for code in ("missing", "busy", "refused", "failed")}
        assert texts["speaker", "missing"] == "未检测到扬声器或耳机，您将听不到市民的声音。"
        assert texts["microphone", "missing"] == (
            "未检测到麦克风，市民将听不到您的声音。请插入耳麦。")
        assert texts["camera", "busy"] == "摄像头被其他程序占用，请关闭占用摄像头的程序后重试。"
        assert texts["camera", "refused"] == (
            "系统拒绝了摄像头权限，请在系统设置中允许本程序使用摄像头。")
        assert "无法打开（罗技 C920）" in texts["camera", "failed"]
    assert len(set(texts.values())) == len(texts), "no two problems say the same"
    assert len(shorts) == len(texts)
    assert all(not text.isascii() for text in [*texts.values(), *shorts]), "all in Chinese"


async def test_a_finding_holds_while_its_device_is_in_use(sound: SoundRig, tmp_path: Path
                                                          ) -> None:
    tasks = TaskOwner("test")
    async with open_devices(tmp_path / "devices.json") as devices:
        check = DeviceCheck(devices, tasks)
        try:
            clean = await check.run()
            assert [p.kind for p in check.problems()] == ["camera"]
            assert await check.report_for_ready() is clean, "a clean report is used at once"
            with plugged_microphone(sound, "deadmic", "USB 耳麦", room_dbfs=None):
                await choose_when_listed(devices, "deadmic")
                assert await check.report_for_ready() is not clean, "another microphone"
                assert [p.code for p in check.problems()] == ["silent", "missing"]
                devices.choose("microphone", "mic")
                assert [p.code for p in check.problems()] == ["missing"], (
                    "the dead microphone's finding goes with it")
        finally:
            await check.close()
