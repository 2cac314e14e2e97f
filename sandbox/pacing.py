"""Paces synthetic media tracks: one frame slot after another, at a fixed rate, in real time.

A track that falls behind (a busy machine) skips the missed slots instead of
sending a burst of late frames, as a real camera or microphone would.
"""

from __future__ import annotations

import asyncio
import time


class FramePacer:
    """Hands out frame slot numbers no sooner than they are due."""

    def __init__(self, rate_hz: float, *, max_lag_slots: float = 2.0) -> None:
        self.rate_hz = rate_hz
        self.max_lag_slots = max_lag_slots
        self._start: float | None = None
        self.index = 0

    async def next_slot(self) -> int:
        """Wait until the next slot is due and return its number (0 for the first)."""
        now = time.monotonic()
        if self._start is None:
            self._start = now
            return self.index
        self.index += 1
        due = self._start + self.index / self.rate_hz
        if now - due > self.max_lag_slots / self.rate_hz:
            self.index = int((now - self._start) * self.rate_hz)  # fell behind: skip
        elif due > now:
            await asyncio.sleep(due - now)
        return self.index
