"""Per-connection flood control: a token bucket, and when to give up on a sender.

Pure values and arithmetic, with the time passed in, so tests need no clock.
A connection may send ``rate`` messages a second with bursts of ``burst``.
A message over the limit is dropped (the sender hears ``rate_limited`` at
most once a second); a sender who keeps going past ``strikes`` dropped
messages (which heal at ``rate / 5`` a second) is cut off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["accept", "drop_and_warn", "drop", "cut_off"]


@dataclass(slots=True)
class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; ``take`` spends one."""

    rate: float
    capacity: float
    tokens: float
    updated_at: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        return cls(rate=rate, capacity=capacity, tokens=capacity, updated_at=now)

    def take(self, now: float) -> bool:
        """Spend a token if there is one."""
        elapsed = max(0.0, now - self.updated_at)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated_at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(slots=True)
class FloodGuard:
    """Decides, message by message, what to do with one connection's input."""

    messages: TokenBucket
    strikes: TokenBucket
    warned_at: float | None = None

    @classmethod
    def create(
        cls, now: float, rate: float = 50.0, burst: float = 100.0, strikes: float = 100.0
    ) -> FloodGuard:
        return cls(
            messages=TokenBucket.full(rate, burst, now),
            strikes=TokenBucket.full(rate / 5, strikes, now),
        )

    def check(self, now: float) -> Verdict:
        """What to do with a message arriving at ``now``."""
        if self.messages.take(now):
            return "accept"
        if not self.strikes.take(now):
            return "cut_off"
        if self.warned_at is None or now - self.warned_at >= 1.0:
            self.warned_at = now
            return "drop_and_warn"
        return "drop"
