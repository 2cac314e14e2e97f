"""The status strip at the bottom: seat state, mode, passing messages, hub connection, clock.

The state and mode boxes show what the hub says; choosing another entry
emits an intent (``state_chosen(state, reason)``, ``mode_chosen(mode)``),
and the box follows only when the hub confirms. Colours always come with
words, for colour-blind staff.

While a supervisor watches the call, ``watch_badge`` says so and who it is
(``show_watch``), and louder while the supervisor barges in: an agent is
never watched without knowing.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import QSignalBlocker, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy, QWidget

from seat_client.call.hub_link import LinkState
from seat_common import protocol
from seat_common.tls import TlsFailure
from ui.labels import (
    STATE_COLOURS,
    PlainLabel,
    away_reason_label,
    mode_label,
    plain_tip,
    state_label,
    tls_failure_label,
)

#: What the state box offers: (state sent to the hub, away reason).
STATE_CHOICES: tuple[tuple[str, protocol.AwayReason], ...] = (
    ("ready", ""),
    ("away", "break"),
    ("away", "meeting"),
    ("away", "training"),
)


class StatusStrip(QWidget):
    """State box, mode box, connection light and clock in one row."""

    state_chosen = pyqtSignal(str, str)
    mode_chosen = pyqtSignal(str)
    message_shown = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_badge = PlainLabel(self)
        self.state_badge.setObjectName("stateBadge")
        self.state_box = QComboBox(self)
        self.state_box.setPlaceholderText(self.tr("Change state…"))
        self.state_box.addItem(self.tr("Ready (F9)"), ("ready", ""))
        for state, reason in STATE_CHOICES[1:]:
            self.state_box.addItem(
                self.tr("Away: %1").replace("%1", away_reason_label(reason)), (state, reason)
            )
        self.mode_box = QComboBox(self)
        for mode in ("video", "counter", "combined"):
            self.mode_box.addItem(mode_label(mode), mode)
        self.message = PlainLabel(self)
        self.message.setObjectName("stripMessage")
        self.message.setMinimumWidth(40)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self.watch_badge = PlainLabel(self)
        self.watch_badge.setObjectName("watchBadge")
        self.watch_badge.hide()
        self.connection = PlainLabel(self)
        self.connection.setTextFormat(Qt.TextFormat.RichText)  # a coloured dot of ours
        self.clock = PlainLabel(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(PlainLabel(self.tr("State"), self))
        row.addWidget(self.state_badge)
        row.addWidget(self.state_box)
        row.addSpacing(12)
        row.addWidget(PlainLabel(self.tr("Mode"), self))
        row.addWidget(self.mode_box)
        row.addSpacing(16)
        row.addWidget(self.message, 1)
        row.addWidget(self.watch_badge)
        row.addSpacing(12)
        row.addWidget(self.connection)
        row.addSpacing(12)
        row.addWidget(self.clock)
        self._since = time.monotonic()
        self._presence = protocol.Presence(state="offline", mode="video")
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._connect_signals()
        self._timer.start()
        self.show_presence(self._presence)
        self.show_link(LinkState.CONNECTING)

    def _connect_signals(self) -> None:
        self.state_box.activated.connect(self._on_state_box_activated)
        self.mode_box.activated.connect(self._on_mode_box_activated)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._message_timer.timeout.connect(self.message.clear)

    def show_presence(self, presence: protocol.Presence) -> None:
        if presence.state != self._presence.state or presence.reason != self._presence.reason:
            self._since = time.monotonic()
        self._presence = presence
        colour = STATE_COLOURS[presence.state]
        self.state_badge.setStyleSheet(
            f"background:{colour};color:white;border-radius:3px;padding:1px 8px;"
        )
        with QSignalBlocker(self.state_box):
            # Offline, ringing, on call, wrap-up: none of the choices holds, so show none.
            choice = (presence.state, presence.reason)
            matches = [i for i in range(self.state_box.count())
                       if tuple(self.state_box.itemData(i)) == choice]
            self.state_box.setCurrentIndex(matches[0] if matches else -1)
        with QSignalBlocker(self.mode_box):
            self.mode_box.setCurrentIndex(self.mode_box.findData(presence.mode))
        self._on_timer_timeout()

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A passing message (the hub's answers, notices) between the mode and the lights."""
        self.message.setText(text)
        self.message.setToolTip(plain_tip(text))
        self._message_timer.start(timeout_ms)
        self.message_shown.emit(text)

    def show_watch(self, state: protocol.WatchState | None) -> None:
        """Show that (and by whom) this call is watched or barged into; hide when not."""
        if state is None or state.phase == "ended":
            self.watch_badge.hide()
            self.watch_badge.clear()
            return
        name = f"{state.supervisor_name}（{state.supervisor_id}）"
        if state.phase == "joined":
            text, colour = self.tr("Supervisor %1 joined this call").replace("%1", name), (
                "#b3261e")
        elif state.phase == "barging":
            text, colour = self.tr("Supervisor %1 is talking in this call").replace("%1", name), (
                "#b3261e")
        else:
            text, colour = self.tr("Supervisor %1 is watching this call").replace("%1", name), (
                "#8250df")
        self.watch_badge.setText(f"◉ {text}")
        self.watch_badge.setToolTip(text)
        self.watch_badge.setStyleSheet(
            f"background:{colour};color:white;border-radius:3px;padding:1px 8px;"
            "font-weight:bold;"
        )
        self.watch_badge.show()

    def show_link(self, state: LinkState, tls_failure: TlsFailure | None = None) -> None:
        """The connection light; with ``UNTRUSTED``, why the hub's certificate was refused
        (its tool tip gives OpenSSL's words, for support)."""
        text, colour = {
            LinkState.CONNECTING: (self.tr("Connecting…"), "#bf8700"),
            LinkState.CONNECTED: (self.tr("Connected"), "#1a7f37"),
            LinkState.DISCONNECTED: (self.tr("Network down, reconnecting…"), "#b3261e"),
            LinkState.UNTRUSTED: (self.tr("Certificate refused, retrying"), "#b3261e"),
            LinkState.REFUSED: (self.tr("Login refused"), "#b3261e"),
            LinkState.STOPPED: (self.tr("Stopped"), "#6e7781"),
        }[state]
        self.connection.setText(f'<span style="color:{colour}">●</span> {text}')
        tip = ""
        if state is LinkState.UNTRUSTED:
            tip = tls_failure_label(tls_failure)
            if tls_failure is not None:
                tip += f"\n{tls_failure.detail}"
        self.connection.setToolTip(tip)

    def _on_timer_timeout(self) -> None:
        presence = self._presence
        label = state_label(presence.state)
        if presence.reason:
            label += f"·{away_reason_label(presence.reason)}"
        minutes, seconds = divmod(int(time.monotonic() - self._since), 60)
        self.state_badge.setText(f"{label} {minutes:02d}:{seconds:02d}")
        self.clock.setText(time.strftime("%H:%M"))

    def _on_state_box_activated(self, index: int) -> None:
        state, reason = self.state_box.itemData(index)
        self.state_chosen.emit(state, reason)

    def _on_mode_box_activated(self, index: int) -> None:
        self.mode_chosen.emit(self.mode_box.itemData(index))
