"""A search box and table over the work-order list (the agent's own, or all for a supervisor).

Shows ``WorkOrderListModel`` rows (already masked by the hub): id, time,
item, channel, agent, citizen, outcome, rating, recording length, handling
time. Enter in the search box emits ``search_requested(text)``; the
composition root sends it. Given the workstation's ``RecordingArchive``, the
pane also offers the selected row's recording: "Play recording", a double
click or Enter emit ``recording_requested(path, work_order_id)`` when the file
is on this computer; otherwise a line says why not (past retention, uploaded to the
hub, not here). On the seat wall (``from_hub``) every recorded row can be played: the
pane emits ``hub_recording_requested(work_order_id)`` and the composition root fetches
the file from the hub's store (``seat_client.recording.hub_fetch``).
"""

from __future__ import annotations

import time
from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.recording.archive import RecordingArchive, RecordingStatus
from seat_common import protocol
from ui.labels import PlainLabel, channel_short_label, clock_text, outcome_label


class WorkOrderListPane(QWidget):
    """The work-order list of ``model``."""

    search_requested = pyqtSignal(str)
    recording_requested = pyqtSignal(Path, str)
    hub_recording_requested = pyqtSignal(str)

    def __init__(
        self,
        model: WorkOrderListModel,
        parent: QWidget | None = None,
        *,
        recordings: RecordingArchive | None = None,
        from_hub: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workOrderListPane")
        self._model = model
        self._recordings = recordings
        self._from_hub = from_hub
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("Work order, item, outcome or agent"))
        self.search_button = QPushButton(self.tr("Search"), self)
        bar.addWidget(self.query, 1)
        bar.addWidget(self.search_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 9, self)
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
                self.tr("Recording"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.status = PlainLabel(self)
        layout.addWidget(self.status)
        playback = QHBoxLayout()
        self.play_button = QPushButton(self.tr("Play recording"), self)
        self.play_button.setEnabled(False)
        self.recording_note = PlainLabel(self)
        self.recording_note.setObjectName("recordingNote")
        playback.addWidget(self.play_button)
        playback.addWidget(self.recording_note, 1)
        layout.addLayout(playback)
        self.play_button.setVisible(recordings is not None or from_hub)
        self.recording_note.setVisible(recordings is not None or from_hub)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.query.returnPressed.connect(self._on_query_entered)
        self.search_button.clicked.connect(self._on_query_entered)
        self._model.changed.connect(self._on_model_changed)
        self.table.itemSelectionChanged.connect(self.refresh_recording)
        self.table.itemActivated.connect(self._on_table_activated)
        self.play_button.clicked.connect(self._on_play_button_clicked)

    def selected_row(self) -> protocol.WorkOrderRow | None:
        index = self.table.currentRow()
        rows = self._model.rows
        selected = self.table.selectionModel()
        if selected is None or not selected.hasSelection() or not 0 <= index < len(rows):
            return None
        return rows[index]

    def refresh_recording(self) -> None:
        """Enable "Play recording" for the selected row if its file is here; else say why."""
        row = self.selected_row()
        if self._from_hub and row is not None:
            self.play_button.setEnabled(row.recording_s > 0)
            self.recording_note.setText("" if row.recording_s else self.tr("Not recorded"))
            return
        if self._recordings is None or row is None:
            self.play_button.setEnabled(False)
            self.recording_note.clear()
            return
        recorded_at = (row.answered_at or row.queued_at) if row.recording_s else None
        status = self._recordings.status(row.work_order_id, recorded_at)
        self.play_button.setEnabled(status is RecordingStatus.AVAILABLE)
        if status is RecordingStatus.AVAILABLE:
            self.recording_note.clear()
        elif status is RecordingStatus.AT_HUB:
            self.recording_note.setText(self.tr("Recording uploaded to the hub"))
        elif status is RecordingStatus.EXPIRED:
            self.recording_note.setText(self.tr("Recording past its retention period"))
        elif row.recording_s:
            self.recording_note.setText(self.tr("This recording is not on this computer"))
        else:
            self.recording_note.setText(self.tr("Not recorded"))

    def show_recording_note(self, text: str) -> None:
        """Say how fetching or playing the selected recording went."""
        self.recording_note.setText(text)

    def _request_recording(self) -> None:
        row = self.selected_row()
        if self._from_hub and row is not None and self.play_button.isEnabled():
            self.hub_recording_requested.emit(row.work_order_id)
            return
        if self._recordings is None or row is None or not self.play_button.isEnabled():
            return
        path = self._recordings.path_for(row.work_order_id)
        self.recording_requested.emit(path, row.work_order_id)

    def _on_table_activated(self, _item: QTableWidgetItem) -> None:
        self._request_recording()

    def _on_play_button_clicked(self) -> None:
        self._request_recording()

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
                clock_text(row.recording_s) if row.recording_s else "",
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
        self.refresh_recording()


_OUTCOMES = frozenset(protocol.WRAP_UP_OUTCOMES) | {"abandoned"}
