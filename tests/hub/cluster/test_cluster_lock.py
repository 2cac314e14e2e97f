"""The cluster's guards on the tests' own PostgreSQL and redis-server: cluster hubs take
the database's hub lock shared, a single hub exclusive, and the two exclude each other
both ways while cluster hubs coexist; the cluster's Redis belongs to one database, and a
hub whose ``--db`` is another one is refused, saying both."""

from __future__ import annotations

from pathlib import Path

import pytest
from bus_helpers import client
from postgres_rig import PostgresRig

from seat_hub.cluster import keys
from seat_hub.cluster.identity import ClusterRefused, claim_database
from seat_hub.storage.interface import LedgerError
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.stores import StoreAddress, open_store


async def test_single_and_cluster_hubs_exclude_each_other_and_cluster_hubs_coexist(
        postgres_url: str) -> None:
    single = await PostgresStore.open(postgres_url, sole_hub=True)
    with pytest.raises(LedgerError, match=r"single hub.*without --cluster"):
        await PostgresStore.open(postgres_url, cluster_hub=True)
    await single.close()
    first = await PostgresStore.open(postgres_url, cluster_hub=True)
    second = await PostgresStore.open(postgres_url, cluster_hub=True)
    third = await open_store(StoreAddress("postgresql", url=postgres_url), cluster_hub=True)
    with pytest.raises(LedgerError, match="another hub is using"):
        await PostgresStore.open(postgres_url, sole_hub=True)
    for store in (first, second):
        await store.close()
    with pytest.raises(LedgerError, match="another hub is using"):  # one cluster hub is left
        await PostgresStore.open(postgres_url, sole_hub=True)
    await third.close()
    again = await PostgresStore.open(postgres_url, sole_hub=True)
    await again.close()
    # a report beside them takes no lock at all
    await (await PostgresStore.open(postgres_url, read_only=True)).close()


async def test_a_cluster_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="集群需要 PostgreSQL"):
        await open_store(StoreAddress("sqlite", path=tmp_path / "l.sqlite3"), cluster_hub=True)
    with pytest.raises(ValueError):
        await PostgresStore.open("postgresql://nobody@127.0.0.1:1/x", sole_hub=True,
                                 cluster_hub=True)


async def test_the_redis_belongs_to_the_first_database_and_another_is_refused(
        postgres_url: str, postgres: PostgresRig, redis_url: str) -> None:
    other_url = postgres.new_database()
    redis = client(redis_url)
    stores = [await PostgresStore.open(url, cluster_hub=True) for url in (postgres_url, other_url)]
    try:
        mine, other = [await s.identity() for s in stores]
        assert mine != other and mine.split("/")[0] == other.split("/")[0]  # one server
        assert mine == await stores[0].identity()
        await claim_database(redis, mine)
        await claim_database(redis, mine)  # the second hub of the same city
        with pytest.raises(ClusterRefused) as refused:
            await claim_database(redis, other, redis_shown="redis://10.0.0.9:6379/0")
        text = str(refused.value)
        assert mine in text and other in text and "redis://10.0.0.9:6379/0" in text
        assert "拒绝启动" in text
        assert await redis.get(keys.DB) == mine  # the refused hub changed nothing
        await redis.set(keys.DB, "not an identity")
        with pytest.raises(ClusterRefused, match="不属于坐席集群"):
            await claim_database(redis, mine)
        with pytest.raises(ValueError):
            await claim_database(redis, "nope")
    finally:
        for store in stores:
            await store.close()
        await redis.aclose()
