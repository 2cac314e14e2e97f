"""Fixtures for hub tests: real hub processes and protocol-speaking websocket clients.

``start_hub(seats, ...)`` starts a ``seat-hub`` subprocess through
``sandbox.hub_process`` (stopped after the test); ``clients`` opens plain
websocket connections (``hubclient.Client``) and closes them afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hubclient import Clients

from sandbox.hub_process import HubProcess, SeatSpec


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    opened = Clients()
    yield opened
    await opened.close_all()


@pytest.fixture
def start_hub(tmp_path: Path) -> Iterator[Callable[..., HubProcess]]:
    """Start a hub process with the given seats (and HubProcess options)."""
    hubs: list[HubProcess] = []

    def start(seats: list[SeatSpec], **options: Any) -> HubProcess:
        hub = HubProcess(seats, workdir=tmp_path / f"hub{len(hubs)}", **options)
        hub.start()
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        hub.stop()
