"""The query's side panel: the ID number to check, and the result table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.plugin_api import PluginContext

if TYPE_CHECKING:
    from plugins.unemployment_query import UnemploymentQuery


class QueryPanel(QWidget):
    """Shows the identity check and the lookup; the plugin's actions do the work."""

    def __init__(self, plugin: UnemploymentQuery, context: PluginContext, parent: Any) -> None:
        super().__init__(parent)
        self._plugin = plugin
        self._context = context
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText(self.tr("ID number as read from the card"))
        self.check = QLabel()
        self.check.setTextFormat(Qt.TextFormat.PlainText)  # the government API's words
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Value")])
        header, rows = self.table.horizontalHeader(), self.table.verticalHeader()
        if header is not None and rows is not None:
            header.setStretchLastSection(True)
            rows.setVisible(False)
        form = QFormLayout()
        form.addRow(self.tr("ID number"), self.id_edit)
        form.addRow(self.tr("Identity"), self.check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        self.id_edit.editingFinished.connect(self._on_id_edit_finished)
        self._state = plugin.state(context)
        self._state.listeners.append(self.refresh)
        self.destroyed.connect(lambda: self._state.listeners.clear())
        self.refresh()

    def _on_id_edit_finished(self) -> None:
        self._plugin.enter_id_number(self._context, self.id_edit.text())

    def refresh(self) -> None:
        from plugins.unemployment_query import table_rows

        s = self._state
        if s.id_number and self.id_edit.text() != s.id_number:
            self.id_edit.setText(s.id_number)
        if not s.id_number:
            self.check.setText(self.tr("not checked"))
        elif s.verified:
            self.check.setText("✔ " + self.tr("identity checked"))
        else:
            self.check.setText("✘ " + s.problem)
        rows = table_rows(s.details)
        self.table.setRowCount(len(rows))
        for i, (k, v) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(k))
            self.table.setItem(i, 1, QTableWidgetItem(v))
