"""The ringing banner: an incoming citizen that is impossible to miss.

Shows item, channel, priority, the masked citizen and a countdown, with
Accept (F2) and Decline (F3). The item takes the whole first line and wraps; the
citizen, the countdown and the buttons share the second. The main window adds the ring sound and the
taskbar flash.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from seat_common import protocol
from ui.labels import PlainLabel, channel_label, needs_label


class OfferBanner(QFrame):
    """Hidden unless a call is ringing. Emits ``accept_requested`` / ``decline_requested``."""

    accept_requested = pyqtSignal()
    decline_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offerBanner")
        self.title = PlainLabel(self)
        self.title.setObjectName("offerTitle")
        # The catalog's longest item with a priority tag is ~30 characters at 15 pt: it
        # wraps onto a second line instead of widening the column beside the work panel.
        self.title.setWordWrap(True)
        self.details = PlainLabel(self)
        self.details.setWordWrap(True)
        #: a transferred call: who hands it on, their note, and what comes with it
        self.transfer_note = PlainLabel(self)
        self.transfer_note.setObjectName("offerTransferNote")
        self.transfer_note.setWordWrap(True)
        self.transfer_note.hide()
        self.countdown = PlainLabel(self)
        self.countdown.setObjectName("offerCountdown")
        self.accept_button = QPushButton(self.tr("Accept (F2)"), self)
        self.accept_button.setObjectName("accept")
        self.accept_button.setShortcut(QKeySequence("F2"))
        self.decline_button = QPushButton(self.tr("Decline (F3)"), self)
        self.decline_button.setShortcut(QKeySequence("F3"))
        row = QHBoxLayout()
        row.addWidget(self.details, 1)
        row.addWidget(self.countdown)
        row.addWidget(self.accept_button)
        row.addWidget(self.decline_button)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(self.transfer_note)
        column.addLayout(row)
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._connect_signals()
        self.hide()

    def _connect_signals(self) -> None:
        self.accept_button.clicked.connect(self.accept_requested)
        self.decline_button.clicked.connect(self.decline_requested)
        self._timer.timeout.connect(self._on_timer_timeout)

    def show_offer(self, offer: protocol.Offer | None) -> None:
        if offer is None:
            self._timer.stop()
            self.hide()
            return
        priority = needs_label(offer.priority, offer.priority_check, offer.large_text)
        badge = f"【{priority}】" if priority else ""
        self.title.setText(f"{badge}{offer.item_name}")
        who = offer.citizen.name or self.tr("Citizen")
        media = self.tr("video") if offer.media == "video" else self.tr("audio only")
        self.details.setText(f"{who} · {channel_label(offer.channel)} · {media}")
        self._show_transfer(offer.transfer[0] if offer.transfer else None)
        self._deadline = time.monotonic() + offer.ring_timeout_s
        self._on_timer_timeout()
        self._timer.start()
        self.show()
        self.accept_button.setFocus()

    def _show_transfer(self, info: protocol.TransferInfo | None) -> None:
        if info is None:
            self.transfer_note.hide()
            return
        note = info.note or self.tr("(no note)")
        carried = self.tr("%1 materials, %2 pre-review verdicts, %3 chat lines").replace(
            "%1", str(len(info.materials))).replace("%2", str(len(info.verdicts))).replace(
            "%3", str(len(info.chat)))
        self.transfer_note.setText(
            self.tr("Transferred from %1: %2").replace("%1", info.from_name).replace("%2", note)
            + f"\n{carried}")
        self.transfer_note.show()

    def _on_timer_timeout(self) -> None:
        left = max(0, round(self._deadline - time.monotonic()))
        self.countdown.setText(self.tr("%1 s").replace("%1", str(left)))
