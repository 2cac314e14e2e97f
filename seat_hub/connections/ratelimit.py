"""Flood control: per connection, per address, and for failed logins.

Pure values and arithmetic, with the time passed in, so tests need no clock.

- ``FloodGuard``, per connection: a connection may send ``rate`` messages a
  second with bursts of ``burst``. A message over the limit is dropped (the
  sender hears ``rate_limited`` at most once a second); a sender who keeps
  going past ``strikes`` dropped messages (which heal at ``rate / 5`` a
  second) is cut off.
- ``AddressLimits``, per remote address: how many connections it holds open
  at once, and how many queue joins it makes a minute (a token bucket of a
  minute's joins). A limit of 0 is no limit.
- ``LoginThrottle``, per key (an address, or a seat or kiosk id): ``failures``
  failed logins within ``window_s`` lock the key for ``lockout_s``, doubling
  with each lockout in a row up to ``lockout_max_s``. A locked key's logins
  are refused without looking at the token. Addresses a seat last logged in
  from (``remember``) are not held out by that seat's lockout, so a stranger
  who knows a seat id cannot lock its agent out.

Memory stays bounded: records that hold nothing (no open connection, a full
bucket, no failures in the window) are dropped whenever the table has doubled
since the last sweep, so a flood of addresses costs at most what it holds open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Generic, Literal, TypeVar

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


#: A table is swept when it grew to twice its size after the last sweep (and at least this).
_SWEEP_AT_LEAST: Final = 1024

R = TypeVar("R")


@dataclass(slots=True)
class _Table(Generic[R]):
    """Records by key, swept of those ``idle`` says hold nothing once the table doubled."""

    idle: Callable[[R, float], bool]
    records: dict[str, R] = field(default_factory=dict)
    sweep_at: int = _SWEEP_AT_LEAST

    def get(self, key: str) -> R | None:
        return self.records.get(key)

    def put(self, key: str, record: R, now: float) -> None:
        self.records[key] = record
        if len(self.records) >= self.sweep_at:
            self.sweep(now)

    def sweep(self, now: float) -> None:
        for key in [k for k, r in self.records.items() if self.idle(r, now)]:
            del self.records[key]
        self.sweep_at = max(_SWEEP_AT_LEAST, 2 * len(self.records))

    def __len__(self) -> int:
        return len(self.records)


@dataclass(slots=True)
class _AddressRecord:
    connections: int = 0
    joins: TokenBucket | None = None


class AddressLimits:
    """Open connections and queue joins per remote address (0: that limit is off)."""

    def __init__(self, max_connections: int, joins_per_minute: int) -> None:
        self.max_connections = max_connections
        self.joins_per_minute = joins_per_minute
        self._table: _Table[_AddressRecord] = _Table(self._idle)

    def __len__(self) -> int:
        """Addresses tracked now (for the memory bound's tests)."""
        return len(self._table)

    def connection_opened(self, address: str, now: float) -> bool:
        """Count a new connection from ``address``; False (and not counted) when it
        already holds ``max_connections``."""
        record = self._record(address, now)
        if self.max_connections and record.connections >= self.max_connections:
            return False
        record.connections += 1
        return True

    def connection_closed(self, address: str) -> None:
        record = self._table.get(address)
        if record is not None and record.connections > 0:
            record.connections -= 1

    def connections(self, address: str) -> int:
        record = self._table.get(address)
        return 0 if record is None else record.connections

    def join(self, address: str, now: float) -> bool:
        """May ``address`` join the queue once more now? (Spends one join if so.)"""
        if not self.joins_per_minute:
            return True
        record = self._record(address, now)
        if record.joins is None:
            per_minute = float(self.joins_per_minute)
            record.joins = TokenBucket.full(per_minute / 60.0, per_minute, now)
        return record.joins.take(now)

    def _record(self, address: str, now: float) -> _AddressRecord:
        record = self._table.get(address)
        if record is None:
            record = _AddressRecord()
            self._table.put(address, record, now)
        return record

    @staticmethod
    def _idle(record: _AddressRecord, now: float) -> bool:
        if record.connections:
            return False
        joins = record.joins
        return joins is None or joins.tokens + (now - joins.updated_at) * joins.rate >= (
            joins.capacity
        )


@dataclass(slots=True)
class _Failures:
    window_start: float
    count: int = 0
    locked_until: float = 0.0
    lockouts: int = 0


class LoginThrottle:
    """Failed logins per key and the lockouts they earn (see the module's docstring)."""

    #: Addresses remembered per key as where it last logged in from.
    KNOWN_ADDRESSES: Final = 4

    def __init__(
        self, failures: int, window_s: float, lockout_s: float, lockout_max_s: float
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.lockout_max_s = max(lockout_s, lockout_max_s)
        self._table: _Table[_Failures] = _Table(self._idle)
        self._known: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._table)

    def locked_for(self, key: str, now: float, address: str = "") -> float:
        """Seconds ``key`` stays locked (0: not locked, or ``address`` is one it is known at)."""
        record = self._table.get(key)
        if record is None or record.locked_until <= now:
            return 0.0
        if address and address in self._known.get(key, ()):
            return 0.0
        return record.locked_until - now

    def failed(self, key: str, now: float) -> float:
        """Count a failed login; the lockout it starts in seconds (0: none yet)."""
        if self.failures <= 0:
            return 0.0
        record = self._table.get(key)
        if record is None:
            record = _Failures(window_start=now)
            self._table.put(key, record, now)
        if now - record.window_start > self.window_s:
            record.window_start = now
            record.count = 0
            if now - record.locked_until > self.window_s:
                record.lockouts = 0  # a quiet window forgives the earlier lockouts
        record.count += 1
        if record.count < self.failures:
            return 0.0
        record.lockouts += 1
        lockout = min(self.lockout_s * 2.0 ** min(record.lockouts - 1, 60), self.lockout_max_s)
        record.locked_until = now + lockout
        record.count = 0
        record.window_start = now
        return lockout

    def succeeded(self, key: str, address: str = "") -> None:
        """A good login for ``key``: its failures so far are forgotten (a lockout running
        stays for the others) and ``address`` is known."""
        record = self._table.get(key)
        if record is not None:
            record.count = 0
        if address:
            known = [a for a in self._known.get(key, []) if a != address]
            self._known[key] = [address, *known][: self.KNOWN_ADDRESSES]

    def _idle(self, record: _Failures, now: float) -> bool:
        return (
            record.locked_until <= now
            and now - record.window_start > self.window_s
            and now - record.locked_until > self.window_s
        )
