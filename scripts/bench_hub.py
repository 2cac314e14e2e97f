"""Load drill for the hub: 37 agents, 300 citizens, one supervisor's wall (signaling only).

One real ``seat-hub`` process; every agent, citizen and the supervisor is a
plain protocol-v1 websocket client in this process (no media). Agents
accept each offer after a short think time, hold the call for a random
handle time, hang up and wrap up; citizens join the queue (Poisson
arrivals, a few elderly/disabled), give up after their patience runs out,
and rate 1–10 after the call. The supervisor's ``WallModel`` is fed by the
hub's pushes.

Phases:

1. **idle**: 20 citizens at 3/s with every agent free — the idle dispatch p99;
2. **drill**: 300 citizens arriving over ``180 s × --time-scale`` (default
   scale 0.5: 90 s), then the queue drains;
3. **ramp**: short bursts at doubling arrival rates (2, 4, … ``--max-rate``
   citizens/s); ``doubling_arrival_rate`` is the first rate whose dispatch p99
   is twice the idle value or more (``null`` if none up to the highest rate).

Measures: ``dispatch_ms_p99`` (from the hub's ``offer`` events: a ready agent
and a waiting citizen both present, to the offer sent), ``wall_update_ms_p99``
(a seat's change at the hub, its ``since``, to the supervisor's wall model
applying it), hub CPU (over the drill) and RSS, and from the ledger the
work orders lost (a citizen told ``queued`` whose work order is missing or
not finished) or duplicated (more than one work order for one citizen).

The last line printed is ``{"bench": "hub", "results": {...}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from seat_client.supervision.wall_model import WallModel  # noqa: E402
from seat_common import protocol  # noqa: E402


def _web_items() -> dict[str, list[str]]:
    from seat_common import catalog

    items: dict[str, list[str]] = {}
    for item in catalog.load().items.values():
        if "web" in item.channels:
            items.setdefault(item.skill, []).append(item.code)
    return items


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Drill:
    scale: float
    rng: random.Random
    handle_s: float
    queued: dict[str, str] = field(default_factory=dict)  # citizen name → work order
    rated: int = 0
    abandoned: int = 0
    errors: list[str] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


async def _open(url: str) -> ClientConnection:
    return await connect(url, compression=None, max_size=2**21, open_timeout=10)


async def _send(ws: ClientConnection, message: protocol.Message) -> None:
    await ws.send(protocol.encode(message))


async def run_agent(url: str, token: str, drill: Drill) -> None:
    ws = await _open(url)
    await _send(ws, protocol.Hello(role="agent", token=token))
    await _send(ws, protocol.SetState(state="ready"))
    work_order = ""
    try:
        async for frame in ws:
            message = protocol.decode(frame)
            if isinstance(message, protocol.Offer):
                await asyncio.sleep(drill.rng.uniform(0.01, 0.05))
                await _send(ws, protocol.Accept(call_id=message.call_id))
            elif isinstance(message, protocol.CallStarted):
                work_order = message.work_order_id
                call_id = message.call_id

                async def hang_up(call_id: str = call_id) -> None:
                    await asyncio.sleep(drill.rng.uniform(0.5, 1.5) * drill.handle_s)
                    with contextlib.suppress(ConnectionClosed):
                        await _send(ws, protocol.Hangup(call_id=call_id))

                task = asyncio.get_running_loop().create_task(hang_up())
                drill.tasks.add(task)
                task.add_done_callback(drill.tasks.discard)
            elif isinstance(message, protocol.CallEnded):
                await asyncio.sleep(drill.rng.uniform(0.05, 0.2))
                await _send(
                    ws, protocol.WrapUp(work_order_id=work_order, outcome="resolved", notes="bench")
                )
            elif isinstance(message, protocol.Error) and message.of not in ("set_state", "hangup"):
                # (a hang-up crossing the citizen's own is refused as no_such_call: expected)
                drill.errors.append(f"agent: {message.code} {message.of} {message.message}")
    except ConnectionClosed:
        pass


async def run_citizen(
    url: str, name: str, item: str, drill: Drill, patience_s: float, quick: bool = False
) -> None:
    """One citizen: join, wait up to ``patience_s``, talk, rate. ``quick``: hang up at once."""
    ws = await _open(url)
    try:
        await _send(ws, protocol.Hello(role="citizen", name=name))
        priority = "elderly" if drill.rng.random() < 0.05 else "normal"
        await _send(
            ws,
            protocol.JoinQueue(
                item_code=item,
                channel="web",
                citizen=protocol.CitizenInfo(name=name),
                priority=priority,  # type: ignore[arg-type]
            ),
        )
        answered = False
        deadline = time.monotonic() + patience_s
        while True:
            left = deadline - time.monotonic() if not answered else 600
            try:
                frame = await asyncio.wait_for(ws.recv(), max(left, 0.001))
            except TimeoutError:
                await _send(ws, protocol.LeaveQueue())
                drill.abandoned += 1
                return
            message = protocol.decode(frame)
            if isinstance(message, protocol.Queued):
                drill.queued[name] = message.work_order_id
            elif isinstance(message, protocol.CallStarted):
                answered = True
                if quick:
                    await _send(ws, protocol.Hangup(call_id=message.call_id))
            elif isinstance(message, protocol.CallEnded):
                score = 10 if drill.rng.random() < 0.96 else drill.rng.randint(6, 9)
                await _send(ws, protocol.Rate(work_order_id=message.work_order_id, score=score))
            elif isinstance(message, protocol.Ack) and message.of == "rate":
                drill.rated += 1
                return
            elif isinstance(message, protocol.Error):
                drill.errors.append(f"citizen: {message.code} {message.of} {message.message}")
                return
    finally:
        await ws.close()


async def run_supervisor(url: str, token: str, model: WallModel, latencies: list[float]) -> None:
    ws = await _open(url)
    await _send(ws, protocol.Hello(role="supervisor", token=token))
    await _send(ws, protocol.SubscribeWall())
    seen: dict[str, float] = {}
    try:
        async for frame in ws:
            message = protocol.decode(frame)
            model.apply(message)
            if isinstance(message, protocol.WallUpdate):
                now = time.time()
                for seat in message.seats:
                    if seat.since and seen.get(seat.agent_id) != seat.since:
                        seen[seat.agent_id] = seat.since
                        latencies.append((now - seat.since) * 1000)
    except ConnectionClosed:
        pass


async def arrivals(
    url: str,
    drill: Drill,
    items: list[str],
    count: int,
    rate_per_s: float,
    prefix: str,
    patience_s: float,
    quick: bool = False,
) -> None:
    tasks = []
    for i in range(count):
        item = drill.rng.choice(items)
        tasks.append(
            asyncio.create_task(
                run_citizen(url, f"{prefix}{i:04d}", item, drill, patience_s, quick)
            )
        )
        await asyncio.sleep(drill.rng.expovariate(rate_per_s))
    await asyncio.gather(*tasks, return_exceptions=True)


def offer_ms(hub: HubProcess, start: float, end: float) -> list[float]:
    return [
        float(e["dispatch_ms"])
        for e in hub.events("offer")
        if start <= e["ts"] <= end and "dispatch_ms" in e
    ]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ledger_check(db: Path, queued: dict[str, str]) -> tuple[int, int]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = conn.execute("SELECT id, citizen_name, state FROM work_orders").fetchall()
    finally:
        conn.close()
    by_id = {r[0]: r for r in rows}
    lost = sum(
        1
        for wo in queued.values()
        if wo not in by_id or by_id[wo][2] not in ("closed", "abandoned")
    )
    per_citizen = Counter(r[1] for r in rows)
    duplicate = sum(n - 1 for n in per_citizen.values() if n > 1)
    return lost, duplicate


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    web = _web_items()
    skills = sorted(web)
    seats = []
    for i in range(args.agents):
        own = {skills[i % len(skills)], skills[(i * 3 + 1) % len(skills)], "social_insurance"}
        seats.append(
            SeatSpec(
                f"{i + 1:04d}",
                f"坐席{i + 1:02d}",
                skills=tuple(sorted(own)),
                hall="东莞市民服务中心",
            )
        )
    seats.append(SeatSpec("S01", "督导", role="supervisor", hall="东莞市民服务中心"))
    items = [code for skill in skills for code in web[skill]]
    drill = Drill(scale=args.time_scale, rng=rng, handle_s=args.handle_s * args.time_scale)
    results: dict[str, Any] = {}
    # Every party of this drill comes from 127.0.0.1 at rates no single address would reach in
    # production: the per-address limits and the queue cap are off (they have their own test).
    unlimited = ["--max-connections-per-address", "0", "--max-joins-per-minute", "0",
                 "--max-queue", "0"]
    async with HubProcess(seats, ring_timeout=15.0, start_timeout=20,
                          extra_args=unlimited) as hub:
        pid = hub.pid
        assert pid is not None
        model = WallModel()
        wall_ms: list[float] = []
        supervisor = asyncio.create_task(run_supervisor(hub.url, hub.tokens["S01"], model, wall_ms))
        agents = [
            asyncio.create_task(run_agent(hub.url, hub.tokens[s.agent_id], drill))
            for s in seats
            if s.role == "agent"
        ]
        await asyncio.sleep(1.0)
        # 1. idle: one citizen at a time, every agent free.
        idle_start = time.time()
        await arrivals(
            hub.url, drill, items, args.idle_citizens, 3.0, "idle", patience_s=30, quick=True
        )
        idle = offer_ms(hub, idle_start, time.time())
        idle_p99 = percentile(idle, 99)
        # 2. the drill: 300 citizens over a few minutes (scaled).
        window_s = 180.0 * args.time_scale
        drill_start = time.time()
        cpu0 = cpu_seconds(pid)
        wall_ms.clear()
        await arrivals(
            hub.url,
            drill,
            items,
            args.citizens,
            args.citizens / window_s,
            "cit",
            patience_s=max(5.0, 120.0 * args.time_scale),
        )
        drill_end = time.time()
        cpu1 = cpu_seconds(pid)
        rss = rss_mb(pid)
        dispatch = offer_ms(hub, drill_start, drill_end)
        wall_p99 = percentile(wall_ms, 99)
        # 3. ramp: doubling arrival rates in short bursts until dispatch p99 doubles.
        doubling: float | None = None
        ramp: list[dict[str, float]] = []
        rate = 2.0
        while rate <= args.max_rate:
            start = time.time()
            burst = max(10, int(rate * args.burst_s))
            await arrivals(
                hub.url, drill, items, burst, rate, f"r{int(rate)}-", patience_s=3.0, quick=True
            )
            p99 = percentile(offer_ms(hub, start, time.time()), 99)
            ramp.append({"rate_per_s": rate, "dispatch_ms_p99": round(p99, 2)})
            if doubling is None and idle_p99 > 0 and p99 >= 2 * idle_p99:
                doubling = rate
            rate *= 2
        await asyncio.sleep(1.0 + drill.handle_s * 1.6)  # let the last calls end and close
        for task in agents:
            task.cancel()
        supervisor.cancel()
        await asyncio.gather(*agents, supervisor, return_exceptions=True)
        # Let the hub write the last wrap-ups before reading the ledger.
        await asyncio.sleep(0.5)
        lost, duplicate = ledger_check(hub.db_path, drill.queued)
        results = {
            "agents": args.agents,
            "citizens": args.citizens,
            "time_scale": args.time_scale,
            "drill_s": round(drill_end - drill_start, 1),
            "offers": len(dispatch),
            "dispatch_ms_p50": round(percentile(dispatch, 50), 2),
            "dispatch_ms_p99": round(percentile(dispatch, 99), 2),
            "dispatch_ms_idle_p99": round(idle_p99, 2),
            "wall_updates": len(wall_ms),
            "wall_update_ms_p50": round(percentile(wall_ms, 50), 2),
            "wall_update_ms_p99": round(wall_p99, 2),
            "hub_cpu_percent": round(100 * (cpu1 - cpu0) / max(drill_end - drill_start, 1e-6), 1),
            "hub_rss_mb": round(rss, 1),
            "lost_work_orders": lost,
            "duplicate_work_orders": duplicate,
            "doubling_arrival_rate": doubling,
            "ramp": ramp,
            "rated": drill.rated,
            "abandoned": drill.abandoned,
            "figures": protocol.to_wire(model.figures),
            "errors": drill.errors[:5],
            "goals_met": percentile(dispatch, 99) <= 200
            and wall_p99 <= 500
            and lost == 0
            and duplicate == 0,
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=37)
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.5,
        help="arrival window = 180 s × this (default 0.5: 90 s); 0.1 for a quick run",
    )
    parser.add_argument("--handle-s", type=float, default=20.0, help="mean call length (scaled)")
    parser.add_argument("--idle-citizens", type=int, default=20)
    parser.add_argument("--max-rate", type=float, default=32.0, help="highest ramp rate, per s")
    parser.add_argument("--burst-s", type=float, default=4.0, help="seconds per ramp step")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    print(json.dumps({"bench": "hub", "results": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
