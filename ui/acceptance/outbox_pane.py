"""The outbox list (发件箱): every application this workstation submitted, with a state badge.

Rows follow ``SubmissionOutbox.changed``: queued, sending, accepted,
returned for correction, failed — colour plus words, newest first. A
failed application can be sent again (same idempotency key, so still at
most once); an accepted one opens its receipt. ``OutboxBadge`` is the small
"发件箱：2 待发送" label for the status strip or the work-order pane.

Emits ``receipt_requested(entry_id)``. Sending again runs as a task of the pane's
``TaskOwner``: a failure reaches the owner's ``failed``.
"""

from __future__ import annotations

import logging
import time

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState
from seat_common.personal_data.pii import mask_name
from seat_common.tasks import TaskOwner
from ui.acceptance.form_labels import OUTBOX_COLOURS, outbox_state_label
from ui.labels import PlainLabel

log = logging.getLogger(__name__)
COLUMNS = 5


class OutboxPane(QWidget):
    """The outbox as a table; buttons for the selected row."""

    receipt_requested = pyqtSignal(int)

    def __init__(self, outbox: SubmissionOutbox, parent: QWidget | None = None, *,
                 tasks: TaskOwner | None = None) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self._tasks = tasks or TaskOwner("outbox list")
        self.table = QTableWidget(0, COLUMNS, self)
        self.table.setHorizontalHeaderLabels([
            self.tr("State"), self.tr("Item"), self.tr("Applicant"),
            self.tr("Application number"), self.tr("Submitted"),
        ])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.detail = PlainLabel(self)
        self.detail.setWordWrap(True)
        self.retry = QPushButton(self.tr("Send again"), self)
        self.receipt = QPushButton(self.tr("Open receipt"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.detail, 1)
        buttons.addWidget(self.retry)
        buttons.addWidget(self.receipt)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._rows: dict[int, int] = {}
        self._connect_signals()
        self._reload()

    def _connect_signals(self) -> None:
        self._unsubscribe = self._outbox.changed.connect(self._on_outbox_changed)
        self._unsubscribe_forgotten = self._outbox.forgotten.connect(self._on_outbox_forgotten)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        self.retry.clicked.connect(self._on_retry_clicked)
        self.receipt.clicked.connect(self._on_receipt_clicked)

    def _reload(self) -> None:
        self.table.setRowCount(0)
        self._rows.clear()
        for entry in reversed(self._outbox.entries()):  # oldest first; each goes on top
            self._on_outbox_changed(entry)
        self._on_table_selection_changed()

    def _on_outbox_forgotten(self, _entry_ids: tuple[int, ...]) -> None:
        self._reload()  # retention deleted some: the list shows only what is kept

    def _on_outbox_changed(self, entry: OutboxEntry) -> None:
        if entry.entry_id not in self._rows:
            self.table.insertRow(0)
            self._rows = {k: v + 1 for k, v in self._rows.items()}
            self._rows[entry.entry_id] = 0
        row = self._rows[entry.entry_id]
        badge = QTableWidgetItem(outbox_state_label(entry.state))
        badge.setForeground(QColor("white"))
        badge.setBackground(QColor(OUTBOX_COLOURS[entry.state]))
        badge.setData(Qt.ItemDataRole.UserRole, entry.entry_id)
        badge.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        s = entry.submission
        cells = [badge, QTableWidgetItem(s.item_name),
                 QTableWidgetItem(mask_name(s.applicant_name) if s.applicant_name else "—"),
                 QTableWidgetItem(entry.application_no or "—"),
                 QTableWidgetItem(time.strftime("%H:%M:%S", time.localtime(entry.created_at)))]
        for column, cell in enumerate(cells):
            self.table.setItem(row, column, cell)
        if self.selected_id() == entry.entry_id:
            self._on_table_selection_changed()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()  # type: ignore[union-attr]
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, int) else None

    def _on_table_selection_changed(self) -> None:
        entry_id = self.selected_id()
        entry = self._outbox.entry(entry_id) if entry_id is not None else None
        self.retry.setEnabled(entry is not None and entry.state is OutboxState.FAILED)
        self.receipt.setEnabled(entry is not None and bool(entry.application_no))
        if entry is None:
            self.detail.setText("")
            return
        text = outbox_state_label(entry.state)
        if entry.state is OutboxState.QUEUED and entry.attempts:
            text += self.tr(" · %n attempt(s) so far", "", entry.attempts)
        if entry.detail:
            text += f" · {entry.detail}"
        self.detail.setText(text)

    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        self.table.selectRow(row)
        self._on_receipt_clicked()

    def _on_receipt_clicked(self) -> None:
        entry_id = self.selected_id()
        entry = self._outbox.entry(entry_id) if entry_id is not None else None
        if entry is not None and entry.application_no:
            self.receipt_requested.emit(entry.entry_id)

    def _on_retry_clicked(self) -> None:
        entry_id = self.selected_id()
        if entry_id is None:
            return
        self._tasks.spawn(self._outbox.retry(entry_id), "send an application again")

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self._unsubscribe()
        self._unsubscribe_forgotten()
        super().closeEvent(event)


class OutboxBadge(QLabel):
    """"Outbox: 2 queued · 1 returned" for a status strip; empty when all is delivered."""

    def __init__(self, outbox: SubmissionOutbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self.setObjectName("outboxBadge")
        self._unsubscribe = outbox.changed.connect(self._on_outbox_changed)
        self._refresh()

    def _on_outbox_changed(self, _entry: OutboxEntry) -> None:
        self._refresh()

    def _refresh(self) -> None:
        counts = self._outbox.counts()
        pending = counts[OutboxState.QUEUED] + counts[OutboxState.SENDING]
        parts = []
        if pending:
            parts.append(self.tr("%n to send", "", pending))
        for state in (OutboxState.RETURNED, OutboxState.FAILED):
            if counts[state]:
                parts.append(f"{outbox_state_label(state)} {counts[state]}")
        self.setText(self.tr("Outbox: %1").replace("%1", " · ".join(parts)) if parts else "")

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self._unsubscribe()
        super().closeEvent(event)
