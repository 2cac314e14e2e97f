"""What a real camera and microphone capture, as aiortc tracks: feeds and the tracks that read them.

A device adapter (Qt's, in ``ui.devices``) publishes into a feed, from any thread:
``VideoFeed.publish`` a frame with the moment it was captured, ``VoiceFeed.publish``
samples (48 kHz mono int16) with the moment the last of them was captured. Any number
of tracks read one feed (the call, a supervisor's barge-in, the settings preview); each
is made per call and stopped with it, while the device and its feed live on.

- ``CapturedVideoTrack`` sends the newest frame (a slow encoder skips frames instead of
  falling behind), stamped with its capture time. Turned off, it sends black frames of
  the same size; when the camera goes quiet (unplugged, failed), black frames at
  ``IDLE_FPS`` keep the citizen's picture alive and honest.
- ``CapturedVoiceTrack`` sends 20 ms frames as the samples arrive, at most
  ``MAX_BACKLOG_S`` behind (older samples are dropped, so a stall never becomes a
  lasting delay); when the microphone goes quiet, silence in real time.

Both are Qt-free: the feeds are the border.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import threading
import time
from dataclasses import dataclass
from typing import Final

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import VIDEO_CLOCK_RATE, MediaStreamError, MediaStreamTrack

from seat_client.media.local_media import CameraTrack, black_frame_like

#: The voice's sample rate and frame size: what Opus and aiortc use (48 kHz, 20 ms).
VOICE_RATE: Final = 48_000
VOICE_FRAME: Final = 960
#: A reader falls at most this far behind the microphone before the oldest is dropped.
MAX_BACKLOG_S: Final = 0.12
#: Without a camera frame for this long, the track sends black frames on its own.
CAMERA_QUIET_S: Final = 0.5
IDLE_FPS: Final = 5
#: Without microphone samples for this long, the track sends silence on its own.
SILENT_AFTER_S: Final = 0.06
Samples = npt.NDArray[np.int16]


class _Waker:
    """Wakes one asyncio reader from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self) -> asyncio.Event:
        if self._event is None:
            self._loop = asyncio.get_running_loop()
            self._event = asyncio.Event()
        return self._event

    def wake(self) -> None:
        loop, event = self._loop, self._event
        if loop is None or event is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)


@dataclass(frozen=True, slots=True)
class CapturedFrame:
    """A camera frame and when it was captured (``time.monotonic``)."""

    frame: av.VideoFrame
    captured_at: float
    seq: int


class VideoFeed:
    """The newest frame of one camera, for any number of readers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: CapturedFrame | None = None
        self._wakers: set[_Waker] = set()
        self.published = 0

    def publish(self, frame: av.VideoFrame, captured_at: float | None = None) -> None:
        """A new frame from the camera (any thread)."""
        with self._lock:
            self.published += 1
            self._newest = CapturedFrame(frame, captured_at or time.monotonic(), self.published)
            wakers = list(self._wakers)
        for waker in wakers:
            waker.wake()

    @property
    def newest(self) -> CapturedFrame | None:
        return self._newest

    def _attach(self, waker: _Waker) -> None:
        with self._lock:
            self._wakers.add(waker)

    def _detach(self, waker: _Waker) -> None:
        with self._lock:
            self._wakers.discard(waker)


class CapturedVideoTrack(CameraTrack):
    """The camera's newest frames for one call, timed by when they were captured."""

    def __init__(self, feed: VideoFeed, *, width: int = 640, height: int = 480) -> None:
        super().__init__()
        self._feed = feed
        self._waker = _Waker()
        feed._attach(self._waker)
        self._sent_seq = 0
        self._origin: float | None = None
        self._last_pts = -1
        self._idle_size = (width, height)
        self._idle = False
        self.sent = 0  # camera frames handed to the call (idle black frames not counted)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        event = self._waker.bind()
        wait = 1 / IDLE_FPS if self._idle else CAMERA_QUIET_S
        deadline = time.monotonic() + wait
        while (newest := self._feed.newest) is None or newest.seq == self._sent_seq:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._idle = True
                return self._stamp(self._idle_frame(), time.monotonic())
            event.clear()
            # Not wait_for: on Python 3.11 it can swallow a cancel that comes with the
            # wake-up (gh-86296), and this loop would go on after the sender stopped.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()
            if self.readyState != "live":
                raise MediaStreamError
        self._sent_seq = newest.seq
        self._idle = False
        self.sent += 1
        frame = newest.frame
        self._idle_size = (frame.width, frame.height)
        if not self.enabled:
            frame = black_frame_like(frame)
        self.latest = newest.frame
        return self._stamp(frame, newest.captured_at)

    def _idle_frame(self) -> av.VideoFrame:
        width, height = self._idle_size
        self.latest = None
        return black_frame_like(av.VideoFrame(width, height, "yuv420p"))

    def _stamp(self, frame: av.VideoFrame, captured_at: float) -> av.VideoFrame:
        if self._origin is None:
            self._origin = captured_at
        pts = max(self._last_pts + 1, round((captured_at - self._origin) * VIDEO_CLOCK_RATE))
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        return frame

    def stop(self) -> None:
        self._feed._detach(self._waker)
        self._waker.wake()
        super().stop()


class VoiceFeed:
    """One microphone's samples (48 kHz mono int16), for any number of readers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers: set[CapturedVoiceTrack] = set()
        self.published = 0  # samples

    def publish(self, samples: Samples, captured_at: float | None = None) -> None:
        """Samples from the microphone, the last captured at ``captured_at`` (any thread)."""
        with self._lock:
            self.published += samples.size
            readers = list(self._readers)
        for reader in readers:
            reader._receive(samples)

    def _attach(self, reader: CapturedVoiceTrack) -> None:
        with self._lock:
            self._readers.add(reader)

    def _detach(self, reader: CapturedVoiceTrack) -> None:
        with self._lock:
            self._readers.discard(reader)


class CapturedVoiceTrack(MediaStreamTrack):
    """The microphone's samples for one call, in 20 ms frames."""

    kind = "audio"

    def __init__(self, feed: VoiceFeed) -> None:
        super().__init__()
        self._feed = feed
        self._lock = threading.Lock()
        self._pending: Samples = np.zeros(0, np.int16)
        self._waker = _Waker()
        self._sent = 0  # samples
        self._clock: float | None = None  # when the last frame was handed out
        self.dropped = 0  # samples dropped because the call fell behind
        feed._attach(self)

    def _receive(self, samples: Samples) -> None:
        limit = int(MAX_BACKLOG_S * VOICE_RATE)
        with self._lock:
            joined = np.concatenate((self._pending, samples))
            if joined.size > limit:
                self.dropped += joined.size - limit
                joined = joined[-limit:]
            self._pending = joined
        if joined.size >= VOICE_FRAME:
            self._waker.wake()

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        event = self._waker.bind()
        while True:
            now = time.monotonic()
            with self._lock:
                if self._pending.size >= VOICE_FRAME:
                    chunk = self._pending[:VOICE_FRAME]
                    self._pending = self._pending[VOICE_FRAME:]
                    self._clock = now
                    return self._frame(chunk)
            if self._clock is None:
                self._clock = now
            # A quiet microphone: silence in real time, once a frame is this late.
            due = self._clock + SILENT_AFTER_S
            if now >= due:
                self._clock = due - VOICE_FRAME / VOICE_RATE  # the next one 20 ms later
                return self._frame(np.zeros(VOICE_FRAME, np.int16))
            event.clear()
            with contextlib.suppress(TimeoutError):  # not wait_for: as in the camera's recv
                async with asyncio.timeout(due - now):
                    await event.wait()
            if self.readyState != "live":
                raise MediaStreamError

    def _frame(self, samples: Samples) -> av.AudioFrame:
        frame = av.AudioFrame(format="s16", layout="mono", samples=VOICE_FRAME)
        frame.planes[0].update(samples.astype("<i2").tobytes())
        frame.sample_rate = VOICE_RATE
        frame.time_base = fractions.Fraction(1, VOICE_RATE)
        frame.pts = self._sent
        self._sent += VOICE_FRAME
        return frame

    def stop(self) -> None:
        self._feed._detach(self)
        self._waker.wake()
        super().stop()
