"""Tells the user about background work that failed: the one place every failure shows.

Background work in Seat runs on ``TaskOwner``s (``seat_common.tasks``); each part of a
program gets a child of its composition root's owner, so every failure reaches the root's
``failed``. ``FailureNotice`` follows that owner and turns each ``TaskFailure`` into a
sentence for the person at the screen, shown through the ``show`` it is given (the
agent's status strip, the seat wall's result line): "<what> failed: <why>", or, when the
hub link was down, that the hub is not connected and to try again shortly.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QCoreApplication

from seat_client.call.hub_link import NotConnectedError
from seat_common.tasks import TaskFailure, TaskOwner

translate = QCoreApplication.translate


class FailureNotice:
    """Shows every failure of ``owner`` (and of its children) through ``show``."""

    def __init__(self, owner: TaskOwner, show: Callable[[str], None]) -> None:
        self._show = show
        self._unsubscribe = owner.failed.connect(self._on_owner_failed)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_owner_failed(self, failure: TaskFailure) -> None:
        self._show(failure_text(failure))


def failure_text(failure: TaskFailure) -> str:
    """What the user reads about ``failure``."""
    if isinstance(failure.error, NotConnectedError):
        return translate("FailureNotice", "Not connected to the hub; try again shortly")
    return (translate("FailureNotice", "%1 failed: %2").replace("%1", failure.name)
            .replace("%2", str(failure.error) or type(failure.error).__name__))
