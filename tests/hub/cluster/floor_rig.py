"""A cluster's hub in the test's own process, for tests that must order its coroutines: the
hub's rules (``front_desk.Hub``) on a ``ClusterFloor`` over the tests' real redis-server,
with a SQLite ledger and sessions that keep what the hub sends them (``Party``). Hubs
built on one Redis share its queue as a city's hubs do; a test hands a hub its own
``LiveQueue`` (a subclass that holds a step) to put one coroutine before another without
sleeping. ``InProcessHub.log`` is the hub's event log, as lines of JSON."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import redis.asyncio as aioredis

from seat_common.catalog import load
from seat_common.protocol import Hello, Message, Welcome, decode
from seat_common.tasks import TaskOwner
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import Presence, Timing
from seat_hub.connections.cluster_floor import ClusterFloor
from seat_hub.connections.front_desk import Hub
from seat_hub.context import HubContext
from seat_hub.parties.citizen_keys import CitizenKeys
from seat_hub.parties.seats import Seat, SeatRegistry, hash_token
from seat_hub.parties.session import Session
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.scripted_ledger import ScriptedLedger
from seat_hub.storage.sqlite.store import SqliteStore

#: Long enough for a busy two-core machine: a wait, never a sleep.
WITHIN = 20.0
SI = "social_insurance"
SI_ITEM = "SI-UNEMP-QUERY"

M = TypeVar("M", bound=Message)


def seat(agent_id: str) -> Seat:
    """A social-insurance seat whose token is ``token-<agent_id>``."""
    return Seat(agent_id, f"坐席{agent_id}", "agent", frozenset({SI}), "", "video",
                hash_token(f"token-{agent_id}"))


class _Kept:
    """Where a party's frames go: kept, decoded, for the test to expect."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.changed = asyncio.Event()
        self.closed = False

    async def send(self, message: str | bytes) -> None:
        assert isinstance(message, str), "no binary frames in these tests"
        self.received.append(decode(message))
        self.changed.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = True
        self.changed.set()


class Party:
    """A client of an in-process hub: its session, and what the hub sent it."""

    def __init__(self, hub: InProcessHub, label: str) -> None:
        self.hub = hub
        self._kept = _Kept()
        self.session = Session(self._kept, f"S-{label}", "127.0.0.1:50000")
        hub.tasks.spawn(self.session.run_writer(), f"writer {label}")

    async def send(self, message: Message) -> None:
        await self.hub.hub.receive(self.session, message)

    async def expect(self, cls: type[M], match: Callable[[M], bool] = lambda _: True,
                     within: float = WITHIN) -> M:
        """The first ``cls`` that matches, received since the last one taken (the
        messages before it are passed over)."""
        async with asyncio.timeout(within):
            while True:
                for i, message in enumerate(self._kept.received):
                    if isinstance(message, cls) and match(message):
                        del self._kept.received[: i + 1]
                        return message
                self._kept.changed.clear()
                await self._kept.changed.wait()

    def drop(self) -> None:
        """The link drops (no close frame): the hub parks the party for the grace."""
        self.session.closing = True
        self.hub.hub.disconnected(self.session, dropped=True)


@dataclass
class InProcessHub:
    """One cluster hub running in this process (``stop`` it)."""

    hub: Hub
    floor: ClusterFloor
    queue: LiveQueue
    tasks: TaskOwner
    store: SqliteStore
    clients: tuple[aioredis.Redis, aioredis.Redis]
    _log: io.StringIO

    def events(self, name: str) -> list[dict[str, Any]]:
        lines = self._log.getvalue().splitlines()
        return [e for e in map(json.loads, lines) if e.get("event") == name]

    def party(self, label: str) -> Party:
        return Party(self, label)

    async def agent(self, agent_id: str) -> Party:
        """A seat logged in here (welcomed)."""
        agent = self.party(agent_id)
        await agent.send(Hello(role="agent", token=f"token-{agent_id}"))
        await agent.expect(Welcome)
        return agent

    async def stop(self) -> None:
        self.hub.stopping = True
        await self.floor.close()
        await self.tasks.close()
        for client in self.clients:
            await client.aclose()
        await self.store.close()


async def start_hub(redis_url: str, workdir: Path, name: str, seats: list[Seat], *,
                    queue_type: type[LiveQueue] = LiveQueue, ring_timeout_s: float = 10.0,
                    grace_s: float = 30.0) -> InProcessHub:
    """A cluster hub named ``name`` on ``redis_url`` (its ledger in ``workdir``, which
    exists)."""
    store = await SqliteStore.open(workdir / f"{name}.sqlite3")
    tasks = TaskOwner(f"in-process hub {name}")
    log = io.StringIO()
    ctx = HubContext(
        seats=SeatRegistry(seats), catalog=load(), ledger=ScriptedLedger(store.ledger),
        audit=store.audit, log=EventLog(log), tasks=tasks, citizen_keys=CitizenKeys(b"k" * 32),
        settings=HubSettings(ring_timeout_s=ring_timeout_s, resume_grace_s=grace_s),
        clock=time.time,
    )
    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=15)
    reader_client = aioredis.Redis.from_url(redis_url, decode_responses=True,
                                            socket_timeout=20)
    floors: list[ClusterFloor] = []
    presence = Presence(client, name, tasks=tasks, address="127.0.0.1:0",
                        timing=Timing(grace_ms=int(grace_s * 1000)),
                        on_taken_over=lambda party: floors[0].taken_over(party))
    queue = queue_type(client, ring_timeout_ms=int(ring_timeout_s * 1000))
    floor = ClusterFloor(ctx, client, reader_client, queue=queue, presence=presence,
                         outbox=StreamOutbox(client), tasks=tasks, name=name)
    floors.append(floor)
    hub = Hub(ctx, floor=floor)
    floor.attach(hub)
    await floor.start()
    return InProcessHub(hub, floor, queue, tasks, store, (client, reader_client), log)
