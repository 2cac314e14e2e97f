"""Benchmark of issue 17, several hubs, one service: a single hub against three behind a
load balancer, in one run, signaling only (no media).

    .venv/bin/python scripts/bench_cluster.py                      # 400 agents, 3,000 citizens
    .venv/bin/python scripts/bench_cluster.py --agents 40 --citizens 300 --minutes 0.5

It starts its own PostgreSQL (``tests/hub/postgres_rig.py``), ``redis-server``
(``redis_rig.py``) and HAProxy (``tests/hub/cluster/lb_rig.py``), and runs two legs:

- **single**: one ``seat-hub --db postgresql://…`` (no ``--cluster``), reached directly;
- **cluster**: ``--hubs`` (3) ``seat-hub --cluster redis://… --db postgresql://…`` sharing
  a database, a material folder and a citizen key, behind HAProxy (round robin, no sticky
  sessions); every client uses the balancer's one address. Only if ``seat-hub --help``
  shows ``--cluster``; otherwise a note says so and the cluster's figures are ``null``.

Each leg, on its own new database:

1. **saturation**: ``--saturation-workers`` processes (so the load generator is not the
   bottleneck of one core), each with ``--saturation-clients`` citizens in a closed loop for
   ``--saturation-s``: connect, hello, join the queue, wait for ``queued`` (one join), close
   (the work order is abandoned). No agent is logged in yet. ``joins_per_s`` is the joins
   the hub(s) accepted; ``cpu_ms_per_join`` the CPU the hub processes spent (``/proc``)
   per join over that phase.
2. **drill**: the agents log in and go ready; the citizens arrive as a Poisson stream over
   ``--minutes``; each call lasts about ``--handle-s`` (by default what keeps the agents
   about 80 % busy). Clients are ``sandbox.signaling_crowd``'s (shared with
   ``bench_hub.py``): they reconnect to the same URL with full-jitter backoff and resume
   (agents log in again, citizens give their resume token). In the cluster leg one hub is
   killed with SIGKILL halfway through the arrivals: ``rehome_s_p99`` is the 99th
   percentile of the clients' time from the drop to their next ``welcome``; of the calls in
   progress at the kill (as the citizens saw them), ``calls_kept`` ended by the agent's own
   hang-up (their signaling went on); of the citizens waiting, ``queued_kept`` kept their
   one work order and were answered (or left by their own patience).

``dispatch_ms_p99`` is from the hubs' own ``offer`` events (a ready agent and a waiting
citizen both present, to the offer sent), over every hub's log; the ledger check reads
PostgreSQL: lost, a citizen told ``queued`` whose work order is missing or not finished;
duplicated, more than one work order for one citizen.

The hubs' logs (each hub's stderr: one JSON event per line) are kept in ``--keep-logs DIR``
(``DIR/<leg>-<hub>.log``), and, without it, in a new folder whenever something went wrong
(a leg failed, the run was stopped (SIGTERM, Ctrl-C), or any error, lost or duplicated
count, or a hub's ``internal_error``, is not zero): ``hub_logs`` in the results names the
folder, and a line on stderr says it and why. Otherwise they go with the run's temporary
folder.

The last line printed is ``{"bench": "cluster", "results": {...}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "hub"))
sys.path.insert(0, str(ROOT / "tests" / "hub" / "cluster"))

import psycopg  # noqa: E402

from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.load_figures import CpuMeter, ledger_verdict, ms_per, percentile  # noqa: E402
from sandbox.signaling_crowd import (  # noqa: E402
    LINK_ERRORS,
    CitizenPhase,
    CrowdAgent,
    CrowdTally,
    Reconnect,
    arrivals,
    crowd_seats,
    open_link,
    send,
    web_items,
)
from seat_common import protocol  # noqa: E402
from seat_common.tasks import TaskOwner  # noqa: E402

#: Every party comes from 127.0.0.1 (through the balancer too) at rates no one address
#: reaches in production: the per-address limits and the queue cap are off.
UNLIMITED = ["--max-connections-per-address", "0", "--max-joins-per-minute", "0",
             "--max-queue", "0"]


def hub_has_cluster_option() -> bool:
    shown = subprocess.run([sys.executable, "-m", "seat_hub.cli", "--help"],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    return "--cluster" in shown.stdout


def _port(hub: HubProcess) -> int:
    return int(hub.url.rsplit(":", 1)[1].split("/")[0])


# --- saturation: a worker process's closed loop of joins ------------------------------------


async def saturate(url: str, start_at: float, seconds: float, clients: int, prefix: str,
                   items: list[str]) -> dict[str, Any]:
    """Joins accepted (``queued``) by ``clients`` looping citizens for ``seconds`` from
    wall-clock ``start_at``."""
    await asyncio.sleep(max(0.0, start_at - time.time()))
    end = time.monotonic() + seconds
    cpu0 = time.process_time()
    joins = 0
    errors = 0

    async def one(k: int) -> None:
        nonlocal joins, errors
        n = 0
        while time.monotonic() < end:
            n += 1
            name = f"{prefix}-{k}-{n}"
            try:
                ws = await open_link(url)
                try:
                    await send(ws, protocol.Hello(role="citizen", name=name))
                    await send(ws, protocol.JoinQueue(
                        item_code=items[(k + n) % len(items)], channel="web",
                        citizen=protocol.CitizenInfo(name=name)))
                    async with asyncio.timeout(30):
                        while True:
                            message = protocol.decode(await ws.recv())
                            if isinstance(message, protocol.Queued):
                                if time.monotonic() <= end:
                                    joins += 1
                                break
                            if isinstance(message, protocol.Error):
                                errors += 1
                                break
                finally:
                    await ws.close()
            except LINK_ERRORS:
                errors += 1

    await asyncio.gather(*(one(k) for k in range(clients)))
    return {"joins": joins, "seconds": seconds, "errors": errors,
            "cpu_percent": 100 * (time.process_time() - cpu0) / seconds}


async def saturation_phase(url: str, pids: list[int], args: argparse.Namespace, leg: str,
                           items: list[str]) -> dict[str, Any]:
    start_at = time.time() + 4.0  # the workers' imports take a moment; they start together
    workers = []
    for w in range(args.saturation_workers):
        job = {"url": url, "start_at": start_at, "seconds": args.saturation_s,
               "clients": args.saturation_clients, "prefix": f"sat-{leg}-{w}",
               "items": items}
        workers.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--saturation-worker", json.dumps(job),
            stdout=asyncio.subprocess.PIPE, cwd=ROOT))
    meter = CpuMeter(pids)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    meter.start()
    outputs = [await worker.communicate() for worker in workers]
    meter.sample()
    if any(worker.returncode != 0 for worker in workers):
        raise RuntimeError("a saturation worker failed (its error is above)")
    done = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    joins = sum(int(d["joins"]) for d in done)
    per_join = ms_per(meter.spent_s(), joins)
    return {"joins": joins, "joins_per_s": round(joins / args.saturation_s, 1),
            "cpu_ms_per_join": None if per_join is None else round(per_join, 2),
            "hub_cpu_percent": round(100 * meter.spent_s() / args.saturation_s, 1),
            # each worker's own CPU: near 100 % means the load, not the hub, set the pace
            "load_cpu_percent": [round(float(d["cpu_percent"]), 1) for d in done],
            "errors": sum(int(d["errors"]) for d in done)}


# --- one leg ----------------------------------------------------------------------------------


@dataclass
class Leg:
    """A running leg's hubs and the one address its clients use."""

    name: str
    hubs: list[HubProcess]
    url: str
    db_url: str


def offer_ms(hubs: list[HubProcess], start: float, end: float) -> list[float]:
    return [float(e["dispatch_ms"]) for hub in hubs for e in hub.events("offer")
            if start <= e["ts"] <= end and "dispatch_ms" in e]


async def ledger_check(db_url: str, queued: dict[str, str], settle_s: float
                       ) -> tuple[int, int]:
    """Lost and duplicated work orders; waits up to ``settle_s`` for the last wrap-ups and
    ratings to reach the ledger."""
    deadline = time.monotonic() + settle_s
    while True:
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            cursor = await conn.execute("SELECT id, citizen_name, state FROM work_orders")
            rows = [(str(r[0]), str(r[1]), str(r[2])) for r in await cursor.fetchall()]
        lost, duplicate = ledger_verdict(rows, queued)
        if lost == 0 or time.monotonic() > deadline:
            return lost, duplicate
        await asyncio.sleep(0.5)


def kill_figures(tally: CrowdTally, in_call: list[str], waiting: list[str]) -> dict[str, int]:
    records = tally.citizens
    calls_kept = sum(1 for name in in_call
                     if records[name].ended_by == "agent" and records[name].end_reason == "hangup")
    queued_kept = sum(1 for name in waiting
                      if not records[name].resume_refused and len(records[name].work_orders) == 1
                      and (records[name].answered or records[name].gave_up))
    return {"calls_in_progress": len(in_call), "calls_kept": calls_kept,
            "queued": len(waiting), "queued_kept": queued_kept}


async def drill(leg: Leg, seats: list[SeatSpec], items: list[str], args: argparse.Namespace,
                kill: bool) -> dict[str, Any]:
    window_s = args.minutes * 60.0
    rate = args.citizens / window_s
    handle_s = args.handle_s if args.handle_s else 0.8 * args.agents / rate
    tally = CrowdTally(rng=random.Random(args.seed), handle_s=handle_s,
                       tasks=TaskOwner(f"bench_cluster {leg.name}"), reconnect=Reconnect())
    tokens = leg.hubs[0].tokens
    agents = [CrowdAgent(leg.url, tokens[s.agent_id], tally, s.agent_id)
              for s in seats if s.role == "agent"]
    for agent in agents:
        tally.tasks.spawn(agent.run(), f"agent {agent.label}")
    deadline = time.monotonic() + 120
    while not all(agent.linked for agent in agents):  # every agent logged in
        if time.monotonic() > deadline:
            raise RuntimeError(f"{sum(a.linked for a in agents)} of {len(agents)} agents"
                               " logged in within 120 s")
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # their set_state(ready) handled
    start = time.time()
    kill_result: dict[str, int] | None = None
    in_call: list[str] = []
    waiting: list[str] = []
    crowd = tally.tasks.child("arrivals")
    crowd.spawn(arrivals(leg.url, tally, items, args.citizens, rate, "cit",
                         patience_s=max(30.0, window_s)), "arrivals")
    if kill:
        await asyncio.sleep(window_s / 2)
        in_call = [r.name for r in tally.citizens.values() if r.phase is CitizenPhase.IN_CALL]
        waiting = [r.name for r in tally.citizens.values() if r.phase is CitizenPhase.WAITING]
        await asyncio.to_thread(leg.hubs[1].crash)  # SIGKILL
    await crowd.wait()
    end = time.time()
    await asyncio.sleep(1.0 + handle_s * 1.6)  # the last calls end and are wrapped up
    await tally.tasks.close()
    if kill:
        kill_result = kill_figures(tally, in_call, waiting)
    lost, duplicate = await ledger_check(leg.db_url, tally.queued, settle_s=30.0)
    dispatch = offer_ms(leg.hubs, start, end)
    return {
        "handle_s": round(handle_s, 1),
        "arrivals_s": round(end - start, 1),
        "offers": len(dispatch),
        "dispatch_ms_p50": round(percentile(dispatch, 50), 2) if dispatch else None,
        "dispatch_ms_p99": round(percentile(dispatch, 99), 2) if dispatch else None,
        "lost_work_orders": lost,
        "duplicate_work_orders": duplicate,
        "rated": tally.rated,
        "abandoned": tally.abandoned,
        "rehomed": len(tally.rehome_s),
        "rehome_s_p99": round(percentile(tally.rehome_s, 99), 2) if tally.rehome_s else None,
        "not_rehomed": len(tally.not_rehomed),
        "kill": kill_result,
        "errors": (tally.errors + tally.not_rehomed)[:5],
    }


def went_wrong(leg: dict[str, Any] | None) -> list[str]:
    """What in a leg's figures says something went wrong (empty: nothing)."""
    if leg is None:
        return []
    counts = {"saturation errors": leg["saturation"]["errors"],
              "lost work orders": leg["lost_work_orders"],
              "duplicate work orders": leg["duplicate_work_orders"],
              "not rehomed": leg["not_rehomed"], "client errors": len(leg["errors"]),
              "internal errors": leg["internal_errors"]}
    return [f"{count} {what}" for what, count in counts.items() if count]


def keep_hub_logs(workdir: Path, into: Path | None, why: list[str]) -> Path | None:
    """Copy every hub's log of the run (``workdir/<hub>/hub.log``) to ``into``, or, when
    ``why`` says something went wrong, to a new folder; the folder, or None."""
    if into is None and not why:
        return None
    into = into if into is not None else Path(tempfile.mkdtemp(prefix="seat-bench-logs-"))
    into.mkdir(parents=True, exist_ok=True)
    for log in sorted(workdir.glob("*/hub.log")):
        shutil.copyfile(log, into / f"{log.parent.name}.log")
    print(f"bench_cluster: hub logs kept in {into}"
          + (f" ({'; '.join(why)})" if why else ""), file=sys.stderr)
    return into


def start_single(seats: list[SeatSpec], db_url: str, workdir: Path) -> Leg:
    hub = HubProcess(seats, workdir=workdir / "single-hub1", ring_timeout=15.0, start_timeout=60,
                     extra_args=["--db", db_url, "--materials", str(workdir / "materials-1"),
                                 "--citizen-key-file", str(workdir / "key-1.secret"),
                                 *UNLIMITED])
    hub.start()
    return Leg("single", [hub], hub.url, db_url)


def start_cluster(seats: list[SeatSpec], count: int, redis_url: str, db_url: str,
                  workdir: Path) -> list[HubProcess]:
    shared = ["--cluster", redis_url, "--db", db_url, "--materials", str(workdir / "materials"),
              "--citizen-key-file", str(workdir / "key.secret"), *UNLIMITED]
    hubs: list[HubProcess] = []
    for n in range(count):
        hub = HubProcess(seats, workdir=workdir / f"cluster-hub{n + 1}", ring_timeout=15.0,
                         start_timeout=60, extra_args=shared)
        if hubs:  # one seats file and one set of tokens for every hub
            hub.tokens, hub.kiosk_tokens = hubs[0].tokens, hubs[0].kiosk_tokens
            hub.workdir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(hubs[0].seats_path, hub.seats_path)
        hub.start()
        hubs.append(hub)
    return hubs


async def run_leg(name: str, args: argparse.Namespace, seats: list[SeatSpec],
                  items: list[str], rigs: dict[str, Any], workdir: Path) -> dict[str, Any]:
    from lb_rig import LoadBalancerRig, server_name

    db_url = rigs["postgres"].new_database()
    balancer: LoadBalancerRig | None = None
    if name == "single":
        leg = await asyncio.to_thread(start_single, seats, db_url, workdir)
    else:
        hubs = await asyncio.to_thread(start_cluster, seats, args.hubs, rigs["redis"].url(0),
                                       db_url, workdir)
        balancer = LoadBalancerRig.start([_port(h) for h in hubs])
        for index in range(len(hubs)):
            await asyncio.to_thread(balancer.wait_state, server_name(index), "UP")
        leg = Leg(name, hubs, balancer.url(), db_url)
    try:
        pids = [h.pid for h in leg.hubs if h.pid is not None]
        saturation = await saturation_phase(leg.url, pids, args, name, items)
        figures = await drill(leg, seats, items, args, kill=name == "cluster")
        return {"hubs": len(leg.hubs), "saturation": saturation, **figures,
                "internal_errors": sum(len(hub.events("internal_error")) for hub in leg.hubs)}
    finally:
        if balancer is not None:
            balancer.stop()
        for hub in leg.hubs:
            await asyncio.to_thread(hub.stop)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from postgres_rig import PostgresRig
    from redis_rig import RedisRig

    web = web_items()
    skills = sorted(web)
    seats = crowd_seats(args.agents, skills)
    items = [code for skill in skills for code in web[skill]]
    cluster = hub_has_cluster_option()
    note = "" if cluster else ("seat-hub --help shows no --cluster yet: only the single-hub leg"
                               " ran; the cluster's figures are null")
    if not cluster:
        print(f"bench_cluster: {note}", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="seat-bench-cluster-"))
    rigs: dict[str, Any] = {"postgres": await asyncio.to_thread(PostgresRig.start)}
    single: dict[str, Any] | None = None
    multi: dict[str, Any] | None = None
    why = ["the run did not finish: an error above, or it was stopped"]
    try:
        if cluster:
            rigs["redis"] = await asyncio.to_thread(RedisRig.start)
        single = await run_leg("single", args, seats, items, rigs, workdir)
        multi = await run_leg("cluster", args, seats, items, rigs, workdir) if cluster else None
        why = [f"{name}: {wrong}" for name, leg in (("single", single), ("cluster", multi))
               for wrong in went_wrong(leg)]
    finally:
        try:
            for rig in rigs.values():
                await asyncio.to_thread(rig.stop)
        finally:  # kept even if a rig will not stop
            kept = keep_hub_logs(workdir, args.keep_logs, why)
            shutil.rmtree(workdir, ignore_errors=True)
    assert single is not None  # else run_leg raised
    main = multi or single
    empty_kill = {"calls_in_progress": None, "calls_kept": None, "queued": None,
                  "queued_kept": None}
    return {
        "hubs": multi["hubs"] if multi else None,
        "agents": args.agents,
        "citizens": args.citizens,
        "dispatch_ms_p99": main["dispatch_ms_p99"],
        "lost_work_orders": main["lost_work_orders"],
        "duplicate_work_orders": main["duplicate_work_orders"],
        "rehome_s_p99": multi["rehome_s_p99"] if multi else None,
        "single_hub_joins_per_s": single["saturation"]["joins_per_s"],
        "cluster_joins_per_s": multi["saturation"]["joins_per_s"] if multi else None,
        "single_hub_cpu_ms_per_join": single["saturation"]["cpu_ms_per_join"],
        "cluster_cpu_ms_per_join": multi["saturation"]["cpu_ms_per_join"] if multi else None,
        "kill": (multi["kill"] if multi else None) or empty_kill,
        "note": note,
        "hub_logs": str(kept) if kept is not None else None,
        "legs": {"single": single, "cluster": multi},
    }


T = TypeVar("T")


async def cancelled_on_sigterm(run: Coroutine[Any, Any, T]) -> T:
    """``run``, cancelled on SIGTERM (``timeout``, ``kill``) as on Ctrl-C, so that its
    clean-up runs: the hubs and rigs stopped, the hubs' logs kept. Once: ``timeout`` signals
    the process and then its group, and a second cancel would cut the clean-up short."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()

    def stop() -> None:
        loop.remove_signal_handler(signal.SIGTERM)
        loop.add_signal_handler(signal.SIGTERM, lambda: None)  # the next ones: cleaning up
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, stop)
    return await run


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--saturation-worker":
        job = json.loads(sys.argv[2])
        done = asyncio.run(saturate(job["url"], job["start_at"], job["seconds"],
                                    job["clients"], job["prefix"], job["items"]))
        print(json.dumps(done))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--citizens", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=3.0,
                        help="the citizens arrive over this many minutes (default 3)")
    parser.add_argument("--hubs", type=int, default=3, help="hubs in the cluster leg")
    parser.add_argument("--handle-s", type=float, default=0.0,
                        help="mean call length (default: what keeps the agents ~80%% busy)")
    parser.add_argument("--saturation-s", type=float, default=15.0)
    parser.add_argument("--saturation-clients", type=int, default=300,
                        help="looping citizens per saturation worker")
    parser.add_argument("--saturation-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep-logs", type=Path, default=None, metavar="DIR",
                        help="keep every hub's log in DIR (<leg>-<hub>.log); without it they"
                             " are kept in a new folder only when something went wrong")
    args = parser.parse_args()
    if args.agents < 1 or args.citizens < 1 or args.minutes <= 0 or args.hubs < 2:
        parser.error("--agents, --citizens and --minutes must be positive, --hubs at least 2")
    try:
        results = asyncio.run(cancelled_on_sigterm(main_async(args)))
    except (asyncio.CancelledError, KeyboardInterrupt):
        print("bench_cluster: stopped before the end (no results)", file=sys.stderr)
        return 1
    print(json.dumps({"bench": "cluster", "results": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
