"""What the device dialog shows live: the camera's picture and the microphone's level.

``CameraPreview`` paints the camera's newest frame about ``PREVIEW_FPS`` times a second,
converted at the size it is painted (``FrameConverter``), and only while it is shown. A
camera that is closed or has sent nothing for ``STALE_S`` shows a line instead (the
problem's words, or "未检测到摄像头"), never a frozen picture.

``LevelMeter`` reads the microphone's level (the loudest sample of its last read, before
echo processing) ``METER_HZ`` times a second: a green bar over a dB scale that rises at
once and falls back slowly, as meters do. A microphone that is open but hears nothing
(``SILENT_BELOW_DBFS``) for ``SILENT_HINT_S`` gets a hint under the bar.
"""

from __future__ import annotations

import time
from typing import Any, Final

import numpy as np
from PyQt6.QtCore import QRect, QRectF, QSize, QSizeF, Qt, QTimer
from PyQt6.QtGui import QColor, QHideEvent, QImage, QPainter, QPaintEvent, QShowEvent
from PyQt6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from seat_client.media.capture import VideoFeed
from seat_common.media.audio_levels import SILENCE_DBFS
from ui.devices.camera import Camera
from ui.devices.frames import FrameConverter, device_size, draw_fitted
from ui.devices.microphone import Microphone
from ui.devices.precheck import SILENT_BELOW_DBFS
from ui.labels import PlainLabel

PREVIEW_FPS: Final = 15
#: A camera silent this long is shown as not working, not as its last picture.
STALE_S: Final = 1.0
METER_HZ: Final = 20
#: The meter spans this many dB below full scale; ticks every ``TICK_DB``.
METER_FLOOR_DB: Final = -80.0
TICK_DB: Final = 20
#: How fast the bar falls back (dB per second).
FALL_DB_PER_S: Final = 30.0
SILENT_HINT_S: Final = 2.0


class CameraPreview(QWidget):
    """The camera's picture, 16:9, with a line of text when there is none."""

    def __init__(self, camera: Camera, feed: VideoFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self._camera = camera
        self._feed = feed
        self._notice = ""
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._converter = FrameConverter()
        self._seq = 0
        self.painted_seq = 0
        self.setMinimumSize(192, 108)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // PREVIEW_FPS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def sizeHint(self) -> QSize:
        return QSize(320, 180)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width * 9 // 16

    def set_notice(self, text: str) -> None:
        """What to say when there is no picture (the camera's problem, in words)."""
        self._notice = text
        self.update()

    @property
    def notice(self) -> str:
        """The line shown when there is no picture."""
        if self._notice:
            return self._notice
        if self._camera.is_open:
            return self.tr("Waiting for the camera's picture…")
        return self.tr("No camera found")

    @property
    def showing_picture(self) -> bool:
        newest = self._feed.newest
        return (self._camera.is_open and newest is not None
                and time.monotonic() - newest.captured_at < STALE_S)

    def showEvent(self, event: QShowEvent | None) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent | None) -> None:
        self._timer.stop()
        self._image = self._pixels = None
        super().hideEvent(event)

    def _on_timer_timeout(self) -> None:
        newest = self._feed.newest
        if newest is None or newest.seq != self._seq or (
                self._image is not None and not self.showing_picture):
            self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        newest = self._feed.newest
        if newest is None or not self.showing_picture:
            self._image = self._pixels = None
            painter.setPen(QColor("#d0d7de"))
            painter.drawText(self.rect().adjusted(12, 8, -12, -8),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.notice)
            return
        frame = newest.frame
        target = _fit(QSizeF(frame.width, frame.height), QRectF(self.rect())).toRect()
        if newest.seq != self._seq or self._image is None:
            ratio = self.devicePixelRatioF()
            self._image, self._pixels = self._converter.to_image(
                frame, device_size(QSizeF(target.size()), ratio))
            self._image.setDevicePixelRatio(ratio)
            self._seq = newest.seq
        draw_fitted(painter, target, self._image)
        self.painted_seq = self._seq


def _fit(size: QSizeF, area: QRectF) -> QRectF:
    """``size`` scaled to fit ``area``, centred."""
    scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRectF(area.x() + (area.width() - scaled.width()) / 2,
                  area.y() + (area.height() - scaled.height()) / 2,
                  scaled.width(), scaled.height())


class _MeterBar(QWidget):
    """The bar and its scale, painted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level_dbfs = SILENCE_DBFS
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 14 + self.fontMetrics().height())

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        bar = QRect(0, 0, self.width(), 12)
        painter.fillRect(bar, QColor("#d8dee4"))
        share = (max(METER_FLOOR_DB, self.level_dbfs) - METER_FLOOR_DB) / -METER_FLOOR_DB
        painter.fillRect(QRect(0, 0, round(bar.width() * share), bar.height()),
                         QColor("#1a7f37"))
        painter.setPen(QColor("#57606a"))
        metrics = self.fontMetrics()
        for db in range(int(METER_FLOOR_DB), 1, TICK_DB):
            x = round((db - METER_FLOOR_DB) / -METER_FLOOR_DB * (bar.width() - 1))
            painter.drawLine(x, bar.bottom() - 3, x, bar.bottom() + 2)
            label = f"{db}" if db else "0 dB"
            width = metrics.horizontalAdvance(label)
            left = min(max(0, x - width // 2), self.width() - width)
            painter.drawText(left, bar.bottom() + 2 + metrics.ascent(), label)


class LevelMeter(QWidget):
    """The microphone's level (see the module docstring); ``level_dbfs`` is what it shows."""

    def __init__(self, microphone: Microphone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._microphone = microphone
        self._quiet_since: float | None = None
        self._last_tick = time.monotonic()
        self.bar = _MeterBar(self)
        self.hint = PlainLabel(self.tr("The microphone gives no sound"), self)
        self.hint.setObjectName("microphoneSilent")
        self.hint.setStyleSheet("color: #cf222e;")
        policy = self.hint.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the dialog keeps its size when it shows
        self.hint.setSizePolicy(policy)
        self.hint.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.bar)
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // METER_HZ)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def level_dbfs(self) -> float:
        return self.bar.level_dbfs

    def showEvent(self, event: QShowEvent | None) -> None:
        self._last_tick = time.monotonic()
        self._quiet_since = None
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent | None) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        heard = self._microphone.level_dbfs if self._microphone.is_open else SILENCE_DBFS
        fallen = self.bar.level_dbfs - FALL_DB_PER_S * (now - self._last_tick)
        self._last_tick = now
        self.bar.level_dbfs = max(heard, fallen, SILENCE_DBFS)
        self.bar.update()
        if not self._microphone.is_open or heard > SILENT_BELOW_DBFS:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = now
        silent = self._quiet_since is not None and now - self._quiet_since >= SILENT_HINT_S
        if silent == self.hint.isHidden():
            self.hint.setVisible(silent)
