"""Voices added together: barge-in, the watch, the recording.

``VoiceMixer`` adds a second voice into a first one sample for sample: the
second voice's frames wait in a short buffer (at most ``max_lag_s``, older
samples are dropped so the mix never drifts behind) and are converted to the
first voice's layout and rate. aiortc hands and takes packed ``s16`` frames;
anything else passes through unmixed.

``VoiceTimeline`` is the recorder's way: both voices on one continuous
timeline of fixed chunks, a missing voice filled with silence once it lags.
Live audio (barge-in, a watch) needs the first; a file that must stay in
step with its picture needs the second.

How loud a voice is and which tone it carries are measured in
``seat_common.media.audio_levels``.
"""

from __future__ import annotations

from typing import Any

import av
import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16]
#: A mixed chunk: its pts (samples since the recording started) and float samples.
MixedChunk = tuple[int, npt.NDArray[np.float32]]


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


class VoiceTimeline:
    """Two voices added sample for sample on one continuous timeline (mono int16).

    ``push`` takes a voice's samples and when they arrived (seconds on the
    recorder's clock) and returns the chunks now complete, each with its
    pts in samples since the recorder started. The timeline starts when the
    first voice does; a chunk is made once both voices have it, or once the
    output is ``lag_s`` behind real time with one voice missing (that voice
    is silence there). A voice that rejoins after a silence longer than
    ``lag_s`` is placed at its real time, not straight after its last sample.
    """

    def __init__(self, rate: int, chunk: int, lag_s: float, max_buffer_s: float = 1.0) -> None:
        self.rate = rate
        self.chunk = chunk
        self.lag_s = lag_s
        self._max_buffer = int(max_buffer_s * rate)
        self._fifos: list[Samples] = [np.zeros(0, np.int16), np.zeros(0, np.int16)]
        self._origin: int | None = None  # first output sample, in samples since start
        self._written = 0
        self._now = 0.0

    def push(self, voice: int, samples: Samples, t: float) -> list[MixedChunk]:
        start_s = t - samples.size / self.rate
        if self._origin is None:
            self._origin = max(0, round(start_s * self.rate))
        fifo = self._fifos[voice]
        if fifo.size == 0:
            gap = round(start_s * self.rate) - (self._origin + self._written)
            if gap > self.lag_s * self.rate:
                fifo = np.zeros(gap, np.int16)
        fifo = np.concatenate((fifo, samples))
        if fifo.size > self._max_buffer:
            fifo = fifo[-self._max_buffer :]  # a voice far ahead of the other: keep the newest
        self._fifos[voice] = fifo
        self._now = max(self._now, t)
        return self._drain(final=False)

    def flush(self) -> list[MixedChunk]:
        """Everything still buffered, the last chunk padded with silence."""
        return self._drain(final=True)

    def _drain(self, *, final: bool) -> list[MixedChunk]:
        out: list[MixedChunk] = []
        if self._origin is None:
            return out
        n = self.chunk
        while True:
            a, b = self._fifos
            longest = max(a.size, b.size)
            behind = self._now - (self._origin + self._written) / self.rate
            both = a.size >= n and b.size >= n
            if not (both or (longest >= n and behind > self.lag_s) or (final and longest > 0)):
                return out
            mixed = np.zeros(n, np.int32)
            for index, fifo in enumerate(self._fifos):
                taken = fifo[:n]
                mixed[: taken.size] += taken
                self._fifos[index] = fifo[taken.size :]
            clipped = np.clip(mixed, -32768, 32767).astype(np.float32) / 32768.0
            out.append((self._origin + self._written, clipped))
            self._written += n
