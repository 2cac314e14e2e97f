"""The agent's side of a supervisor's whisper: private messages from the supervisor.

``WhisperInbox.apply`` takes every message from the hub link and keeps the
``WhisperMessage`` ones (the hub sends them to this agent's connection
only), newest last, at most ``limit``. ``unread`` counts those not yet
marked read. Events: ``received`` (each new whisper), ``read`` (the unread
count went to zero).
"""

from __future__ import annotations

from seat_common import protocol
from seat_common.events import Event


class WhisperInbox:
    """The supervisor's whispers to this seat."""

    def __init__(self, limit: int = 50) -> None:
        self.limit = limit
        self.messages: list[protocol.WhisperMessage] = []
        self.unread = 0
        self.received: Event[protocol.WhisperMessage] = Event()
        self.read: Event[None] = Event()

    def apply(self, message: protocol.Message) -> None:
        if not isinstance(message, protocol.WhisperMessage):
            return
        self.messages.append(message)
        del self.messages[: -self.limit]
        self.unread += 1
        self.received.emit(message)

    def latest(self) -> protocol.WhisperMessage | None:
        return self.messages[-1] if self.messages else None

    def mark_read(self) -> None:
        if self.unread:
            self.unread = 0
            self.read.emit(None)
