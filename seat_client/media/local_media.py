"""The agent's outgoing media: what every camera track offers, the test pattern, the gated mic.

``CameraTrack`` is what a call sends as the agent's camera: the real camera's frames
(``seat_client.media.capture``) or, with synthetic devices, ``PatternCameraTrack``, a
calm moving test pattern. Either can be switched off without renegotiating (black
frames) and keeps its newest frame for the self view. ``GatedAudioTrack`` passes a
microphone through, or silence while muted, and mixes a supervisor's barge-in in.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import (
    VIDEO_CLOCK_RATE,
    AudioStreamTrack,
    MediaStreamError,
    MediaStreamTrack,
    VideoStreamTrack,
)

from seat_client.media.audio_mix import VoiceMixer
from seat_common.events import Event

#: The test pattern's frame rate: a calm picture needs no more, and every frame costs the
#: agent's encoder and the citizen's decoder (half of 30 fps, half the work).
PATTERN_FPS = 15


class CameraTrack(VideoStreamTrack):
    """The agent's camera as a call sends it: ``enabled`` False sends black frames,
    ``latest`` is the newest frame captured (the self view; None while there is none).
    ``noiseless``: the picture never went through a sensor, so the encoder needs no
    denoiser (``seat_common.media.quiet_vp8``)."""

    noiseless = False

    def __init__(self) -> None:
        super().__init__()
        self.enabled = True
        self.latest: av.VideoFrame | None = None


class PatternCameraTrack(CameraTrack):
    """A test pattern standing in for the agent's camera: soft bars with a sweeping line,
    at ``fps`` frames a second."""

    noiseless = True

    def __init__(self, width: int = 640, height: int = 480, fps: int = PATTERN_FPS) -> None:
        super().__init__()
        self.fps = fps
        self._started: float | None = None
        self.width = width - width % 2
        self.height = height - height % 2
        x = np.linspace(0, 1, self.width, dtype=np.float32)
        y = np.linspace(0, 1, self.height, dtype=np.float32)[:, None]
        self._y = (60 + 90 * x[None, :] * 0.6 + 60 * y).astype(np.uint8)
        self._u = np.full((self.height // 2, self.width // 2), 150, np.uint8)
        self._v = np.full((self.height // 2, self.width // 2), 110, np.uint8)
        self._black_y = np.full((self.height, self.width), 16, np.uint8)
        self._grey_uv = np.full((self.height // 2, self.width // 2), 128, np.uint8)
        self._count = 0

    async def next_timestamp(self) -> tuple[int, fractions.Fraction]:
        """aiortc's pacing (30 fps) at this track's own frame rate."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._started is None:
            self._started = now
        else:
            due = self._started + (self._count + 1) / self.fps
            if due > now:
                await asyncio.sleep(due - now)
        pts = round((self._count + 1) * VIDEO_CLOCK_RATE / self.fps)
        return pts, fractions.Fraction(1, VIDEO_CLOCK_RATE)

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        if self.enabled:
            y = self._y.copy()
            col = (self._count * 8) % self.width
            y[:, col : col + 6] = 235
            planes = (y, self._u, self._v)
        else:
            planes = (self._black_y, self._grey_uv, self._grey_uv)
        self._count += 1
        frame = _yuv_frame(*planes)
        frame.pts = pts
        frame.time_base = time_base
        self.latest = frame
        return frame


class GatedAudioTrack(MediaStreamTrack):
    """Passes its source through, or silence of the same shape while muted.

    Other voices are mixed in (muting the agent mutes none of them): ``mixer``, the one
    its owner sets (a three-way call's colleague), and any number more through
    ``mix_in`` (a supervisor barging in or joined), so two of them never displace each
    other. ``voice`` hands taps the agent's own voice (the supervisor's watch), ``sent``
    every frame the citizen will hear, the other voices included (the recorder).
    """

    kind = "audio"

    def __init__(self, source: MediaStreamTrack | None = None) -> None:
        super().__init__()
        self._source: MediaStreamTrack = source or AudioStreamTrack()
        self.muted = False
        self.mixer: VoiceMixer | None = None
        self._more_voices: list[VoiceMixer] = []
        self.voice: Event[av.AudioFrame] = Event()
        self.sent: Event[av.AudioFrame] = Event()

    def mix_in(self, voice: VoiceMixer) -> Callable[[], None]:
        """Mix ``voice`` into what this track sends, beside the others; the returned
        function takes it out again."""
        self._more_voices.append(voice)

        def take_out() -> None:
            if voice in self._more_voices:
                self._more_voices.remove(voice)

        return take_out

    @property
    def mixing(self) -> bool:
        """Whether any other voice is mixed in now."""
        return self.mixer is not None or bool(self._more_voices)

    async def recv(self) -> av.AudioFrame:
        frame = await self._source.recv()
        assert isinstance(frame, av.AudioFrame)
        out = frame if not self.muted else _silent_like(frame)
        self.voice.emit(out)
        if self.mixer is not None:
            out = self.mixer.mix(out)
        for voice in tuple(self._more_voices):
            out = voice.mix(out)
        self.sent.emit(out)
        return out

    def stop(self) -> None:
        self._source.stop()
        super().stop()


def black_frame_like(frame: av.VideoFrame) -> av.VideoFrame:
    """A black yuv420p frame of ``frame``'s size (made once per size)."""
    size = (frame.width - frame.width % 2, frame.height - frame.height % 2)
    planes = _BLACK.get(size)
    if planes is None:
        width, height = size
        planes = (np.full((height, width), 16, np.uint8),
                  np.full((height // 2, width // 2), 128, np.uint8))
        _BLACK.clear()
        _BLACK[size] = planes
    luma, chroma = planes
    return _yuv_frame(luma, chroma, chroma)


_BLACK: dict[tuple[int, int], tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}


def _silent_like(frame: av.AudioFrame) -> av.AudioFrame:
    silent = av.AudioFrame(format=frame.format.name, layout=frame.layout.name,
                           samples=frame.samples)
    for plane in silent.planes:
        plane.update(bytes(plane.buffer_size))
    silent.pts = frame.pts
    silent.sample_rate = frame.sample_rate
    silent.time_base = frame.time_base or fractions.Fraction(1, frame.sample_rate)
    return silent


def _yuv_frame(y: np.ndarray[Any, Any], u: np.ndarray[Any, Any],
               v: np.ndarray[Any, Any]) -> av.VideoFrame:
    frame = av.VideoFrame(y.shape[1], y.shape[0], "yuv420p")
    for plane, data in zip(frame.planes, (y, u, v), strict=True):
        _fill_plane(plane, data)
    return frame


def _fill_plane(plane: Any, data: np.ndarray[Any, Any]) -> None:
    rows, cols = data.shape
    if plane.line_size == cols:
        plane.update(data.tobytes())
        return
    padded = np.zeros((rows, plane.line_size), np.uint8)
    padded[:, :cols] = data
    plane.update(padded.tobytes())
