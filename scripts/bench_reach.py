"""Benchmark: can every party reach the others, and at what cost (issue 14).

Sections (``--section``, repeatable; default all), each a function of its own that
returns its figures, so the later ones ("resume", "flood", "restart") slot in beside
(the calls they make are in ``scripts/reach/calls.py``, the flood in
``scripts/reach/flood.py``):

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
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/media/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.turn_process import TurnProcess  # noqa: E402
from scripts.reach.calls import (  # noqa: E402
    RESTART_CITIZENS,
    RESUME_CALLS,
    ready_agent,
    relay_only_call,
    restart_round,
    resume_one,
    round_trips,
)
from scripts.reach.flood import (  # noqa: E402
    Figures,
    flood_round,
    raise_open_file_limit,
    summarize_flood,
)
from seat_common import catalog  # noqa: E402
from seat_common.media.ice_policy import IceConfig  # noqa: E402

# --- turn ------------------------------------------------------------------------------


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


async def bench_resume(args: argparse.Namespace) -> tuple[Figures, Figures]:
    skills = tuple(catalog.load().skills)
    async with (HubProcess([SeatSpec("0012", "张三", skills=skills)], ring_timeout=30.0) as hub,
                ready_agent(hub) as ws):
        back = [await resume_one(hub, ws, index) for index in range(RESUME_CALLS)]
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
