"""Remote assistance (远程操控协办): a kiosk's shared screen, driven by the agent's input.

``AssistView`` shows a kiosk call's second video track (``CallSession.screen_frames``)
newest-frame-wins, letterboxed to fit. While control is granted, mouse
and key events on the picture go to the kiosk through ``RemoteAssist``
as coordinates normalised to the shared frame, so they land on the same
kiosk widget whatever the size of this view. Below: request / end
control, push a document to the kiosk printer, the control state, and a
panel with the last ID-card read (name, masked ID number, photo, face
check) and a button to prefill the application form.

Signals: ``print_requested()`` (the agent wants a document printed at the
kiosk: the window decides which and calls ``RemoteAssist.push_document``),
``prefill_requested(dict)`` (``{"name": ..., "id_number": ...}`` from the
ID card, for the form pane).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PyQt6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from seat_client.assist.remote_assist import AssistState, RemoteAssist
from seat_client.call.session import CallSession
from seat_common.personal_data import pii
from seat_common.protocol import assist as wire
from ui.call.screen_share_view import fit_rect
from ui.devices.frames import FrameConverter
from ui.labels import PlainLabel

_KEY_NAMES: Final[dict[int, wire.KeyName]] = {
    Qt.Key.Key_Return: "Enter", Qt.Key.Key_Enter: "Enter", Qt.Key.Key_Backspace: "Backspace",
    Qt.Key.Key_Delete: "Delete", Qt.Key.Key_Tab: "Tab", Qt.Key.Key_Escape: "Escape",
    Qt.Key.Key_Left: "Left", Qt.Key.Key_Right: "Right", Qt.Key.Key_Up: "Up",
    Qt.Key.Key_Down: "Down", Qt.Key.Key_Home: "Home", Qt.Key.Key_End: "End",
}
_BUTTONS: Final[dict[Qt.MouseButton, wire.PointerButton]] = {
    Qt.MouseButton.LeftButton: "left", Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}


class SharedScreenView(QWidget):
    """Paints the newest shared-screen frame; turns mouse and keys into kiosk input."""

    def __init__(self, assist: RemoteAssist, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._assist = assist
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)  # moves are sent only while a button is held
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._session: CallSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._converter = FrameConverter()
        self._placeholder = ""
        self.painted_count = 0

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def set_session(self, session: CallSession | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._session = session
        self._image = self._pixels = None
        if session is not None:
            self._unsubscribe = session.screen_frame_arrived.connect(lambda _: self.update())
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def frame_rect(self) -> QRectF:
        """Where the shared frame is painted in this widget (empty before the first frame)."""
        if self._image is None:
            return QRectF()
        return fit_rect(self._image.size(), QRectF(self.rect()))

    def to_normalized(self, point: QPointF) -> tuple[float, float] | None:
        """``point`` as fractions of the shared frame; None outside it or before a frame."""
        box = self.frame_rect()
        if box.isEmpty() or not box.contains(point):
            return None
        return ((point.x() - box.x()) / box.width(), (point.y() - box.y()) / box.height())

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        if self._session is not None:
            newest = self._session.screen_frames.take()
            if newest is not None:
                self._image, self._pixels = self._converter.to_image(newest.frame)
                self.painted_count += 1
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.frame_rect(), self._image)
            if self._assist.state is AssistState.ACTIVE:
                painter.setPen(QColor("#e8590c"))
                painter.drawRect(self.frame_rect().adjusted(0.5, 0.5, -1, -1))
        else:
            painter.setPen(QColor("#c9d1d9"))
            painter.setFont(QFont(self.font().family(), 12))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._placeholder)
        painter.end()

    # --- input -------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        self._pointer(event, "down")

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        self._pointer(event, "up")

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        self._pointer(event, "move")

    def _pointer(self, event: QMouseEvent | None, action: wire.PointerAction) -> None:
        if event is None or self._assist.state is not AssistState.ACTIVE:
            return
        where = self.to_normalized(event.position())
        if where is None:
            return
        button = _BUTTONS.get(event.button(), "left")
        self._assist.send_pointer(where[0], where[1], action, button)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is None or self._assist.state is not AssistState.ACTIVE:
            super().keyPressEvent(event)
            return
        name = _KEY_NAMES.get(event.key())
        text = event.text()
        if name is not None:
            self._assist.send_key(key=name)
        elif text and text.isprintable():
            if text == " ":
                self._assist.send_key(key="Space")
            else:
                self._assist.send_key(text=text)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:  # Qt's parameter name
        # While in control, Tab belongs to the kiosk's form, not to our focus chain.
        if self._assist.state is AssistState.ACTIVE:
            return False
        return super().focusNextPrevChild(next)


class IdCardPanel(QGroupBox):
    """The last ID card the kiosk read: masked ID number, photo, face check; prefill button."""

    prefill_requested = pyqtSignal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("ID card at the kiosk"))
        self.photo = PlainLabel(self)
        self.photo.setFixedSize(68, 84)
        self.photo.setStyleSheet("background: #dde4ec;")
        self.name_label = PlainLabel(self.tr("No card read yet"), self)
        self.id_label = PlainLabel("", self)
        self.face_label = PlainLabel("", self)
        self.prefill_button = QPushButton(self.tr("Prefill the form"), self)
        self.prefill_button.setEnabled(False)
        grid = QGridLayout(self)
        grid.addWidget(self.photo, 0, 0, 4, 1)
        grid.addWidget(self.name_label, 0, 1)
        grid.addWidget(self.id_label, 1, 1)
        grid.addWidget(self.face_label, 2, 1)
        grid.addWidget(self.prefill_button, 3, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        self._card: wire.IdCardRead | None = None
        self.prefill_button.clicked.connect(self._on_prefill_button_clicked)

    def show_card(self, card: wire.IdCardRead | None) -> None:
        self._card = card
        self.prefill_button.setEnabled(card is not None)
        if card is None:
            self.name_label.setText(self.tr("No card read yet"))
            self.id_label.clear()
            self.photo.clear()
            return
        self.name_label.setText(card.name)
        self.id_label.setText(pii.mask_id_number(card.id_number))
        pixmap = QPixmap()
        if pixmap.loadFromData(card.photo_jpeg(), "JPEG"):
            self.photo.setPixmap(pixmap.scaled(self.photo.size(),
                                               Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))

    def show_face_scan(self, scan: wire.FaceScanned | None) -> None:
        if scan is None:
            self.face_label.clear()
        elif scan.matched:
            self.face_label.setText(self.tr("Face matches the card (%1)").replace(
                "%1", f"{scan.score:.2f}"))
        else:
            self.face_label.setText(self.tr("Face does NOT match the card (%1)").replace(
                "%1", f"{scan.score:.2f}"))

    def prefill_values(self) -> dict[str, str]:
        card = self._card
        return {} if card is None else {"name": card.name, "id_number": card.id_number}

    def _on_prefill_button_clicked(self) -> None:
        if self._card is not None:
            self.prefill_requested.emit(self.prefill_values())


class AssistView(QWidget):
    """The remote-assist pane for one workstation; follows ``RemoteAssist``."""

    print_requested = pyqtSignal()
    prefill_requested = pyqtSignal(dict)

    def __init__(self, assist: RemoteAssist, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assist = assist
        self.screen_view = SharedScreenView(assist, self)
        self.request_button = QPushButton(self.tr("Request remote assistance"), self)
        self.release_button = QPushButton(self.tr("End assistance"), self)
        self.print_button = QPushButton(self.tr("Push to kiosk printer"), self)
        self.state_label = PlainLabel(self)
        self.state_label.setObjectName("assistState")
        self.card_panel = IdCardPanel(self)
        controls = QHBoxLayout()
        controls.addWidget(self.request_button)
        controls.addWidget(self.release_button)
        controls.addWidget(self.print_button)
        controls.addStretch(1)
        controls.addWidget(self.state_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.screen_view, 1)
        layout.addLayout(controls)
        layout.addWidget(self.card_panel)
        self._unsubscribers = [
            assist.state_changed.connect(self._on_assist_state_changed),
            assist.id_card_read.connect(self.card_panel.show_card),
            assist.face_scanned.connect(self.card_panel.show_face_scan),
        ]
        self._connect_signals()
        self._on_assist_state_changed(assist.state)

    def _connect_signals(self) -> None:
        self.request_button.clicked.connect(self._on_request_button_clicked)
        self.release_button.clicked.connect(self._on_release_button_clicked)
        self.print_button.clicked.connect(self.print_requested)
        self.card_panel.prefill_requested.connect(self.prefill_requested)

    def set_session(self, session: CallSession | None) -> None:
        """Show this call's shared screen (None: no call)."""
        self.screen_view.set_session(session)
        if session is None:
            self.card_panel.show_card(None)
            self.card_panel.show_face_scan(None)

    def disconnect_assist(self) -> None:
        """Stop following ``assist`` (before the view is deleted)."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()

    def _on_request_button_clicked(self) -> None:
        self.assist.request_control()

    def _on_release_button_clicked(self) -> None:
        self.assist.release()

    def _on_assist_state_changed(self, state: AssistState) -> None:
        texts = {
            AssistState.UNAVAILABLE: self.tr("No kiosk screen in this call"),
            AssistState.IDLE: self.tr("Kiosk screen shared; not in control"),
            AssistState.REQUESTED: self.tr("Waiting for the citizen's consent…"),
            AssistState.ACTIVE: self.tr("In control of the kiosk"),
            AssistState.DENIED: self.tr("The citizen declined"),
            AssistState.STOPPED: self.tr("Assistance stopped"),
            AssistState.ENDED: self.tr("The call ended; control ended with it"),
        }
        self.state_label.setText(texts[state])
        can_ask = state in (AssistState.IDLE, AssistState.DENIED, AssistState.STOPPED)
        self.request_button.setEnabled(can_ask)
        self.release_button.setEnabled(state in (AssistState.REQUESTED, AssistState.ACTIVE))
        self.print_button.setEnabled(state not in (AssistState.UNAVAILABLE, AssistState.ENDED))
        self.screen_view.set_placeholder(texts[state])
        if state is AssistState.ACTIVE:
            self.screen_view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.screen_view.update()
