"""Call recording: the citizen's camera and both voices into one fragmented MP4 (PyAV).

``CallRecorder`` takes frames on the event loop (``add_video``,
``add_citizen_audio``, ``add_agent_audio``: quick, never blocking) and
encodes them on its own worker thread behind a bounded queue. When video
frames come faster than the encoder keeps up, the newest are dropped and
counted (``dropped_video_frames``); audio gets a much deeper queue, since a
gap in a voice is worse than a skipped picture.

What lands in the file:

- H.264 (libx264, ``preset`` veryfast by default, yuv420p) at most ``fps``
  frames a second, scaled to fit ``max_width`` × ``max_height`` (never up)
  with even sides. The size is fixed by the first frame; a later frame of
  another shape (a phone turned sideways) is fitted inside it on black.
- AAC, 48 kHz mono: the citizen's voice (``remote_audio``) and the agent's
  (what the microphone sent, ``sent``) added sample for sample, clipped.
- Fragmented MP4 (``frag_keyframe+empty_moov+default_base_moof``, a
  keyframe and a fragment every ``gop_s`` seconds, every fragment flushed to
  the file): a crash or a power cut leaves a playable file up to the last
  fragment.

Timestamps come from a monotonic clock since ``start`` (frames arrive
irregularly; their own pts belong to other clocks). The audio timeline is
continuous: it follows whichever voice is flowing, and a voice that falls
silent (packet loss, no microphone) is filled with silence once it is
``voice_lag_s`` behind, so the voices stay within about that of each other
and of the picture.

A call without video (a hotline call, ``with_video=False``) gives an MP4
with only the sound track: no picture at all, rather than a black one,
which would cost CPU and bytes for nothing. A video call whose camera never
sends a frame within ``video_wait_s`` is recorded the same way.

``finish`` (blocking: run it in an executor) drains the queue, flushes both
encoders, closes and fsyncs the file and returns a ``Recording`` with its
SHA-256, size and duration. Any error in the worker (disk full, an encoder
refusing a frame) stops the recording, is reported once through
``on_failure`` (called on the worker thread) and makes ``finish`` raise
``RecordingError``; the call itself is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from seat_client.recording.encoder import Encoder, FrameKind, QueueItem, RecorderTuning

__all__ = ["CallRecorder", "RecorderTuning", "Recording", "RecordingError"]

log = logging.getLogger(__name__)


class RecordingError(RuntimeError):
    """The recording could not be made or finished; the message says why."""


@dataclass(frozen=True, slots=True)
class Recording:
    """A finished recording: where it is and what it holds."""

    path: Path
    duration_s: float
    byte_size: int
    sha256: str
    video_frames: int
    width: int  # 0: sound only
    height: int
    audio_s: float
    dropped_video_frames: int
    dropped_audio_frames: int


class CallRecorder:
    """Records one call to ``path``; ``start`` once, feed frames, ``finish`` once."""

    def __init__(
        self,
        path: Path,
        *,
        with_video: bool = True,
        tuning: RecorderTuning | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.path = path
        self.with_video = with_video
        self.tuning = tuning or RecorderTuning()
        self._clock = clock
        self._on_failure = on_failure
        self._queue: queue.Queue[QueueItem] = queue.Queue(
            self.tuning.max_video_backlog + self.tuning.max_audio_backlog + 1
        )
        self._video_slots = threading.BoundedSemaphore(self.tuning.max_video_backlog)
        self._audio_slots = threading.BoundedSemaphore(self.tuning.max_audio_backlog)
        self._thread: threading.Thread | None = None
        self._t0 = 0.0
        self._next_video_t = 0.0
        self._accepting = False
        self._finished: Recording | None = None
        self._error: BaseException | None = None
        self.dropped_video_frames = 0
        self.dropped_audio_frames = 0
        self._encoder: Encoder | None = None

    @property
    def failed(self) -> BaseException | None:
        """The error that stopped the recording, if one did."""
        return self._error

    @property
    def backlog(self) -> int:
        """Frames waiting for the encoder."""
        return self._queue.qsize()

    # --- the loop side: quick, never blocking ------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a CallRecorder starts once")
        self._t0 = self._clock()
        self._accepting = True
        self._thread = threading.Thread(
            target=self._run, name=f"recorder-{self.path.stem}", daemon=True
        )
        self._thread.start()

    def elapsed(self) -> float:
        """Seconds since ``start`` on the recorder's clock."""
        return self._clock() - self._t0

    def add_video(self, frame: av.VideoFrame) -> None:
        """A decoded frame of the citizen's camera (kept at most ``fps`` times a second)."""
        if not self._accepting or not self.with_video:
            return
        t = self.elapsed()
        if t < self._next_video_t:
            return  # above the recording's frame rate: not a drop
        self._next_video_t = t + 0.9 / self.tuning.fps
        if not self._video_slots.acquire(blocking=False):
            self.dropped_video_frames += 1
            return
        self._put((FrameKind.VIDEO, t, frame), video=True)

    def add_citizen_audio(self, frame: av.AudioFrame) -> None:
        """A frame of the citizen's voice, as received."""
        self._add_audio(FrameKind.CITIZEN, frame)

    def add_agent_audio(self, frame: av.AudioFrame) -> None:
        """A frame of the agent's voice, as sent to the citizen."""
        self._add_audio(FrameKind.AGENT, frame)

    def _add_audio(self, kind: FrameKind, frame: av.AudioFrame) -> None:
        if not self._accepting:
            return
        if not self._audio_slots.acquire(blocking=False):
            self.dropped_audio_frames += 1
            return
        self._put((kind, self.elapsed(), frame), video=False)

    def _put(self, item: QueueItem, *, video: bool) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:  # cannot happen with the slots taken; kept as a guard
            (self._video_slots if video else self._audio_slots).release()
            if video:
                self.dropped_video_frames += 1
            else:
                self.dropped_audio_frames += 1

    # --- finishing (blocking: run in an executor) ---------------------------------

    def finish(self) -> Recording:
        """Stop taking frames, encode what is queued, close and fsync; the result.

        Raises ``RecordingError`` if the recording failed or holds nothing.
        """
        if self._finished is not None:
            return self._finished
        thread = self._thread
        if thread is None:
            raise RecordingError("the recorder was never started")
        self._accepting = False
        self._queue.put((FrameKind.STOP, self.elapsed(), None))
        thread.join()
        if self._error is not None:
            raise RecordingError(f"recording {self.path.name} failed: {self._error}")
        encoder = self._encoder
        if encoder is None or not encoder.wrote_anything:
            with contextlib.suppress(OSError):
                self.path.unlink()
            raise RecordingError("nothing was recorded (no picture and no sound arrived)")
        try:
            _fsync(self.path)
            digest, size = _sha256(self.path)
        except OSError as exc:
            raise RecordingError(f"recording {self.path.name} could not be saved: {exc}") from exc
        self._finished = Recording(
            path=self.path,
            duration_s=round(encoder.duration_s, 3),
            byte_size=size,
            sha256=digest,
            video_frames=encoder.video_frames,
            width=encoder.width,
            height=encoder.height,
            audio_s=round(encoder.audio_s, 3),
            dropped_video_frames=self.dropped_video_frames,
            dropped_audio_frames=self.dropped_audio_frames,
        )
        return self._finished

    # --- the worker thread ---------------------------------------------------------

    def _run(self) -> None:
        encoder: Encoder | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            encoder = self._encoder = Encoder(self.path, self.with_video, self.tuning)
            while True:
                kind, t, frame = self._queue.get()
                if kind is FrameKind.STOP:
                    break
                try:
                    encoder.take(kind, t, frame)
                finally:
                    (self._video_slots if kind is FrameKind.VIDEO else self._audio_slots).release()
            encoder.close()
        except Exception as exc:  # disk full, an encoder error: stop recording, keep the call
            self._error = exc
            self._accepting = False
            log.exception("recording %s failed", self.path.name)
            if encoder is not None:
                encoder.abandon()
            if self._on_failure is not None:
                try:
                    self._on_failure(exc)
                except Exception:
                    log.exception("recording failure callback failed")
            self._discard_until_stop()

    def _discard_until_stop(self) -> None:
        while True:
            kind, _t, _frame = self._queue.get()
            if kind is FrameKind.STOP:
                return
            (self._video_slots if kind is FrameKind.VIDEO else self._audio_slots).release()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):  # the directory entry too (not on every filesystem)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
