"""A hub that is only stalled, not dead: stopped (SIGSTOP) longer than its heartbeat's
3 s, the others' sweepers find it dead and park what it holds; when it runs again it finds
its parties parked at its next renewal and undoes it, so its waiting citizen is offered
again instead of waiting for ever (the busy machine's case: a hub starved of CPU)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from cluster_hubs import WITHIN, call_across
from hubclient import Clients

from sandbox.hub_process import HubProcess
from seat_common.protocol import Offer, PeerLink


async def _stalled_until_swept(stalled: HubProcess, sweeper: HubProcess) -> None:
    """``stalled`` stopped until ``sweeper`` has found it dead, then running again."""
    pid = stalled.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + WITHIN
        while not sweeper.events("cluster_hubs_dead"):
            assert time.monotonic() < deadline, sweeper.log_text()
            await asyncio.sleep(0.1)
    finally:
        os.kill(pid, signal.SIGCONT)


async def _restored(hub: HubProcess, party: str) -> None:
    deadline = time.monotonic() + WITHIN
    while not any(e.get("party") == party for e in hub.events("cluster_restored")):
        assert time.monotonic() < deadline, hub.log_text()
        await asyncio.sleep(0.1)


async def test_a_stalled_hubs_waiting_citizen_is_offered_once_it_runs_again(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = two_hubs
    agent = await clients.agent(hub_b, "a1")  # away while hub A stalls
    citizen = await clients.citizen(hub_a, "王小明")
    queued = await citizen.join(name="王小明")

    await _stalled_until_swept(hub_a, hub_b)
    await _restored(hub_a, f"citizen.{queued.work_order_id}")
    await agent.ready()
    offer = await agent.expect(Offer, within=WITHIN)
    assert offer.work_order_id == queued.work_order_id


async def test_a_stalled_agents_hub_tells_the_citizen_the_link_is_up_again(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = two_hubs
    call = await call_across(hub_a, hub_b, clients)

    await _stalled_until_swept(hub_a, hub_b)
    down = await call.citizen.expect(PeerLink, within=WITHIN)
    assert (down.call_id, down.up) == (call.call_id, False)
    up = await call.citizen.expect(PeerLink, within=WITHIN)
    assert (up.call_id, up.up) == (call.call_id, True)
