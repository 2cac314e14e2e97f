"""The queue pane: citizens waiting for this agent's items, their wait ticking.

``QueueTableModel`` adapts ``seat_client.call.queue_model.QueueModel`` to a Qt
table that reads whole in the queue's narrowest column (about 230 px at 1366×768):
the item's short name (the catalog's; the full name, the code and the masked
citizen on hover), the channel in a word, the priority in words (never colour
alone) and the wait. A citizen whose link dropped keeps their row where the hub
puts it, greyed, its wait followed by ``中断`` and the seconds its place is still
kept (lines no wider than a wait: the narrow queue's item column keeps its width),
the whole sentence (连接中断，保留 42 秒) on hover and the count in the summary:
the agent sees why the head of the queue does not ring. The wait column,
countdown included, is refreshed once a second; rows change only when the hub
says so.
"""

from __future__ import annotations

import math
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
from PyQt6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

from seat_client.call.queue_model import QueueModel
from seat_common import protocol
from seat_common.catalog import Catalog
from ui.labels import (
    PlainLabel,
    channel_label,
    channel_short_label,
    item_short_label,
    needs_label,
)

_Index = QModelIndex | QPersistentModelIndex


def format_wait(seconds: float) -> str:
    """``75`` → ``01:15``; an hour or more → ``1:02:03``."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


class QueueTableModel(QAbstractTableModel):
    """Rows are queue entries in routing order."""

    COLUMNS = ("item", "channel", "priority", "wait")
    WAIT_COLUMN = 3

    def __init__(self, queue: QueueModel, parent: QObject | None = None,
                 catalog: Catalog | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self._catalog = catalog
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
            "priority": QCoreApplication.translate("QueueTableModel", "Priority"),
            "wait": QCoreApplication.translate("QueueTableModel", "Waiting"),
        }
        return titles[self.COLUMNS[section]]

    def link_lost_label(self, entry: protocol.QueueEntry, *, short: bool = False) -> str:
        """``连接中断，保留 42 秒`` for a citizen whose link dropped (``short``: ``中断\n42 秒``,
        no wider than a wait, for the wait column); "" while connected."""
        left = self._queue.link_lost_seconds_left(entry)
        if left is None:
            return ""
        text = (QCoreApplication.translate("QueueTableModel", "lost\n%1 s") if short else
                QCoreApplication.translate("QueueTableModel", "Link lost, place kept %1 s"))
        return text.replace("%1", str(math.ceil(left)))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = self.COLUMNS[index.column()]
        lost = self.link_lost_label(entry) if entry.link_lost_until else ""
        if role == Qt.ItemDataRole.DisplayRole:
            item = self._catalog.item(entry.item_code) if self._catalog is not None else None
            wait = format_wait(self._queue.wait_seconds(entry))
            return {
                "item": item_short_label(item, entry.item_name),
                "channel": channel_short_label(entry.channel),
                "priority": needs_label(entry.priority, entry.priority_check, entry.large_text),
                "wait": f"{wait}\n{self.link_lost_label(entry, short=True)}" if lost else wait,
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole row on hover: what a narrow column cannot say.
            return "\n".join(part for part in (
                f"{entry.item_name} ({entry.item_code})", channel_label(entry.channel),
                entry.citizen.name,
                needs_label(entry.priority, entry.priority_check, entry.large_text),
                lost,
                QCoreApplication.translate(
                    "QueueTableModel", "Not offered until the citizen is back") if lost else "",
            ) if part)
        if role == Qt.ItemDataRole.ForegroundRole and lost:
            return QColor("#5f6368")  # greyed, still readable (contrast above 4.5:1 on white)
        if role == Qt.ItemDataRole.ForegroundRole and column == "priority":
            return (QColor("#b3261e") if entry.priority != "normal" or entry.large_text
                    else None)
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

    def __init__(self, queue: QueueModel, parent: QWidget | None = None, *,
                 catalog: Catalog | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self.model = QueueTableModel(queue, self, catalog)
        self.summary = PlainLabel(self)
        self.summary.setObjectName("queueSummary")
        self.summary.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # A long short name wraps onto a second line of its row instead of being cut.
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        assert rows is not None
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setVisible(False)
        header = self.table.horizontalHeader()
        assert header is not None
        header.setMinimumSectionSize(24)
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

    def _keep_columns_readable(self) -> None:
        """The table is never narrower than its channel, priority and wait columns plus four
        characters of the item (a longer short name wraps): the column cannot be dragged so
        narrow that a cell is cut."""
        header = self.table.horizontalHeader()
        assert header is not None
        fixed = sum(header.sectionSizeHint(c) for c in range(1, len(QueueTableModel.COLUMNS)))
        item = self.table.fontMetrics().horizontalAdvance("门诊慢特") + 16
        self.table.setMinimumWidth(fixed + item + 2 * self.table.frameWidth())

    def _update_summary(self) -> None:
        self._keep_columns_readable()
        count = len(self._queue.entries)
        if count == 0:
            self.summary.setText(self.tr("No one is waiting"))
            return
        text = self.tr("%n waiting, longest %1", "", count).replace(
            "%1", format_wait(self._queue.longest_wait_seconds())
        )
        lost = self._queue.link_lost_count()
        if lost:
            text += self.tr(" (%n link lost, not offered now)", "", lost)
        self.summary.setText(text)
