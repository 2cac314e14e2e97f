"""The supervisor's seat wall window: filters, the tile grid, figures and queue.

Shows a ``WallModel`` (pushed by the hub) and emits the supervisor's intents;
the composition root (``ui.supervision.wall_app``) sends them to the hub:

- ``whisper_requested(agent_id, text)``
- ``state_requested(agent_id, state, reason)``
- ``move_requested(work_order_id, to_agent_id, to_item_code)``
- ``watch_requested(agent_id)``: watch the seat's live call (Ctrl+W)
- ``join_requested(agent_id)``: join the seat's live call as its third party, one click
  (Ctrl+J; a raised hand selects its seat, so answering it by joining is one click)
- ``report_requested()``: the statistics report dialog (统计报表, Ctrl+R)

Filters (hall/town, theme, state) narrow the grid; the status bar counts the
seats per state and shows the hub's answers (``show_result``).
"""

from __future__ import annotations

from typing import get_args

from PyQt6.QtCore import QPoint, Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from seat_client.supervision.wall_model import WallFilters, WallModel
from seat_common.catalog import Catalog
from seat_common.item_search import find, search_text
from seat_common.protocol import AgentState
from ui.item_picker import make_searchable
from ui.labels import PlainLabel, away_reason_label, state_label
from ui.supervision.seat_wall import SeatWallGrid
from ui.supervision.wall_side_panel import WallSidePanel

_AWAY_REASONS = ("break", "meeting", "training", "other")


class SeatWallWindow(QMainWindow):
    """The seat wall for one supervisor."""

    whisper_requested = pyqtSignal(str, str)
    state_requested = pyqtSignal(str, str, str)
    move_requested = pyqtSignal(str, str, str)
    watch_requested = pyqtSignal(str)
    join_requested = pyqtSignal(str)
    report_requested = pyqtSignal()

    def __init__(
        self,
        model: WallModel,
        catalog: Catalog,
        work_orders: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("seatWallWindow")
        self.setWindowTitle(self.tr("Seat wall"))
        self._model = model
        self._catalog = catalog
        #: the hall this PC stands in (client.toml ``hall``): always offered as a filter
        self._home_hall = ""
        bar = QWidget(self)
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(6, 4, 6, 4)
        self.hall_filter = QComboBox(bar)
        self.theme_filter = QComboBox(bar)
        self.state_filter = QComboBox(bar)
        for label, combo in (
            (self.tr("Hall"), self.hall_filter),
            (self.tr("Theme"), self.theme_filter),
            (self.tr("State"), self.state_filter),
        ):
            bar_layout.addWidget(PlainLabel(label, bar))
            bar_layout.addWidget(combo)
        bar_layout.addStretch(1)
        self.whisper_button = QPushButton(self.tr("Whisper…"), bar)
        self.ready_button = QPushButton(self.tr("Set ready"), bar)
        self.away_button = QPushButton(self.tr("Set away"), bar)
        away_menu = QMenu(self.away_button)
        for reason in _AWAY_REASONS:
            action = away_menu.addAction(away_reason_label(reason))  # type: ignore[arg-type]
            assert action is not None
            action.triggered.connect(lambda _=False, r=reason: self._request_state("away", r))
        self.away_button.setMenu(away_menu)
        self.watch_button = QPushButton(self.tr("Watch call (Ctrl+W)"), bar)
        self.watch_button.setShortcut(QKeySequence("Ctrl+W"))
        self.join_button = QPushButton(self.tr("Join call (Ctrl+J)"), bar)
        self.join_button.setShortcut(QKeySequence("Ctrl+J"))
        self.join_button.setToolTip(self.tr(
            "Join the call as its third party: the citizen and the agent see and hear you"))
        for button in (self.whisper_button, self.ready_button, self.away_button,
                       self.watch_button, self.join_button):
            button.setEnabled(False)
            bar_layout.addWidget(button)
        self.report_button = QPushButton(self.tr("Statistics report…"), bar)
        self.report_button.setObjectName("reportButton")
        self.report_button.setShortcut(QKeySequence("Ctrl+R"))
        bar_layout.addWidget(self.report_button)
        self.grid = SeatWallGrid(model.hub_now)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        self.side = WallSidePanel(model, catalog, self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(scroll)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.side, self.tr("Overview"))
        if work_orders is not None:
            self.tabs.addTab(work_orders, self.tr("Work orders"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.counts = PlainLabel(self)
        self.result = PlainLabel(self)
        status = self.statusBar()
        assert status is not None
        status.addWidget(self.counts, 1)
        status.addPermanentWidget(self.result)
        self._fill_filters()
        self._connect_signals()
        self._show_seats()

    def _connect_signals(self) -> None:
        self._model.changed.connect(self._on_model_changed)
        self._model.filters_changed.connect(lambda _f: self._show_seats())
        for combo in (self.hall_filter, self.theme_filter, self.state_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.grid.seat_selected.connect(self._on_grid_seat_selected)
        self.grid.seat_context_menu.connect(self._on_grid_context_menu)
        self.whisper_button.clicked.connect(self._on_whisper_clicked)
        self.ready_button.clicked.connect(lambda: self._request_state("ready", ""))
        self.watch_button.clicked.connect(self._on_watch_clicked)
        self.join_button.clicked.connect(self._on_join_clicked)
        self.report_button.clicked.connect(self.report_requested)
        self.side.move_requested.connect(self._on_side_move_requested)

    # --- model → view -------------------------------------------------------------

    def _on_model_changed(self, changed: frozenset[str]) -> None:
        if not changed:
            self._fill_filters()
        self._show_seats()
        if self.grid.selected():
            self._on_grid_seat_selected(self.grid.selected())  # its state may have changed

    def _fill_filters(self) -> None:
        def fill(combo: QComboBox, entries: list[tuple[str, str]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All"), "")
            for data, text in entries:
                combo.addItem(text, data)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

        halls = sorted({*self._model.halls(), self._home_hall} - {""})
        fill(self.hall_filter, [(h, h) for h in halls])
        fill(
            self.theme_filter,
            [
                (t, self._catalog.themes[t].name if t in self._catalog.themes else t)
                for t in self._model.themes()
            ],
        )
        fill(self.state_filter, [(s, state_label(s)) for s in get_args(AgentState)])

    def _show_seats(self) -> None:
        self.grid.set_seats(self._model.visible_seats())
        counts = self._model.counts_by_state()
        self.counts.setText(
            "  ".join(
                f"{state_label(state)} {counts[state]}"
                for state in get_args(AgentState)
                if counts.get(state)
            )
        )

    def show_home_hall(self, hall: str) -> None:
        """Start filtered to this PC's own hall; the supervisor may pick "All" again."""
        self._home_hall = hall
        self._fill_filters()
        self.hall_filter.setCurrentIndex(max(0, self.hall_filter.findData(hall)))

    def show_result(self, text: str) -> None:
        """The hub's answer to the last action, in the status bar."""
        self.result.setText(text)

    # --- filters and actions ----------------------------------------------------------

    def _on_filter_changed(self) -> None:
        hall = str(self.hall_filter.currentData() or "")
        theme = str(self.theme_filter.currentData() or "")
        state = str(self.state_filter.currentData() or "")
        self._model.set_filters(
            WallFilters(
                halls=frozenset({hall} if hall else ()),
                themes=frozenset({theme} if theme else ()),
                states=frozenset({state} if state else ()),  # type: ignore[arg-type]
            )
        )

    def _on_grid_seat_selected(self, agent_id: str) -> None:
        seat = self._model.seats.get(agent_id)
        online = seat is not None and seat.state != "offline"
        for button in (self.whisper_button, self.ready_button, self.away_button):
            button.setEnabled(online)
        self.watch_button.setEnabled(seat is not None and seat.state == "on_call")
        self.join_button.setEnabled(seat is not None and seat.state == "on_call")

    def _on_grid_context_menu(self, agent_id: str, where: QPoint) -> None:
        menu = QMenu(self)
        whisper = menu.addAction(self.whisper_button.text())
        ready = menu.addAction(self.ready_button.text())
        away = menu.addMenu(self.away_button.text())
        assert whisper is not None and ready is not None and away is not None
        whisper.triggered.connect(self._on_whisper_clicked)
        ready.triggered.connect(lambda: self._request_state("ready", ""))
        for reason in _AWAY_REASONS:
            action = away.addAction(away_reason_label(reason))  # type: ignore[arg-type]
            assert action is not None
            action.triggered.connect(lambda _=False, r=reason: self._request_state("away", r))
        seat = self._model.seats.get(agent_id)
        if seat is not None and seat.state == "on_call":
            watch = menu.addAction(self.watch_button.text())
            assert watch is not None
            watch.triggered.connect(self._on_watch_clicked)
            join = menu.addAction(self.join_button.text())
            assert join is not None
            join.triggered.connect(self._on_join_clicked)
        menu.exec(where)

    def _on_whisper_clicked(self) -> None:
        agent_id = self.grid.selected()
        if not agent_id:
            return
        text, ok = QInputDialog.getText(
            self, self.tr("Whisper"), self.tr("Private message to %1:").replace("%1", agent_id)
        )
        if ok and text.strip():
            self.whisper_requested.emit(agent_id, text.strip())

    def _on_watch_clicked(self) -> None:
        agent_id = self.grid.selected()
        seat = self._model.seats.get(agent_id)
        if seat is not None and seat.state == "on_call":
            self.watch_requested.emit(agent_id)

    def _on_join_clicked(self) -> None:
        agent_id = self.grid.selected()
        seat = self._model.seats.get(agent_id)
        if seat is not None and seat.state == "on_call":
            self.join_requested.emit(agent_id)

    def _request_state(self, state: str, reason: str) -> None:
        agent_id = self.grid.selected()
        if agent_id:
            self.state_requested.emit(agent_id, state, reason)

    def move_dialog(
        self, work_order_id: str, item_code: str
    ) -> tuple[QInputDialog, list[tuple[str, str]]]:
        """The "move citizen" dialog: ready agents, then every other item's queue (high-
        frequency items first), found by typing a name, a code or pinyin initials; and the
        target of each choice in order."""
        choices = [
            self.tr("Agent %1 %2").replace("%1", s.agent_id).replace("%2", s.name)
            for s in self._model.visible_seats()
            if s.state == "ready"
        ]
        targets = [("agent", s.agent_id) for s in self._model.visible_seats() if s.state == "ready"]
        texts = list(choices)
        for item in find(self._catalog.items.values(), ""):
            if item.code != item_code:
                choices.append(
                    self.tr("Queue %1 %2").replace("%1", item.code).replace("%2", item.name)
                )
                targets.append(("item", item.code))
                texts.append(search_text(item))
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Move citizen"))
        dialog.setLabelText(self.tr("Move %1 to:").replace("%1", work_order_id))
        dialog.setComboBoxItems(choices)
        dialog.setComboBoxEditable(True)
        box = dialog.findChild(QComboBox)
        if box is not None:
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            make_searchable(box, texts)
        return dialog, targets

    def _on_side_move_requested(self, work_order_id: str, item_code: str) -> None:
        dialog, targets = self.move_dialog(work_order_id, item_code)
        choices = dialog.comboBoxItems()
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        choice = dialog.textValue()
        if ok and choice in choices:
            kind, target = targets[choices.index(choice)]
            self.move_requested.emit(
                work_order_id, target if kind == "agent" else "", target if kind == "item" else ""
            )
