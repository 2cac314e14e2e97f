"""The tests' own HAProxy (``lb_rig``) in front of three real hub processes, each a single
hub with its own SQLite file: new connections are spread over the three; after kill -9 of
one, every new connection through the same address reaches a survivor within a bound; a
drained hub keeps its connections and gets no new one; a balancer with no backend or a
bad port is refused with a clear error."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from lb_rig import BadBalancerConfig, LoadBalancerRig, config_text, server_name
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol

#: How long every new connection may take to reach a survivor after a hub is killed: the
#: checks notice within about half a second; the rest is room for a busy CI machine.
REHOME_BOUND_S = 30.0

StartHub = Callable[..., HubProcess]
StartBalancer = Callable[[Sequence[int]], LoadBalancerRig]


def _port(hub: HubProcess) -> int:
    return int(hub.url.rsplit(":", 1)[1].split("/")[0])


def _three_hubs(start_hub: StartHub) -> list[HubProcess]:
    """Three hubs that tell themselves apart in every welcome: ring timeouts 11, 12, 13 s.
    (Not by session id in their logs: the log masks phone-like digit runs, and a session
    id's hex now and then holds one.)"""
    return [start_hub([SeatSpec("a1", "坐席一", skills=("social_insurance",))],
                      ring_timeout=11.0 + n) for n in range(3)]


async def _welcomed(url: str, label: str) -> tuple[ClientConnection, int]:
    """A citizen's connection through ``url``, welcomed; the index of the hub it reached."""
    ws = await connect(url, open_timeout=10)
    await ws.send(protocol.encode(protocol.Hello(role="citizen", name=label)))
    async with asyncio.timeout(10):
        message = protocol.decode(await ws.recv())
    assert isinstance(message, protocol.Welcome), message
    return ws, round(message.ring_timeout_s) - 11


async def _all_up(rig: LoadBalancerRig, count: int) -> None:
    for index in range(count):
        await asyncio.to_thread(rig.wait_state, server_name(index), "UP")


async def test_connections_are_spread_over_the_hubs(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hubs = _three_hubs(start_hub)
    rig = start_balancer([_port(h) for h in hubs])
    await _all_up(rig, 3)
    opened = [await _welcomed(rig.url(), f"市民{i}") for i in range(9)]
    try:
        landed = Counter(hub for _, hub in opened)
        assert set(landed) == {0, 1, 2}, landed
        assert max(landed.values()) - min(landed.values()) <= 1, landed
    finally:
        for ws, _ in opened:
            await ws.close()


async def test_after_a_hub_is_killed_every_new_connection_reaches_a_survivor(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hubs = _three_hubs(start_hub)
    rig = start_balancer([_port(h) for h in hubs])
    await _all_up(rig, 3)
    before = [await _welcomed(rig.url(), f"市民{i}") for i in range(6)]
    on_doomed = [ws for ws, hub in before if hub == 1]
    assert on_doomed  # round robin gave the second hub some of them
    hubs[1].crash()  # SIGKILL
    killed_at = time.monotonic()
    # Poll: new connections until twelve in a row are welcomed, all by a survivor.
    in_a_row: list[int] = []
    while len(in_a_row) < 12:
        assert time.monotonic() - killed_at < REHOME_BOUND_S, (
            f"new connections still failed {REHOME_BOUND_S} s after the kill;"
            f" balancer: {rig.states()}")
        try:
            ws, hub = await _welcomed(rig.url(), f"新市民{len(in_a_row)}")
        except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
            in_a_row.clear()
            continue
        in_a_row.append(hub)
        await ws.close()
    assert set(in_a_row) == {0, 2}
    await asyncio.to_thread(rig.wait_state, "hub2", "DOWN")
    for ws in on_doomed:  # the balancer closed what it held to the killed hub
        async with asyncio.timeout(30):
            with pytest.raises(ConnectionClosed):
                await ws.recv()
    for ws, _ in before:
        await ws.close()


async def test_a_drained_hub_keeps_its_connections_and_gets_no_new_one(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hubs = _three_hubs(start_hub)
    rig = start_balancer([_port(h) for h in hubs])
    await _all_up(rig, 3)
    before = [await _welcomed(rig.url(), f"市民{i}") for i in range(3)]
    await asyncio.to_thread(rig.drain, "hub1")
    after = [await _welcomed(rig.url(), f"新市民{i}") for i in range(6)]
    try:
        assert {hub for _, hub in after} == {1, 2}
        kept = next(ws for ws, hub in before if hub == 0)
        await kept.send(protocol.encode(protocol.Hello(role="citizen", name="again")))
        async with asyncio.timeout(10):  # still served by the drained hub (an error: hello twice)
            assert isinstance(protocol.decode(await kept.recv()), protocol.Error)
        await asyncio.to_thread(rig.enable, "hub1")
        await asyncio.to_thread(rig.wait_state, "hub1", "UP")
    finally:
        for ws, _ in before + after:
            await ws.close()


@pytest.mark.parametrize(("ports", "said"), [
    ([], "at least one backend"),
    ([0], "1–65535, not 0"),
    ([8080, 70000], "1–65535, not 70000"),
    (["8080"], "1–65535, not '8080'"),
])
def test_a_balancer_without_backends_or_with_a_bad_port_is_refused(
        ports: list[int], said: str) -> None:
    with pytest.raises(BadBalancerConfig, match=said):
        LoadBalancerRig.start(ports)


def test_a_bad_listening_port_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadBalancerConfig, match="balancer's port must be 1–65535, not 0"):
        config_text(0, [8080], tmp_path / "admin.sock")


def test_a_bad_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadBalancerConfig, match="tcp or http, not 'udp'"):
        config_text(8081, [8080], tmp_path / "admin.sock", mode="udp")  # type: ignore[arg-type]
    with pytest.raises(BadBalancerConfig, match="tcp or http, not 'udp'"):
        LoadBalancerRig.start([8080], mode="udp")  # type: ignore[arg-type]
