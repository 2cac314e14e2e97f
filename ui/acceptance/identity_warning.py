"""The identity warning (申请人身份核对) of the form pane: shown when the applicant's ID number
on the form differs from the caller's as the channel knows it (the kiosk's card read, or
the masked number given when queuing). The agent must tick the confirmation before the
desk takes the submit; both numbers are shown masked.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QFrame, QVBoxLayout, QWidget

from seat_client.acceptance.identity import CallerSource, IdentityMismatch
from ui.labels import PlainLabel


class IdentityWarning(QFrame):
    """The mismatch, if any, and the agent's confirmation. Emits ``confirmation_toggled(bool)``
    when the agent ticks or unticks the box."""

    confirmation_toggled = pyqtSignal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityWarning")
        self.text = PlainLabel(self)
        self.text.setWordWrap(True)
        self.confirm = QCheckBox(
            self.tr("Checked with the caller: apply on behalf of someone else"), self)
        self.confirm.setObjectName("confirmIdentity")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text)
        layout.addWidget(self.confirm)
        self.confirm.toggled.connect(self._on_confirm_toggled)
        self.setVisible(False)

    def show_mismatch(self, mismatch: IdentityMismatch | None, confirmed: bool) -> None:
        """Show the mismatch (or hide, if none) and whether the agent confirmed it."""
        self.setVisible(mismatch is not None)
        if mismatch is None:
            return
        self.text.setText(
            self.tr("The applicant's ID number %1 differs from the caller's (%2) %3. "
                    "Apply on behalf of someone else?")
            .replace("%1", mismatch.applicant_shown)
            .replace("%2", self._source_name(mismatch.caller.source))
            .replace("%3", mismatch.caller.shown()))
        self.confirm.blockSignals(True)
        self.confirm.setChecked(confirmed)
        self.confirm.blockSignals(False)
        if self.property("confirmed") != confirmed:
            self.setProperty("confirmed", confirmed)
            style = self.style()
            if style is not None:
                for w in (self, *self.findChildren(QWidget)):
                    style.unpolish(w)
                    style.polish(w)

    def _source_name(self, source: CallerSource) -> str:
        return {"kiosk_card": self.tr("kiosk ID-card read"),
                "queue": self.tr("ID number given when queuing")}[source]

    def _on_confirm_toggled(self, checked: bool) -> None:
        self.confirmation_toggled.emit(checked)
