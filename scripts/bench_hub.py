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
import json
import random
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.exceptions import ConnectionClosed  # noqa: E402

from sandbox.hub_process import HubProcess  # noqa: E402
from sandbox.load_figures import cpu_seconds, ledger_verdict, percentile, rss_mb  # noqa: E402
from sandbox.signaling_crowd import (  # noqa: E402
    CrowdTally,
    arrivals,
    crowd_seats,
    open_link,
    run_agent,
    send,
    web_items,
)
from seat_client.supervision.wall_model import WallModel  # noqa: E402
from seat_common import protocol  # noqa: E402
from seat_common.tasks import TaskOwner  # noqa: E402


def offer_ms(hub: HubProcess, start: float, end: float) -> list[float]:
    return [
        float(e["dispatch_ms"])
        for e in hub.events("offer")
        if start <= e["ts"] <= end and "dispatch_ms" in e
    ]


async def run_supervisor(url: str, token: str, model: WallModel, latencies: list[float]) -> None:
    ws = await open_link(url)
    await send(ws, protocol.Hello(role="supervisor", token=token))
    await send(ws, protocol.SubscribeWall())
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


def ledger_check(db: Path, queued: dict[str, str]) -> tuple[int, int]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = conn.execute("SELECT id, citizen_name, state FROM work_orders").fetchall()
    finally:
        conn.close()
    return ledger_verdict(rows, queued)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    web = web_items()
    skills = sorted(web)
    seats = crowd_seats(args.agents, skills)
    items = [code for skill in skills for code in web[skill]]
    drill = CrowdTally(rng=rng, handle_s=args.handle_s * args.time_scale,
                       tasks=TaskOwner("bench_hub"))
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
        await drill.tasks.close()
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
