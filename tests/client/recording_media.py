"""Synthetic call media for the recording tests: a fake clock, tones, and a call fed to taps."""

from __future__ import annotations

import av
import numpy as np

from sandbox.camera import StampedCameraTrack
from seat_client.recording.recorder import CallRecorder


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def tone(hz: float, rate: int, samples: int, start: int, layout: str) -> av.AudioFrame:
    """A 20 ms s16 frame of a sine at -10 dBFS, continuing from sample ``start``."""
    t = (np.arange(samples) + start) / rate
    wave = (np.sin(2 * np.pi * hz * t) * 0.3 * 32767).astype(np.int16)
    channels = 2 if layout == "stereo" else 1
    frame = av.AudioFrame.from_ndarray(
        np.repeat(wave, channels).reshape(1, -1), format="s16", layout=layout
    )
    frame.sample_rate = rate
    return frame


def feed(recorder: CallRecorder, clock: FakeClock, seconds: float, *,
         camera: StampedCameraTrack | None, first: int = 0) -> int:
    """A call as the taps see it: camera at 30 fps, the citizen's voice (400 Hz, 48 kHz stereo,
    as aiortc decodes Opus) and the agent's (1000 Hz, 16 kHz mono) every 20 ms. Ticks of
    1/150 s on the fake clock; returns the number of camera frames offered."""
    offered = 0
    for i in range(round(seconds * 150)):
        clock.t = first / 30 + i / 150
        if i % 3 == 0:
            n = first * 5 // 3 + i // 3  # 20 ms frames since the call began
            recorder.add_citizen_audio(tone(400, 48_000, 960, n * 960, "stereo"))
            recorder.add_agent_audio(tone(1000, 16_000, 320, n * 320, "mono"))
        if camera is not None and i % 5 == 0:
            recorder.add_video(camera.make_frame(first + i // 5, 0))
            offered += 1
    return offered
