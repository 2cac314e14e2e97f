"""The registration panel: the materials the answers call for, and the licence once issued."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from seat_client.plugin_api import PluginContext

if TYPE_CHECKING:
    from plugins.business_registration import BusinessRegistration


class RegistrationPanel(QWidget):
    def __init__(self, plugin: BusinessRegistration, context: PluginContext,
                 parent: Any) -> None:
        super().__init__(parent)
        self._plugin = plugin
        self._context = context
        self._reg = plugin.registration(context)
        self.licence = QLabel()
        self.licence.setTextFormat(Qt.TextFormat.PlainText)  # the government API's words
        self.licence.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.licence)
        layout.addStretch(1)
        self._reg.listeners.append(self.refresh)
        self.destroyed.connect(lambda: self._reg.listeners.clear())
        self.refresh()

    def refresh(self) -> None:
        r = self._reg
        if r.licence_no:
            self.licence.setText(self.tr("Registered on {0}\nUnified social credit code: {1}\n"
                                         "Licence PDF: {2}").format(
                r.registered_on, r.licence_no, r.printout))
        else:
            self.licence.setText(self.tr("Answer the scenario questions, fill in the form, "
                                         "then register."))
