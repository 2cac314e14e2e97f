"""The flood ``scripts/bench_reach.py --section flood`` sends at a hub: idle connections and
joining citizens from one address each, in a process of their own (``flood_process``),
while an honest agent logs in on schedule (``flood_round``); and what it reads of the
hub's process and the kernel (RSS, open-file limit, accept-queue overflows).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidMessage, WebSocketException

from sandbox.bare_pair import percentile
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol

Figures = dict[str, Any]

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
