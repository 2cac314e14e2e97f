"""How loud a voice is, and which tone it carries: level meters, simulators and tests.

``level_dbfs`` is a frame's loudness for a level meter (the supervisor's watch).
``tone_amplitude`` measures one frequency in a stretch of samples (the Goertzel
algorithm): the simulated citizens and the tests use it to tell whose tone
reached whom. ``mono_samples`` gives a frame's samples as float mono.
"""

from __future__ import annotations

import math
from typing import Any

import av
import numpy as np

#: The quietest level a meter shows.
SILENCE_DBFS = -90.0


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
