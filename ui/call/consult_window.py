"""The consult window (会商, Shift+F5) and three-way calls at the workstation.

Shift+F5 opens the transfer dialog in its consult form (the same list, filtered as you
type, the colleagues who are ready at the top); choosing one sends ``consult``: the hub
puts the citizen on hold and rings the colleague. ``ConsultWindow`` (a window beside the
main one, not modal) then shows how it stands and the colleague's picture:

- the host: ringing, then talking; buttons 返回市民 (return), 三方通话 (three-way) and
  移交 (hand the call over; in a three-way call it is leaving it to the colleague);
- the guest: the ringing consult with who asks, for which item, and the note, with
  接听 / 拒绝; then the host's picture (and in a three-way call the citizen's, relayed
  by the host) and 离开会商.

``ConsultParts`` wires the key, the dialog, the window and the ``ConsultDesk``; what the
hub says when a consult ends shows in the status strip's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import QCoreApplication, QRectF, QSize, QSizeF, Qt
from PyQt6.QtGui import QColor, QImage, QKeySequence, QPainter, QPaintEvent, QShortcut
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from seat_client.call.consult_desk import ConsultDesk, ConsultError
from seat_client.call.session import FrameSlot
from seat_common import protocol
from seat_common.tasks import TaskOwner
from ui.call.transfer_dialog import TransferDialog, TransferParts
from ui.devices.frames import FrameConverter, device_size
from ui.labels import PlainLabel


class SlotView(QWidget):
    """Paints the newest frame of a ``FrameSlot`` to fit, or a placeholder."""

    def __init__(self, slot: Callable[[], FrameSlot | None], placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self._slot = slot
        self.placeholder = placeholder
        self._converter = FrameConverter()
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._frame_size = QSize()
        self.painted_count = 0

    def sizeHint(self) -> QSize:
        return QSize(320, 240)

    def clear(self) -> None:
        self._image, self._pixels = None, None
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        slot = self._slot()
        newest = slot.take() if slot is not None else None
        if newest is not None:
            frame = newest.frame
            self._frame_size = QSize(frame.width, frame.height)
            target = self._fit(self.rect().toRectF()).toRect()
            self._image, self._pixels = self._converter.to_image(
                frame, device_size(QSizeF(target.size()), self.devicePixelRatioF()))
            self._image.setDevicePixelRatio(self.devicePixelRatioF())
            self.painted_count += 1
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self._fit(self.rect().toRectF()).toRect(), self._image)
        else:
            painter.setPen(QColor("#c9d1d9"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.end()

    def _fit(self, area: QRectF) -> QRectF:
        size = QSizeF(self._frame_size)
        if size.isEmpty():
            return area
        size.scale(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(area.center().x() - size.width() / 2,
                      area.center().y() - size.height() / 2, size.width(), size.height())


class ConsultWindow(QDialog):
    """How the consult stands, the pictures, and what the agent may do now."""

    def __init__(self, desk: ConsultDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Consult (Shift+F5)"))
        self.setModal(False)
        self.setMinimumWidth(560)
        self.headline = PlainLabel("", self)
        self.headline.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.details = PlainLabel("", self)
        self.details.setWordWrap(True)
        #: the host's note, as the guest's ringing consult carried it
        self.note = ""
        self.colleague = SlotView(lambda: desk.frames, self.tr("Connecting…"), self)
        self.citizen = SlotView(lambda: desk.second_frames,
                                self.tr("The citizen appears here in a three-way call"), self)
        pictures = QHBoxLayout()
        pictures.addWidget(self.colleague)
        pictures.addWidget(self.citizen)
        self.answer_button = QPushButton(self.tr("Answer"), self)
        self.decline_button = QPushButton(self.tr("Decline"), self)
        self.return_button = QPushButton(self.tr("Back to the citizen"), self)
        self.three_way_button = QPushButton(self.tr("Three-way call"), self)
        self.hand_over_button = QPushButton(self.tr("Hand over"), self)
        self.leave_button = QPushButton(self.tr("Leave the consult"), self)
        buttons = QHBoxLayout()
        for button in (self.answer_button, self.decline_button, self.return_button,
                       self.three_way_button, self.hand_over_button, self.leave_button):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addWidget(self.headline)
        column.addWidget(self.details)
        column.addLayout(pictures, 1)
        column.addLayout(buttons)
        desk.frame_arrived.connect(lambda _: self._repaint())

    def _repaint(self) -> None:
        self.colleague.update()
        self.citizen.update()

    def show_state(self, state: protocol.ConsultState) -> None:
        host = state.role == "host"
        other = state.guest_name if host else state.host_name
        phase = {
            "ringing": self.tr("ringing") if host else self.tr("asks you to consult"),
            "talking": self.tr("talking (the citizen is on hold)"),
            "three_way": self.tr("three-way call with the citizen"),
            "ended": self.tr("ended"),
        }[state.phase]
        self.headline.setText(f"{self.tr('Consult')} · {other} · {phase}")
        if state.info:  # the guest's ringing consult: kept while the consult lasts
            self.note = state.info[0].note
        lines = [state.item_name] if state.item_name else []
        if self.note:
            lines.append(self.tr("Note: %1").replace("%1", self.note))
        self.details.setText("\n".join(lines))
        ringing_guest = not host and state.phase == "ringing"
        talking = state.phase in ("talking", "three_way")
        self.answer_button.setVisible(ringing_guest)
        self.decline_button.setVisible(ringing_guest)
        self.return_button.setVisible(host)
        self.three_way_button.setVisible(host)
        self.three_way_button.setEnabled(state.phase == "talking")
        self.hand_over_button.setVisible(host)
        self.hand_over_button.setEnabled(talking)
        self.hand_over_button.setText(self.tr("Leave it to the colleague")
                                      if state.phase == "three_way" else self.tr("Hand over"))
        self.leave_button.setVisible(not host and talking)
        self.citizen.setVisible(not host)
        self.colleague.placeholder = (self.tr("Ringing…") if state.phase == "ringing"
                                      else self.tr("Connecting…"))


class ConsultParts:
    """The consult key, the dialog, the window and the desk, for one main window."""

    def __init__(self, window: QWidget, desk: ConsultDesk, transfers: TransferParts,
                 tasks: TaskOwner, *, say: Callable[[str], None],
                 form: Callable[[], dict[str, str]]) -> None:
        self.window = window
        self.desk = desk
        self.transfers = transfers
        self.tasks = tasks
        self.say = say
        self.form = form
        self.dialog: TransferDialog | None = None
        self.consult_window = ConsultWindow(desk, window)
        self.shortcut = QShortcut(QKeySequence("Shift+F5"), window)
        self.shortcut.activated.connect(self.open)
        cw = self.consult_window
        cw.answer_button.clicked.connect(lambda: self._do(desk.answer(True)))
        cw.decline_button.clicked.connect(lambda: self._do(desk.answer(False)))
        cw.return_button.clicked.connect(lambda: self._do(desk.choose("return")))
        cw.leave_button.clicked.connect(lambda: self._do(desk.choose("return")))
        cw.three_way_button.clicked.connect(lambda: self._do(desk.choose("three_way")))
        cw.hand_over_button.clicked.connect(lambda: self._do(desk.choose("hand_over")))
        desk.changed.connect(self._on_changed)

    def open(self) -> TransferDialog | None:
        """The consult dialog for the current call (none, or a consult on: nothing)."""
        if (self.desk.ws.call is None or self.desk.state is not None
                or self.dialog is not None):
            return None
        dialog = TransferDialog(self.transfers.catalog, self.window, consult=True)
        self.dialog = dialog
        self.transfers.list_agents_into(dialog)
        dialog.finished.connect(lambda result: self._finished(dialog, result))
        dialog.open()
        return dialog

    def _finished(self, dialog: TransferDialog, result: int) -> None:
        self.dialog = None
        target = dialog.target()
        if result != QDialog.DialogCode.Accepted or target is None:
            return
        kind, code = target
        note = dialog.note.toPlainText().strip()
        self._do(self.desk.consult(kind, code, note, form=self.form().items()))

    def _do(self, coro: Any) -> None:
        async def run() -> None:
            try:
                await coro
            except ConsultError as exc:
                self.say(str(exc))

        self.tasks.spawn(run(), "consult")

    def _on_changed(self, state: protocol.ConsultState | None) -> None:
        cw = self.consult_window
        if state is None:
            cw.hide()
            cw.colleague.clear()
            cw.citizen.clear()
            cw.details.setText("")
            cw.note = ""
            return
        if state.phase == "ended":
            if state.message:
                self.say(state.message)
            return
        cw.show_state(state)
        if not cw.isVisible():
            cw.show()
            if state.role == "guest":
                self.say(QCoreApplication.translate(
                    "ConsultParts", "A colleague asks you to consult: see the consult window"))
