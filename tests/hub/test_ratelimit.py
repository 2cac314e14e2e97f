"""Flood control: bursts pass, a steady flood is dropped with one warning a second, then cut;
per address, connections and joins are capped; failed logins lock out; the tables stay bounded."""

from __future__ import annotations

from seat_hub.connections.ratelimit import AddressLimits, FloodGuard, LoginThrottle


def test_a_burst_passes_then_excess_is_dropped_with_one_warning_a_second() -> None:
    guard = FloodGuard.create(now=0.0, rate=50, burst=100)
    assert [guard.check(0.0) for _ in range(100)] == ["accept"] * 100
    assert guard.check(0.0) == "drop_and_warn"
    assert guard.check(0.0) == "drop"
    assert guard.check(0.5) == "accept"  # 25 tokens came back
    assert guard.check(1.2) == "accept"


def test_a_sender_who_keeps_flooding_is_cut_off() -> None:
    guard = FloodGuard.create(now=0.0, rate=50, burst=100, strikes=100)
    verdicts = [guard.check(0.0) for _ in range(300)]
    assert verdicts.count("accept") == 100
    assert "cut_off" in verdicts
    assert verdicts.index("cut_off") == 200  # 100 accepted, 100 dropped, then cut off


def test_a_steady_sender_within_the_rate_is_never_dropped() -> None:
    guard = FloodGuard.create(now=0.0, rate=50, burst=100)
    assert all(guard.check(i / 40) == "accept" for i in range(2000))  # 40 a second


def test_an_address_holds_only_its_share_of_connections_and_gets_them_back() -> None:
    limits = AddressLimits(max_connections=3, joins_per_minute=0)
    assert [limits.connection_opened("10.0.0.1", 0.0) for _ in range(4)] == [True] * 3 + [False]
    assert limits.connection_opened("10.0.0.2", 0.0)  # another address has its own
    limits.connection_closed("10.0.0.1")
    assert limits.connection_opened("10.0.0.1", 1.0)
    assert limits.connections("10.0.0.1") == 3


def test_joins_per_address_are_a_minute_bucket() -> None:
    limits = AddressLimits(max_connections=0, joins_per_minute=6)
    assert [limits.join("10.0.0.1", 0.0) for _ in range(7)] == [True] * 6 + [False]
    assert limits.join("10.0.0.2", 0.0)
    assert not limits.join("10.0.0.1", 5.0)
    assert limits.join("10.0.0.1", 10.0)  # one join back every 10 s
    unlimited = AddressLimits(max_connections=0, joins_per_minute=0)
    assert all(unlimited.join("10.0.0.1", 0.0) for _ in range(1000))


def test_a_flood_of_addresses_does_not_grow_the_tables_without_bound() -> None:
    limits = AddressLimits(max_connections=5, joins_per_minute=5)
    throttle = LoginThrottle(failures=3, window_s=60, lockout_s=30, lockout_max_s=900)
    for i in range(100_000):
        address = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        now = i * 0.01  # 1,000 s in all: earlier records go quiet and are swept
        assert limits.connection_opened(address, now)
        limits.join(address, now)
        limits.connection_closed(address)
        throttle.failed(address, now)
    assert len(limits) < 20_000  # a minute's worth of addresses, not all 100,000
    assert len(throttle) < 20_000


def test_failed_logins_lock_a_key_for_a_growing_while() -> None:
    throttle = LoginThrottle(failures=3, window_s=60, lockout_s=30, lockout_max_s=100)
    assert [throttle.failed("a", 0.0) for _ in range(3)] == [0.0, 0.0, 30.0]
    assert throttle.locked_for("a", 10.0) == 20.0
    assert throttle.locked_for("b", 10.0) == 0.0
    assert throttle.locked_for("a", 30.0) == 0.0
    assert [throttle.failed("a", 31.0) for _ in range(3)] == [0.0, 0.0, 60.0]  # doubled
    assert [throttle.failed("a", 92.0) for _ in range(3)] == [0.0, 0.0, 100.0]  # capped
    # A quiet window after the lockout forgives: back to the first lockout.
    assert [throttle.failed("a", 400.0) for _ in range(3)] == [0.0, 0.0, 30.0]


def test_failures_spread_beyond_the_window_never_lock() -> None:
    throttle = LoginThrottle(failures=3, window_s=60, lockout_s=30, lockout_max_s=100)
    assert all(throttle.failed("a", t * 61.0) == 0.0 for t in range(10))


def test_a_seat_lockout_spares_where_the_seat_last_logged_in_from() -> None:
    throttle = LoginThrottle(failures=2, window_s=60, lockout_s=30, lockout_max_s=100)
    throttle.succeeded("seat:0012", "10.0.0.1")
    throttle.failed("seat:0012", 1.0)
    assert throttle.failed("seat:0012", 2.0) == 30.0
    assert throttle.locked_for("seat:0012", 3.0, "10.9.9.9") > 0
    assert throttle.locked_for("seat:0012", 3.0, "10.0.0.1") == 0.0
    throttle.succeeded("seat:0012", "10.0.0.1")  # its own login does not lift it for others
    assert throttle.locked_for("seat:0012", 3.0, "10.9.9.9") > 0
    assert throttle.failed("seat:0012", 40.0) == 0.0  # but the count starts again


def test_a_zero_failure_limit_never_locks() -> None:
    throttle = LoginThrottle(failures=0, window_s=60, lockout_s=30, lockout_max_s=100)
    assert all(throttle.failed("a", 0.0) == 0.0 for _ in range(100))
