"""The strip of a work order's material photos above the viewer: a thumbnail each, what it
shows and how it was marked.

``MaterialStrip`` is one row that scrolls sideways, sized for two lines of text under
each thumbnail at the text size in use, and hidden while there is nothing to show (no
empty box above the viewer). Each photo reads as the checklist material it shows and its
mark; two photos of one material (front and back) are numbered so they never read the
same; the file name is only on hover.
"""

from __future__ import annotations

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QIcon
from PyQt6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QWidget

from seat_client.materials.values import MaterialRef
from seat_client.review.notice_pdf import STATUS_COLOURS
from seat_client.review.session import ReviewSession
from ui.labels import plain_tip
from ui.review.checklist import status_label
from ui.review.images import MaterialImages, badged_thumbnail

THUMBNAIL = 72


class MaterialStrip(QListWidget):
    """One item per material photo; the item's data is its material id."""

    def __init__(self, images: MaterialImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = images
        self.setObjectName("materialStrip")
        self.setViewMode(QListWidget.ViewMode.IconMode)
        # A row across the top: the pane must fit beside the video on a 1366-wide screen.
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.setSpacing(4)
        self.setWordWrap(True)  # the material and its mark on two lines, selected or not
        line = self.fontMetrics().lineSpacing()
        cell = QSize(max(124, 10 * self.fontMetrics().horizontalAdvance("材")),
                     THUMBNAIL + 2 * line + 14)
        self.setGridSize(cell)
        style = self.style()
        bar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) if style else 16
        self.setFixedHeight(cell.height() + bar + 8)
        self.hide()  # until the first material

    def add(self, ref: MaterialRef, session: ReviewSession) -> QListWidgetItem:
        item = QListWidgetItem(ref.filename)
        item.setData(Qt.ItemDataRole.UserRole, ref.material_id)
        item.setToolTip(plain_tip(ref.filename))
        self.addItem(item)
        self.refresh(session)
        return item

    def material_id(self, item: QListWidgetItem) -> str:
        return str(item.data(Qt.ItemDataRole.UserRole))

    def item_for(self, material_id: str) -> QListWidgetItem | None:
        return next((item for item in self._items() if self.material_id(item) == material_id),
                    None)

    def refresh(self, session: ReviewSession) -> None:
        """Every photo's words and badge from the session's marks."""
        by_code: dict[str, list[QListWidgetItem]] = {}
        for item in self._items():
            code = session.assignments.get(self.material_id(item), "")
            by_code.setdefault(code, []).append(item)
        for code, items in by_code.items():
            name = next((m.name for m in session.checklist if m.code == code), "")
            status = session.marks[code].status if code else ""
            for n, item in enumerate(items, start=1):
                number = f" {n}" if len(items) > 1 else ""
                item.setText(f"{name or self.tr('Unassigned')}{number}\n{status_label(status)}")
                thumb = self._images.thumbnail(self.material_id(item))
                if thumb is not None:
                    colour = STATUS_COLOURS.get(status, "#8c959f")
                    item.setIcon(QIcon(badged_thumbnail(thumb, colour)))
        self.setVisible(self.count() > 0)

    def clear(self) -> None:
        super().clear()
        self.hide()

    def _items(self) -> list[QListWidgetItem]:
        return [item for i in range(self.count()) if (item := self.item(i)) is not None]
