"""Tracks fed frame by frame from elsewhere: what a workstation relays to a third party
(a watching supervisor, a consulted colleague) from the call it is in. A slow reader gets
the newest picture; the voice keeps 200 ms at most, with a second voice mixed in."""

from __future__ import annotations

import asyncio
from collections import deque

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.media.audio_mix import VoiceMixer


class FedVideoTrack(MediaStreamTrack):
    """A video track fed frame by frame from elsewhere; a slow reader gets the newest."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._newest: av.VideoFrame | None = None
        self._arrived = asyncio.Event()

    def feed(self, frame: av.VideoFrame) -> None:
        self._newest = frame
        self._arrived.set()

    async def recv(self) -> av.VideoFrame:
        while self.readyState == "live":
            await self._arrived.wait()
            self._arrived.clear()
            if self._newest is not None:
                frame, self._newest = self._newest, None
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
