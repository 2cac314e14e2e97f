"""Fixtures for the cluster tests: ``start_balancer(ports)`` puts the tests' own HAProxy
(``lb_rig``) in front of hubs listening on ``ports`` and stops it after the test
(``start_balancer(ports, mode="http")``: one that names clients in X-Forwarded-For)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from lb_rig import LoadBalancerMissing, LoadBalancerRig, Mode, StartBalancer


@pytest.fixture
def start_balancer() -> Iterator[StartBalancer]:
    """Start a balancer over the given backend ports; never skipped: a machine without
    haproxy fails here, saying ``./scripts/setup`` installs it."""
    started: list[LoadBalancerRig] = []

    def start(ports: Sequence[int], mode: Mode = "tcp") -> LoadBalancerRig:
        try:
            rig = LoadBalancerRig.start(ports, mode=mode)
        except LoadBalancerMissing as exc:
            pytest.fail(str(exc))
        started.append(rig)
        return rig

    yield start
    for rig in started:
        rig.stop()
