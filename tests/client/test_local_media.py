"""The agent's test-pattern camera: a calm picture at its own frame rate, black when off;
the call microphone: every other voice mixed in is heard."""

from __future__ import annotations

import fractions
import itertools
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamTrack

from seat_client.media.audio_mix import VoiceMixer
from seat_client.media.local_media import PATTERN_FPS, GatedAudioTrack, PatternCameraTrack
from seat_common.media.audio_levels import mono_samples, tone_amplitude


async def test_the_pattern_runs_at_its_own_frame_rate_with_timestamps_to_match() -> None:
    camera = PatternCameraTrack(320, 240)
    frames = [await camera.recv() for _ in range(4)]
    steps = {b.pts - a.pts for a, b in itertools.pairwise(frames)}
    assert steps == {90_000 // PATTERN_FPS}, "one frame every 1/15 s on the 90 kHz clock"
    assert frames[0].time_base == fractions.Fraction(1, 90_000)
    assert camera.latest is frames[-1], "the self view shows the newest frame"
    camera.stop()


async def test_the_line_sweeps_and_a_camera_turned_off_sends_black() -> None:
    camera = PatternCameraTrack(320, 240)
    first = (await camera.recv()).to_ndarray(format="gray")
    second = (await camera.recv()).to_ndarray(format="gray")
    assert (first != second).any(), "something moves"
    camera.enabled = False
    assert (await camera.recv()).to_ndarray(format="gray").max() <= 20
    camera.stop()


def _tone(frequency_hz: float, amplitude: float = 0.1) -> av.AudioFrame:
    t = np.arange(960) / 48_000
    wave = np.round(np.sin(2 * np.pi * frequency_hz * t) * amplitude * 32767).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 48_000
    return frame


class _Frames(MediaStreamTrack):
    kind = "audio"

    def __init__(self, frame: av.AudioFrame) -> None:
        super().__init__()
        self._frame = frame

    async def recv(self) -> av.AudioFrame:
        return self._frame


async def test_the_call_microphone_mixes_a_colleague_and_a_supervisor_both() -> None:
    """A three-way colleague's voice (``mixer``) and a barging or joined supervisor's
    (``mix_in``) are both heard: one no longer displaces the other."""
    microphone = GatedAudioTrack(_Frames(_tone(400.0)))
    colleague, supervisor = VoiceMixer(), VoiceMixer()
    microphone.mixer = colleague
    take_out = microphone.mix_in(supervisor)
    assert microphone.mixing
    await microphone.recv()  # each mixer learns the call's layout and rate first
    heard: list[np.ndarray[Any, Any]] = []
    for _ in range(5):
        colleague.add(_tone(700.0))
        supervisor.add(_tone(1000.0))
        heard.append(mono_samples(await microphone.recv()))
    samples = np.concatenate(heard)
    for hz in (400.0, 700.0, 1000.0):
        assert tone_amplitude(samples, 48_000, hz) > 0.05, f"{hz} Hz is heard"
    take_out()
    microphone.mixer = None
    assert not microphone.mixing
    supervisor.add(_tone(1000.0))
    alone = mono_samples(await microphone.recv())
    assert tone_amplitude(alone, 48_000, 1000.0) < 0.005, "taken out: not heard"
    microphone.stop()
