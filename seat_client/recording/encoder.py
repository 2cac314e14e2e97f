"""The recorder's encoding half: the MP4 container and its H.264 and AAC encoders (PyAV).

``Encoder`` is used only on ``CallRecorder``'s worker thread: ``take`` each
frame with its time since the recording started, ``close`` at the end (or
``abandon`` after an error). How a call is encoded is ``RecorderTuning``;
``fit_size`` scales a picture into the recording's frame. The two voices
are put on one timeline by ``seat_client.media.audio_mix.VoiceTimeline``.
"""

from __future__ import annotations

import contextlib
import enum
import fractions
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import av
import numpy as np
import numpy.typing as npt
from av.video.frame import PictureType

from seat_client.media.audio_mix import Samples, VoiceTimeline

log = logging.getLogger(__name__)

AUDIO_RATE: Final = 48_000
#: AAC encodes 1024 samples per frame.
AUDIO_CHUNK: Final = 1024
VIDEO_TIME_BASE: Final = fractions.Fraction(1, 1000)
AUDIO_TIME_BASE: Final = fractions.Fraction(1, AUDIO_RATE)
MOVFLAGS: Final = "frag_keyframe+empty_moov+default_base_moof"




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



class FrameKind(enum.Enum):
    """What an item on the recorder's queue carries (``STOP`` ends the worker)."""

    VIDEO = 0
    CITIZEN = 1
    AGENT = 2
    STOP = 3


#: An item on the recorder's queue: its kind, seconds since start, the frame.
QueueItem = tuple[FrameKind, float, Any]



class Encoder:
    """The container and its encoders, used only on the recorder's worker thread."""

    def __init__(self, path: Path, with_video: bool, tuning: RecorderTuning) -> None:
        self._tuning = tuning
        self._with_video = with_video
        self._container: Any = av.open(
            str(path),
            "w",
            format="mp4",
            options={
                "movflags": MOVFLAGS,
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
        self._early_audio: list[tuple[FrameKind, float, Any]] = []
        self._mix = VoiceTimeline(AUDIO_RATE, AUDIO_CHUNK, tuning.voice_lag_s)
        self._resamplers: dict[FrameKind, Any] = {}
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

    def take(self, kind: FrameKind, t: float, frame: Any) -> None:
        if not self._ready:
            if kind is FrameKind.VIDEO:
                self._set_up(frame)
            elif t >= self._tuning.video_wait_s:
                log.info("%s: no camera frame after %.1f s: recording sound only",
                         self._container.name, t)
                self._set_up(None)
            else:
                self._early_audio.append((kind, t, frame))
                return
        if kind is FrameKind.VIDEO:
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
            context.time_base = VIDEO_TIME_BASE
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
        audio.codec_context.time_base = AUDIO_TIME_BASE
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
        out.time_base = VIDEO_TIME_BASE
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

    def _encode_audio(self, kind: FrameKind, t: float, frame: Any) -> None:
        samples = self._to_mono_48k(kind, frame)
        if samples.size == 0:
            return
        voice = 0 if kind is FrameKind.CITIZEN else 1
        for pts, chunk in self._mix.push(voice, samples, t):
            self._encode_chunk(pts, chunk)

    def _to_mono_48k(self, kind: FrameKind, frame: Any) -> Samples:
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
        frame.time_base = AUDIO_TIME_BASE
        self._mux(self._audio.encode(frame))
        self.audio_samples += chunk.size
        self._audio_end_s = (pts + chunk.size) / AUDIO_RATE

    def _mux(self, packets: list[Any]) -> None:
        if packets:
            self._container.mux(packets)
            self.wrote_anything = True


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


