"""The decoding half of the recording player: PyAV on a worker thread, picture and sound.

``RecordingDecoder`` opens an MP4 with PyAV on its own thread and keeps a
``DecodedMedia`` filled: the sound decoded and resampled to the sound
output's PCM (``av.AudioResampler``), and a few pictures ahead, each a QImage
that owns its pixels. It does not pace anything: the player's clock (the
sound, or the wall clock without it) decides what is shown and when, and the
decoder only runs ahead as far as the bounded queues let it. A picture the
playhead has already passed is not converted (a slow machine skips pictures,
never the sound).

Each track is read through its own opening of the file (a ``_Lane``), so the
sound and the picture are decoded at their own pace whatever the file's
interleaving (a fragment holds two seconds of one track before the other).
After a seek the picture lane decodes from the keyframe before the target
and queues the picture at (or just before) it first, which the player shows
at once, playing or paused.

A file cut short by a crash plays up to its last fragment: a decode error at
a track's end counts as its end.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QImage

from ui.recording.decoded_media import DecodedMedia

#: A picture this close after the seek target still counts as at the target (seconds).
_AT_TARGET_S = 0.001


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """What the file holds."""

    duration_s: float
    width: int  # 0: no picture
    height: int
    sound: str  # e.g. "AAC 48000 Hz mono"; "" without a sound track


class DecoderSignals(QObject):
    """What the decoder thread tells the dialog (queued to the GUI thread)."""

    opened = pyqtSignal(object)  # RecordingInfo
    #: the first picture after a seek (or the opening) waits in ``DecodedMedia``
    picture_ready = pyqtSignal()
    failed = pyqtSignal(str)


class _Lane:
    """One track of the file, read through its own opening of it."""

    def __init__(self, path: Path, kind: str) -> None:
        self.container: Any = av.open(str(path))
        streams = self.container.streams.video if kind == "video" else self.container.streams.audio
        self.stream: Any = streams[0]
        self._frames: Any = iter(())

    def seek(self, target: float) -> None:
        with contextlib.suppress(av.FFmpegError):
            self.container.seek(int(target / self.stream.time_base), stream=self.stream,
                                backward=True)
        self._frames = self.container.decode(self.stream)

    def next(self) -> Any:
        """The next decoded frame; None at the end (or where a file cut short breaks off)."""
        try:
            return next(self._frames)
        except (StopIteration, av.FFmpegError):
            return None

    def close(self) -> None:
        self.container.close()


class RecordingDecoder:
    """Decodes ``path`` into ``media`` on its own thread until ``stop``.

    Seeks go through ``media.seek`` (the player's); the first one (to 0) starts it.
    """

    def __init__(self, path: Path, media: DecodedMedia, bridge: DecoderSignals) -> None:
        self._path = path
        self._media = media
        self._bridge = bridge
        self._thread = threading.Thread(target=self._run, name="recording-player", daemon=True)
        self._pictures: _Lane | None = None
        self._sound: _Lane | None = None
        self._resampler: Any = None
        self._duration = 0.0
        self._frame_s = 1 / 15
        self._generation = 0
        self._seek_target: float | None = None
        self._held: Any = None  # the latest picture at or before the seek target

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._media.close()
        self._thread.join(timeout=3.0)

    def _run(self) -> None:
        try:
            info = self._open()
        except (av.FFmpegError, OSError) as exc:
            self._bridge.failed.emit(str(exc))
            self._close_lanes()
            return
        self._bridge.opened.emit(info)
        try:
            self._work()
        except av.FFmpegError as exc:
            self._bridge.failed.emit(str(exc))
        finally:
            self._close_lanes()

    def _open(self) -> RecordingInfo:
        with av.open(str(self._path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            sound = container.streams.audio[0] if container.streams.audio else None
            self._duration = _duration(container)
            info = RecordingInfo(
                self._duration,
                video.codec_context.width if video else 0,
                video.codec_context.height if video else 0,
                f"{sound.codec_context.name.upper()} {sound.codec_context.sample_rate} Hz"
                f" {sound.codec_context.layout.name}" if sound else "",
            )
            if video is not None and video.average_rate:
                self._frame_s = float(1 / video.average_rate)
        if video is not None:
            self._pictures = _Lane(self._path, "video")
        if sound is not None and self._media.layout is not None:
            self._sound = _Lane(self._path, "audio")
        return info

    def _close_lanes(self) -> None:
        for lane in (self._pictures, self._sound):
            if lane is not None:
                lane.close()

    def _work(self) -> None:
        media = self._media
        while True:
            orders = media.orders()
            if orders.closed:
                return
            if orders.seek_to is not None:
                self._seek(orders.generation, orders.seek_to)
                continue
            busy = False
            if self._generation and media.wants_sound(self._generation):
                self._decode_sound()
                busy = True
            if self._generation and media.wants_picture(self._generation):
                self._decode_picture()
                busy = True
            if not busy:
                media.wait_for_room(self._generation)

    def _seek(self, generation: int, target: float) -> None:
        target = min(max(0.0, target), self._duration)
        self._generation = generation
        if self._pictures is not None:
            self._pictures.seek(target)
            self._seek_target, self._held = target, None
        else:
            self._media.end_pictures(generation)
        if self._sound is not None and self._media.layout is not None:
            self._sound.seek(target)
            layout = self._media.layout
            self._resampler = av.AudioResampler(format=layout.av_format, layout=layout.av_layout,
                                                rate=layout.rate)
        else:
            self._media.end_sound(generation)

    def _decode_sound(self) -> None:
        assert self._sound is not None
        frame = self._sound.next()
        if frame is None:
            self._media.end_sound(self._generation)
            return
        t = float(frame.time if frame.time is not None else 0.0)
        pcm = b"".join(out.to_ndarray().tobytes() for out in self._resampler.resample(frame))
        self._media.put_sound(self._generation, t, pcm)

    def _decode_picture(self) -> None:
        assert self._pictures is not None
        frame = self._pictures.next()
        if frame is None:
            if self._held is not None:  # the target is past the last picture: show the last
                self._put_picture(self._held)
                self._held = None
            self._media.end_pictures(self._generation)
            return
        t = float(frame.time or 0.0)
        if self._seek_target is not None:
            if t <= self._seek_target + _AT_TARGET_S:
                self._held = frame  # decode on up to the target
                return
            self._seek_target = None
            if self._held is not None:
                self._put_picture(self._held)
                self._held = None
        elif t + self._frame_s < self._media.playhead():
            return  # its successor is due already: not worth converting
        self._put_picture(frame)

    def _put_picture(self, frame: Any) -> None:
        if self._media.put_picture(self._generation, float(frame.time or 0.0), _to_image(frame)):
            self._bridge.picture_ready.emit()


def _duration(container: Any) -> float:
    if container.duration:
        return float(container.duration) / 1_000_000
    end = 0.0  # a crashed file may not say: the last packet does
    for packet in container.demux():
        if packet.pts is not None and packet.time_base is not None:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    container.seek(0)
    return end


def _to_image(frame: Any) -> QImage:
    pixels = frame.to_ndarray(format="bgra")
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, pixels.strides[0],
                  QImage.Format.Format_RGB32).copy()  # owns its pixels
