"""Tracks fed frame by frame from elsewhere: what a workstation relays to a third party
(a watching supervisor, a consulted colleague) from the call it is in. A slow reader gets
the newest picture; the voice keeps 200 ms at most, with a second voice mixed in."""

from __future__ import annotations

import asyncio
import time
from collections import deque

import av
from aiortc.mediastreams import (
    VIDEO_CLOCK_RATE,
    VIDEO_TIME_BASE,
    MediaStreamError,
    MediaStreamTrack,
)

from seat_client.media.audio_mix import VoiceMixer


class FedVideoTrack(MediaStreamTrack):
    """A video track fed frame by frame from elsewhere; a slow reader gets the newest.

    ``restamp``: each frame leaves with this track's own timestamps (90 kHz, from when it
    is read) instead of its source's: for a track whose source changes (a three-way
    call's relay, fed by one consult's peer after another, whose clocks each start at
    zero), so the receiver never sees time go backwards."""

    kind = "video"

    def __init__(self, *, restamp: bool = False) -> None:
        super().__init__()
        self._newest: av.VideoFrame | None = None
        self._arrived = asyncio.Event()
        self._restamp = restamp
        self._started: float | None = None

    def feed(self, frame: av.VideoFrame) -> None:
        self._newest = frame
        self._arrived.set()

    async def recv(self) -> av.VideoFrame:
        while self.readyState == "live":
            await self._arrived.wait()
            self._arrived.clear()
            if self._newest is not None:
                frame, self._newest = self._newest, None
                if self._restamp:
                    now = time.monotonic()
                    if self._started is None:
                        self._started = now
                    frame.pts = round((now - self._started) * VIDEO_CLOCK_RATE)
                    frame.time_base = VIDEO_TIME_BASE
                return frame
        raise MediaStreamError


class FedAudioTrack(MediaStreamTrack):
    """An audio track fed from elsewhere, with a second voice mixed in; keeps 200 ms at most."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.mixer = VoiceMixer()
        self._frames: deque[av.AudioFrame] = deque(maxlen=10)
        self._arrived = asyncio.Event()

    def feed(self, frame: av.AudioFrame) -> None:
        self._frames.append(frame)
        self._arrived.set()

    async def recv(self) -> av.AudioFrame:
        while self.readyState == "live":
            if self._frames:
                return self.mixer.mix(self._frames.popleft())
            self._arrived.clear()
            await self._arrived.wait()
        raise MediaStreamError
