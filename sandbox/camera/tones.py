"""Synthetic and heard sound for simulated peers.

``ToneAudioTrack`` sends a quiet 400 Hz sine, 48 kHz mono, in 20 ms frames paced to real
time; ``BurstToneAudioTrack`` sends bursts and keeps when each began (for measuring
delay). ``TimedAudio`` and ``HeardAudio`` keep what a peer received, to find a tone in it.
"""

from __future__ import annotations

import fractions
import time
from collections import deque
from typing import Any, Final

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from sandbox.pacing import FramePacer
from seat_common.media.audio_levels import mono_samples, tone_amplitude


class ToneAudioTrack(MediaStreamTrack):
    """A quiet 400 Hz sine (about −30 dBFS), 48 kHz mono s16, 20 ms frames in real time."""

    kind = "audio"
    SAMPLE_RATE: Final = 48_000
    FRAME_SAMPLES: Final = 960  # 20 ms; 400 Hz fits exactly 8 periods, so one frame repeats

    def __init__(self, frequency_hz: float = 400.0, amplitude: float = 0.03) -> None:
        super().__init__()
        t = np.arange(self.FRAME_SAMPLES) / self.SAMPLE_RATE
        wave = np.round(np.sin(2 * np.pi * frequency_hz * t) * amplitude * 32767)
        self._samples = wave.astype("<i2").tobytes()
        # 5 frames (100 ms) of lag allowed before skipping: audio stutters worse than video.
        self._pacer = FramePacer(self.SAMPLE_RATE / self.FRAME_SAMPLES, max_lag_slots=5)

    async def recv(self) -> av.AudioFrame:
        index = await self._next_slot()
        return self._frame(index, self._samples)

    async def _next_slot(self) -> int:
        """The next 20 ms slot, in real time (``MediaStreamError`` once stopped)."""
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        if self.readyState != "live":
            raise MediaStreamError
        return index

    def _frame(self, index: int, samples: bytes) -> av.AudioFrame:
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.FRAME_SAMPLES)
        frame.planes[0].update(samples)
        frame.pts = index * self.FRAME_SAMPLES
        frame.sample_rate = self.SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, self.SAMPLE_RATE)
        return frame


class BurstToneAudioTrack(ToneAudioTrack):
    """Tone bursts (``burst_s`` of ``frequency_hz`` every ``every_s``) for measuring delay:
    ``onsets`` keeps when each burst's first frame was made (``time.monotonic``), which,
    paced in real time, is when a microphone would have captured it."""

    def __init__(self, frequency_hz: float = 1000.0, amplitude: float = 0.3,
                 every_s: float = 0.5, burst_s: float = 0.1) -> None:
        super().__init__(frequency_hz, amplitude)
        self._every = round(every_s * self.SAMPLE_RATE / self.FRAME_SAMPLES)
        self._length = max(1, round(burst_s * self.SAMPLE_RATE / self.FRAME_SAMPLES))
        self._tone = self._samples
        self._quiet = bytes(len(self._samples))
        self.onsets: deque[float] = deque(maxlen=10_000)

    async def recv(self) -> av.AudioFrame:
        index = await self._next_slot()
        phase = index % self._every
        if phase == 0:
            self.onsets.append(time.monotonic())
        return self._frame(index, self._tone if phase < self._length else self._quiet)


class TimedAudio:
    """What a party received, each frame with the moment it arrived (``time.monotonic``),
    for the last ``seconds``: when did a sound reach them."""

    def __init__(self, seconds: float = 60.0) -> None:
        self._frames: deque[tuple[float, np.ndarray[Any, Any]]] = deque(
            maxlen=max(1, int(seconds * 50)))
        self.sample_rate = 48_000

    def add(self, frame: av.AudioFrame) -> None:
        self._frames.append((time.monotonic(), mono_samples(frame)))
        self.sample_rate = frame.sample_rate

    def onsets(self, frequency_hz: float, threshold: float = 0.05,
               gap_s: float = 0.2) -> list[float]:
        """When each sound with ``frequency_hz`` in it began: the arrival of the frame it
        begins in, plus its place in that frame (the moment it could be played)."""
        found: list[float] = []
        last = -1e9
        probe_n = self.sample_rate // 200  # 5 ms
        probe = np.exp(-2j * np.pi * frequency_hz * np.arange(probe_n) / self.sample_rate)
        for arrived, samples in list(self._frames):
            for start in range(0, samples.size - probe_n + 1, probe_n):
                at = arrived + start / self.sample_rate
                if at - last < gap_s:
                    continue
                chunk = samples[start : start + probe_n]
                if 2 * abs(np.dot(chunk, probe)) / probe_n > threshold:
                    found.append(at)
                    last = at
        return found


class HeardAudio:
    """The last second or so of audio a simulated party received, to tell whose tone got
    through (each party sends a tone of its own frequency).

    Frames are kept as they came and turned into samples only when ``tone`` is asked:
    50 frames a second arrive, and most are never looked at."""

    def __init__(self, seconds: float = 1.0) -> None:
        self._frames: deque[av.AudioFrame] = deque(maxlen=max(1, int(seconds * 50)))
        self.sample_rate = 48_000

    def add(self, frame: av.AudioFrame) -> None:
        self._frames.append(frame)
        self.sample_rate = frame.sample_rate

    def clear(self) -> None:
        self._frames.clear()

    @property
    def frames_kept(self) -> int:
        """How many frames are kept (50 a second)."""
        return len(self._frames)

    def tone(self, frequency_hz: float) -> float:
        """The amplitude (0–1 of full scale) of ``frequency_hz`` in what was heard lately."""
        if not self._frames:
            return 0.0
        samples = np.concatenate([mono_samples(frame) for frame in list(self._frames)])
        return tone_amplitude(samples, self.sample_rate, frequency_hz)
