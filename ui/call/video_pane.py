"""The video pane: the citizen large, the agent's self view in a corner, call controls below.

Painting is newest-frame-wins: a new remote frame only schedules a repaint,
and the paint takes whatever frame is newest then, so a slow paint drops
frames instead of queueing them. Conversion to a QImage happens only for
frames actually painted, and at the size they are painted (in device pixels):
one pass of the decoder's planes through swscale into a BGRA array wrapped
without a copy, instead of a full-size conversion the painter then scales down.
The self view is converted once per new frame of the agent's camera.

When the citizen says their camera is off or unavailable (``media_state``), the view shows a
line saying so instead of the last, frozen picture; a muted or missing microphone gets a tag
in the corner (``VideoPane.show_peer_media``).

While the citizen shares a screen (online-application coaching, ``attach_shared_screen``),
the shared screen shows large beside the citizen's camera, which narrows to a column; when
sharing stops the camera has the pane again. Enlarging it (Shift+F11) asks the window for
the room of its side panels (``share_enlarge_toggled(bool)``).

Signals: ``frame_painted(PaintedFrame)`` after each remote frame is painted;
``hang_up_requested``, ``snapshot_requested``, ``screen_snapshot_requested`` (Shift+F8, a still of
the shared screen), ``share_enlarge_toggled(bool)``, ``mute_toggled(bool)``,
``camera_toggled(bool)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PyQt6.QtCore import QRect, QRectF, QSize, QSizeF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
)
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from seat_client.call.session import CallSession, ReceivedFrame
from seat_client.call.shared_screen import SharedScreen
from seat_common import protocol
from ui.call.screen_share_view import ScreenShareView
from ui.devices.frames import FrameConverter, device_size, draw_fitted
from ui.flow_layout import FlowLayout, flow_policy


@dataclass(frozen=True, slots=True)
class PaintedFrame:
    """A remote frame as painted: its pixels (BGRA) and when it arrived and was painted."""

    pixels: np.ndarray[Any, Any]
    seq: int
    received_at: float
    painted_at: float


#: A picture is shown pixel for pixel, not scaled up, in a view less than this much larger.
SNAP_TO_PIXELS = 1.125
_BACKGROUND = QColor("#1f2428")


def _fill_around(painter: QPainter, area: QRect, picture: QRect) -> None:
    """Paint the background of ``area`` where ``picture`` will not cover it."""
    top, bottom = picture.top(), picture.bottom() + 1
    painter.fillRect(QRect(area.left(), area.top(), area.width(), top - area.top()), _BACKGROUND)
    painter.fillRect(QRect(area.left(), bottom, area.width(), area.bottom() + 1 - bottom),
                     _BACKGROUND)
    painter.fillRect(QRect(area.left(), top, picture.left() - area.left(), picture.height()),
                     _BACKGROUND)
    right = picture.right() + 1
    painter.fillRect(QRect(right, top, area.right() + 1 - right, picture.height()), _BACKGROUND)


class VideoView(QWidget):
    """Paints the newest remote frame to fit, with the self view inset."""

    frame_painted = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._session: CallSession | None = None
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._frame_size = QSize()
        self._self_frame: Any = None
        self._self_view: tuple[QImage, np.ndarray[Any, Any]] | None = None
        self._converter = FrameConverter()
        self._self_converter = FrameConverter()
        self._placeholder = ""
        self._peer_camera: protocol.CameraState = "on"
        self._peer_microphone: protocol.MicrophoneState = "on"
        self._unsubscribe: Callable[[], None] | None = None
        self.painted_count = 0

    def sizeHint(self) -> QSize:
        return QSize(640, 400)

    def set_session(self, session: CallSession | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._session = session
        self._image = None
        self._pixels = None
        self._peer_camera, self._peer_microphone = "on", "on"  # a new call: nothing said yet
        if session is not None:
            self._unsubscribe = session.frame_arrived.connect(lambda _: self.update())
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def set_peer_media(self, media: protocol.MediaState | None) -> None:
        """What the citizen said of their camera and microphone (None: nothing, all on)."""
        self._peer_camera = "on" if media is None else media.camera
        self._peer_microphone = "on" if media is None else media.microphone
        if self._peer_camera != "on":
            # Not the last picture again when the camera comes back before its first frame.
            self._image = None
            self._pixels = None
        self.update()

    @property
    def peer_notice(self) -> str:
        """The line shown instead of the citizen's picture ("" while their camera is on)."""
        if self._peer_camera == "off":
            return self.tr("The citizen turned their camera off")
        if self._peer_camera == "unavailable":
            return self.tr("The citizen's camera is unavailable")
        return ""

    @property
    def peer_microphone_tag(self) -> str:
        """The tag in the corner about the citizen's microphone ("" while it is on)."""
        if self._peer_microphone == "muted":
            return self.tr("Citizen muted")
        if self._peer_microphone == "unavailable":
            return self.tr("The citizen's microphone is unavailable")
        return ""

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        newest: ReceivedFrame | None = None
        notice = self.peer_notice if self._session is not None else ""
        if self._session is not None:
            newest = self._session.frames.take()
            if notice:
                newest = None  # the camera is off: its (black) frames are dropped unseen
            if newest is not None:
                frame = newest.frame
                self._frame_size = QSize(frame.width, frame.height)
                target = self._picture_rect().toRect()
                self._image, self._pixels = self._converter.to_image(
                    frame, device_size(QSizeF(target.size()), self.devicePixelRatioF()))
                self._image.setDevicePixelRatio(self.devicePixelRatioF())
        if not notice and self._image is not None:
            # Whole pixels: a frame converted to its painted size is copied, not scaled
            # again; a smaller one (and the last one, on a resize) is scaled up here.
            target = self._picture_rect().toRect()
            _fill_around(painter, self.rect(), target)
            draw_fitted(painter, target, self._image)
        else:
            painter.fillRect(self.rect(), _BACKGROUND)
            if notice:
                self._paint_notice(painter, notice)
            else:
                painter.setPen(QColor("#c9d1d9"))
                painter.setFont(QFont(self.font().family(), 13))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        if self._session is not None and self.peer_microphone_tag:
            self._paint_tag(painter, self.peer_microphone_tag)
        self._paint_self_view(painter)
        painter.end()
        if newest is not None and self._pixels is not None:
            self.painted_count += 1
            self.frame_painted.emit(
                PaintedFrame(self._pixels, newest.seq, newest.received_at, time.monotonic())
            )

    def _paint_notice(self, painter: QPainter, text: str) -> None:
        """The citizen's camera is off: say so, large, where their picture would be."""
        font = QFont(self.font().family(), 18)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#f0f3f6"))
        # Above the self view in the bottom corner, so a small view does not cover it.
        self_view_height = max(120, self.width() // 5) * 3 // 4
        area = self.rect().adjusted(24, 24, -24, -24 - self_view_height)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), text)

    def _paint_tag(self, painter: QPainter, text: str) -> None:
        """A small red tag in the top left corner (the citizen's microphone)."""
        font = QFont(self.font().family(), 11)
        font.setBold(True)
        metrics = QFontMetrics(font)
        width = min(metrics.horizontalAdvance(text) + 20, max(40, self.width() - 24))
        box = QRectF(12, 12, width, metrics.height() + 10)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#cf222e"))
        painter.drawRoundedRect(box, 6, 6)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), metrics.elidedText(
            text, Qt.TextElideMode.ElideRight, int(box.width()) - 12))
        painter.restore()

    def _paint_self_view(self, painter: QPainter) -> None:
        if self._session is None:
            return
        local = self._session.camera.latest
        width = max(120, self.width() // 5)
        box = QRectF(self.width() - width - 12, self.height() - width * 3 / 4 - 12,
                     width, width * 3 / 4)
        painter.fillRect(box, QColor("#000000"))
        if local is not None and self._session.camera.enabled:
            corner = self._fit(QSize(local.width, local.height), box).toRect()
            if local is not self._self_frame or self._self_view is None:
                # Converted once per camera frame, at the size of its corner.
                self._self_frame = local
                self._self_view = self._self_converter.to_image(
                    local, device_size(QSizeF(corner.size()), self.devicePixelRatioF()))
                self._self_view[0].setDevicePixelRatio(self.devicePixelRatioF())
            draw_fitted(painter, corner, self._self_view[0])
        painter.setPen(QPen(QColor("#e6edf3"), 1))
        painter.drawRect(box)

    def _picture_rect(self) -> QRectF:
        """Where the citizen's picture goes: fitted to the view, or pixel for pixel (centred)
        when the view is less than ``SNAP_TO_PIXELS`` times larger; scaling a picture up by
        a few per cent adds no detail, only blur, and cost 0.35 ms a 640×480 frame."""
        area = self.rect().toRectF()
        fitted = self._fit(self._frame_size, area)
        ratio = self.devicePixelRatioF()
        width, height = self._frame_size.width() / ratio, self._frame_size.height() / ratio
        if width <= fitted.width() < width * SNAP_TO_PIXELS:
            center = fitted.center()
            return QRectF(round(center.x() - width / 2), round(center.y() - height / 2),
                          width, height)
        return fitted

    @staticmethod
    def _fit(size: QSize, area: QRectF) -> QRectF:
        if size.width() <= 0 or size.height() <= 0:
            return area
        scale = min(area.width() / size.width(), area.height() / size.height())
        w, h = size.width() * scale, size.height() * scale
        return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class VideoPane(QWidget):
    """The video view and the call controls: mute, camera, hang up."""

    hang_up_requested = pyqtSignal()
    snapshot_requested = pyqtSignal()
    screen_snapshot_requested = pyqtSignal()
    share_enlarge_toggled = pyqtSignal(bool)
    mute_toggled = pyqtSignal(bool)
    camera_toggled = pyqtSignal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = VideoView(self)
        self.view.set_placeholder(self.tr("No call. Waiting citizens appear in the queue."))
        self.mute_button = QPushButton(self.tr("Mute (F6)"), self)
        self.mute_button.setCheckable(True)
        self.mute_button.setShortcut(QKeySequence("F6"))
        self.camera_button = QPushButton(self.tr("Camera off (F7)"), self)
        self.camera_button.setCheckable(True)
        self.camera_button.setShortcut(QKeySequence("F7"))
        self.snapshot_button = QPushButton(self.tr("Capture material (F8)"), self)
        self.snapshot_button.setToolTip(
            self.tr("Save the current picture as a material, e.g. a document held to the camera")
        )
        self.snapshot_button.setShortcut(QKeySequence("F8"))
        self.hang_up_button = QPushButton(self.tr("Hang up (F4)"), self)
        self.hang_up_button.setObjectName("hangUp")
        self.hang_up_button.setShortcut(QKeySequence("F4"))
        # The buttons wrap onto a second row rather than widen the middle column (large
        # text, English); hang-up stays apart from the rest.
        controls = QWidget(self)
        flow = FlowLayout(controls, spacing=6)
        flow_policy(controls)
        for button in (self.mute_button, self.camera_button, self.snapshot_button):
            flow.addWidget(button)
        flow.addWidget(self.hang_up_button)
        self.screen_view: ScreenShareView | None = None
        self._pictures = QHBoxLayout()
        self._pictures.setContentsMargins(0, 0, 0, 0)
        self._pictures.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._pictures, 1)
        layout.addWidget(controls)
        self._connect_signals()
        self.set_in_call(False)

    def _connect_signals(self) -> None:
        self.hang_up_button.clicked.connect(self.hang_up_requested)
        self.snapshot_button.clicked.connect(self.snapshot_requested)
        self.mute_button.toggled.connect(self.mute_toggled)
        self.camera_button.toggled.connect(self.camera_toggled)

    def attach_shared_screen(self, shared: SharedScreen) -> None:
        """Show the citizen's shared screen large beside the camera while they share."""
        view = self.screen_view = ScreenShareView(shared, self)
        self._pictures.insertWidget(0, view, 3)
        view.capture_requested.connect(self.screen_snapshot_requested)
        view.enlarge_toggled.connect(self.share_enlarge_toggled)
        shared.sharing_changed.connect(self._on_shared_sharing_changed)
        self._on_shared_sharing_changed(shared.sharing)

    def _on_shared_sharing_changed(self, sharing: bool) -> None:
        # The camera gives the shared screen the room: a column beside it, then all again.
        if sharing:
            self.view.setMinimumSize(160, 120)
            self.view.setMaximumWidth(240)
        else:
            self.view.setMinimumSize(320, 240)
            self.view.setMaximumWidth(16777215)

    def show_peer_media(self, media: protocol.MediaState | None) -> None:
        """The citizen's camera and microphone, as they said (``peer_media_changed``)."""
        self.view.set_peer_media(media)

    def set_in_call(self, in_call: bool) -> None:
        buttons = (self.mute_button, self.camera_button, self.snapshot_button, self.hang_up_button)
        for button in buttons:
            button.setEnabled(in_call)
