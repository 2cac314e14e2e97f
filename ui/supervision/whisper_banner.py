"""A slim banner on the agent's workstation showing the supervisor's latest whisper.

Hidden until a whisper arrives; shows who sent it, when, and the text, with
a button that marks it read and hides the banner. Only this agent sees it
(the hub sends whispers to this seat's connection alone).
"""

from __future__ import annotations

import time

from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from seat_client.supervision.whisper_inbox import WhisperInbox
from seat_common import protocol
from ui.labels import PlainLabel


class WhisperBanner(QWidget):
    """Shows ``inbox``'s newest whisper until the agent dismisses it."""

    def __init__(self, inbox: WhisperInbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("whisperBanner")
        self._inbox = inbox
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = PlainLabel(self)
        self.text.setObjectName("whisperText")
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.dismiss = QPushButton(self.tr("Got it"), self)
        layout.addWidget(self.dismiss)
        self.setStyleSheet(
            "#whisperBanner { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; }"
        )
        self.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._inbox.received.connect(self._on_inbox_received)
        self.dismiss.clicked.connect(self._on_dismiss_clicked)

    def _on_inbox_received(self, message: protocol.WhisperMessage) -> None:
        stamp = time.strftime("%H:%M", time.localtime(message.sent_at))
        self.text.setText(
            self.tr("Supervisor %1 (%2): %3")
            .replace("%1", message.supervisor_name)
            .replace("%2", stamp)
            .replace("%3", message.text)
        )
        self.show()

    def _on_dismiss_clicked(self) -> None:
        self._inbox.mark_read()
        self.hide()
