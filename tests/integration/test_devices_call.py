"""A call on the workstation's real devices: the session's PulseAudio (``sound``) gives it a
speaker and a microphone, ``VirtualCamera`` a webcam in Qt's capture path.

What the simulated citizen says (its 400 Hz tone) comes out of the agent's speaker; what
is said into the agent's microphone (the rig's mouth) reaches the citizen; the frames
the camera path captures reach the citizen with their stamps readable; a microphone
pulled out mid-call gives way to the next one, with a notice, and the call goes on.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.sound_rig import RATE, SoundRig, tone_burst
from sandbox.virtual_camera import VirtualCamera
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.media.audio_levels import tone_amplitude
from tests.integration.conftest import ALL_SKILLS, until
from ui.devices.seat_devices import SeatDevices

CITIZEN_HZ = 400.0  # the simulated citizen's voice
AGENT_HZ = 1000.0  # what the rig's mouth says into the agent's microphone
HEARD = 0.01  # of full scale: the citizen's tone is sent at 0.03


def heard_on_speaker(sound: SoundRig, seconds: float, frequency_hz: float) -> float:
    """How loud ``frequency_hz`` was on the agent's speaker over the last ``seconds``."""
    ear = sound.speaker_ear
    samples = ear.samples_from(ear.index_at(time.monotonic() - seconds))
    return tone_amplitude(samples.astype(np.float32) / 32768, RATE, frequency_hz)


def keep_saying(sound: SoundRig, mouth_name: str = "") -> Callable[[], None]:
    """The mouth says AGENT_HZ in 300 ms bursts until the returned function is called."""
    mouth = sound.mouth if not mouth_name else sound.mouth_into(mouth_name)
    stop = False

    def speak() -> None:
        while not stop:
            mouth.say(tone_burst(AGENT_HZ, 0.3, amplitude=0.3))
            mouth.say(np.zeros(int(0.1 * RATE), np.int16))

    speaking = threading.Thread(target=speak, name="saying", daemon=True)
    speaking.start()

    def done() -> None:
        nonlocal stop
        stop = True
        speaking.join(timeout=5)
        if mouth_name:
            mouth.close()

    return done


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)],
                          ring_timeout=10.0) as process:
        yield process


async def test_a_call_on_real_devices(hub: HubProcess, sound: SoundRig, tmp_path: Path) -> None:
    devices = SeatDevices(tmp_path / "devices.json")
    devices.start()
    assert devices.speaker.is_open and devices.microphone.is_open
    assert not devices.camera.is_open, "this machine has no camera"
    camera = VirtualCamera(1280, 720, 30)
    devices.camera.open_input(camera.frame_input)
    camera.start()
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0012"]))
    workstation = Workstation(link, media=devices)
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                               script=CitizenScript(give_up_after_s=60))
    link.start()
    run = asyncio.get_running_loop().create_task(citizen.run())
    stop_saying = keep_saying(sound)
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        await until(lambda: workstation.call is not None
                    and workstation.call.session.audio_frames > 25, "the citizen's voice arrives")

        await until(lambda: heard_on_speaker(sound, 0.5, CITIZEN_HZ) > HEARD,
                    "the citizen is heard on the agent's speaker")
        assert heard_on_speaker(sound, 0.5, AGENT_HZ) < HEARD / 3, "not the agent's own voice"

        await until(lambda: citizen.heard.tone(AGENT_HZ) > 0.02,
                    "the agent's microphone reaches the citizen")
        await until(lambda: citizen.report.stamped_frames > 30,
                    "the camera's frames reach the citizen, stamps readable")
        assert citizen.report.video_sizes.get("1280x720", 0) > 0

        # The agent chooses a USB headset's microphone; it is pulled out mid-call.
        sound.add_microphone("headset", "USB 耳麦")
        try:
            await until(lambda: devices.registry.present("microphone", "headset"),
                        "the headset is listed without a restart")
            devices.choose("microphone", "headset")
            assert devices.microphone.device is not None
            assert devices.microphone.device.description() == "USB 耳麦"
            stop_saying()
            stop_saying = keep_saying(sound, "headset")
            citizen.heard.clear()
            await until(lambda: citizen.heard.tone(AGENT_HZ) > 0.02,
                        "the headset's microphone reaches the citizen")
            notices: list[str] = []
            devices.notice.connect(notices.append)
            stop_saying()
            sound.remove("headset")
        finally:
            if "headset" in sound.devices:
                sound.remove("headset")
        await until(lambda: bool(notices), "the agent is told the headset is gone")
        assert "USB 耳麦" in notices[0]
        assert devices.microphone.device is not None
        assert devices.microphone.device.description() != "USB 耳麦", "the next one took over"
        stop_saying = keep_saying(sound)
        citizen.heard.clear()
        await until(lambda: citizen.heard.tone(AGENT_HZ) > 0.02,
                    "the call goes on with the next microphone")
        await workstation.hang_up()
        await asyncio.wait_for(run, 20)
        assert devices.playout.buffered_s == 0, "nothing of the call waits to be played"
    finally:
        stop_saying()
        camera.stop()
        await workstation.close()
        devices.close()
        if not run.done():
            run.cancel()
