"""Flood control: bursts pass, a steady flood is dropped with one warning a second, then cut."""

from __future__ import annotations

from seat_hub.connections.ratelimit import FloodGuard


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
