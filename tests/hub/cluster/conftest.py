"""Fixtures for the cluster tests: ``start_balancer(ports)`` puts the tests' own HAProxy
(``lb_rig``) in front of hubs listening on ``ports`` and stops it after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from lb_rig import LoadBalancerMissing, LoadBalancerRig


@pytest.fixture
def start_balancer() -> Iterator[Callable[[Sequence[int]], LoadBalancerRig]]:
    """Start a balancer over the given backend ports; never skipped: a machine without
    haproxy fails here, saying ``./scripts/setup`` installs it."""
    started: list[LoadBalancerRig] = []

    def start(ports: Sequence[int]) -> LoadBalancerRig:
        try:
            rig = LoadBalancerRig.start(ports)
        except LoadBalancerMissing as exc:
            pytest.fail(str(exc))
        started.append(rig)
        return rig

    yield start
    for rig in started:
        rig.stop()
