"""The citizen's shared screen (online-application coaching, 网办辅导), large, with the
agent's pointer and drawings.

``SharedScreenCanvas`` paints the newest frame of ``CallSession.screen_frames`` letterboxed
(newest wins, converted at the size it is painted). The agent points by moving the mouse
over it and draws by dragging: positions become fractions of the shared frame and go to
``SharedScreen`` (``point``, ``draw``), which sends them to the citizen's page. The agent
sees their own strokes here too, fading as they fade on the citizen's side. Nothing here
operates the citizen's screen: it is view only.

``ScreenShareView`` adds a line saying what is shared and how to point, and three buttons:
capture a still of the shared screen as a material (Shift+F8; signal ``capture_requested``),
clear the marks, and enlarge (Shift+F11; signal ``enlarge_toggled(bool)``): at 1366×768 the
video pane leaves the shared screen about 380 px, a third of a citizen's browser tab, too
small to read their form, so the window puts its side panels away while it is enlarged
(Esc or Shift+F11 brings them back, as does the citizen's stopping).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QShortcut,
)
from PyQt6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout, QWidget

from seat_client.call.session import CallSession
from seat_client.call.shared_screen import SharedScreen
from ui.devices.frames import FrameConverter, device_size
from ui.flow_layout import FlowLayout, flow_policy
from ui.labels import PlainLabel

#: How long the agent's own strokes stay on this view (as on the citizen's page).
STROKE_FADE_S: Final = 4.0
_MARK_COLOUR: Final = QColor("#ff5a1f")


def fit_rect(size: QSize, area: QRectF) -> QRectF:
    """``size`` scaled to fit ``area``, centred (letterboxed)."""
    if size.width() <= 0 or size.height() <= 0:
        return QRectF(area)
    scale = min(area.width() / size.width(), area.height() / size.height())
    w, h = size.width() * scale, size.height() * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class SharedScreenCanvas(QWidget):
    """Paints the shared screen; mouse moves point, drags draw."""

    def __init__(self, shared: SharedScreen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shared = shared
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 160)
        self.setMouseTracking(True)  # the pointer follows the mouse without a button held
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._session: CallSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._frame_size = QSize()
        self._converter = FrameConverter("AREA")  # a page's text, not a face: see its doc
        self._drawing: list[tuple[float, float]] = []
        self._strokes: list[tuple[float, list[tuple[float, float]]]] = []
        self._fade = QTimer(self)
        self._fade.setInterval(50)
        self._fade.timeout.connect(self._on_fade_timeout)
        self.painted_count = 0

    def sizeHint(self) -> QSize:
        return QSize(800, 500)

    def set_session(self, session: CallSession | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._session = session
        self._image = self._pixels = None
        if session is not None:
            self._unsubscribe = session.screen_frame_arrived.connect(lambda _: self.update())
        self.update()

    def clear_marks(self) -> None:
        self._drawing.clear()
        self._strokes.clear()
        self.update()

    def frame_rect(self) -> QRectF:
        """Where the shared frame is painted (empty before its first frame)."""
        if self._image is None:
            return QRectF()
        return fit_rect(self._frame_size, QRectF(self.rect()))

    def to_fraction(self, point: QPointF) -> tuple[float, float] | None:
        """``point`` as fractions of the shared frame; None outside it or before a frame."""
        box = self.frame_rect()
        if box.isEmpty() or not box.contains(point):
            return None
        x = (point.x() - box.x()) / box.width()
        y = (point.y() - box.y()) / box.height()
        return (min(1.0, max(0.0, x)), min(1.0, max(0.0, y)))

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#0d1117"))
        newest = self._session.screen_frames.take() if self._session is not None else None
        if newest is not None:
            frame = newest.frame
            self._frame_size = QSize(frame.width, frame.height)
            target = fit_rect(self._frame_size, QRectF(self.rect()))
            self._image, self._pixels = self._converter.to_image(
                frame, device_size(QSizeF(target.size()), self.devicePixelRatioF()))
            self._image.setDevicePixelRatio(self.devicePixelRatioF())
            self.painted_count += 1
        if self._image is None:
            painter.setPen(QColor("#c9d1d9"))
            painter.setFont(QFont(self.font().family(), 13))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect(), int(flags),
                             self.tr("Waiting for the citizen's shared screen…"))
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.frame_rect(), self._image)
            self._paint_strokes(painter)
        painter.end()

    def _paint_strokes(self, painter: QPainter) -> None:
        box = self.frame_rect()
        now = time.monotonic()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = [(now, self._drawing)] if len(self._drawing) > 1 else []
        for at, points in [*self._strokes, *shown]:
            colour = QColor(_MARK_COLOUR)
            colour.setAlphaF(max(0.0, min(1.0, 1.0 - (now - at) / STROKE_FADE_S)))
            pen = QPen(colour, 4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            mapped = [QPointF(box.x() + x * box.width(), box.y() + y * box.height())
                      for x, y in points]
            painter.drawPolyline(QPolygonF(mapped))

    def _on_fade_timeout(self) -> None:
        now = time.monotonic()
        self._strokes = [s for s in self._strokes if now - s[0] < STROKE_FADE_S]
        if not self._strokes and not self._drawing:
            self._fade.stop()
        self.update()

    # --- pointing and drawing ------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        where = self.to_fraction(event.position()) if event is not None else None
        if where is None or not self._shared.sharing:
            return
        self._shared.point(*where)
        if event is not None and event.buttons() & Qt.MouseButton.LeftButton and self._drawing:
            self._drawing.append(where)
            self.update()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if event is None or event.button() != Qt.MouseButton.LeftButton:
            return
        where = self.to_fraction(event.position())
        if where is not None and self._shared.sharing:
            self._drawing = [where]
            self._shared.point(*where)

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        if event is None or event.button() != Qt.MouseButton.LeftButton or not self._drawing:
            return
        points, self._drawing = self._drawing, []
        if len(points) > 1 and self._shared.sharing:
            self._shared.draw(points)
            self._strokes.append((time.monotonic(), points))
            self._fade.start()
        self.update()


class ScreenShareView(QWidget):
    """The shared screen, what it is, and the capture, clear and enlarge buttons."""

    capture_requested = pyqtSignal()
    enlarge_toggled = pyqtSignal(bool)

    def __init__(self, shared: SharedScreen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shared = shared
        self.canvas = SharedScreenCanvas(shared, self)
        self.caption = PlainLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setObjectName("shareCaption")
        self.capture_button = QPushButton(self.tr("Capture shared screen (Shift+F8)"), self)
        self.capture_button.setShortcut(QKeySequence("Shift+F8"))
        self.capture_button.setToolTip(self.tr("Save the shared screen as a material"))
        self.clear_button = QPushButton(self.tr("Clear marks"), self)
        self.enlarge_button = QPushButton(self)
        self.enlarge_button.setCheckable(True)
        self.enlarge_button.setToolTip(self.tr(
            "The shared screen takes the whole window; Esc brings the panels back"))
        self._restore_shortcut = QShortcut(QKeySequence("Esc"), self)
        self._restore_shortcut.setEnabled(False)  # only while enlarged
        # The caption on a line of its own and the buttons wrapping: side by side, the
        # caption was squeezed to a word a line in the narrow pane.
        buttons = QWidget(self)
        flow = FlowLayout(buttons, spacing=6)
        flow_policy(buttons)
        for button in (self.enlarge_button, self.clear_button, self.capture_button):
            flow.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.caption)
        layout.addWidget(buttons)
        self._show_enlarged(False)
        self._unsubscribe = [
            shared.sharing_changed.connect(self._on_shared_sharing_changed),
            shared.session_changed.connect(self.canvas.set_session),
        ]
        self._connect_signals()
        self.canvas.set_session(shared.session)
        self._on_shared_sharing_changed(shared.sharing)

    def _connect_signals(self) -> None:
        self.capture_button.clicked.connect(self.capture_requested)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.enlarge_button.toggled.connect(self._on_enlarge_button_toggled)
        self._restore_shortcut.activated.connect(self._on_restore_shortcut_activated)

    @property
    def enlarged(self) -> bool:
        return self.enlarge_button.isChecked()

    def disconnect_shared(self) -> None:
        """Stop following the shared screen (before the view is deleted)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _show_enlarged(self, on: bool) -> None:
        self.enlarge_button.setText(self.tr("Restore (Shift+F11)") if on
                                    else self.tr("Enlarge (Shift+F11)"))
        self.enlarge_button.setShortcut(QKeySequence("Shift+F11"))  # setText drops it
        self._restore_shortcut.setEnabled(on)

    def _on_enlarge_button_toggled(self, on: bool) -> None:
        self._show_enlarged(on)
        self.enlarge_toggled.emit(on)

    def _on_restore_shortcut_activated(self) -> None:
        self.enlarge_button.setChecked(False)

    def _on_clear_button_clicked(self) -> None:
        self.shared.clear()
        self.canvas.clear_marks()

    def _on_shared_sharing_changed(self, sharing: bool) -> None:
        surfaces = {
            "browser": self.tr("a browser tab"),
            "window": self.tr("a window"),
            "monitor": self.tr("the whole screen"),
        }
        what = surfaces.get(self.shared.surface, self.tr("the screen"))
        self.caption.setText(
            self.tr("The citizen shares %1 (view only). Move the mouse to point, drag to draw.")
            .replace("%1", what))
        self.capture_button.setEnabled(sharing)
        self.clear_button.setEnabled(sharing)
        self.enlarge_button.setEnabled(sharing)
        if not sharing:
            self.canvas.clear_marks()
            self.enlarge_button.setChecked(False)  # the panels come back with the camera
        self.setVisible(sharing)
