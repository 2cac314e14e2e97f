"""A real browser and real devices on both ends: Debian's Chromium on the hub's citizen page,
its microphone a WAV file of a 523 Hz tone, calls a workstation on the session's PulseAudio.

The citizen's tone comes out of the agent's speaker; a 1 kHz tone said into the agent's
microphone is in what the page receives (read with WebAudio's analyser on the page's
remote stream, as the citizen's ear would get it).
"""

from __future__ import annotations

import math
import threading
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from playwright.async_api import Page, async_playwright

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.sound_rig import RATE, SoundRig, tone_burst
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.media.audio_levels import tone_amplitude
from tests.integration.conftest import ALL_SKILLS, until
from ui.devices.seat_devices import SeatDevices

CHROMIUM = Path("/usr/bin/chromium")
PAGE_HZ = 523.0  # the browser citizen's voice (C5)
AGENT_HZ = 1000.0

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

#: WebAudio on the page's remote stream: the level (dB) in the analyser's bin for a tone.
LISTEN = """() => {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  ctx.createMediaStreamSource(document.getElementById("remote").srcObject).connect(analyser);
  ctx.resume();
  window.seatEar = (hz) => {
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const at = Math.round(hz / (ctx.sampleRate / analyser.fftSize));
    return Math.max(bins[at - 1], bins[at], bins[at + 1]);
  };
}"""


def write_tone(path: Path, frequency_hz: float, seconds: float = 30.0) -> Path:
    samples = np.round(0.2 * 32767 * np.sin(
        2 * math.pi * frequency_hz * np.arange(int(seconds * RATE)) / RATE)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)],
                          ring_timeout=10.0) as process:
        yield process


async def page_hears(page: Page, frequency_hz: float) -> float:
    level: float = await page.evaluate(f"window.seatEar({frequency_hz})")
    return level


async def test_a_browser_citizen_and_the_agent_hear_each_other(
        hub: HubProcess, sound: SoundRig, tmp_path: Path) -> None:
    devices = SeatDevices(tmp_path / "devices.json", with_camera=False)
    devices.start()
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0012"]))
    workstation = Workstation(link, media=devices)
    link.start()
    speaking = True

    def speak() -> None:
        while speaking:
            sound.mouth.say(tone_burst(AGENT_HZ, 0.4, amplitude=0.3))

    mouth = threading.Thread(target=speak, daemon=True)
    mouth.start()
    tone = write_tone(tmp_path / "citizen.wav", PAGE_HZ)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=[
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    f"--use-file-for-fake-audio-capture={tone}",
                    "--autoplay-policy=no-user-gesture-required",
                    "--allow-loopback-in-peer-connection", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"])
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
            base = hub.url.replace("ws://", "http://").removesuffix("/ws")
            await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
            await page.get_by_role("button", name="开始视频连线").click()
            await page.get_by_text("正在为您接通").wait_for()
            await workstation.set_ready()
            await until(lambda: workstation.offer is not None, "the page's call rings")
            await workstation.accept()
            await until(lambda: workstation.call is not None
                        and workstation.call.session.audio_frames > 50, "the page's voice arrives")

            def agent_hears(frequency_hz: float) -> float:
                ear = sound.speaker_ear
                heard = ear.samples_from(ear.index_at(time.monotonic() - 0.5))
                return tone_amplitude(heard.astype(np.float64) / 32768, RATE, frequency_hz)

            await until(lambda: agent_hears(PAGE_HZ) > 0.02,
                        "the browser citizen is heard on the agent's speaker")
            await page.evaluate(LISTEN)
            deadline = time.monotonic() + 20
            while await page_hears(page, AGENT_HZ) < -60:
                assert time.monotonic() < deadline, "the agent's voice never reached the page"
                await page.wait_for_timeout(100)
            quiet = await page_hears(page, 1500.0)
            assert await page_hears(page, AGENT_HZ) > quiet + 20, "a tone, not noise"
            await page.close()
            await browser.close()
    finally:
        speaking = False
        mouth.join(timeout=5)
        await workstation.close()
        devices.close()
