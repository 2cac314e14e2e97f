"""Several hubs, one service: real ``seat-hub --cluster redis://… --db postgresql://…``
processes on the tests' redis-server and PostgreSQL. A citizen on one hub is served by an
agent on another, the ledger written once; and the command line's checks of ``--cluster``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from cluster_hubs import WITHIN, cluster_args, rows, until_rows
from hubclient import SI_ITEM, Clients, agent_seat

from sandbox.hub_process import HubProcess, HubStartError
from seat_common.protocol import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Error,
    Hangup,
    Ice,
    Offer,
    Presence,
    Rate,
    Sdp,
    Transfer,
    UploadStart,
    WorkOrderClosed,
    WrapUp,
)
from seat_hub.cli import parse_args


async def test_a_citizen_on_one_hub_is_served_by_an_agent_on_another_and_ledgered_once(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients, postgres_url: str
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub_a, "王小明")
    queued = await citizen.join(name="王小明", id_number="441900199001011234",
                                phone="13800138000")
    wo = queued.work_order_id

    offer = await agent.expect(Offer, within=WITHIN)
    assert (offer.work_order_id, offer.item_code, offer.channel) == (wo, SI_ITEM, "web")
    assert offer.citizen.name.startswith("王") and offer.citizen.name != "王小明"
    assert offer.citizen.id_number and "19900101" not in offer.citizen.id_number
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted, within=WITHIN)
    assert (await agent.expect(CallStarted, within=WITHIN)).call_id == started.call_id
    assert (started.call_id, started.call_role, started.peer_name) == (
        offer.call_id, "caller", "坐席a1")
    call_id = started.call_id

    # Signaling both ways, in order, across the hubs.
    await citizen.send(Sdp(call_id=call_id, sdp_type="offer", sdp="v=0 citizen"))
    for n in range(3):
        await citizen.send(Ice(call_id=call_id, candidate=f"candidate:{n}"))
    assert (await agent.expect(Sdp, within=WITHIN)).sdp == "v=0 citizen"
    assert [(await agent.expect(Ice, within=WITHIN)).candidate for _ in range(3)] == [
        "candidate:0", "candidate:1", "candidate:2"]
    await agent.send(Sdp(call_id=call_id, sdp_type="answer", sdp="v=0 agent"))
    await agent.send(Ice(call_id=call_id, candidate="candidate:agent"))
    assert (await citizen.expect(Sdp, within=WITHIN)).sdp == "v=0 agent"
    assert (await citizen.expect(Ice, within=WITHIN)).candidate == "candidate:agent"
    await citizen.send(Chat(call_id=call_id, text="我想查失业保险"))
    for party in (citizen, agent):
        line = await party.expect(ChatMessage, within=WITHIN)
        assert (line.text, line.sender_role) == ("我想查失业保险", "citizen")

    # A feature the hubs do not share yet: refused, the call goes on.
    await agent.send(Transfer(call_id=call_id, to_kind="item", to=SI_ITEM, note="转办"))
    refusal = await agent.expect(Error, within=WITHIN)
    assert refusal.code == "not_allowed" and "多中心模式下暂不支持" in refusal.message
    await citizen.send(UploadStart(upload_id=1, work_order_id=wo, filename="身份证.jpg",
                                   mime="image/jpeg", byte_size=10, sha256="0" * 64))
    refusal = await citizen.expect(Error, within=WITHIN)
    assert refusal.code == "not_allowed" and "多中心模式下暂不支持" in refusal.message

    await citizen.send(Hangup(call_id=call_id))
    for party in (citizen, agent):
        ended = await party.expect(CallEnded, within=WITHIN)
        assert (ended.call_id, ended.ended_by) == (call_id, "citizen")
    assert (await agent.expect(Presence, within=WITHIN)).state == "wrap_up"
    await agent.send(WrapUp(work_order_id=wo, outcome="resolved", notes="已解答"))
    for party in (agent, citizen):
        closed = await party.expect(WorkOrderClosed, within=WITHIN)
        assert (closed.work_order_id, closed.outcome) == (wo, "resolved")
    assert (await agent.expect(Presence, within=WITHIN)).state == "ready"
    await citizen.send(Rate(work_order_id=wo, score=10, comment="很满意"))
    assert await citizen.expect(Ack, within=WITHIN) == Ack(of="rate", work_order_id=wo)

    [order] = await until_rows(
        postgres_url, "SELECT * FROM work_orders WHERE id = %s", (wo,),
        lambda rows: bool(rows) and rows[0]["state"] == "closed" and rows[0]["rating"])
    assert (order["outcome"], order["agent_id"], order["ended_by"], order["rating"]) == (
        "resolved", "a1", "citizen", 10)
    offers = await asyncio.to_thread(
        rows, postgres_url, "SELECT * FROM offers WHERE work_order_id = %s", (wo,))
    assert [(o["call_id"], o["agent_id"], o["result"]) for o in offers] == [
        (call_id, "a1", "accepted")]
    legs = await asyncio.to_thread(
        rows, postgres_url, "SELECT * FROM call_legs WHERE work_order_id = %s", (wo,))
    assert [(leg["call_id"], leg["how"]) for leg in legs] == [(call_id, "ended")]
    chat = await asyncio.to_thread(rows, postgres_url,
                                   "SELECT text FROM chat_messages WHERE work_order_id = %s",
                                   (wo,))
    assert [c["text"] for c in chat] == ["我想查失业保险"]
    assert await asyncio.to_thread(hub_a.stop) == 0
    assert await asyncio.to_thread(hub_b.stop) == 0
    [listening] = hub_a.events("listening")
    assert listening["cluster"].startswith("redis://127.0.0.1:") and listening["hub_name"]


def test_a_cluster_needs_postgresql_and_a_redis_address(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    seats = str(tmp_path / "seats.json")
    base = ["--seats", seats, "--materials", str(tmp_path / "m"),
            "--citizen-key-file", str(tmp_path / "k")]
    with pytest.raises(SystemExit) as exited:
        parse_args([*base, "--db", str(tmp_path / "ledger.sqlite3"),
                    "--cluster", "redis://127.0.0.1:6379/0"])
    assert exited.value.code == 2
    assert "--cluster 需要 --db postgresql://" in capsys.readouterr().err
    for bad in ("http://127.0.0.1:6379", "redis://", "127.0.0.1:6379", "redis://h:port/0"):
        with pytest.raises(SystemExit) as exited:
            parse_args([*base, "--db", "postgresql://seat@db/seat", "--cluster", bad])
        assert exited.value.code == 2
        assert "redis://" in capsys.readouterr().err
    # A password in the address is never shown.
    with pytest.raises(SystemExit):
        parse_args([*base, "--db", "postgresql://seat@db/seat",
                    "--cluster", "ftp://u:hunter2@h:6379"])
    assert "hunter2" not in capsys.readouterr().err
    args = parse_args([*base, "--db", "postgresql://seat@db/seat",
                       "--cluster", "rediss://redis.dg.gov.cn:6380/2"])
    assert args.cluster == "rediss://redis.dg.gov.cn:6380/2"


def test_the_cluster_option_in_the_config_file_is_checked_too(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'seats = "{tmp_path / "seats.json"}"\ndb = "{tmp_path / "l.sqlite3"}"\n'
                      'cluster = "redis://127.0.0.1:6379"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        parse_args(["--config", str(config)])
    assert exited.value.code == 2
    assert "--cluster 需要 --db postgresql://" in capsys.readouterr().err
    config.write_text(f'seats = "{tmp_path / "seats.json"}"\n'
                      'db = "postgresql://seat@db/seat"\n'
                      f'materials = "{tmp_path / "m"}"\ncitizen_key_file = "{tmp_path / "k"}"\n'
                      'cluster = "memcached://127.0.0.1"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        parse_args(["--config", str(config)])
    assert exited.value.code == 2
    assert "cluster" in capsys.readouterr().err


def test_a_hub_whose_redis_cannot_be_reached_does_not_start(
    start_hub: Callable[..., HubProcess], postgres_url: str, tmp_path: Path
) -> None:
    args = cluster_args(postgres_url, "redis://127.0.0.1:1/0", tmp_path)
    with pytest.raises(HubStartError, match=r"cannot reach the cluster's Redis redis://127\.0"):
        start_hub([agent_seat("a1")], extra_args=args)


def test_a_single_hub_and_a_cluster_hub_refuse_each_other(
    start_hub: Callable[..., HubProcess], postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    shared = cluster_args(postgres_url, redis_url, tmp_path)
    start_hub([agent_seat("a1")], extra_args=shared)
    with pytest.raises(HubStartError, match=r"another hub is using|cluster"):
        start_hub([agent_seat("a1")], extra_args=shared[:-2])
