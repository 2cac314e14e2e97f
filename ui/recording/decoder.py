"""The decoding half of the recording player: PyAV on a worker thread, newest frame wins.

``RecordingDecoder`` opens an MP4 with PyAV on its own thread, decodes the
picture and paces it by the frame times; commands (play, pause, seek, stop)
arrive through a queue, so a seek interrupts a wait. Each frame becomes a
QImage that owns its pixels; only the newest waits for the dialog
(``take``), so a slow paint drops frames instead of queueing them. Without
a picture the timeline still moves in ticks. A file cut short by a crash
plays up to its last fragment: the decode error at its end counts as the end.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QImage

#: Without a picture the timeline still moves, this often (seconds).
_TICK_S = 0.1


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
    frame_ready = pyqtSignal()  # the newest frame waits in ``RecordingDecoder.take``
    position = pyqtSignal(float)
    ended = pyqtSignal()
    failed = pyqtSignal(str)


class RecordingDecoder:
    """Decodes ``path`` on its own thread; ``command`` play, pause, seek (seconds), stop."""

    def __init__(self, path: Path, bridge: DecoderSignals) -> None:
        self._path = path
        self._bridge = bridge
        self._commands: queue.Queue[tuple[str, float]] = queue.Queue()
        self._lock = threading.Lock()
        self._newest: tuple[QImage, float] | None = None
        self._thread = threading.Thread(target=self._run, name="recording-player", daemon=True)
        self._frames: Any = None
        self._video: Any = None
        self._duration = 0.0
        self._position = 0.0

    def start(self) -> None:
        self._thread.start()

    def command(self, name: str, value: float = 0.0) -> None:
        self._commands.put((name, value))

    def stop(self) -> None:
        self.command("stop")
        self._thread.join(timeout=3.0)

    def take(self) -> tuple[QImage, float] | None:
        with self._lock:
            newest, self._newest = self._newest, None
        return newest

    def _run(self) -> None:
        try:
            container = av.open(str(self._path))
        except (av.FFmpegError, OSError) as exc:
            self._bridge.failed.emit(str(exc))
            return
        try:
            self._play(container)
        except av.FFmpegError as exc:
            self._bridge.failed.emit(str(exc))
        finally:
            container.close()

    def _play(self, container: Any) -> None:
        self._video = container.streams.video[0] if container.streams.video else None
        sound = container.streams.audio[0] if container.streams.audio else None
        self._duration = _duration(container)
        self._bridge.opened.emit(RecordingInfo(
            self._duration,
            self._video.codec_context.width if self._video else 0,
            self._video.codec_context.height if self._video else 0,
            f"{sound.codec_context.name.upper()} {sound.codec_context.sample_rate} Hz"
            f" {sound.codec_context.layout.name}" if sound else "",
        ))
        self._seek(container, 0.0)
        playing, pending, at_end = True, None, False
        anchor_wall, anchor_t = time.monotonic(), 0.0
        while True:
            if playing:
                if pending is None:
                    pending = self._next()
                    if pending is None:
                        playing, at_end = False, True
                        self._publish(None, max(self._position, self._duration))
                        self._bridge.ended.emit()
                        continue
                delay = anchor_wall + (pending[1] - anchor_t) - time.monotonic()
                try:
                    name, value = self._commands.get(timeout=delay) if delay > 0 else ("", 0.0)
                except queue.Empty:
                    name, value = "", 0.0
                if not name:
                    self._publish(*pending)
                    pending = None
                    continue
            else:
                name, value = self._commands.get()
            if name == "stop":
                return
            if name == "seek" or (name == "play" and at_end):  # play again from the start
                pending, at_end = None, False
                self._seek(container, value)
            playing = name == "play" or (name == "seek" and playing)
            anchor_wall, anchor_t = time.monotonic(), self._position

    def _next(self) -> tuple[QImage | None, float] | None:
        """The next frame and its time (a tick without a picture); None at the end."""
        if self._video is None:
            if self._position >= self._duration:
                return None
            return None, min(self._position + _TICK_S, self._duration)
        try:
            frame = next(self._frames)
        except (StopIteration, av.FFmpegError):  # the end, or a file cut short by a crash
            return None
        return _to_image(frame), float(frame.time or 0.0)

    def _publish(self, image: QImage | None, t: float) -> None:
        self._position = t
        if image is not None:
            with self._lock:
                self._newest = (image, t)
            self._bridge.frame_ready.emit()
        self._bridge.position.emit(t)

    def _seek(self, container: Any, target: float) -> None:
        target = min(max(0.0, target), self._duration)
        self._position = target
        if self._video is None:
            self._bridge.position.emit(target)
            return
        stream = self._video
        with contextlib.suppress(av.FFmpegError):
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
        self._frames = container.decode(stream)
        # Decode from the keyframe before ``target`` up to it, and show that frame.
        while (item := self._next()) is not None:
            image, t = item
            if t >= target - 0.02:  # the frame at (or just before) the target
                self._publish(image, t)
                return


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
