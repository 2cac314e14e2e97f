"""A cluster hub on a Redis primary with a replica and a Sentinel
(``--cluster redis+sentinel://…``): it serves a citizen, and when the primary is killed
(SIGKILL) and the Sentinel promotes the replica, the same hub goes on without a restart: a
new citizen is offered, the call in progress is hung up and wrapped up, the ledger closed.
And the command line's checks of sentinel addresses."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bus_helpers import client, until
from cluster_hubs import WITHIN, cluster_args, until_rows
from hubclient import SI_ITEM, Clients, agent_seat
from redis_rig import RedisRig
from sentinel_rig import SentinelRig

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    CitizenInfo,
    Hangup,
    JoinQueue,
    Offer,
    Presence,
    Queued,
    SetState,
    WorkOrderClosed,
    WrapUp,
)
from seat_common.tasks import TaskOwner
from seat_hub.cli import parse_args
from seat_hub.cluster import keys, presence
from seat_hub.cluster.redis_address import SENTINEL_PORT, parse_redis_address, shown_redis
from seat_hub.cluster.sweeper import Sweep, Sweeper

#: Long enough for a failover (1 s to call the primary down, a vote, a promotion) and for
#: the hub's clients to find the new primary, on a busy two-core machine.
AFTER_FAILOVER = 60.0


@pytest.fixture(params=[1000, 5000], ids=["down-after-1s", "down-after-5s"])
def sentinel_redis(request: pytest.FixtureRequest) -> Iterator[SentinelRig]:
    """The rig, its Sentinel calling the primary down after 1 s, or after 5 s: longer than
    a hub key's life (3 s), so every hub's key has expired on the promoted replica."""
    rig = SentinelRig.start(down_after_ms=request.param)
    try:
        yield rig
    finally:
        rig.stop()


def _sentinel_hub(start_hub: Callable[..., HubProcess], postgres_url: str, rig: SentinelRig,
                  tmp_path: Path) -> HubProcess:
    return start_hub([agent_seat("a1"), agent_seat("a2")], ring_timeout=30,
                     extra_args=cluster_args(postgres_url, rig.url(), tmp_path))


async def test_a_hub_on_sentinel_serves_a_citizen(
    sentinel_redis: SentinelRig, start_hub: Callable[..., HubProcess], clients: Clients,
    postgres_url: str, tmp_path: Path
) -> None:
    hub = _sentinel_hub(start_hub, postgres_url, sentinel_redis, tmp_path)
    [listening] = hub.events("listening")
    assert listening["cluster"] == sentinel_redis.url()
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(name="王小明")
    offer = await agent.expect(Offer, within=WITHIN)
    assert offer.work_order_id == queued.work_order_id
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted, within=WITHIN)
    assert (await agent.expect(CallStarted, within=WITHIN)).call_id == started.call_id
    # The live state is in the primary the Sentinel names.
    assert sentinel_redis.master_port() == sentinel_redis.master.port


async def test_the_hub_goes_on_after_the_primary_is_killed_and_the_replica_promoted(
    sentinel_redis: SentinelRig, start_hub: Callable[..., HubProcess], clients: Clients,
    postgres_url: str, tmp_path: Path
) -> None:
    hub = _sentinel_hub(start_hub, postgres_url, sentinel_redis, tmp_path)
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    other_agent = await clients.agent(hub, "a2")  # away: the second citizen waits
    citizen = await clients.citizen(hub, "王小明")
    wo = (await citizen.join(name="王小明")).work_order_id
    offer = await agent.expect(Offer, within=WITHIN)
    await agent.send(Accept(call_id=offer.call_id))
    call_id = (await citizen.expect(CallStarted, within=WITHIN)).call_id
    await agent.expect(CallStarted, within=WITHIN)
    waiting = await clients.citizen(hub, "张三")
    waiting_wo = (await waiting.join(name="张三")).work_order_id
    await asyncio.to_thread(sentinel_redis.wait_replicated)

    crashed = time.monotonic()
    await asyncio.to_thread(sentinel_redis.crash_master)
    await asyncio.to_thread(sentinel_redis.wait_for_new_master)
    promoted = time.monotonic() - crashed

    # A new citizen joins the same hub: queued.
    newcomer = await clients.citizen(hub, "李四")
    await newcomer.send(JoinQueue(item_code=SI_ITEM, channel="web", priority="normal",
                                  citizen=CitizenInfo(name="李四")))
    queued = await newcomer.expect(Queued, within=AFTER_FAILOVER)
    written = time.monotonic() - crashed
    # The citizen who waited through the failover is offered first, to the agent now ready.
    await other_agent.send(SetState(state="ready"))
    second = await other_agent.expect(Offer, within=AFTER_FAILOVER)
    assert second.work_order_id == waiting_wo
    await other_agent.send(Accept(call_id=second.call_id))
    await waiting.expect(CallStarted, within=WITHIN)

    # The call in progress is hung up and wrapped up; the ledger closes it.
    await citizen.send(Hangup(call_id=call_id))
    for party in (citizen, agent):
        ended = await party.expect(CallEnded, within=AFTER_FAILOVER)
        assert ended.call_id == call_id
    assert (await agent.expect(Presence, within=WITHIN)).state == "wrap_up"
    await agent.send(WrapUp(work_order_id=wo, outcome="resolved", notes="已解答"))
    closed = await agent.expect(WorkOrderClosed, within=WITHIN)
    assert (closed.work_order_id, closed.outcome) == (wo, "resolved")
    [order] = await until_rows(
        postgres_url, "SELECT * FROM work_orders WHERE id = %s", (wo,),
        lambda rows: bool(rows) and rows[0]["state"] == "closed")
    assert (order["outcome"], order["agent_id"]) == ("resolved", "a1")
    # Back to ready, the agent is offered the citizen who joined after the failover.
    third = await agent.expect(Offer, within=WITHIN)
    assert third.work_order_id == queued.work_order_id

    # Nothing failed inside the hub; what it said is kept for the failover's account.
    failures = [event for event in hub.events()
                if "internal" in str(event.get("event", "")) or event.get("level") == "error"]
    assert not failures, failures
    errors = hub.events("cluster_error")
    span = errors[-1]["ts"] - errors[0]["ts"] if errors else 0.0
    print(json.dumps({"promoted_s": round(promoted, 2), "written_s": round(written, 2),
                      "cluster_errors": len(errors), "errors_over_s": round(span, 2),
                      "where": sorted({str(e.get("where")) for e in errors}),
                      "hubs_dead": hub.events("cluster_hubs_dead")}))


async def test_after_redis_was_unreachable_a_live_hub_is_not_judged_dead(
    redis_server: RedisRig, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What the failover test above can only race: Redis could not be reached, and when it
    answers again every hub's key is gone (as on a promoted replica, where they expired
    meanwhile). The hub that beats again a moment later (0.3 s, as a hub reconnecting)
    keeps its parties; a hub that never beats again is still found dead."""
    redis = client(redis_url)
    tasks = TaskOwner("test")
    live = presence.Presence(redis, "hub-live", tasks=tasks)
    dead = presence.Presence(redis, "hub-dead", tasks=tasks)
    swept: list[Sweep] = []

    async def on_sweep(sweep: Sweep) -> None:
        swept.append(sweep)

    async def beating() -> None:
        await asyncio.sleep(0.3)  # the live hub reconnects a moment after the sweeper
        while True:
            await live.beat()
            await asyncio.sleep(0.1)  # a beat's period

    try:
        caplog.set_level(logging.WARNING, logger="seat_hub.cluster.sweeper")
        tasks.spawn(Sweeper(redis, period_ms=50).run(on_sweep), "sweeper")
        await asyncio.to_thread(redis_server.crash)
        await until(lambda: "sweep failed" in caplog.text, "the sweeper met the crash")
        await asyncio.to_thread(redis_server.restart)
        for hub, party in ((live, "citizen-1"), (dead, "citizen-2")):
            await hub.beat()
            await hub.hold(party, "c1")
        await redis.delete(keys.hub_key("hub-live"), keys.hub_key("hub-dead"))  # expired
        tasks.spawn(beating(), "the live hub's beat")
        await until(lambda: bool(swept), "the dead hub found", within_s=60)
        assert swept[0].dead_hubs == ["hub-dead"]
        assert swept[0].parked == ["citizen-2"]
        assert await presence.holder(redis, "citizen-1") == presence.Holder("hub-live", "c1")
    finally:
        await tasks.close()
        await redis.aclose()


def test_sentinel_addresses_are_taken_apart() -> None:
    address = parse_redis_address(
        "redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2,[::1]:26380/seat/2")
    assert address.sentinel is not None
    assert address.sentinel.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", SENTINEL_PORT),
                                           ("::1", 26380))
    assert (address.sentinel.service, address.sentinel.db) == ("seat", 2)
    assert (address.sentinel.username, address.sentinel.password) == (None, "s3cret")
    assert address.shown == "redis+sentinel://:***@10.0.0.1:26379,10.0.0.2,[::1]:26380/seat/2"
    assert parse_redis_address("redis+sentinel://h:1/seat").sentinel is not None
    assert parse_redis_address("redis://h:6379/0").sentinel is None
    assert shown_redis("redis://u:pa/ss@h:6379") == "redis://u:***@h:6379"


def test_bad_sentinel_addresses_are_refused_at_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--seats", str(tmp_path / "seats.json"), "--materials", str(tmp_path / "m"),
            "--citizen-key-file", str(tmp_path / "k"), "--db", "postgresql://seat@db/seat"]
    for bad, says in (
        ("redis+sentinel:///seat", "no Sentinel HOST:PORT"),
        ("redis+sentinel://:hunter2@/seat", "no Sentinel HOST:PORT"),
        ("redis+sentinel://h:port/seat", "the port 'port' is not a number"),
        ("redis+sentinel://h:1,h2:70000/seat", "the port '70000'"),
        ("redis+sentinel://h:1,/seat", "HOST is missing"),
        ("redis+sentinel://u:hunter2@h:26379", "no service name"),
        ("redis+sentinel://u:hunter2@h:26379/", "no service name"),
        ("redis+sentinel://h:26379/seat/x", "the database 'x' is not a number"),
        ("sentinel://h:26379/seat", "redis+sentinel://HOST:PORT"),
    ):
        with pytest.raises(SystemExit) as exited:
            parse_args([*base, "--cluster", bad])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert says in err and "--cluster" in err, (bad, err)
        assert "hunter2" not in err
    good = "redis+sentinel://:s3cret@r1.dg.gov.cn:26379,r2.dg.gov.cn:26379/seat/1"
    assert parse_args([*base, "--cluster", good]).cluster == good


def test_a_sentinel_address_in_the_config_file_is_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'seats = "{tmp_path / "seats.json"}"\n'
                      'db = "postgresql://seat@db/seat"\n'
                      f'materials = "{tmp_path / "m"}"\n'
                      f'citizen_key_file = "{tmp_path / "k"}"\n'
                      'cluster = "redis+sentinel://:hunter2@h:26379"\n')
    with pytest.raises(SystemExit) as exited:
        parse_args(["--config", str(config)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "no service name" in err and "hunter2" not in err
