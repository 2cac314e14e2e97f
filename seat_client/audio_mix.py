"""Voices added together, and how loud a voice is: the small sums behind barge-in.

``VoiceMixer`` adds a second voice into a first one sample for sample: the
second voice's frames wait in a short buffer (at most ``max_lag_s``, older
samples are dropped so the mix never drifts behind) and are converted to the
first voice's layout and rate. aiortc hands and takes packed ``s16`` frames;
anything else passes through unmixed.

``tone_amplitude`` measures one frequency in a stretch of samples (the
Goertzel algorithm): the simulators and tests use it to tell whose tone
reached whom. ``level_dbfs`` is a frame's loudness for a level meter.
"""

from __future__ import annotations

import math
from typing import Any

import av
import numpy as np

#: The quietest level a meter shows.
SILENCE_DBFS = -90.0


class VoiceMixer:
    """Adds the voice given to ``add`` into each frame passed through ``mix``."""

    def __init__(self, max_lag_s: float = 0.2) -> None:
        self.max_lag_s = max_lag_s
        self._target: tuple[str, int] | None = None  # layout, rate of the first voice
        self._resampler: av.AudioResampler | None = None
        self._pending: np.ndarray[Any, Any] = np.zeros(0, np.int16)
        self._max_pending = 0

    def add(self, frame: av.AudioFrame) -> None:
        """Queue a frame of the second voice (ignored until the first voice is known)."""
        if self._target is None:
            return
        layout, rate = self._target
        if self._resampler is None:
            self._resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        for converted in self._resampler.resample(frame):
            samples = converted.to_ndarray().reshape(-1)
            self._pending = np.concatenate((self._pending, samples))[-self._max_pending:]

    def mix(self, frame: av.AudioFrame) -> av.AudioFrame:
        """``frame`` with the queued second voice added (clipped), or ``frame`` itself."""
        if frame.format.name != "s16" or frame.format.is_planar:
            return frame
        target = (frame.layout.name, frame.sample_rate)
        if target != self._target:
            self._target = target
            self._resampler = None
            self._pending = np.zeros(0, np.int16)
            channels = len(frame.layout.channels)
            self._max_pending = max(1, int(self.max_lag_s * frame.sample_rate) * channels)
        if self._pending.size == 0:
            return frame
        first = frame.to_ndarray().reshape(-1).astype(np.int32)
        taken = self._pending[: first.size]
        self._pending = self._pending[first.size :]
        first[: taken.size] += taken
        mixed = np.clip(first, -32768, 32767).astype(np.int16).reshape(1, -1)
        out = av.AudioFrame.from_ndarray(mixed, format="s16", layout=frame.layout.name)
        out.sample_rate = frame.sample_rate
        out.pts = frame.pts
        if frame.time_base is not None:
            out.time_base = frame.time_base
        return out


def mono_samples(frame: av.AudioFrame) -> np.ndarray[Any, Any]:
    """A frame's samples as float mono in [-1, 1] (channels averaged)."""
    raw: np.ndarray[Any, Any] = frame.to_ndarray().astype(np.float64)
    channels = len(frame.layout.channels)
    data: np.ndarray[Any, Any] = (
        raw.mean(axis=0) if frame.format.is_planar else raw.reshape(-1, channels).mean(axis=1)
    )
    if frame.format.name.startswith("s16"):
        data /= 32768.0
    return data


def tone_amplitude(samples: np.ndarray[Any, Any], sample_rate: int, frequency_hz: float) -> float:
    """The amplitude (0–1 of full scale) of ``frequency_hz`` in float mono ``samples``."""
    n = samples.size
    if n == 0:
        return 0.0
    coefficient = 2.0 * math.cos(2.0 * math.pi * frequency_hz / sample_rate)
    s_prev = s_prev2 = 0.0
    for x in samples.tolist():
        s = x + coefficient * s_prev - s_prev2
        s_prev2, s_prev = s_prev, s
    power = s_prev2**2 + s_prev**2 - coefficient * s_prev * s_prev2
    return 2.0 * math.sqrt(max(power, 0.0)) / n


def level_dbfs(frame: av.AudioFrame) -> float:
    """A frame's RMS level in dBFS (``SILENCE_DBFS`` for digital silence)."""
    samples = mono_samples(frame)
    if samples.size == 0:
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(samples**2)))
    return max(SILENCE_DBFS, 20.0 * math.log10(rms)) if rms > 0 else SILENCE_DBFS
