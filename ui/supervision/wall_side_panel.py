"""The seat wall's side panel: today's figures and the queue per item.

Shows what ``WallModel`` holds; it decides nothing. The figures are large
number/label pairs; the queue table lists each item with someone waiting
(waiting, priority citizens, those whose link dropped, longest wait), with
per-theme totals and the headline (waiting, priority, longest wait, link lost) above
it. Selecting a queue line
and pressing "Move next citizen…" emits ``move_requested(work_order_id,
item_code)``.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QFontMetrics
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.supervision.wall_model import WallModel
from seat_common.catalog import Catalog
from seat_common.protocol import WallFigures, WallQueueLine
from ui.labels import PlainLabel, clock_text, item_short_label


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


class WallSidePanel(QWidget):
    """Figures and queue of ``model``; theme names from ``catalog``."""

    move_requested = pyqtSignal(str, str)

    def __init__(self, model: WallModel, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallSidePanel")
        self._model = model
        self._catalog = catalog
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        figures_box = QGroupBox(self.tr("Today"), self)
        grid = QGridLayout(figures_box)
        self._figure_values: dict[str, QLabel] = {}
        names = [
            ("offered", self.tr("Offered")),
            ("answered", self.tr("Answered")),
            ("abandoned", self.tr("Abandoned")),
            ("asa", self.tr("Avg. speed of answer")),
            ("sl20", self.tr("Answered ≤ 20 s")),
            ("sl60", self.tr("Answered ≤ 60 s")),
            ("aht", self.tr("Avg. handling time")),
            ("closed", self.tr("Work orders closed")),
            ("users", self.tr("Users served")),
            ("rating", self.tr("Avg. rating")),
        ]
        for index, (key, label) in enumerate(names):
            value = PlainLabel("–", figures_box)
            value.setObjectName("wallFigure")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            font.setBold(True)
            value.setFont(font)
            # The value never shrinks below "100%" at its size; a long caption (English)
            # wraps instead.
            value.setMinimumWidth(QFontMetrics(font).horizontalAdvance("100%") + 4)
            caption = PlainLabel(label, figures_box)
            caption.setWordWrap(True)
            row, column = divmod(index, 2)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
            self._figure_values[key] = value
        layout.addWidget(figures_box)
        queue_box = QGroupBox(self.tr("Queue"), self)
        queue_layout = QVBoxLayout(queue_box)
        self.summary = PlainLabel(queue_box)
        self.summary.setObjectName("wallQueueSummary")
        self.summary.setWordWrap(True)
        queue_layout.addWidget(self.summary)
        self.themes = PlainLabel(queue_box)
        self.themes.setWordWrap(True)
        queue_layout.addWidget(self.themes)
        self.table = QTableWidget(0, 5, queue_box)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Item"), self.tr("Waiting"), self.tr("Priority"),
             self.tr("Link lost", "a narrow column: of the waiting, those whose link dropped"),
             self.tr("Longest wait")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        queue_layout.addWidget(self.table, 1)
        self.move_button = QPushButton(self.tr("Move next citizen…"), queue_box)
        self.move_button.setEnabled(False)
        queue_layout.addWidget(self.move_button)
        layout.addWidget(queue_box, 1)
        self._connect_signals()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._show_queue)
        self._ticker.start()
        self._show_figures(model.figures)
        self._show_queue()

    def _connect_signals(self) -> None:
        self._model.figures_changed.connect(self._show_figures)
        self._model.queue_changed.connect(lambda _queue: self._show_queue())
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self.move_button.clicked.connect(self._on_move_clicked)

    def figure_text(self, key: str) -> str:
        return self._figure_values[key].text()

    def _show_figures(self, f: WallFigures) -> None:
        # Nothing to divide yet (no caller has stopped waiting, nobody answered, nothing
        # closed): a dash, not a 0 % or 00:00 that reads as a bad figure.
        waited = f.answered + f.abandoned > 0
        values = {
            "offered": str(f.offered),
            "answered": str(f.answered),
            "abandoned": str(f.abandoned),
            "asa": clock_text(f.average_speed_of_answer_s) if f.answered else "–",
            "sl20": _percent(f.service_level_20s) if waited else "–",
            "sl60": _percent(f.service_level_60s) if waited else "–",
            "aht": clock_text(f.average_handling_s) if f.work_orders_closed else "–",
            "closed": str(f.work_orders_closed),
            "users": str(f.users_served),
            "rating": f"{f.average_rating:.2f}" if f.ratings else "–",
        }
        for key, text in values.items():
            self._figure_values[key].setText(text)

    def _show_queue(self) -> None:
        model = self._model
        now = model.hub_now()
        summary = model.queue_summary(now)
        headline = (
            self.tr("Waiting %1 · priority %2 · longest wait %3")
            .replace("%1", str(summary.waiting))
            .replace("%2", str(summary.priority_waiting))
            .replace("%3", clock_text(summary.longest_wait_s))
        )
        if summary.link_lost:
            # Counted as waiting, but nobody can be given them until they come back.
            # On a line of its own: the headline's first line fits the panel as it is.
            headline += "\n" + self.tr("%n link lost, not offered until back", "",
                                        summary.link_lost)
        self.summary.setText(headline)
        themes = model.queue_by_theme()
        self.themes.setText(
            "  ".join(
                f"{self._theme_name(code)} {count}"
                for code, count in sorted(themes.items(), key=lambda kv: -kv[1])
            )
        )
        selected = self._selected_item()
        self.table.setRowCount(len(model.queue))
        for row, line in enumerate(model.queue):
            cells = [
                item_short_label(self._catalog.item(line.item_code), line.item_name),
                str(line.waiting),
                str(line.priority_waiting) if line.priority_waiting else "",
                str(line.link_lost) if line.link_lost else "",
                clock_text(now - line.oldest_queued_at),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, line.item_code)
                item.setToolTip(line.item_name + self._link_lost_tip(line))
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            if line.item_code == selected:
                self.table.selectRow(row)

    def _link_lost_tip(self, line: WallQueueLine) -> str:
        if not line.link_lost:
            return ""
        return "\n" + self.tr(
            "%n link lost: place kept for the resume grace, not offered until back", "",
            line.link_lost)

    def _theme_name(self, code: str) -> str:
        theme = self._catalog.themes.get(code)
        return theme.name if theme is not None else code

    def _selected_item(self) -> str:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _on_table_selection(self) -> None:
        self.move_button.setEnabled(bool(self._selected_item()))

    def _on_move_clicked(self) -> None:
        code = self._selected_item()
        for line in self._model.queue:
            if line.item_code == code and line.next_work_order_id:
                self.move_requested.emit(line.next_work_order_id, code)
                return
