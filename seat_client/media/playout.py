"""The far voice on its way to the speaker: a short buffer that never lets delay grow.

``VoicePlayout`` sits between a call's decoded audio and the speaker. ``push`` takes
each frame as aiortc decodes it (any layout and rate; converted to 48 kHz mono int16);
the speaker's pump ``pull``s exactly as many samples as the device can take, voice or
silence where there is none. Both run on the GUI thread in the workstation; a lock
makes either side safe from another thread.

How much is buffered is the whole game:
- playback starts once ``target_s`` is buffered, enough to ride out network jitter
  (packets arrive in bursts; the receiver passes each on as it arrives);
- a buffer that runs dry (a late packet, a lost one) plays silence and waits for
  ``target_s`` again: a short gap, not a stutter of fragments;
- a buffer that never ran below ``target_s`` + ``slack_s`` in the last second (the
  sender's clock a little fast, delay left over from a burst) gives back the surplus:
  exactly what it never needed is dropped, so the delay stays at the target over a
  one-hour call instead of creeping up to the maximum;
- a buffer that grows past ``max_s`` (a burst after a stall) drops its oldest samples
  down to ``target_s`` at once: a short skip now instead of a long delay.

``counters`` says how often each happened. The samples ``pull`` returns are what the
speaker plays; the echo canceller (``seat_client.media.echo``) is given them as the
far end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

import av
import numpy as np
import numpy.typing as npt

RATE: Final = 48_000
Samples = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class PlayoutCounters:
    """What the playout did so far (samples, at 48 kHz)."""

    played: int
    silent: int
    dropped: int  # all samples dropped, the trimmed surplus included
    trimmed: int  # surplus given back to keep the delay at the target
    underruns: int
    buffered: int


class VoicePlayout:
    """Buffers a far voice for the speaker (see the module docstring)."""

    def __init__(self, target_s: float = 0.04, max_s: float = 0.12,
                 slack_s: float = 0.01) -> None:
        if not 0 < target_s < max_s:
            raise ValueError("need 0 < target_s < max_s")
        self.target = round(target_s * RATE)
        self.maximum = round(max_s * RATE)
        self.slack = round(slack_s * RATE)
        self._low_water = self.maximum  # the least buffered in this second of playback
        self._pulled = 0  # samples played in this second
        self._lock = threading.Lock()
        self._chunks: list[Samples] = []
        self._buffered = 0
        self._playing = False
        self._resampler: av.AudioResampler | None = None
        self._played = self._silent = self._dropped = self._underruns = self._trimmed = 0

    def push(self, frame: av.AudioFrame) -> None:
        """A decoded frame of the far voice."""
        if self._resampler is None:
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        for converted in self._resampler.resample(frame):
            self.push_samples(converted.to_ndarray().reshape(-1).astype(np.int16, copy=False))

    def push_samples(self, samples: Samples) -> None:
        """Samples of the far voice, already 48 kHz mono."""
        if samples.size == 0:
            return
        with self._lock:
            self._chunks.append(samples)
            self._buffered += samples.size
            if self._buffered > self.maximum:
                self._drop_oldest(self._buffered - self.target)

    def pull(self, count: int) -> Samples:
        """The next ``count`` samples for the speaker (silence where there is no voice)."""
        out = np.zeros(count, np.int16)
        with self._lock:
            if not self._playing and self._buffered >= self.target:
                self._playing = True
            filled = 0
            if self._playing:
                filled = self._take_into(out)
                if filled < count:
                    self._playing = False
                    self._underruns += 1
                self._give_back_surplus(count)
            self._played += filled
            self._silent += count - filled
        return out

    def clear(self) -> None:
        """Forget what is buffered (the call ended); the counters stay."""
        with self._lock:
            self._chunks.clear()
            self._buffered = 0
            self._playing = False
            self._resampler = None
            self._low_water, self._pulled = self.maximum, 0

    @property
    def buffered_s(self) -> float:
        return self._buffered / RATE

    @property
    def counters(self) -> PlayoutCounters:
        with self._lock:
            return PlayoutCounters(self._played, self._silent, self._dropped, self._trimmed,
                                   self._underruns, self._buffered)

    def _give_back_surplus(self, count: int) -> None:
        self._low_water = min(self._low_water, self._buffered) if self._playing else 0
        self._pulled += count
        if self._pulled < RATE:
            return
        surplus = self._low_water - self.target
        if surplus > self.slack:
            self._drop_oldest(surplus)
            self._trimmed += surplus
        self._pulled = 0
        self._low_water = self.maximum

    def _take_into(self, out: Samples) -> int:
        filled = 0
        while filled < out.size and self._chunks:
            chunk = self._chunks[0]
            n = min(chunk.size, out.size - filled)
            out[filled : filled + n] = chunk[:n]
            filled += n
            if n == chunk.size:
                self._chunks.pop(0)
            else:
                self._chunks[0] = chunk[n:]
        self._buffered -= filled
        return filled

    def _drop_oldest(self, count: int) -> None:
        self._dropped += count
        self._buffered -= count
        while count > 0:
            chunk = self._chunks[0]
            if chunk.size <= count:
                self._chunks.pop(0)
                count -= chunk.size
            else:
                self._chunks[0] = chunk[count:]
                count = 0
