"""Picking a service item by typing its name, its code or its pinyin initials ("sy" finds 失业…).

``make_searchable(combo, texts)`` gives an editable ``QComboBox`` the catalog's search rule
(``seat_common.item_search``, the citizen page's rule too): each keystroke narrows the
popup to the rows whose search text holds what was typed, and choosing a row chooses it
in the combo. ``ItemPicker`` is such a combo filled with the catalog's items,
high-frequency items first; the clerk's walk-in box uses it, and the seat wall's "move
citizen" dialog makes its list of agents and queues searchable the same way. Filtering
200 items takes well under a millisecond per keystroke, so the popup keeps up with typing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PyQt6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PyQt6.QtWidgets import QComboBox, QCompleter, QWidget

from seat_common.catalog import ServiceItem
from seat_common.item_search import find, matches, search_text

#: The role a row's search text is kept in (its display text if it has none).
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 7


class SearchFilter(QSortFilterProxyModel):
    """The combo's rows whose search text holds the query."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.query = ""

    def set_query(self, query: str) -> None:
        self.beginFilterChange()
        self.query = query
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if model is None:
            return False
        index = model.index(source_row, 0)  # a combo's model is a flat list
        text = index.data(SEARCH_ROLE) or index.data(Qt.ItemDataRole.DisplayRole) or ""
        return matches(self.query, str(text))


def make_searchable(combo: QComboBox, texts: Sequence[str] = ()) -> SearchFilter:
    """Make the editable ``combo`` filter its popup as one types; ``texts`` are the rows'
    search texts in order (a row without one is found by its display text)."""
    for row, text in enumerate(texts):
        combo.setItemData(row, text, SEARCH_ROLE)
    rows = SearchFilter(combo)
    rows.setSourceModel(combo.model())
    completer = QCompleter(rows, combo)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setMaxVisibleItems(12)
    combo.setCompleter(completer)
    line = combo.lineEdit()

    def narrow(text: str) -> None:
        rows.set_query(text)
        if text.strip() and rows.rowCount():
            completer.complete()
        else:
            popup = completer.popup()
            if popup is not None:
                popup.hide()

    if line is not None:
        line.textEdited.connect(narrow)
    return rows


class ItemPicker(QComboBox):
    """An editable combo of service items, found by name, code or pinyin initials."""

    def __init__(self, items: Iterable[ServiceItem], placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        ordered = find(items, "")
        for item in ordered:
            self.addItem(item.name, item.code)
            self.setItemData(self.count() - 1, item.name, Qt.ItemDataRole.ToolTipRole)
        self.search = make_searchable(self, [search_text(i) for i in ordered])
        self.setCurrentIndex(-1)
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText(placeholder)

    def chosen_code(self) -> str:
        """The code of the item whose name is in the box, or ""."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchExactly)
        return str(self.itemData(index)) if index >= 0 else ""
