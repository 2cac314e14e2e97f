"""A supervisor watches a call from the seat wall on their real devices: the call's voices
come out of their speaker, and their microphone reaches the citizen only while they barge in.

Real hub, real aiortc peers; the supervisor's seat wall is composed as ``seat-wall``
composes it (``WallSession`` on ``SeatDevices`` without a camera) on the session's
PulseAudio (``sound``): what it plays is heard by the rig's ear on ``speaker``, what the
rig's mouth says (1 kHz) goes into ``mic``. The citizen (simulated) speaks at 400 Hz; the
agent's workstation has synthetic devices speaking 700 Hz, so nothing but the wall plays
on the one ``speaker`` of this process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from sandbox.camera import ToneAudioTrack
from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.sound_rig import RATE, SoundRig, tone_burst
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.media.devices import SyntheticMedia
from seat_client.media.local_media import CameraTrack, GatedAudioTrack, PatternCameraTrack
from seat_client.supervision.wall_model import WallModel
from seat_client.supervision.watch_relay import WatchRelay
from seat_common import catalog, protocol
from seat_common.media.audio_levels import tone_amplitude
from tests.integration.conftest import ALL_SKILLS, until
from ui.devices.seat_devices import SeatDevices
from ui.supervision.wall_session import WallSession
from ui.supervision.wall_window import SeatWallWindow

CITIZEN_HZ, AGENT_HZ, SUPERVISOR_HZ = 400.0, 700.0, 1000.0
#: A tone counts as heard above this amplitude (of full scale: the tones are sent at
#: 0.03–0.3), and as absent below the other.
HEARD, SILENT = 0.01, 0.003


class AgentTone(SyntheticMedia):
    """The agent's workstation: a test pattern, a tone of its own, nothing played."""

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return PatternCameraTrack(), GatedAudioTrack(ToneAudioTrack(AGENT_HZ, 0.05))


def on_speaker(sound: SoundRig, seconds: float, frequency_hz: float) -> float:
    """How loud ``frequency_hz`` was on the speaker over the last ``seconds``."""
    ear = sound.speaker_ear
    samples = ear.samples_from(ear.index_at(time.monotonic() - seconds))
    return tone_amplitude(samples.astype(np.float32) / 32768, RATE, frequency_hz)


def keep_saying(sound: SoundRig) -> Callable[[], None]:
    """The mouth says SUPERVISOR_HZ into ``mic`` in 300 ms bursts until told to stop."""
    stop = threading.Event()

    def speak() -> None:
        while not stop.is_set():
            sound.mouth.say(tone_burst(SUPERVISOR_HZ, 0.3, amplitude=0.3))
            sound.mouth.say(np.zeros(int(0.1 * RATE), np.int16))

    speaking = threading.Thread(target=speak, name="supervisor-says", daemon=True)
    speaking.start()

    def done() -> None:
        stop.set()
        speaking.join(timeout=5)

    return done


async def fresh_second(citizen: SimulatedCitizen) -> None:
    """Forget what the citizen heard, and wait until they heard a second more."""
    citizen.heard.clear()
    received = citizen.report.audio_frames_received
    await until(lambda: citizen.report.audio_frames_received > received + 55,
                "a second more of the call reaches the citizen")


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    seats = [SeatSpec("0012", "张三", skills=ALL_SKILLS),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, ring_timeout=10.0) as process:
        yield process


async def test_the_supervisor_hears_the_call_and_barges_in_on_real_devices(
    hub: HubProcess, sound: SoundRig, qtbot: QtBot, tmp_path: Path
) -> None:
    devices = SeatDevices(tmp_path / "devices.json", with_camera=False)
    devices.start()
    assert devices.speaker.is_open and devices.microphone.is_open and not devices.problems
    agent_link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0012"]))
    workstation = Workstation(agent_link, media=AgentTone())
    relay = WatchRelay(workstation)
    sup_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=hub.tokens["S01"]))
    model = WallModel()
    wall = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(wall)
    session = WallSession(sup_link, model, wall, devices=devices)
    wall.resize(1366, 768)
    wall.show()
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                               script=CitizenScript(give_up_after_s=90))
    agent_link.start()
    sup_link.start()
    run = asyncio.get_running_loop().create_task(citizen.run())
    stop_saying = keep_saying(sound)

    def phase() -> str:
        return relay.state.phase if relay.state is not None else ""

    try:
        await until(lambda: agent_link.state is LinkState.CONNECTED and model.synced,
                    "the agent logs in and the wall arrives")
        assert sup_link.state is LinkState.CONNECTED
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        await until(lambda: workstation.call is not None
                    and workstation.call.session.audio_frames > 50, "the call's voices flow")
        assert on_speaker(sound, 0.5, CITIZEN_HZ) < SILENT, "no watch, nothing on the speaker"

        # Watching: the call on the supervisor's speaker, their microphone kept out of it.
        wall.grid.select("0012")
        await until(wall.watch_button.isEnabled, "watching becomes possible")
        wall.watch_button.click()
        await until(lambda: session.watch_window is not None, "the watch window opens")
        window = session.watch_window
        assert window is not None
        await until(lambda: on_speaker(sound, 0.5, CITIZEN_HZ) > HEARD,
                    "the citizen on the supervisor's speaker", timeout_s=30)
        await until(lambda: on_speaker(sound, 0.5, AGENT_HZ) > HEARD,
                    "and the agent", timeout_s=10)
        assert window.mic_live.isHidden() and window.device_problems.isHidden()
        await fresh_second(citizen)
        assert citizen.heard.tone(AGENT_HZ) > HEARD, "the citizen hears the agent"
        assert citizen.heard.tone(SUPERVISOR_HZ) < SILENT, "a watch alone: the mic is not heard"

        # Barging in: the supervisor's microphone reaches the citizen, and says so.
        window.barge_button.click()
        await until(lambda: phase() == "barging", "the supervisor barges in")
        await until(lambda: not window.mic_live.isHidden(),
                    "the window says the microphone is live")
        await until(lambda: citizen.heard.tone(SUPERVISOR_HZ) > HEARD,
                    "the citizen hears the supervisor's microphone", timeout_s=15)
        assert on_speaker(sound, 0.5, SUPERVISOR_HZ) < HEARD / 3, "no echo of their own voice"

        window.barge_button.click()
        await until(lambda: phase() == "watching" and window.mic_live.isHidden(),
                    "the barge-in ends")
        await fresh_second(citizen)  # what was on its way when it ended
        await fresh_second(citizen)
        assert citizen.heard.tone(SUPERVISOR_HZ) < SILENT, "the microphone is out of the call"

        # Muting what they hear silences the speaker at once; the call is heard again after.
        window.mute_button.click()
        await until(lambda: on_speaker(sound, 0.3, CITIZEN_HZ) < SILENT,
                    "muted: the speaker falls silent", timeout_s=5)
        assert window.meter.value() > 0, "the meter still shows people talking"
        window.mute_button.click()
        await until(lambda: on_speaker(sound, 0.3, CITIZEN_HZ) > HEARD, "heard again")

        # A headset's microphone pulled out mid-watch: the wall says so, the next takes over.
        sound.add_microphone("headset", "USB 耳麦")
        try:
            await until(lambda: devices.registry.present("microphone", "headset"),
                        "the headset is listed")
            devices.choose("microphone", "headset")
            sound.remove("headset")
        finally:
            if "headset" in sound.devices:
                sound.remove("headset")
        await until(lambda: "USB 耳麦" in wall.result.text(),
                    "the wall's status bar says the headset is gone")
        assert devices.microphone.is_open and window.device_problems.isHidden()

        # The watch ends: the speaker falls silent, and stays so while the call goes on.
        window.stop_button.click()
        await until(lambda: session.watch_window is None and relay.state is None,
                    "the watch ends")
        await until(lambda: on_speaker(sound, 0.5, CITIZEN_HZ) < SILENT
                    and on_speaker(sound, 0.5, AGENT_HZ) < SILENT,
                    "the speaker falls silent (both voices)", timeout_s=5)
        call = workstation.call
        assert call is not None, "the call itself goes on"
        frames = call.session.audio_frames
        await until(lambda: call.session.audio_frames > frames + 50,
                    "a second more of the call reaches the agent")
        assert on_speaker(sound, 1.0, CITIZEN_HZ) < SILENT, "nothing of it on the speaker"
        assert on_speaker(sound, 1.0, AGENT_HZ) < SILENT
        assert devices.playout.buffered_s == 0
        await workstation.hang_up()
        await asyncio.wait_for(run, 20)
    finally:
        stop_saying()
        await sup_link.stop()  # first: nothing more for the session to start
        await session.close()
        await session.tasks.close()
        await relay.close()
        await workstation.close()
        devices.close()
        if not run.done():
            run.cancel()
