"""The camera through Qt Multimedia: a capture session into a ``VideoFeed``.

``Camera`` runs one ``QMediaCaptureSession`` whose picture comes from a ``QCamera``
(a webcam) or from a ``QVideoFrameInput`` (frames a program makes: a virtual camera,
the tests). Each frame the session's ``QVideoSink`` shows is copied once into a PyAV
frame (``ui.devices.frames``) and published with the moment it arrived, which is the
capture time as far as this process can know it. The conversion's cost is kept
(``convert_ms``) for the benchmark.

A camera that fails says why with ``failed``: ``refused`` (the system denies camera
access), ``busy`` (another program holds it), ``failed`` (anything else, a driver
error, the camera unplugged).
"""

from __future__ import annotations

import logging
import time
from collections import deque

from PyQt6.QtCore import QCameraPermission, QObject, Qt, pyqtSignal
from PyQt6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QVideoFrame,
    QVideoFrameInput,
    QVideoSink,
)
from PyQt6.QtWidgets import QApplication

from seat_client.media.capture import VideoFeed
from ui.devices.frames import to_av_frame

log = logging.getLogger(__name__)


class Camera(QObject):
    """One open camera feeding ``feed``."""

    failed = pyqtSignal(str)  # "refused", "busy" or "failed"

    def __init__(self, feed: VideoFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self.device: QCameraDevice | None = None
        self.convert_ms: deque[float] = deque(maxlen=600)
        self.frames = 0
        self._session = QMediaCaptureSession(self)
        self._sink = QVideoSink(self)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._camera: QCamera | None = None
        self._input: QVideoFrameInput | None = None

    @property
    def is_open(self) -> bool:
        return self._camera is not None or self._input is not None

    def open(self, device: QCameraDevice) -> bool:
        """Start ``device``; False if camera access is refused (``failed`` says so too)."""
        self.close()
        app = QApplication.instance()
        if app is not None and app.checkPermission(QCameraPermission()) == (
                Qt.PermissionStatus.Denied):
            self.failed.emit("refused")
            return False
        camera = QCamera(device, self)
        camera.errorOccurred.connect(self._on_error)
        self._session.setCamera(camera)
        self._camera, self.device = camera, device
        camera.start()
        return True

    def open_input(self, frame_input: QVideoFrameInput) -> None:
        """Take the picture from ``frame_input`` (a virtual camera; the tests)."""
        self.close()
        self._session.setVideoFrameInput(frame_input)
        self._input = frame_input

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop()
            self._session.setCamera(None)
            camera.deleteLater()
        if self._input is not None:
            self._session.setVideoFrameInput(None)
            self._input = None
        self.device = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        arrived = time.monotonic()
        converted = to_av_frame(frame)
        if converted is None:
            return
        self.convert_ms.append((time.monotonic() - arrived) * 1000)
        self.frames += 1
        self.feed.publish(converted, arrived)

    def _on_error(self, error: QCamera.Error, text: str) -> None:
        if error == QCamera.Error.NoError:
            return
        lowered = text.lower()
        reason = "busy" if "busy" in lowered or "in use" in lowered else "failed"
        if "permission" in lowered or "denied" in lowered:
            reason = "refused"
        log.warning("camera %s: %s (%s)",
                    self.device.description() if self.device else "?", text, reason)
        self.close()
        self.failed.emit(reason)
