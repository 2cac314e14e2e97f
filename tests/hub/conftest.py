"""Fixtures for hub tests: real hub processes and protocol-speaking websocket clients.

``start_hub(seats, ...)`` starts a ``seat-hub`` subprocess through
``sandbox.hub_process`` (stopped after the test); ``clients`` opens plain
websocket connections (``hubclient.Client``) and closes them afterwards.
``postgres`` is the session's own PostgreSQL server, ``postgres_url`` a new database
of it, ``redis_server`` the session's own ``redis-server`` and ``redis_url`` its
database emptied for a test, and ``store_address`` runs a store test once on SQLite and
once on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from hubclient import Clients
from postgres_rig import PostgresMissing, PostgresRig
from redis_rig import RedisMissing, RedisRig

from sandbox.hub_process import HubProcess, SeatSpec
from seat_hub.storage.stores import StoreAddress


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresRig]:
    """The session's own PostgreSQL server (``postgres_rig``); never skipped: a machine
    without PostgreSQL fails here, saying ``./scripts/setup`` installs it."""
    try:
        rig = PostgresRig.start()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    yield rig
    rig.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisRig]:
    """The session's own ``redis-server`` (``redis_rig``); never skipped: a machine without
    it fails here, saying ``./scripts/setup`` installs it."""
    try:
        rig = RedisRig.start()
    except RedisMissing as exc:
        pytest.fail(str(exc))
    yield rig
    rig.stop()


@pytest.fixture
def redis_url(redis_server: RedisRig) -> str:
    """A database of the session's Redis, emptied for one test."""
    url = redis_server.url(0)
    with redis.Redis.from_url(url, socket_timeout=30) as client:
        client.flushall()
    return url


@pytest.fixture
def postgres_url(postgres: PostgresRig) -> str:
    """A new, empty database of the session's server, for one test."""
    return postgres.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def store_address(request: pytest.FixtureRequest, tmp_path: Path) -> StoreAddress:
    """Where a store under test keeps its records: a new SQLite file, then a new PostgreSQL
    database (the store contract's tests run against both)."""
    if request.param == "sqlite":
        return StoreAddress("sqlite", path=tmp_path / "ledger.sqlite3")
    rig: PostgresRig = request.getfixturevalue("postgres")
    return StoreAddress("postgresql", url=rig.new_database())
