"""Building a cluster's hub (``seat-hub --cluster redis://…`` or
``redis+sentinel://…``): the Redis clients, the
check that this Redis belongs to the hub's database, and the cluster's parts on the hub's
task owner: presence (heartbeat and renewal), the sweeper, the ledger stream's writer (one hub
at a time: ``ledger_lease``),
the shared queue and the floor (``connections.cluster_floor``) that wires them to the
hub's rules.

``open_cluster`` answers the parts, or raises ``ClusterStartError`` with a message for
the operator (the hub exits 2); ``ClusterParts.start`` runs them once the hub is built,
``close`` stops them (the hub's key goes, so the survivors' sweepers park what it held).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
from dataclasses import dataclass
from typing import Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_common.tasks import TaskOwner
from seat_hub.cluster.bus import BLOCK_MS
from seat_hub.cluster.identity import ClusterRefused, claim_database
from seat_hub.cluster.ledger_lease import LedgerLease
from seat_hub.cluster.ledger_stream import LedgerConsumer
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import Presence, Timing
from seat_hub.cluster.redis_address import RedisClients, parse_redis_address
from seat_hub.cluster.sweeper import Sweeper
from seat_hub.connections.cluster_floor import ClusterFloor
from seat_hub.context import HubContext
from seat_hub.storage.interface import HubStore, LedgerError
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.records import LegRecord

#: How long one Redis command may take before it fails (the ledger writer blocks 2 s).
COMMAND_TIMEOUT_S: Final = 15.0


class ClusterStartError(RuntimeError):
    """The hub cannot join the cluster (the message says why)."""


def hub_name() -> str:
    """This hub's name in the cluster: its host and process, unique while it runs."""
    host = re.sub(r"[^A-Za-z0-9_.@-]", "-", socket.gethostname())[:60] or "hub"
    return f"{host}-{os.getpid()}"


@dataclass
class ClusterParts:
    """A cluster's hub's parts, built and not yet started."""

    name: str
    shown: str
    client: aioredis.Redis
    reader_client: aioredis.Redis
    redis_clients: RedisClients
    floor: ClusterFloor
    sweeper: Sweeper
    writer: LedgerLease
    tasks: TaskOwner

    async def start(self) -> None:
        await self.floor.start()
        self.tasks.spawn(self.sweeper.run(self.floor.on_sweep), "cluster sweeper")
        self.tasks.spawn(self.writer.run(), "cluster ledger writer")

    async def close(self) -> None:
        """Stop reading, posting and beating; the clients close after the tasks."""
        await self.floor.close()
        await self.tasks.close()
        await self.writer.close()
        await self.client.aclose()
        await self.reader_client.aclose()
        await self.redis_clients.close()


async def open_cluster(args: argparse.Namespace, ctx: HubContext, store: HubStore,
                       tasks: TaskOwner) -> ClusterParts:
    """Connect to ``args.cluster``, claim it for the hub's database and build the parts."""
    address = parse_redis_address(args.cluster)  # checked by the options already
    shown = address.shown
    redis_clients = RedisClients(address)
    # redis-py's default socket timeout (5 s) is as long as the signaling reader's blocking
    # read (``bus.BLOCK_MS``): its reads timed out and backed off, so both are set here.
    client = redis_clients.open(socket_timeout=COMMAND_TIMEOUT_S)
    # The signaling reader blocks on its own connection.
    reader_client = redis_clients.open(socket_timeout=BLOCK_MS / 1000 + 10)
    try:
        await client.ping()
        if not isinstance(store, PostgresStore):
            raise ClusterStartError("a cluster's hubs share one PostgreSQL database")
        await claim_database(client, await store.identity(), redis_shown=shown)
    except (RedisError, OSError) as exc:
        await client.aclose()
        await reader_client.aclose()
        await redis_clients.close()
        raise ClusterStartError(f"cannot reach the cluster's Redis {shown}: {exc}"
                                " (无法连接集群的 Redis)") from None
    except (ClusterRefused, LedgerError, ClusterStartError) as exc:
        await client.aclose()
        await reader_client.aclose()
        await redis_clients.close()
        raise ClusterStartError(str(exc)) from None
    name = hub_name()
    floor_ref: list[ClusterFloor] = []
    presence = Presence(
        client, name, tasks=tasks, address=f"{args.host}:{args.port}",
        timing=Timing(grace_ms=int(args.resume_grace * 1000)),
        on_taken_over=lambda party: floor_ref[0].taken_over(party) if floor_ref else None,
        on_restored=lambda party: floor_ref[0].restored(party) if floor_ref else None,
    )
    queue = LiveQueue(client, ring_timeout_ms=int(args.ring_timeout * 1000),
                      max_missed=args.max_missed)
    floor = ClusterFloor(ctx, client, reader_client, queue=queue, presence=presence,
                         outbox=StreamOutbox(client), tasks=tasks, name=name)
    floor_ref.append(floor)
    return ClusterParts(
        name=name, shown=shown, client=client, reader_client=reader_client,
        redis_clients=redis_clients, floor=floor,
        sweeper=Sweeper(client, grace_ms=int(args.resume_grace * 1000)),
        writer=LedgerLease(client, LedgerConsumer(client, store, consumer=name,
                                                  leg_record=LegRecord)),
        tasks=tasks,
    )
