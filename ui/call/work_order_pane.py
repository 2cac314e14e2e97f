"""The citizen and work-order pane: who is on the line, the wrap-up, today's list.

During a call it shows the citizen (masked by the hub), the item and the channel;
below, the work orders this agent closed today. When the call ends, the wrap-up form
(``wrap_up_box``: an outcome and notes, submitted with Ctrl+Enter) is the task in hand:
the main window gives it the middle of the screen, where the video was, instead of
this narrow column. Emits ``wrap_up_submitted(outcome, notes)``.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.call.workstation import ActiveCall, ClosedWorkOrder, WrapUpRequest
from seat_common import protocol
from ui.labels import PlainLabel, channel_label, outcome_label, priority_label


class WorkOrderPane(QWidget):
    """Citizen facts, the wrap-up form and the session's closed work orders."""

    wrap_up_submitted = pyqtSignal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.citizen_box = QGroupBox(self.tr("Citizen"), self)
        self.name = PlainLabel("—")
        self.item = PlainLabel("—")
        self.id_number = PlainLabel("—")
        self.phone = PlainLabel("—")
        self.channel = PlainLabel("—")
        self.work_order = PlainLabel("—")
        for label in (self.name, self.item, self.id_number, self.phone, self.channel,
                      self.work_order):
            label.setWordWrap(True)  # long names and large text wrap in the narrow column
        form = QFormLayout(self.citizen_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("ID number"), self.id_number)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Item"), self.item)
        form.addRow(self.tr("Channel"), self.channel)
        form.addRow(self.tr("Work order"), self.work_order)

        # Placed by the main window (the middle of the screen); shown while owed.
        self.wrap_up_box = QGroupBox(self.tr("Wrap-up"), self)
        self.outcome = QComboBox(self.wrap_up_box)
        for code in protocol.WRAP_UP_OUTCOMES:
            self.outcome.addItem(outcome_label(code), code)
        self.notes = QPlainTextEdit(self.wrap_up_box)
        self.notes.setPlaceholderText(self.tr("Notes for the work order (optional)"))
        self.notes.setMaximumHeight(160)
        self.submit = QPushButton(self.tr("Submit and go ready (Ctrl+Enter)"), self.wrap_up_box)
        self.submit.setObjectName("submitWrapUp")
        self.wrap_up_info = PlainLabel(self.wrap_up_box)
        self.wrap_up_info.setWordWrap(True)
        wrap = QVBoxLayout(self.wrap_up_box)
        wrap.addWidget(self.wrap_up_info)
        wrap.addWidget(self.outcome)
        wrap.addWidget(self.notes)
        wrap.addWidget(self.submit, 0, Qt.AlignmentFlag.AlignRight)
        wrap.addStretch(1)
        self._shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)

        self.history = QListWidget(self)
        self.history.setWordWrap(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        history_box = QGroupBox(self.tr("Closed today"), self)
        QVBoxLayout(history_box).addWidget(self.history)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.citizen_box)
        layout.addWidget(history_box, 1)
        self._connect_signals()
        self.show_wrap_up(None)

    def _connect_signals(self) -> None:
        self.submit.clicked.connect(self._on_submit_clicked)
        self._shortcut.activated.connect(self._on_submit_clicked)

    def show_call(self, call: ActiveCall | None) -> None:
        """The call's citizen; ``None`` clears the facts (after the work order closes)."""
        if call is None:
            for label in (self.name, self.id_number, self.phone, self.item, self.channel,
                          self.work_order):
                label.setText("—")
            return
        started = call.started
        offer = call.offer
        priority = priority_label(offer.priority, offer.priority_check) if offer else ""
        self.name.setText(started.peer_name + (f"（{priority}）" if priority else ""))
        # Masked by the hub; the full number comes with an ID-card read, not the queue.
        citizen = offer.citizen if offer else None
        self.id_number.setText(citizen.id_number if citizen and citizen.id_number else "—")
        self.phone.setText(citizen.phone if citizen and citizen.phone else "—")
        self.item.setText(started.item_name)
        self.channel.setText(channel_label(started.channel))
        self.work_order.setText(started.work_order_id)

    def show_wrap_up(self, request: WrapUpRequest | None) -> None:
        self.wrap_up_box.setVisible(request is not None)
        if request is None:
            return
        minutes, seconds = divmod(int(request.duration_s), 60)
        if request.reason == "disconnected" and not request.item_name:
            self.wrap_up_info.setText(
                self.tr("Work order %1 still needs its wrap-up (the connection was lost)")
                .replace("%1", request.work_order_id)
            )
        else:
            self.wrap_up_info.setText(
                self.tr("%1 ended after %2:%3").replace("%1", request.item_name)
                .replace("%2", f"{minutes:02d}").replace("%3", f"{seconds:02d}")
            )
        self.notes.clear()
        self.outcome.setCurrentIndex(0)
        self.outcome.setFocus()

    def add_closed(self, closed: ClosedWorkOrder) -> None:
        stamp = time.strftime("%H:%M", time.localtime(closed.closed_at))
        self.history.insertItem(
            0, f"{stamp}  {closed.item_name} · {outcome_label(closed.outcome)}"
        )

    def _on_submit_clicked(self) -> None:
        if self.wrap_up_box.isVisible():
            self.wrap_up_submitted.emit(
                str(self.outcome.currentData()), self.notes.toPlainText()
            )
