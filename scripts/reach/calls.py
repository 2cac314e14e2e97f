"""The calls ``scripts/bench_reach.py`` makes: a relay-only call through coturn, data-channel
round trips between two aiortc peers, a call dropped mid-call and restored, and citizens
waiting through a hub restart. Each returns what its section of the benchmark measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiortc import RTCDataChannel, RTCPeerConnection

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.turn_process import TurnProcess, free_port
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.session import CallPhase
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.media.ice_policy import IceConfig, candidate_types


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0,
                poll_s: float = 0.01) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(poll_s)


# --- turn --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def ready_agent(hub: HubProcess) -> AsyncIterator[Workstation]:
    """Agent 0012's workstation core on ``hub``, logged in and ready; closed after."""
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
        await ws.set_ready()
        yield ws
    finally:
        await ws.close()


async def relay_only_call(hub: HubProcess, turn: TurnProcess) -> tuple[bool, IceConfig]:
    """One relay-only call, workstation core ↔ simulated citizen; whether it connected
    through the relay only, and the ICE configuration the hub gave the agent."""
    async with ready_agent(hub) as ws:
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                                   script=CitizenScript(give_up_after_s=60))
        run = asyncio.get_running_loop().create_task(citizen.run())
        await until(lambda: ws.offer is not None, "the offer rings")
        await ws.accept()
        await until(lambda: ws.call is not None or ws.wrap_up is not None, "the call starts")
        call = ws.call
        connected = False
        if call is not None:
            session = call.session
            await until(lambda: session.phase is not CallPhase.NEGOTIATING or ws.call is None,
                        "the media connects or fails")
            await until(lambda: session.frames.received >= 10 or ws.call is None,
                        "the citizen's video arrives")
            connected = (
                session.phase is CallPhase.CONNECTED
                and session.frames.received >= 10
                and candidate_types(session.remote_sdp) == {"relay"}
                and candidate_types(session.local_sdp) == {"relay"}
                and turn.allocations("0012") >= 1
            )
            await ws.hang_up()
        report = await asyncio.wait_for(run, 30)
        connected = connected and turn.allocations(report.session_id) >= 1
        return connected, ws.ice


async def round_trips(config: IceConfig, pings: int) -> list[float]:
    """A fresh pair with ``config``: ``pings`` data-channel round trips, in ms."""
    ice_policy.apply_from_environment()
    caller = RTCPeerConnection(config.rtc_configuration())
    callee = RTCPeerConnection(config.rtc_configuration())
    opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    replies: asyncio.Queue[str] = asyncio.Queue()

    @callee.on("datachannel")
    def _on_channel(channel: RTCDataChannel) -> None:
        channel.on("message", lambda message: channel.send(message))

    def _on_open() -> None:
        if not opened.done():
            opened.set_result(None)

    channel = caller.createDataChannel("ping")
    channel.on("open", _on_open)
    channel.on("message", replies.put_nowait)
    try:
        await caller.setLocalDescription(await caller.createOffer())
        config.check_gathered(caller.localDescription.sdp)
        await callee.setRemoteDescription(caller.localDescription)
        await callee.setLocalDescription(await callee.createAnswer())
        config.check_gathered(callee.localDescription.sdp)
        await caller.setRemoteDescription(callee.localDescription)
        await asyncio.wait_for(opened, 20)
        times: list[float] = []
        for seq in range(pings):
            started = time.perf_counter()
            channel.send(str(seq))
            while await asyncio.wait_for(replies.get(), 5) != str(seq):
                pass
            times.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)  # a message every ~10 ms, not a flood
        return times
    finally:
        await caller.close()
        await callee.close()


# --- resume ------------------------------------------------------------------------


#: Calls whose link is dropped and restored mid-call (agent's and citizen's in turn).
RESUME_CALLS = 10


async def resume_one(hub: HubProcess, ws: Workstation, index: int) -> float | None:
    """One call dropped mid-call and restored: the agent's link on even calls, the
    citizen's on odd ones. Milliseconds from the network's return (the agent's link logged
    in again; the citizen's network restored) to the first frame on the new peer at the
    agent, or None if the call did not survive with media back at both sides."""
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", f"市民{index}",
                               script=CitizenScript(reconnect=True, give_up_after_s=120))
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: ws.offer is not None, "the offer rings")
        await ws.accept()
        await until(lambda: ws.call is not None and ws.call.session.frames.received > 5,
                    "the citizen's video arrives")
        assert ws.call is not None
        call_id, first = ws.call.started.call_id, ws.call.session
        back_at: list[float] = []
        if index % 2 == 0:
            unsubscribe = ws.link.state_changed.connect(
                lambda state: back_at.append(time.monotonic())
                if state is LinkState.CONNECTED else None)
            ws.link.drop()
            await until(lambda: bool(back_at), "the agent's link is back")
            unsubscribe()
        else:
            lost = len(hub.events("link_lost"))
            citizen.drop_link()
            await until(lambda: len(hub.events("link_lost")) > lost, "the hub sees it drop")
            citizen.restore_link()
            back_at.append(citizen.network_back_at)
        await until(lambda: ws.call is not None and ws.call.session is not first
                    and ws.call.session.frames.received > 0, "a frame on the new peer",
                    timeout_s=30, poll_s=0.005)
        media_back_ms = (time.monotonic() - back_at[0]) * 1000
        renewed_frames = citizen.report.frames_received
        await until(lambda: citizen.report.frames_received > renewed_frames + 5,
                    "the agent's video reaches the citizen again")
        survived = ws.call is not None and ws.call.started.call_id == call_id
        await ws.hang_up()
        await until(lambda: ws.wrap_up is not None, "the call ends")
        await ws.submit_wrap_up("resolved", "")
        await until(lambda: ws.presence.state == "ready", "the agent is ready again")
        return media_back_ms if survived else None
    except TimeoutError as exc:
        print(f"resume call {index}: {exc}", file=sys.stderr)
        return None
    finally:
        await asyncio.wait_for(run, 60)


# --- restart -----------------------------------------------------------------------


#: Citizens waiting when the hub goes down.
RESTART_CITIZENS = 20
#: How long each waits before leaving of its own accord (the round's end).
RESTART_PATIENCE_S = 60.0


async def restart_round(how: str, citizens: int) -> tuple[int, int]:
    """``citizens`` simulated citizens queue (no agent serves them), the hub goes down
    (``how``: "sigterm", a clean stop, or "sigkill", a crash) and comes back on the same
    port and ledger; each citizen reconnects by itself with its resume token. Returns how
    many were queued and how many took their place back."""
    with tempfile.TemporaryDirectory(prefix="bench-restart-") as work:
        hub = HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                         workdir=Path(work) / "hub", port=free_port())
        await asyncio.to_thread(hub.start)
        people = [SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", f"等候{i}",
                                   script=CitizenScript(reconnect=True,
                                                        leave_queue_after_s=RESTART_PATIENCE_S,
                                                        give_up_after_s=RESTART_PATIENCE_S + 60))
                  for i in range(citizens)]
        loop = asyncio.get_running_loop()
        runs = [loop.create_task(person.run()) for person in people]
        try:
            await until(lambda: len(hub.events("queued")) >= citizens, "all queued", 60)
            queued = len(hub.events("queued"))
            if how == "sigkill":
                hub.crash()
            else:
                await asyncio.to_thread(hub.stop)
            await asyncio.to_thread(hub.start)

            def back() -> int:
                return sum(e.get("role") == "citizen" for e in hub.events("resumed"))

            with contextlib.suppress(TimeoutError):
                await until(lambda: back() >= queued, "every citizen is back", 60)
            return queued, back()
        finally:
            await asyncio.gather(*runs, return_exceptions=True)
            await asyncio.to_thread(hub.stop)
