"""The checklist: each required material of the item, marked accepted / to correct / missing.

One row per checklist material (from the catalog): its name, how many
images show it, three status buttons, and — when "to correct" — a reason
code (from ``seat_common/resources/review_reasons.json``) and a free-text note.
Shows the ``ReviewSession``'s marks and calls ``ReviewSession.mark`` (the
model emits the change; this widget follows it).
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.materials.values import VerdictStatus
from seat_client.review.certificates import VERIFIED_SOURCE
from seat_client.review.session import ReviewChange, ReviewSession
from ui.labels import PlainLabel

translate = QCoreApplication.translate

STATUSES: tuple[VerdictStatus, ...] = ("accepted", "to_correct", "missing")


def status_label(status: str) -> str:
    return {
        "": translate("review", "Not reviewed"),
        "accepted": translate("review", "Accepted"),
        "to_correct": translate("review", "To correct"),
        "missing": translate("review", "Missing"),
    }.get(status, status)


class ChecklistRow(QFrame):
    """One checklist material."""

    def __init__(self, session: ReviewSession, code: str, name: str, required: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistRow")
        self.session = session
        self.code = code
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        title = name if required else self.tr("%1 (optional)").replace("%1", name)
        self.name = PlainLabel(title, self)
        self.name.setWordWrap(True)
        self.name.setObjectName("checklistName")
        self.images = PlainLabel(self)
        self.images.setObjectName("checklistImages")
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.images, 0, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for status in STATUSES:
            button = QToolButton(self)
            button.setText(status_label(status))
            button.setCheckable(True)
            button.setObjectName(f"status_{status}")
            button.clicked.connect(lambda _=False, s=status: self._on_status(s))
            self.group.addButton(button)
            self.buttons[status] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 1, 0, 1, 2)
        self.reason = QComboBox(self)
        self.reason.addItem(self.tr("Reason…"), "")
        for r in session.reasons:
            self.reason.addItem(r.name, r.code)
        self.reason.activated.connect(lambda _: self._on_status("to_correct"))
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Note for the citizen"))
        self.note.editingFinished.connect(self._on_note)
        # Each on its own line across the row: side by side in the narrow checklist
        # column, a note like "请在灯光下重新拍摄" showed only its last characters.
        self.note.textChanged.connect(self.note.setToolTip)
        grid.addWidget(self.reason, 2, 0, 1, 2)
        grid.addWidget(self.note, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.refresh()

    def _on_status(self, status: VerdictStatus) -> None:
        reason = str(self.reason.currentData() or "")
        if status == "to_correct" and not reason:
            # A correction needs a reason: open the list instead of marking half a verdict.
            self.buttons["to_correct"].setChecked(False)
            self.reason.setVisible(True)
            self.note.setVisible(True)
            self.reason.showPopup()
            self.refresh()
            return
        self.session.mark(self.code, status, reason, self.note.text())

    def _on_note(self) -> None:
        mark = self.session.marks[self.code]
        if mark.status and mark.note != self.note.text().strip():
            self.session.mark(self.code, mark.status, mark.reason_code, self.note.text())

    def refresh(self) -> None:
        mark = self.session.marks[self.code]
        self.group.setExclusive(False)
        for status, button in self.buttons.items():
            button.setChecked(status == mark.status)
        self.group.setExclusive(True)
        count = len(self.session.images_for(self.code))
        verified = self.session.certificates.get(self.code)
        if verified is not None:  # a certificate from the library: no photo to pre-review
            self.images.setText(self.tr("Source checked: %1").replace("%1", VERIFIED_SOURCE))
            self.images.setToolTip(verified.note())
        else:
            self.images.setText(self.tr("Images: %1").replace("%1", str(count)) if count
                                else self.tr("No image yet"))
            self.images.setToolTip("")
        self.images.setProperty("verified", verified is not None)
        correcting = mark.status == "to_correct"
        if mark.reason_code:
            self.reason.setCurrentIndex(max(0, self.reason.findData(mark.reason_code)))
        self.reason.setVisible(correcting or self.reason.isVisible())
        self.note.setVisible(correcting or mark.status == "missing" or self.note.isVisible())
        if self.note.text() != mark.note and not self.note.hasFocus():
            self.note.setText(mark.note)
            self.note.setCursorPosition(0)  # a long note reads from its start; whole on hover
        self.setProperty("status", mark.status or "none")
        style = self.style()
        if style is not None:  # re-read the style sheet's [status=...] rules
            style.unpolish(self)
            style.polish(self)


class ChecklistWidget(QWidget):
    """All checklist rows of one review session, following its changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, ChecklistRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._unsubscribe: Callable[[], None] | None = None
        self.session: ReviewSession | None = None

    def set_session(self, session: ReviewSession | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for row in self.rows.values():
            row.deleteLater()
        self.rows.clear()
        while self._layout.count():
            self._layout.takeAt(0)
        self.session = session
        if session is None:
            return
        for material in session.checklist:
            row = ChecklistRow(session, material.code, material.name, material.required, self)
            self.rows[material.code] = row
            self._layout.addWidget(row)
        self._layout.addStretch(1)
        self._unsubscribe = session.changed.connect(self._on_session_changed)

    def _on_session_changed(self, change: ReviewChange) -> None:
        if change in ("marks", "materials"):
            for row in self.rows.values():
                row.refresh()
