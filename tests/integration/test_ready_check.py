"""The device check before the agent's first "ready", on a real hub and the sound rig.

Working microphone and speaker: the agent goes ready at once, and is told the camera is
missing. A dead microphone: the results are shown first; Esc (or 取消) keeps the agent
not ready, 仍然就绪 goes ready; after fixing it, 重新检测 goes ready by itself. The whole
seat, as ``seat-client`` assembles it, checks its devices as it starts and shows the
result on the status bar's device button before the agent goes ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess
from sandbox.sound_rig import SoundRig
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tasks import TaskOwner
from tests.integration.conftest import until
from tests.layout.harness import Case, running_seat
from tests.ui.device_rig import language, open_devices, plugged_microphone
from ui.devices.check_view import ReadyCheckDialog, ReadyGate
from ui.devices.precheck import DeviceCheck
from ui.devices.seat_devices import SeatDevices


@dataclass
class Agent:
    """A logged-in workstation whose first "ready" goes through the device check."""

    workstation: Workstation
    devices: SeatDevices
    gate: ReadyGate
    window: QMainWindow
    messages: list[str] = field(default_factory=list)
    tasks: TaskOwner = field(default_factory=lambda: TaskOwner("agent"))

    def go_ready(self) -> asyncio.Task[None]:
        """F9: the intent runs in the background, as the window runs it."""
        return self.tasks.spawn(self.workstation.set_ready(), "ready")

    async def asked(self) -> ReadyCheckDialog:
        await until(lambda: self.gate.dialog is not None and self.gate.dialog.isVisible(),
                    "the check's results are shown")
        assert self.gate.dialog is not None
        return self.gate.dialog


@pytest.fixture
async def agent(hub: HubProcess, sound: SoundRig, qtbot: QtBot, tmp_path: Path
                ) -> AsyncIterator[Agent]:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    async with open_devices(tmp_path / "devices.json") as devices:
        workstation = Workstation(link, media=devices)
        check = DeviceCheck(devices, TaskOwner("device check"))
        window = QMainWindow()
        qtbot.addWidget(window)
        window.show()
        messages: list[str] = []
        gate = ReadyGate(check, window, lambda text, _ms: messages.append(text))
        workstation.before_first_ready = gate
        agent = Agent(workstation, devices, gate, window, messages)
        link.start()
        try:
            await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
            yield agent
        finally:
            await agent.tasks.close()
            await check.close()
            await workstation.close()


def is_ready(agent: Agent) -> bool:
    return agent.workstation.presence.state == "ready"


async def test_working_devices_go_ready_at_once_and_a_missing_camera_is_told(
        agent: Agent) -> None:
    await agent.go_ready()
    assert agent.gate.dialog is None
    assert not agent.window.findChildren(ReadyCheckDialog), "nothing was asked"
    await until(lambda: is_ready(agent), "the agent is ready")
    assert agent.messages == ["No camera found. You can still take voice calls; the citizen"
                              " sees “The agent's camera is unavailable”."]


async def test_a_dead_microphone_is_shown_first_and_the_agent_decides(
        agent: Agent, sound: SoundRig, qtbot: QtBot) -> None:
    with language("zh_CN"), plugged_microphone(sound, "deadmic", "USB 耳麦", room_dbfs=None):
        await until(lambda: agent.devices.registry.present("microphone", "deadmic"), "listed")
        agent.devices.choose("microphone", "deadmic")
        going = agent.go_ready()
        dialog = await agent.asked()
        assert dialog.results.text("microphone").startswith("麦克风没有声音")
        assert dialog.cancel_button.isDefault(), "the safe answer is the default"
        assert dialog.ready_button.text() == "仍然就绪(&A)"
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # = 取消
        await going
        assert not is_ready(agent), "cancelled: the agent stays not ready"
        assert agent.gate.dialog is None

        going = agent.go_ready()  # still the first ready: asked again
        dialog = await agent.asked()
        dialog.ready_button.click()  # 仍然就绪
        await going
        await until(lambda: is_ready(agent), "the agent is ready anyway")


async def test_checking_again_after_the_fix_goes_ready(agent: Agent, sound: SoundRig) -> None:
    with plugged_microphone(sound, "deadmic", "USB 耳麦", room_dbfs=None):
        await until(lambda: agent.devices.registry.present("microphone", "deadmic"), "listed")
        agent.devices.choose("microphone", "deadmic")
        going = agent.go_ready()
        dialog = await agent.asked()
        agent.devices.choose("microphone", "mic")  # the agent plugs the right one in
        dialog.again_button.click()
        assert not dialog.ready_button.isEnabled(), "checking"
        await going
        await until(lambda: is_ready(agent), "fine now: the agent goes ready")
        assert agent.gate.dialog is None
        assert not any(d.isVisible() for d in agent.window.findChildren(ReadyCheckDialog))


async def test_the_seat_checks_its_devices_as_it_starts(sound: SoundRig, tmp_path: Path) -> None:
    async with running_seat(Case("zh-devices"), tmp_path) as layout_seat:
        seat = layout_seat.seat
        button, check = seat.device_button, seat.device_check
        assert button is not None and check is not None, "real devices: checked"
        status_bar = seat.window.statusBar()
        assert status_bar is not None and button.parent() is status_bar
        await until(lambda: check.report is not None, "the check made at the start ends")
        assert button.text() == "⚠ 无摄像头" and button.has_problem
        assert "未检测到摄像头" in button.toolTip()
        report = check.report
        await seat.workstation.set_ready()  # F9: that result is used, nothing is asked
        assert check.report is report and seat.workstation.before_first_ready is not None
        await until(lambda: seat.workstation.presence.state == "ready", "the agent is ready")
        assert seat.window.status_strip.message.text().startswith("未检测到摄像头")
