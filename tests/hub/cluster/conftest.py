"""Fixtures for the cluster tests: ``two_hubs`` (two cluster hubs on one Redis and one
PostgreSQL, from ``cluster_hubs``), and ``start_balancer(ports)``, which puts the tests'
own HAProxy (``lb_rig``) in front of hubs listening on ``ports`` and stops it after the
test (``start_balancer(ports, mode="http")``: one that names clients in X-Forwarded-For)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from cluster_hubs import two_hubs
from lb_rig import LoadBalancerMissing, LoadBalancerRig, Mode, StartBalancer

__all__ = ["start_balancer", "two_hubs"]  # fixtures, used by name


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
