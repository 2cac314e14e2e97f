"""The chat pane: the call's text messages both ways, and a line to type into.

Enter sends; the transcript shows who said what and when. Cleared when a
new call starts, disabled outside a call.
"""

from __future__ import annotations

import html
import time

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from seat_common import protocol


class ChatPane(QWidget):
    """Transcript above, input below. Emits ``send_requested(text)``."""

    send_requested = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript = QTextBrowser(self)
        self.transcript.setOpenLinks(False)
        self.input = QLineEdit(self)
        self.input.setPlaceholderText(self.tr("Type a message, Enter to send"))
        self.input.setMaxLength(2000)
        self.send_button = QPushButton(self.tr("Send"), self)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.transcript, 1)
        layout.addLayout(row)
        self.sent_count = 0
        self.received_count = 0
        self._connect_signals()
        self.set_in_call(False)

    def _connect_signals(self) -> None:
        self.input.returnPressed.connect(self._on_input_submitted)
        self.send_button.clicked.connect(self._on_input_submitted)

    def set_in_call(self, in_call: bool) -> None:
        self.input.setEnabled(in_call)
        self.send_button.setEnabled(in_call)

    def clear(self) -> None:
        self.transcript.clear()
        self.sent_count = 0
        self.received_count = 0

    def add_message(self, message: protocol.ChatMessage) -> None:
        mine = message.sender_role == "agent"
        if mine:
            self.sent_count += 1
        else:
            self.received_count += 1
        who = self.tr("Me") if mine else html.escape(message.sender_name or self.tr("Citizen"))
        colour = "#0969da" if mine else "#1a7f37"
        stamp = time.strftime("%H:%M:%S", time.localtime(message.sent_at))
        self.transcript.append(
            f'<p style="margin:2px 0"><span style="color:{colour};font-weight:600">{who}</span>'
            f' <span style="color:#6e7781">{stamp}</span><br>{html.escape(message.text)}</p>'
        )

    def _on_input_submitted(self) -> None:
        text = self.input.text().strip()
        if text:
            self.send_requested.emit(text)
            self.input.clear()
