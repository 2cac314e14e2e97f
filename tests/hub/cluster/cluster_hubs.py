"""Helpers for tests of real cluster hub processes (``seat-hub --cluster``): their
arguments, two hubs on one Redis and one PostgreSQL (the ``two_hubs`` fixture, which the
folder's conftest offers to every test here), a call answered across two hubs, and
reading the ledger's rows."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hubclient import Clients, DrivenCall, agent_seat
from psycopg.rows import dict_row

from sandbox.hub_process import HubProcess
from seat_common.protocol import Accept, CallStarted, Offer

#: Long enough for a busy two-core machine: a wait, never a sleep.
WITHIN = 20.0


def cluster_args(postgres_url: str, redis_url: str, tmp_path: Path) -> list[str]:
    return ["--db", postgres_url, "--materials", str(tmp_path / "shared-materials"),
            "--citizen-key-file", str(tmp_path / "citizen-key.secret"),
            "--cluster", redis_url]


@pytest.fixture
def two_hubs(start_hub: Callable[..., HubProcess], postgres_url: str, redis_url: str,
             tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two cluster hubs on one Redis and database, sharing one seats file (the seat a1 and
    its token, as a city's hubs share theirs)."""
    shared = cluster_args(postgres_url, redis_url, tmp_path)
    first = start_hub([agent_seat("a1")], ring_timeout=10, extra_args=shared)
    second = beside(first, tmp_path / "hub-second")
    try:
        yield first, second
    finally:
        second.stop()


def beside(first: HubProcess, workdir: Path) -> HubProcess:
    """Another hub started as ``first`` was, with its seats file and tokens (stop it)."""
    second = HubProcess(first.seats, workdir=workdir, ring_timeout=first.ring_timeout,
                        extra_args=first.extra_args)
    second.workdir.mkdir(parents=True)
    shutil.copyfile(first.seats_path, second.seats_path)
    second.tokens, second.kiosk_tokens = dict(first.tokens), dict(first.kiosk_tokens)
    second.start()
    return second


async def call_across(agent_hub: HubProcess, citizen_hub: HubProcess, clients: Clients,
                      name: str = "王小明") -> DrivenCall:
    """The seat a1, ready on ``agent_hub``, answers ``name`` queued on ``citizen_hub``:
    both parties have had ``call_started`` and the call goes on (the citizen's resume
    token is in its ``Welcome``, ``call.citizen.last(Welcome)``)."""
    agent = await clients.agent(agent_hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(citizen_hub, name)
    queued = await citizen.join(name=name)
    offer = await agent.expect(Offer, within=WITHIN)
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted, within=WITHIN)
    await agent.expect(CallStarted, within=WITHIN)
    return DrivenCall(citizen, agent, queued.work_order_id, started.call_id)


def rows(url: str, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql.encode(), params).fetchall()


async def until_rows(url: str, sql: str, params: tuple[object, ...],
                     done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The rows once ``done`` holds for them (the ledger's writer writes a moment later)."""
    deadline = time.monotonic() + WITHIN
    while True:
        found = await asyncio.to_thread(rows, url, sql, params)
        if done(found):
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.1)
