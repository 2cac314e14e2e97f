"""Reconnect delays grow exponentially with full jitter and reset after a good login."""

from __future__ import annotations

import random

from seat_client.call.hub_link import FullJitterBackoff


def test_delays_stay_under_a_growing_ceiling_up_to_the_cap() -> None:
    backoff = FullJitterBackoff(base_s=0.5, cap_s=8.0, rng=random.Random(7))
    ceilings = [0.5, 1, 2, 4, 8, 8, 8]
    delays = [backoff.next_delay() for _ in ceilings]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jittered, not lockstep


def test_reset_starts_small_again() -> None:
    backoff = FullJitterBackoff(base_s=0.5, cap_s=30.0, rng=random.Random(1))
    for _ in range(10):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 0.5
