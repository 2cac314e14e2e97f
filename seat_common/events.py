"""A small typed event: the core's way to say "this changed" without knowing about Qt.

Models in ``seat_client`` own ``Event`` attributes; the UI subscribes and
turns them into repaints. A failing subscriber is logged and does not stop
the others, so one broken pane cannot take the call down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class Event(Generic[T]):
    """Subscribers get every emitted value, in subscription order."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[], None]:
        """Subscribe; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def disconnect() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return disconnect

    @property
    def connected(self) -> bool:
        """Whether anyone is subscribed (an emitter may skip preparing the value)."""
        return bool(self._subscribers)

    def emit(self, value: T) -> None:
        for callback in list(self._subscribers):
            try:
                callback(value)
            except Exception:
                log.exception("event subscriber %r failed", callback)
