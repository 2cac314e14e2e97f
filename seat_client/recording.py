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
import enum
import fractions
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import av
import numpy as np
import numpy.typing as npt
from av.video.frame import PictureType

log = logging.getLogger(__name__)

AUDIO_RATE: Final = 48_000
#: AAC encodes 1024 samples per frame.
AUDIO_CHUNK: Final = 1024
_VIDEO_TIME_BASE: Final = fractions.Fraction(1, 1000)
_AUDIO_TIME_BASE: Final = fractions.Fraction(1, AUDIO_RATE)
_MOVFLAGS: Final = "frag_keyframe+empty_moov+default_base_moof"

_Samples = npt.NDArray[np.int16]
#: A mixed chunk: its pts (samples since the recorder started) and float samples.
_Chunk = tuple[int, npt.NDArray[np.float32]]


class RecordingError(RuntimeError):
    """The recording could not be made or finished; the message says why."""


@dataclass(frozen=True, slots=True)
class RecorderTuning:
    """How a call is encoded (the defaults suit a 2-core counter PC)."""

    fps: float = 15.0
    max_width: int = 1280
    max_height: int = 720
    preset: str = "veryfast"
    #: x264 constant quality (lower is better and bigger); ``max_kbps`` caps busy scenes.
    #: The citizen's video arrives at about 0.5 Mbit/s (aiortc's VP8): more would only
    #: spend disk on the sender's own artefacts.
    crf: int = 26
    max_kbps: int = 600
    #: Seconds between keyframes, and so between fragments: what a crash may lose.
    gop_s: float = 2.0
    audio_kbps: int = 64
    #: x264 threads (1 keeps the encoder off the second core the call needs).
    threads: int = 1
    #: A video call waits this long for the first camera frame, then records sound only.
    video_wait_s: float = 5.0
    #: Frames waiting for the encoder before new video frames are dropped.
    max_video_backlog: int = 8
    #: Audio frames (20 ms each) waiting before audio is dropped.
    max_audio_backlog: int = 500
    #: A voice this far behind the other is filled with silence.
    voice_lag_s: float = 0.15

    def __post_init__(self) -> None:
        if not 1 <= self.fps <= 60:
            raise ValueError(f"fps must be 1..60, not {self.fps}")
        if self.max_width < 16 or self.max_height < 16:
            raise ValueError("max_width and max_height must be at least 16")
        if self.gop_s <= 0 or self.video_wait_s < 0 or self.voice_lag_s <= 0:
            raise ValueError("gop_s and voice_lag_s must be positive, video_wait_s not negative")
        if self.max_video_backlog < 1 or self.max_audio_backlog < 1:
            raise ValueError("backlogs must be at least 1")


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


class _Kind(enum.Enum):
    VIDEO = 0
    CITIZEN = 1
    AGENT = 2
    STOP = 3


_Item = tuple[_Kind, float, Any]


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
        self._queue: queue.Queue[_Item] = queue.Queue(
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
        self._encoder: _Encoder | None = None

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
        self._put((_Kind.VIDEO, t, frame), video=True)

    def add_citizen_audio(self, frame: av.AudioFrame) -> None:
        """A frame of the citizen's voice, as received."""
        self._add_audio(_Kind.CITIZEN, frame)

    def add_agent_audio(self, frame: av.AudioFrame) -> None:
        """A frame of the agent's voice, as sent to the citizen."""
        self._add_audio(_Kind.AGENT, frame)

    def _add_audio(self, kind: _Kind, frame: av.AudioFrame) -> None:
        if not self._accepting:
            return
        if not self._audio_slots.acquire(blocking=False):
            self.dropped_audio_frames += 1
            return
        self._put((kind, self.elapsed(), frame), video=False)

    def _put(self, item: _Item, *, video: bool) -> None:
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
        self._queue.put((_Kind.STOP, self.elapsed(), None))
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
        encoder: _Encoder | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            encoder = self._encoder = _Encoder(self.path, self.with_video, self.tuning)
            while True:
                kind, t, frame = self._queue.get()
                if kind is _Kind.STOP:
                    break
                try:
                    encoder.take(kind, t, frame)
                finally:
                    (self._video_slots if kind is _Kind.VIDEO else self._audio_slots).release()
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
            if kind is _Kind.STOP:
                return
            (self._video_slots if kind is _Kind.VIDEO else self._audio_slots).release()


class _Encoder:
    """The container and its encoders, used only on the recorder's worker thread."""

    def __init__(self, path: Path, with_video: bool, tuning: RecorderTuning) -> None:
        self._tuning = tuning
        self._with_video = with_video
        self._container: Any = av.open(
            str(path),
            "w",
            format="mp4",
            options={
                "movflags": _MOVFLAGS,
                # Sound-only files have no keyframes to cut at: fragment by time too.
                "frag_duration": str(int(tuning.gop_s * 1_000_000)),
                # Without this a fragment waits in a 256 KiB write buffer, and a
                # crash loses it; with it every finished fragment reaches the file.
                "flush_packets": "1",
            },
        )
        self._video: Any = None
        self._audio: Any = None
        self._ready = False
        self._early_audio: list[tuple[_Kind, float, Any]] = []
        self._mix = VoiceMix(AUDIO_RATE, AUDIO_CHUNK, tuning.voice_lag_s)
        self._resamplers: dict[_Kind, Any] = {}
        self._last_video_pts = -1
        self._canvas: tuple[int, int] = (0, 0)
        self.width = 0
        self.height = 0
        self.video_frames = 0
        self.audio_samples = 0
        self._audio_end_s = 0.0
        self.wrote_anything = False
        if not with_video:
            self._set_up(None)

    @property
    def audio_s(self) -> float:
        return self.audio_samples / AUDIO_RATE

    @property
    def duration_s(self) -> float:
        video_end = (
            (self._last_video_pts / 1000 + 1 / self._tuning.fps) if self.video_frames else 0.0
        )
        return max(video_end, self._audio_end_s)

    def take(self, kind: _Kind, t: float, frame: Any) -> None:
        if not self._ready:
            if kind is _Kind.VIDEO:
                self._set_up(frame)
            elif t >= self._tuning.video_wait_s:
                log.info("%s: no camera frame after %.1f s: recording sound only",
                         self._container.name, t)
                self._set_up(None)
            else:
                self._early_audio.append((kind, t, frame))
                return
        if kind is _Kind.VIDEO:
            if self._video is not None:
                self._encode_video(t, frame)
        else:
            self._encode_audio(kind, t, frame)

    def close(self) -> None:
        if not self._ready:
            if not self._early_audio:
                self._container.close()
                return
            self._set_up(None)
        for pts, chunk in self._mix.flush():
            self._encode_chunk(pts, chunk)
        if self._video is not None:
            self._mux(self._video.encode(None))
        self._mux(self._audio.encode(None))
        self._container.close()

    def abandon(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()

    # --- set-up ------------------------------------------------------------------

    def _set_up(self, first_video: Any) -> None:
        tuning = self._tuning
        if first_video is not None:
            width, height = fit_size(
                first_video.width, first_video.height, tuning.max_width, tuning.max_height
            )
            video = self._container.add_stream("libx264", rate=round(tuning.fps))
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            context = video.codec_context
            context.time_base = _VIDEO_TIME_BASE
            context.gop_size = max(1, round(tuning.gop_s * tuning.fps))
            context.thread_count = tuning.threads
            context.options = {
                "preset": tuning.preset,
                # No B-frames or look-ahead: each frame leaves the encoder at once,
                # so a fragment holds everything up to its end when a crash comes.
                "tune": "zerolatency",
                "crf": str(tuning.crf),
                "maxrate": f"{tuning.max_kbps}k",
                "bufsize": f"{tuning.max_kbps * 2}k",
            }
            self._video = video
            self._canvas = (width, height)
            self.width, self.height = width, height
        audio = self._container.add_stream("aac", rate=AUDIO_RATE)
        audio.layout = "mono"
        audio.codec_context.bit_rate = tuning.audio_kbps * 1000
        audio.codec_context.time_base = _AUDIO_TIME_BASE
        self._audio = audio
        self._ready = True
        early, self._early_audio = self._early_audio, []
        for kind, t, frame in early:
            self._encode_audio(kind, t, frame)

    # --- video -------------------------------------------------------------------

    def _encode_video(self, t: float, frame: Any) -> None:
        out = self._fitted(frame)
        pts = max(round(t * 1000), self._last_video_pts + 1)
        out.pts = pts
        out.time_base = _VIDEO_TIME_BASE
        out.pict_type = PictureType.NONE  # the sender's keyframes are not ours
        self._last_video_pts = pts
        self._mux(self._video.encode(out))
        self.video_frames += 1

    def _fitted(self, frame: Any) -> Any:
        """A new yuv420p frame of the canvas size (the tapped frame is shared: never changed)."""
        cw, ch = self._canvas
        width, height = fit_size(frame.width, frame.height, cw, ch, upscale=True)
        scaled = frame.reformat(width=width, height=height, format="yuv420p")
        if (width, height) == (cw, ch):
            if scaled is frame:  # reformat hands back the same frame when nothing changes
                scaled = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
            return scaled
        # Another shape than the first frame: fit it inside the canvas on black.
        planes = scaled.to_ndarray()
        canvas = np.empty((ch * 3 // 2, cw), np.uint8)
        canvas[:ch] = 16
        canvas[ch:] = 128
        x, y = (cw - width) // 2 & ~1, (ch - height) // 2 & ~1
        canvas[y : y + height, x : x + width] = planes[:height]
        u = planes[height : height + height // 4].reshape(height // 2, width // 2)
        v = planes[height + height // 4 :].reshape(height // 2, width // 2)
        cu = canvas[ch : ch + ch // 4].reshape(ch // 2, cw // 2)
        cv = canvas[ch + ch // 4 :].reshape(ch // 2, cw // 2)
        cu[y // 2 : (y + height) // 2, x // 2 : (x + width) // 2] = u
        cv[y // 2 : (y + height) // 2, x // 2 : (x + width) // 2] = v
        return av.VideoFrame.from_ndarray(canvas, format="yuv420p")

    # --- audio -------------------------------------------------------------------

    def _encode_audio(self, kind: _Kind, t: float, frame: Any) -> None:
        samples = self._to_mono_48k(kind, frame)
        if samples.size == 0:
            return
        voice = 0 if kind is _Kind.CITIZEN else 1
        for pts, chunk in self._mix.push(voice, samples, t):
            self._encode_chunk(pts, chunk)

    def _to_mono_48k(self, kind: _Kind, frame: Any) -> _Samples:
        resampler = self._resamplers.get(kind)
        if resampler is None:
            resampler = self._resamplers[kind] = av.AudioResampler(
                format="s16", layout="mono", rate=AUDIO_RATE
            )
        try:
            converted = resampler.resample(frame)
        except ValueError:  # the voice changed its rate or layout mid-call
            resampler = self._resamplers[kind] = av.AudioResampler(
                format="s16", layout="mono", rate=AUDIO_RATE
            )
            converted = resampler.resample(frame)
        parts = [np.asarray(c.to_ndarray(), np.int16).reshape(-1) for c in converted]
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)

    def _encode_chunk(self, pts: int, chunk: npt.NDArray[np.float32]) -> None:
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = pts
        frame.time_base = _AUDIO_TIME_BASE
        self._mux(self._audio.encode(frame))
        self.audio_samples += chunk.size
        self._audio_end_s = (pts + chunk.size) / AUDIO_RATE

    def _mux(self, packets: list[Any]) -> None:
        if packets:
            self._container.mux(packets)
            self.wrote_anything = True


class VoiceMix:
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
        self._fifos: list[_Samples] = [np.zeros(0, np.int16), np.zeros(0, np.int16)]
        self._origin: int | None = None  # first output sample, in samples since start
        self._written = 0
        self._now = 0.0

    def push(self, voice: int, samples: _Samples, t: float) -> list[_Chunk]:
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

    def flush(self) -> list[_Chunk]:
        """Everything still buffered, the last chunk padded with silence."""
        return self._drain(final=True)

    def _drain(self, *, final: bool) -> list[_Chunk]:
        out: list[_Chunk] = []
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


def fit_size(
    width: int, height: int, max_width: int, max_height: int, *, upscale: bool = False
) -> tuple[int, int]:
    """``width`` × ``height`` scaled to fit inside the maximum, aspect kept, sides even."""
    scale = min(max_width / width, max_height / height)
    if not upscale:
        scale = min(scale, 1.0)
    fitted_w = max(2, int(width * scale) & ~1)
    fitted_h = max(2, int(height * scale) & ~1)
    return min(fitted_w, max_width & ~1), min(fitted_h, max_height & ~1)


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
