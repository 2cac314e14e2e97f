"""The recording light in the status bar: the agent sees when a call is recorded, and why not.

``RecordingIndicator`` follows a ``RecordingDesk``: "● Recording" while a
call is recorded; for a while after the call, that the recording was saved
(and how long it is) or that it failed and why. Hidden otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QLabel, QWidget

from seat_client.recording.archive import ArchivedRecording
from seat_client.recording.desk import RecordingDesk, RecordingFailure
from ui.labels import plain_tip
from ui.recording.player import clock

#: How long "saved" and "failed" stay up (ms).
_SAVED_MS = 6_000
_FAILED_MS = 15_000


class RecordingIndicator(QLabel):
    """A status-bar label for ``desk``."""

    def __init__(self, desk: RecordingDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingIndicator")
        self._desk = desk
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._unsubscribe: list[Callable[[], None]] = []
        self.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._expiry.timeout.connect(self._on_expiry_timeout)
        self._unsubscribe += [
            self._desk.recording_started.connect(self._on_desk_recording_started),
            self._desk.recording_saved.connect(self._on_desk_recording_saved),
            self._desk.recording_failed.connect(self._on_desk_recording_failed),
        ]

    def detach(self) -> None:
        """Stop following the desk (before the window goes)."""
        for undo in self._unsubscribe:
            undo()
        self._unsubscribe.clear()

    def _show(self, text: str, colour: str, timeout_ms: int = 0) -> None:
        self.setText(text)
        self.setStyleSheet(f"color: {colour}; font-weight: 600; padding: 0 6px;")
        self.show()
        if timeout_ms:
            self._expiry.start(timeout_ms)
        else:
            self._expiry.stop()

    def _on_desk_recording_started(self, _work_order_id: str) -> None:
        self._show(self.tr("● Recording"), "#cf222e")

    def _on_desk_recording_saved(self, entry: ArchivedRecording) -> None:
        text = self.tr("Recording saved (%1)").replace("%1", clock(entry.duration_s))
        self._show(text, "#1a7f37", _SAVED_MS)

    def _on_desk_recording_failed(self, failure: RecordingFailure) -> None:
        self.setToolTip(plain_tip(failure.reason))
        self._show(self.tr("Recording failed: %1").replace("%1", failure.reason[:80]),
                   "#cf222e", _FAILED_MS)

    def _on_expiry_timeout(self) -> None:
        if self._desk.recording:
            self._on_desk_recording_started(self._desk.recording)
        else:
            self.hide()
