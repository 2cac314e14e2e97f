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
- ``flood``: a fresh hub (``HubProcess``) per round; a process of its own (the
  attacker's "machine") opens ``--idle`` connections from 127.0.0.2 that never say
  hello and, at the same moment, ``--joins`` citizens from 127.0.0.3 who say hello and
  join the queue. Meanwhile an agent logs in from 127.0.0.1 every ``--login-every`` s,
  ``--logins`` times, each login (connect to ``Welcome``) timed on its own and started on
  schedule whether the last one has finished or not. Each round is run with the hub's
  default abuse limits and, alternating, with the per-address limits off
  (``--max-connections-per-address 0 --max-joins-per-minute 0``). Reported per
  configuration: what the hub kept and refused, the login p50/p99/max over all logins,
  split into those that began while the flood's handshakes were still coming in and
  those after, hub RSS before and at its peak (``VmHWM``) and the kernel's accept-queue
  overflows. The headline ``honest_login_ms_p99`` and ``hub_rss_mb`` are those with the
  default limits. Goal: login p99 ≤ 500 ms and RSS ≤ 400 MB. The bench raises its
  open-file limit, which the hub and the flood inherit (``hub_open_file_limit``).
- ``resume``: ``RESUME_CALLS`` calls, workstation core ↔ simulated citizen, each dropped
  mid-call (the agent's link on even calls, the citizen's on odd ones: the TCP connection
  aborted, the citizen's network held down until the hub saw it) and restored.
  ``calls_survived``: same call, frames on the new peers at both sides;
  ``media_back_ms_p50``: from the network's return (the agent's link logged in again, or
  the citizen's network restored) to the first frame on the agent's new peer. Goal: all
  survive, p50 ≤ 2 s.
- ``restart``: ``RESTART_CITIZENS`` simulated citizens wait in the queue (no agent
  serves them) while the hub goes down, once stopped cleanly (SIGTERM) and once crashed
  (SIGKILL), and comes back on the same port and ledger; each citizen reconnects by
  itself with its resume token. ``queued``: waiting when it went down; ``kept``: took
  their place back (the hub's ``resumed`` events). Goal: every one kept.

The last line printed is one JSON object:
``{"bench": "reach", "results": {"turn": {"relay_only_connected", "relay_latency_ms_p50",
"direct_latency_ms_p50", ...}, "flood": {"idle_connections", "joins",
"honest_login_ms_p99", "hub_rss_mb", ...}, "resume": {"calls_tried", "calls_survived",
"media_back_ms_p50", ...}, "restart": {"queued", "kept", ...}},
"goals": {"turn": {..., "met"}, ...}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

from aiortc import RTCDataChannel, RTCPeerConnection  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import (  # noqa: E402
    ConnectionClosed,
    InvalidMessage,
    WebSocketException,
)

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.citizen import CitizenScript, SimulatedCitizen  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.turn_process import TurnProcess, free_port  # noqa: E402
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


# --- flood -----------------------------------------------------------------------------

FLOOD_ADDRESS = "127.0.0.2"  # the idle connections
JOIN_ADDRESS = "127.0.0.3"  # the joining citizens
HONEST_ADDRESS = "127.0.0.1"  # the agent
FLOOD_ITEM = "SI-UNEMP-QUERY"
#: How the comparison run turns the per-address limits off.
NO_ADDRESS_LIMITS = ("--max-connections-per-address", "0", "--max-joins-per-minute", "0")


def raise_open_file_limit(needed: int) -> int:
    """Raise this process's soft RLIMIT_NOFILE to ``needed`` (the hub and the flood,
    started from it, inherit it); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SystemExit(f"flood: needs {needed} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def proc_status_mb(pid: int, key: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the peak) of process ``pid``, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {key} for process {pid}")


def open_file_limit_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise RuntimeError(f"no open-file limit for process {pid}")


def listen_overflows() -> int:
    """Connections the kernel dropped because a listening socket's accept queue was full
    (``TcpExt ListenOverflows``, counted for the whole network namespace)."""
    rows = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()
            if line.startswith("TcpExt:")]
    return int(dict(zip(rows[0], rows[1], strict=True))["ListenOverflows"])


class Flood:
    """2,000 idle connections and 500 joining citizens, each group from one address;
    runs in a process of its own, like an attacker on another machine."""

    def __init__(self, url: str, open_now: Any) -> None:
        self.url = url
        self.open_now = open_now  # a shared counter of the flood's open connections
        self.stop = asyncio.Event()
        self.handshakes_done: list[float] = []  # time.monotonic(), the same clock in all

    async def open(self, address: str) -> ClientConnection | str:
        """An open connection, or why not: "refused" (reset before the handshake: the
        hub refuses so a connection from an address at its cap) or "failed"."""
        try:
            ws = await connect(self.url, compression=None, open_timeout=60,
                               local_addr=(address, 0))
        except (ConnectionResetError, InvalidMessage):
            return "refused"
        except (OSError, TimeoutError, WebSocketException):
            return "failed"
        finally:
            self.handshakes_done.append(time.monotonic())
        with self.open_now.get_lock():
            self.open_now.value += 1
        return ws

    def closed(self, ws: ClientConnection) -> None:
        with self.open_now.get_lock():
            self.open_now.value -= 1
        ws.transport.abort()

    async def idle(self) -> str:
        """A connection that never says hello: "kept" (open until the end, or until the
        hello deadline closed it), "refused" or "failed"."""
        ws = await self.open(FLOOD_ADDRESS)
        if isinstance(ws, str):
            return ws
        try:
            reply = asyncio.ensure_future(ws.recv())
            stopped = asyncio.ensure_future(self.stop.wait())
            await asyncio.wait([reply, stopped], return_when=asyncio.FIRST_COMPLETED)
            if not reply.done():  # a refusal may still be on its way from a busy hub
                await asyncio.wait([reply], timeout=2)
            if not reply.done():
                reply.cancel()
                return "kept"
            stopped.cancel()
            try:
                message = protocol.decode(reply.result())
            except ConnectionClosed:
                return "refused" if ws.close_code == 1013 else "failed"
            if isinstance(message, protocol.Error) and message.code == "not_authenticated":
                return "kept"  # the hello deadline
            is_refusal = isinstance(message, protocol.Error) and message.code == "rate_limited"
            return "refused" if is_refusal else "failed"
        finally:
            self.closed(ws)

    async def join(self, index: int) -> str:
        """A citizen who says hello and joins the queue: "queued", "refused" (the join),
        "connection_refused", the code of another refusal (e.g. "busy"), or "failed"."""
        ws = await self.open(JOIN_ADDRESS)
        if isinstance(ws, str):
            return "connection_refused" if ws == "refused" else ws
        try:
            await ws.send(protocol.encode(protocol.Hello(role="citizen", name=f"排队{index}")))
            await ws.send(protocol.encode(protocol.JoinQueue(item_code=FLOOD_ITEM,
                                                             channel="web")))
            outcome = ""
            while not outcome:
                message = protocol.decode(await asyncio.wait_for(ws.recv(), 60))
                if isinstance(message, protocol.Queued):
                    outcome = "queued"
                elif isinstance(message, protocol.Error) and message.code == "rate_limited":
                    outcome = "refused" if message.of == "join_queue" else "connection_refused"
                elif isinstance(message, protocol.Error):
                    outcome = message.code
            await self.stop.wait()
            return outcome
        except (ConnectionClosed, TimeoutError):
            return "connection_refused" if ws.close_code == 1013 else "failed"
        finally:
            self.closed(ws)

    async def run(self, idle: int, joins: int, control: Any) -> Figures:
        started = time.monotonic()
        control.send(started)
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(self.idle()) for _ in range(idle)]
        tasks += [loop.create_task(self.join(i)) for i in range(joins)]
        await asyncio.to_thread(control.recv)  # told to stop: the honest logins are done
        self.stop.set()
        outcomes = await asyncio.gather(*tasks)
        return {"idle": Counter(outcomes[:idle]), "joins": Counter(outcomes[idle:]),
                "started": started, "opened": max(self.handshakes_done, default=started)}


def flood_process(url: str, idle: int, joins: int, open_now: Any, control: Any) -> None:
    """The flood's process: the agent's timing is then not the flood's own loop lag."""
    control.send(asyncio.run(Flood(url, open_now).run(idle, joins, control)))


async def honest_login(url: str, seat: str, token: str) -> float:
    """One agent login from ``HONEST_ADDRESS``: connect until ``Welcome``, in ms."""
    started = time.perf_counter()
    async with connect(url, compression=None, open_timeout=60,
                       local_addr=(HONEST_ADDRESS, 0)) as ws:
        await ws.send(protocol.encode(protocol.Hello(role="agent", token=token, seat_id=seat)))
        while True:
            message = protocol.decode(await asyncio.wait_for(ws.recv(), 60))
            if isinstance(message, protocol.Welcome):
                return (time.perf_counter() - started) * 1000
            if isinstance(message, protocol.Error):
                raise RuntimeError(f"the honest agent was refused: {message}")


async def flood_round(args: argparse.Namespace, limited: bool) -> Figures:
    """A fresh hub and a flood; meanwhile an agent logs in every ``--login-every``
    seconds (each login a seat of its own, on schedule whether or not the last one has
    finished, so a slow hub cannot hide its delay by slowing the logins down)."""
    seats = [SeatSpec(f"{9000 + i}", "值班员", skills=("social_insurance",))
             for i in range(args.logins)]
    spawn = multiprocessing.get_context("spawn")
    async with HubProcess(seats, extra_args=() if limited else NO_ADDRESS_LIMITS) as hub:
        assert hub.pid is not None
        rss_before = proc_status_mb(hub.pid, "VmRSS")
        overflows_before = listen_overflows()
        open_now = spawn.Value("i", 0)
        control, worker_end = spawn.Pipe()
        worker = spawn.Process(target=flood_process,
                               args=(hub.url, args.idle, args.joins, open_now, worker_end))
        worker.start()
        outcome: Figures = {}
        try:
            if not await asyncio.to_thread(control.poll, 60):
                raise RuntimeError("the flood process did not start")
            flood_started: float = control.recv()
            logins: list[tuple[float, asyncio.Task[float]]] = []
            open_at_login: list[float] = []
            for index, seat in enumerate(seats):
                await asyncio.sleep(max(0.0, flood_started + index * args.login_every
                                        - time.monotonic()))
                open_at_login.append(open_now.value)
                login = honest_login(hub.url, seat.agent_id, hub.tokens[seat.agent_id])
                logins.append((time.monotonic(), asyncio.create_task(login)))
            await asyncio.gather(*(task for _, task in logins))
            control.send("stop")
            if not await asyncio.to_thread(control.poll, 120):
                raise RuntimeError("the flood process did not report")
            outcome = control.recv()
        finally:
            # It exits once it has reported; after a failure here it is not waited for.
            await asyncio.to_thread(worker.join, 30 if outcome else 0)
            if worker.is_alive():
                worker.kill()
        rss_peak = proc_status_mb(hub.pid, "VmHWM")
        overflows = listen_overflows() - overflows_before
        hub_open_files = open_file_limit_of(hub.pid)
    idle, joins = outcome["idle"], outcome["joins"]
    return {
        "idle_kept": idle["kept"], "idle_refused": idle["refused"], "idle_failed": idle["failed"],
        "joins_queued": joins["queued"], "joins_refused": joins["refused"],
        "joins_connection_refused": joins["connection_refused"],
        "joins_otherwise": sum(joins.values()) - joins["queued"] - joins["refused"]
        - joins["connection_refused"],
        "flood_opening_s": outcome["opened"] - outcome["started"],
        "logins_ms": [task.result() for _, task in logins],
        "logins_while_opening_ms": [task.result() for at, task in logins
                                    if at < outcome["opened"]],
        "logins_once_open_ms": [task.result() for at, task in logins
                                if at >= outcome["opened"]],
        "flood_open_at_login_p50": percentile(open_at_login, 50),
        "hub_rss_mb_before": rss_before,
        "hub_rss_mb_peak": rss_peak,
        "listen_queue_overflows": overflows,
        "hub_open_file_limit": hub_open_files,
    }


def summarize_flood(rounds: list[Figures]) -> Figures:
    """One configuration's rounds: counts as medians, logins pooled, the highest peak."""
    logins = [ms for r in rounds for ms in r["logins_ms"]]
    opening = [ms for r in rounds for ms in r["logins_while_opening_ms"]]
    held = [ms for r in rounds for ms in r["logins_once_open_ms"]]
    counts = ("idle_kept", "idle_refused", "idle_failed", "joins_queued", "joins_refused",
              "joins_connection_refused", "joins_otherwise", "flood_open_at_login_p50")
    figures: Figures = {name: round(percentile([float(r[name]) for r in rounds], 50))
                        for name in counts}
    figures.update({
        "flood_opening_s_p50": round(percentile([r["flood_opening_s"] for r in rounds], 50), 2),
        "honest_login_ms_p50": round(percentile(logins, 50), 1),
        "honest_login_ms_p99": round(percentile(logins, 99), 1),
        "honest_login_ms_max": round(max(logins), 1),
        "logins_over_500_ms": sum(ms > 500 for ms in logins),
        "logins_while_opening": len(opening),
        "honest_login_ms_p50_while_opening": round(percentile(opening, 50), 1) if opening else None,
        "logins_once_open": len(held),
        "honest_login_ms_p99_once_open": round(percentile(held, 99), 1) if held else None,
        "hub_rss_mb_before": max(r["hub_rss_mb_before"] for r in rounds),
        "hub_rss_mb_peak": max(r["hub_rss_mb_peak"] for r in rounds),
        "listen_queue_overflows": sum(r["listen_queue_overflows"] for r in rounds),
        "hub_open_file_limit": min(r["hub_open_file_limit"] for r in rounds),
    })
    return figures


async def bench_flood(args: argparse.Namespace) -> tuple[Figures, Figures]:
    open_files = raise_open_file_limit(args.idle + args.joins + 1024)
    limited: list[Figures] = []
    unlimited: list[Figures] = []
    for index in range(args.flood_rounds):
        # Alternate which goes first, so neither always runs on a warmer machine.
        order = [(True, limited), (False, unlimited)]
        for with_limits, into in order if index % 2 == 0 else reversed(order):
            into.append(await flood_round(args, with_limits))
    with_limits, without = summarize_flood(limited), summarize_flood(unlimited)
    figures: Figures = {
        "idle_connections": args.idle,
        "joins": args.joins,
        "honest_login_ms_p99": with_limits["honest_login_ms_p99"],
        "hub_rss_mb": with_limits["hub_rss_mb_peak"],
        "honest_logins": args.logins * args.flood_rounds,
        "rounds": args.flood_rounds,
        "bench_open_file_limit": open_files,
        "default_limits": with_limits,
        "no_address_limits": without,
    }
    goals: Figures = {
        "login_p50_ratio_without_over_with_limits": round(
            without["honest_login_ms_p50"] / with_limits["honest_login_ms_p50"], 2),
        "login_p99_ratio_without_over_with_limits": round(
            without["honest_login_ms_p99"] / with_limits["honest_login_ms_p99"], 2),
        "login_p99_once_open_ratio_without_over_with_limits": round(
            (without["honest_login_ms_p99_once_open"] or 0)
            / max(with_limits["honest_login_ms_p99_once_open"] or 0, 0.1), 2),
        "rss_growth_ratio_without_over_with_limits": round(
            (without["hub_rss_mb_peak"] - without["hub_rss_mb_before"])
            / max(with_limits["hub_rss_mb_peak"] - with_limits["hub_rss_mb_before"], 0.1), 2),
        "met": with_limits["honest_login_ms_p99"] <= 500 and with_limits["hub_rss_mb_peak"] <= 400,
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


# --- restart ---------------------------------------------------------------------------

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


async def bench_restart(args: argparse.Namespace) -> tuple[Figures, Figures]:
    rounds = {how: await restart_round(how, RESTART_CITIZENS) for how in ("sigterm", "sigkill")}
    queued = sum(q for q, _ in rounds.values())
    kept = sum(k for _, k in rounds.values())
    figures: Figures = {"queued": queued, "kept": kept,
                        **{f"{how}_queued_kept": list(r) for how, r in rounds.items()}}
    return figures, {"met": queued > 0 and kept == queued}


SECTIONS: dict[str, Callable[[argparse.Namespace], Awaitable[tuple[Figures, Figures]]]] = {
    "turn": bench_turn,
    "flood": bench_flood,
    "resume": bench_resume,
    "restart": bench_restart,
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
    parser.add_argument("--idle", type=int, default=2000,
                        help="idle connections from one address (flood)")
    parser.add_argument("--joins", type=int, default=500,
                        help="citizens joining from one address (flood)")
    parser.add_argument("--logins", type=int, default=50, help="honest agent logins (flood)")
    parser.add_argument("--login-every", type=float, default=0.1,
                        help="seconds between honest logins (flood)")
    parser.add_argument("--flood-rounds", type=int, default=3,
                        help="rounds of each configuration, alternating (flood)")
    args = parser.parse_args()
    if args.rounds < 1 or args.pings < 1:
        parser.error("--rounds and --pings must be at least 1")
    if min(args.idle, args.joins) < 0 or args.logins < 1 or args.flood_rounds < 1:
        parser.error("--idle and --joins must be at least 0, --logins and --flood-rounds 1")
    if args.login_every <= 0:
        parser.error("--login-every must be positive")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
