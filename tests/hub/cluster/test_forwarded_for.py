"""``seat-hub --trusted-proxy``, with real hubs behind the tests' own HAProxy in HTTP mode
(``option forwardfor``) and clients from their own loopback addresses (127.0.0.2, 127.0.0.3:
Linux's loopback is a /8). With one connection allowed per address: behind a trusted
balancer two clients from two addresses are both served and a second from the same one is
refused (429), and the place comes back when the first leaves; without the option the
balancer is one address and the second client is refused; a client that forges
``X-Forwarded-For`` through the balancer is still counted by its real address; a direct
client's header is ignored; a trusted proxy's garbled header falls back to the proxy's
address and is logged; a bad network stops the hub at start."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from lb_rig import LoadBalancerRig, StartBalancer
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol

StartHub = Callable[..., HubProcess]
#: One connection per address: the second from the same client is refused.
ONE_PER_ADDRESS = ("--max-connections-per-address", "1")
TRUST_LOOPBACK = ("--trusted-proxy", "127.0.0.1/32")


def _port(hub: HubProcess) -> int:
    return int(hub.url.rsplit(":", 1)[1].split("/")[0])


def _hub(start_hub: StartHub, *options: str) -> HubProcess:
    return start_hub([SeatSpec("a1", "坐席一", skills=("social_insurance",))],
                     extra_args=[*ONE_PER_ADDRESS, *options])


async def _balancer(start_balancer: StartBalancer, hub: HubProcess) -> LoadBalancerRig:
    rig = start_balancer([_port(hub)], mode="http")
    await asyncio.to_thread(rig.wait_state, "hub1", "UP")
    return rig


async def _served(url: str, source: str, forged: str = "") -> ClientConnection:
    """A citizen's connection from ``source`` (with ``X-Forwarded-For: forged`` of its own if
    given), welcomed by the hub."""
    ws = await connect(url, open_timeout=10, local_addr=(source, 0), proxy=None,
                       additional_headers={"X-Forwarded-For": forged} if forged else None)
    try:
        await ws.send(protocol.encode(protocol.Hello(role="citizen", name=source)))
        async with asyncio.timeout(10):
            message = protocol.decode(await ws.recv())
    except BaseException:
        await ws.close()
        raise
    assert isinstance(message, protocol.Welcome), message
    return ws


async def _refused(url: str, source: str, forged: str = "") -> Exception:
    """What stopped a citizen's connection from ``source`` (the test fails if it is served)."""
    try:
        ws = await _served(url, source, forged)
    except (InvalidHandshake, ConnectionClosed, OSError) as exc:
        return exc
    await ws.close()
    pytest.fail(f"a second connection from {source} was served")


async def _served_soon(url: str, source: str, within: float = 30.0) -> ClientConnection:
    """Served, once the address's place is free (polled with a deadline): a place given
    back, or one the balancer's own health check holds for a moment."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await _served(url, source)
        except (InvalidHandshake, ConnectionClosed, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def _status(error: Exception) -> int:
    assert isinstance(error, InvalidStatus), repr(error)
    return error.response.status_code


async def test_clients_behind_a_trusted_balancer_are_counted_by_their_own_address(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hub = _hub(start_hub, *TRUST_LOOPBACK)
    url = (await _balancer(start_balancer, hub)).url("/ws")
    first = await _served(url, "127.0.0.2")
    other = await _served(url, "127.0.0.3")
    try:
        assert _status(await _refused(url, "127.0.0.2")) == 429
        await hub.wait_for_event("connected", lambda e: e.get("remote") == "127.0.0.3"
                                 and e.get("via") == "127.0.0.1")
        await hub.wait_for_event("connection_refused", lambda e: e.get("remote") == "127.0.0.2"
                                 and e.get("at") == "request")
        await first.close()
        first = await _served_soon(url, "127.0.0.2")  # its place was given back
    finally:
        await first.close()
        await other.close()


async def test_a_forged_header_through_the_balancer_counts_the_real_address(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hub = _hub(start_hub, *TRUST_LOOPBACK)
    url = (await _balancer(start_balancer, hub)).url("/ws")
    forger = await _served(url, "127.0.0.2", forged="10.9.9.9")
    try:
        assert _status(await _refused(url, "127.0.0.2", forged="10.9.9.8")) == 429
        # one that forges the first's address is counted as itself, and takes nobody's place
        await (await _served(url, "127.0.0.3", forged="127.0.0.2")).close()
        await hub.wait_for_event("connected", lambda e: e.get("remote") == "127.0.0.2")
        remotes = {str(e.get("remote")) for e in hub.events("connected")}
        assert remotes == {"127.0.0.2", "127.0.0.3"}, remotes
    finally:
        await forger.close()


async def test_without_the_option_the_balancer_is_one_address(
        start_hub: StartHub, start_balancer: StartBalancer) -> None:
    hub = _hub(start_hub)
    url = (await _balancer(start_balancer, hub)).url("/ws")
    first = await _served_soon(url, "127.0.0.2")
    try:
        await _refused(url, "127.0.0.3")
        connected = hub.events("connected")
        assert connected and all(str(e["remote"]).startswith("127.0.0.1:") and "via" not in e
                                 for e in connected), connected
    finally:
        await first.close()


async def test_a_direct_client_cannot_name_itself(start_hub: StartHub) -> None:
    hub = _hub(start_hub, *TRUST_LOOPBACK)
    first = await _served(hub.url, "127.0.0.2", forged="10.9.9.9")
    try:
        await _refused(hub.url, "127.0.0.2", forged="10.9.9.8")
        event = await hub.wait_for_event("connected")
        assert str(event["remote"]).startswith("127.0.0.2:") and "via" not in event, event
        await hub.wait_for_event("connection_refused", lambda e: e.get("remote") == "127.0.0.2"
                                 and e.get("at") == "accept")
    finally:
        await first.close()


async def test_a_trusted_proxys_garbled_header_counts_the_proxy_and_is_logged(
        start_hub: StartHub) -> None:
    hub = _hub(start_hub, *TRUST_LOOPBACK)
    ws = await _served(hub.url, "127.0.0.1", forged="not-an-address")
    try:
        refused = await hub.wait_for_event("forwarded_for_refused")
        assert refused["remote"] == "127.0.0.1" and refused["header"] == "not-an-address"
        event = await hub.wait_for_event("connected")
        assert str(event["remote"]).startswith("127.0.0.1:"), event
        assert _status(await _refused(hub.url, "127.0.0.1")) == 429
    finally:
        await ws.close()


def test_a_bad_trusted_proxy_stops_the_hub(tmp_path: Path) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "seat_hub.cli", "--seats", str(tmp_path / "seats.json"),
         "--db", str(tmp_path / "ledger.sqlite3"), "--trusted-proxy", "10.0.0.5/24"],
        capture_output=True, text=True, timeout=60, env=os.environ.copy())
    assert started.returncode == 2, started
    assert "--trusted-proxy '10.0.0.5/24': 不是网段" in started.stderr, started.stderr
    assert "has host bits set" in started.stderr, started.stderr
