"""Benchmark: can every party reach the others, and at what cost (issue 14).

Sections (``--section``, repeatable; default all), each a function of its own that
returns its figures, so the later ones ("resume", "flood", "restart") slot in beside:

- ``turn``: a real coturn on loopback (``sandbox.turn_process``) and a hub handing out
  TURN credentials with ``--ice-policy relay``. First a real call, the workstation core
  (aiortc) answering a simulated citizen (``relay_only_connected``: the media connected
  and the SDP each side sent offered only ``typ relay`` candidates, with both relays
  allocated on coturn). Then the price of the relay: two aiortc peers in this process
  with a data channel, once relay-only with the TURN credentials the hub gave the agent,
  once direct (host candidates on 127.0.0.1), in alternating rounds (relay, direct,
  direct, relay, ...) with a fresh pair each round; each round times ``--pings``
  message round trips (send, echo, receive). ``relay_latency_ms_p50`` and
  ``direct_latency_ms_p50`` are the medians of those round trips over all rounds.
  Goal: relay p50 ≤ direct p50 + 15 ms.
- ``resume``: ``RESUME_CALLS`` calls, workstation core ↔ simulated citizen, each dropped
  mid-call (the agent's link on even calls, the citizen's on odd ones: the TCP connection
  aborted, the citizen's network held down until the hub saw it) and restored.
  ``calls_survived``: same call, frames on the new peers at both sides;
  ``media_back_ms_p50``: from the network's return (the agent's link logged in again, or
  the citizen's network restored) to the first frame on the agent's new peer. Goal: all
  survive, p50 ≤ 2 s.

The last line printed is one JSON object:
``{"bench": "reach", "results": {"turn": {"relay_only_connected", "relay_latency_ms_p50",
"direct_latency_ms_p50", ...}}, "goals": {"turn": {..., "met"}}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

from aiortc import RTCDataChannel, RTCPeerConnection  # noqa: E402

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.citizen import CitizenScript, SimulatedCitizen  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.turn_process import TurnProcess  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.session import CallPhase  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_common import catalog, ice_policy, protocol  # noqa: E402
from seat_common.ice_policy import IceConfig, candidate_types  # noqa: E402

Figures = dict[str, Any]


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0,
                poll_s: float = 0.01) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(poll_s)


# --- turn ------------------------------------------------------------------------------


async def relay_only_call(hub: HubProcess, turn: TurnProcess) -> tuple[bool, IceConfig]:
    """One relay-only call, workstation core ↔ simulated citizen; whether it connected
    through the relay only, and the ICE configuration the hub gave the agent."""
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
        await ws.set_ready()
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
    finally:
        await ws.close()


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

    channel = caller.createDataChannel("ping")
    channel.on("open", lambda: opened.done() or opened.set_result(None))
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


async def bench_turn(args: argparse.Namespace) -> tuple[Figures, Figures]:
    skills = tuple(catalog.load().skills)
    with TurnProcess() as turn:
        async with HubProcess(
            [SeatSpec("0012", "张三", skills=skills)], ring_timeout=10.0,
            extra_args=["--turn", turn.url, "--turn-secret-file", str(turn.secret_path),
                        "--ice-policy", "relay"],
        ) as hub:
            connected, relay = await relay_only_call(hub, turn)
        direct = IceConfig()
        relayed: list[float] = []
        straight: list[float] = []
        for index in range(args.rounds):
            # Alternate which goes first, so neither always runs on a warmer machine.
            order = [(relay, relayed), (direct, straight)]
            for config, into in order if index % 2 == 0 else reversed(order):
                into.extend(await round_trips(config, args.pings))
    figures: Figures = {
        "relay_only_connected": connected,
        "relay_latency_ms_p50": round(percentile(relayed, 50), 2),
        "direct_latency_ms_p50": round(percentile(straight, 50), 2),
        "relay_latency_ms_p99": round(percentile(relayed, 99), 2),
        "direct_latency_ms_p99": round(percentile(straight, 99), 2),
        "rounds": args.rounds,
        "round_trips_each": len(relayed),
    }
    extra = figures["relay_latency_ms_p50"] - figures["direct_latency_ms_p50"]
    goals: Figures = {
        "relay_extra_ms_p50": round(extra, 2),
        "met": bool(connected and extra <= 15.0),
    }
    return figures, goals


# --- resume ----------------------------------------------------------------------------

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


async def bench_resume(args: argparse.Namespace) -> tuple[Figures, Figures]:
    skills = tuple(catalog.load().skills)
    async with HubProcess([SeatSpec("0012", "张三", skills=skills)], ring_timeout=30.0) as hub:
        token = hub.tokens["0012"]
        link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
        ws = Workstation(link)
        link.start()
        try:
            await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
            await ws.set_ready()
            back = [await resume_one(hub, ws, index) for index in range(RESUME_CALLS)]
        finally:
            await ws.close()
    times = [ms for ms in back if ms is not None]
    figures: Figures = {
        "calls_tried": len(back),
        "calls_survived": len(times),
        "media_back_ms_p50": round(percentile(times, 50), 1) if times else None,
        "media_back_ms_max": round(max(times), 1) if times else None,
    }
    goals: Figures = {
        "met": bool(len(back) >= 10 and len(times) == len(back)
                    and figures["media_back_ms_p50"] <= 2000),
    }
    return figures, goals


SECTIONS: dict[str, Callable[[argparse.Namespace], Awaitable[tuple[Figures, Figures]]]] = {
    "turn": bench_turn,
    "resume": bench_resume,
}


async def run(args: argparse.Namespace) -> int:
    results: dict[str, Figures] = {}
    goals: dict[str, Figures] = {}
    for name in args.section or list(SECTIONS):
        results[name], goals[name] = await SECTIONS[name](args)
        print(f"{name}: {results[name]} {goals[name]}", file=sys.stderr)
    print(json.dumps({"bench": "reach", "results": results, "goals": goals}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", action="append", choices=sorted(SECTIONS),
                        help="run only this section (repeatable; default: all)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds (turn)")
    parser.add_argument("--pings", type=int, default=100, help="round trips per round (turn)")
    args = parser.parse_args()
    if args.rounds < 1 or args.pings < 1:
        parser.error("--rounds and --pings must be at least 1")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
