"""The waiting citizens this agent can serve, as the hub last reported them.

Plain Python with a change event; the queue pane's Qt model adapts it.
Entries arrive already masked by the hub. Wait times are computed from the
hub's ``queued_at`` against the local clock, so the pane can tick them; so is
what is left of a lost link's kept place (``link_lost_until``). A citizen whose
link dropped keeps their row where the hub puts it: they are not skipped in the
order, only not offered until they come back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from seat_common import protocol
from seat_common.events import Event

PRIORITY_RANK: dict[protocol.Priority, int] = {"elderly": 0, "disabled": 0, "normal": 1}


class QueueModel:
    """Ordered as the hub routes: priority citizens first, then longest waiting."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.entries: tuple[protocol.QueueEntry, ...] = ()
        self.changed: Event[None] = Event()

    def replace(self, entries: Sequence[protocol.QueueEntry]) -> None:
        ordered = tuple(
            sorted(entries, key=lambda e: (PRIORITY_RANK[e.priority], e.queued_at))
        )
        if ordered != self.entries:
            self.entries = ordered
            self.changed.emit(None)

    def clear(self) -> None:
        self.replace(())

    def wait_seconds(self, entry: protocol.QueueEntry) -> float:
        return max(0.0, self._clock() - entry.queued_at)

    def longest_wait_seconds(self) -> float:
        return max((self.wait_seconds(e) for e in self.entries), default=0.0)

    def link_lost_seconds_left(self, entry: protocol.QueueEntry) -> float | None:
        """How long the hub still keeps the place of a citizen whose link dropped (0 once
        it is over, until the hub's next snapshot drops them); None while connected."""
        if not entry.link_lost_until:
            return None
        return max(0.0, entry.link_lost_until - self._clock())

    def link_lost_count(self) -> int:
        """Entries whose citizen's link is lost (listed, but not offered now)."""
        return sum(1 for e in self.entries if e.link_lost_until)
