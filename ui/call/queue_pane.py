"""The queue pane: citizens waiting for this agent's items, their wait ticking.

``QueueTableModel`` adapts ``seat_client.call.queue_model.QueueModel`` to a Qt
table: item, channel, priority badge, masked name, wait time. The wait
column is refreshed once a second; rows change only when the hub says so.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from seat_client.call.queue_model import QueueModel
from seat_common import protocol
from ui.labels import channel_label, channel_short_label, priority_label

_Index = QModelIndex | QPersistentModelIndex


def format_wait(seconds: float) -> str:
    """``75`` → ``01:15``; an hour or more → ``1:02:03``."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def _citizen_text(entry: protocol.QueueEntry) -> str:
    """The masked name, with the priority (elderly, disabled) as words, not colour alone."""
    name = entry.citizen.name or "—"
    if entry.priority == "normal":
        return name
    return f"{name}（{priority_label(entry.priority)}）"


class QueueTableModel(QAbstractTableModel):
    """Rows are queue entries in routing order."""

    COLUMNS = ("item", "channel", "citizen", "wait")
    WAIT_COLUMN = 3

    def __init__(self, queue: QueueModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self._entries: tuple[protocol.QueueEntry, ...] = queue.entries
        self._disconnect = queue.changed.connect(lambda _: self._reload())
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_waits)
        self._tick.start()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        titles = {
            "item": QCoreApplication.translate("QueueTableModel", "Item"),
            "channel": QCoreApplication.translate("QueueTableModel", "Channel"),
            "citizen": QCoreApplication.translate("QueueTableModel", "Citizen"),
            "wait": QCoreApplication.translate("QueueTableModel", "Waiting"),
        }
        return titles[self.COLUMNS[section]]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "item": entry.item_name,
                "channel": channel_short_label(entry.channel),
                "citizen": _citizen_text(entry),
                "wait": format_wait(self._queue.wait_seconds(entry)),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == "item":
            return f"{entry.item_name} ({entry.item_code})"
        if role == Qt.ItemDataRole.ToolTipRole and column == "channel":
            return channel_label(entry.channel)
        if role == Qt.ItemDataRole.ForegroundRole and column == "citizen":
            return QColor("#b3261e") if entry.priority != "normal" else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "wait":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def entry(self, row: int) -> protocol.QueueEntry:
        return self._entries[row]

    def _reload(self) -> None:
        self.beginResetModel()
        self._entries = self._queue.entries
        self.endResetModel()

    def _refresh_waits(self) -> None:
        if self._entries:
            top = self.index(0, self.WAIT_COLUMN)
            bottom = self.index(len(self._entries) - 1, self.WAIT_COLUMN)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])


class QueuePane(QWidget):
    """The table of waiting citizens with a one-line summary above it."""

    def __init__(self, queue: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self.model = QueueTableModel(queue, self)
        self.summary = QLabel(self)
        self.summary.setObjectName("queueSummary")
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(QueueTableModel.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.model.modelReset.connect(self._update_summary)
        self.model.dataChanged.connect(self._update_summary)
        self._update_summary()

    def _update_summary(self) -> None:
        count = len(self._queue.entries)
        if count == 0:
            self.summary.setText(self.tr("No one is waiting"))
        else:
            self.summary.setText(
                self.tr("%n waiting, longest %1", "", count).replace(
                    "%1", format_wait(self._queue.longest_wait_seconds())
                )
            )
