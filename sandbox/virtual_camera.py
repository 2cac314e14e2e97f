"""A webcam stood in by a program: stamped test frames into Qt Multimedia's capture path.

This machine has no camera (no ``/dev/video*``, no v4l2loopback in a container), so
``VirtualCamera`` plays one: a ``QVideoFrameInput`` that a ``QMediaCaptureSession``
takes as its picture, fed ``fps`` times a second with ``sandbox.camera``'s stamped
pattern in NV12, the format most webcams deliver. Each frame's stamp carries its
counter and the wall-clock time it was made, so whoever receives it (a simulated
citizen, the Chromium page) can read its latency and tell it from any other picture.
"""

from __future__ import annotations

import time
from typing import Any, cast

import numpy as np
from PyQt6.QtCore import QObject, QSize, Qt, QTimer
from PyQt6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoFrameInput

from sandbox.camera import StampedCameraTrack


class VirtualCamera(QObject):
    """Stamped NV12 frames into ``frame_input`` while started."""

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 30.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.format = QVideoFrameFormat(QSize(width, height),
                                        QVideoFrameFormat.PixelFormat.Format_NV12)
        self.frame_input = QVideoFrameInput(self.format, self)
        self._painter = StampedCameraTrack(width, height, fps)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(round(1000 / fps))
        self._timer.timeout.connect(self._send)
        self.sent = 0

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _send(self) -> None:
        picture = self._painter.make_frame(self.sent, round(time.time() * 1000))
        y, u, v = (np.frombuffer(memoryview(p), np.uint8).reshape(-1, p.line_size)
                   for p in picture.planes)
        frame = QVideoFrame(self.format)
        if not frame.map(QVideoFrame.MapMode.WriteOnly):
            return
        try:
            width, height = picture.width, picture.height
            luma = np.frombuffer(cast(Any, frame.bits(0).asarray(frame.mappedBytes(0))), np.uint8)
            luma.reshape(-1, frame.bytesPerLine(0))[:height, :width] = y[:height, :width]
            chroma = np.frombuffer(cast(Any, frame.bits(1).asarray(frame.mappedBytes(1))), np.uint8)
            rows = chroma.reshape(-1, frame.bytesPerLine(1))[: height // 2, :width]
            rows[:, 0::2] = u[: height // 2, : width // 2]
            rows[:, 1::2] = v[: height // 2, : width // 2]
        finally:
            frame.unmap()
        if self.frame_input.sendVideoFrame(frame):
            self.sent += 1
