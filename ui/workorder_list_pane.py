"""A search box and table over the work-order list (the agent's own, or all for a supervisor).

Shows ``WorkOrderListModel`` rows (already masked by the hub): id, time,
item, channel, agent, citizen, outcome, rating, handling time. Enter in the
search box emits ``search_requested(text)``; the composition root sends it.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client import protocol
from seat_client.workorder_list import WorkOrderListModel
from ui.labels import channel_short_label, outcome_label
from ui.seat_wall import clock_text


class WorkOrderListPane(QWidget):
    """The work-order list of ``model``."""

    search_requested = pyqtSignal(str)

    def __init__(self, model: WorkOrderListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workOrderListPane")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("Work order, item, outcome or agent"))
        self.search_button = QPushButton(self.tr("Search"), self)
        bar.addWidget(self.query, 1)
        bar.addWidget(self.search_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 8, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Work order"),
                self.tr("Queued"),
                self.tr("Item"),
                self.tr("Channel"),
                self.tr("Agent"),
                self.tr("Citizen"),
                self.tr("Outcome"),
                self.tr("Rating"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.status = QLabel(self)
        layout.addWidget(self.status)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.query.returnPressed.connect(self._on_query_entered)
        self.search_button.clicked.connect(self._on_query_entered)
        self._model.changed.connect(self._on_model_changed)

    def _on_query_entered(self) -> None:
        self.search_requested.emit(self.query.text().strip())

    def _on_model_changed(self, rows: tuple[protocol.WorkOrderRow, ...]) -> None:
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            outcome = row.outcome
            cells = [
                row.work_order_id,
                time.strftime("%m-%d %H:%M", time.localtime(row.queued_at)),
                row.item_name,
                channel_short_label(row.channel),
                row.agent_id,
                " ".join(p for p in (row.citizen.name, row.citizen.id_number) if p),
                outcome_label(outcome) if outcome in _OUTCOMES else outcome,  # type: ignore[arg-type]
                str(row.rating) if row.rating else "",
            ]
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        handled = [r.handle_s for r in rows if r.handle_s]
        self.status.setText(
            self.tr("%1 work orders%2 · average handling %3")
            .replace("%1", str(len(rows)))
            .replace("%2", self.tr(" (more not shown)") if self._model.truncated else "")
            .replace("%3", clock_text(sum(handled) / len(handled)) if handled else "–")
        )


_OUTCOMES = frozenset(protocol.WRAP_UP_OUTCOMES) | {"abandoned"}
