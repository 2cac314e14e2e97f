"""Which database a cluster's Redis belongs to: two cities never share one Redis.

The first cluster hub writes its database's identity (``<system_identifier>/<name>``,
``PostgresStore.identity``) to ``{seat}:db``; every later hub compares its own and a hub
whose ``--db`` is another database is refused with a message saying both. Written with
``SET NX``, so hubs starting together agree on the first. The key has no expiry: a
restarted, empty Redis takes the identity of the first hub to come back.

The other half of the cluster's guard is the database's hub lock, taken *shared* by
cluster hubs (``open_store(…, cluster_hub=True)``): a single hub, which takes it
exclusive, and cluster hubs exclude each other both ways.
"""

from __future__ import annotations

import re
from typing import Final

import redis.asyncio as aioredis

from seat_hub.cluster import keys

#: ``<system_identifier>/<database name>``.
IDENTITY: Final = re.compile(r"\d{1,20}/[^\s/]{1,63}")


class ClusterRefused(RuntimeError):
    """This hub may not join the cluster (its message says why, for the operator)."""


async def claim_database(client: aioredis.Redis, identity: str, *, redis_shown: str = "") -> None:
    """Tie the cluster's Redis to ``identity``, or check that it is tied to it already
    (``ClusterRefused`` when it is another database's, or holds something else)."""
    if not IDENTITY.fullmatch(identity):
        raise ValueError(f"bad database identity {identity[:100]!r}")
    await client.set(keys.DB, identity, nx=True)
    held = await client.get(keys.DB)
    if held == identity:
        return
    where = redis_shown or "this Redis"
    if not isinstance(held, str) or not IDENTITY.fullmatch(held):
        raise ClusterRefused(
            f"{where} holds {keys.DB} = {str(held)[:100]!r}, which is not a database identity;"
            " is it a Seat cluster's Redis? (此 Redis 不属于坐席集群)")
    raise ClusterRefused(
        f"{where} belongs to the database {held}, and --db is {identity}: a cluster's hubs"
        " must share one database; check --db and --cluster (Redis 与数据库不匹配，拒绝启动)")
