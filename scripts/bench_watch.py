"""Benchmark: what a supervisor watching a call costs, and how late they see it.

One run: a hub process, a simulated citizen process (``seat-sim``, stamped
640x480 camera) and, in this process on plain asyncio, the agent's
workstation core with its ``WatchRelay`` and a supervisor's ``WatchViewer``.
The call is measured in three windows of equal length, side by side in the
same run: not watched, watched, not watched again (the two unwatched windows
are the baseline, so a machine getting busier shows up as a difference
between them).

- latency: capture (read from the stamp in the frame) to the decoded frame,
  at the agent (the baseline path) and at the supervisor (one more encode,
  hop and decode through the agent's workstation); medians and p99;
- ``supervisor_fps``: frames the supervisor decoded per second;
- CPU: this process (agent and supervisor peers) plus the citizen process,
  CPU time over wall time, per window; ``cpu_ratio`` is watched over the
  mean of the unwatched windows.

The last line printed is one JSON object: {"bench": "watch", "results": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/media/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.camera import read_stamp  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_client.supervision.watch_relay import WatchRelay  # noqa: E402
from seat_client.supervision.watch_viewer import WatchViewer  # noqa: E402
from seat_common import protocol  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def until(condition: Any, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.01)


class Latencies:
    """Capture-to-decode latencies of stamped frames, while ``on``."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.frames = 0
        self.on = False

    def add(self, frame: Any) -> None:
        if not self.on:
            return
        self.frames += 1
        stamp = read_stamp(frame)
        if stamp is not None:
            self.values.append(time.time() * 1000.0 - stamp.captured_ms)


async def measure(seconds: float, warmup_s: float) -> dict[str, float]:
    seats = [SeatSpec("0012", "张三", skills=("social_insurance",)),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        agent_link = HubLink(hub.url, lambda: protocol.Hello(role="agent",
                                                             token=hub.tokens["0012"]))
        workstation = Workstation(agent_link)
        relay = WatchRelay(workstation)
        sup_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor",
                                                           token=hub.tokens["S01"]))
        viewer = WatchViewer(sup_link.send)
        sup_link.message.connect(viewer.apply)
        at_agent, at_supervisor = Latencies(), Latencies()

        def on_supervisor_frame(_: None) -> None:
            newest = viewer.frames.newest()
            if newest is not None:
                at_supervisor.add(newest.frame)

        viewer.frame_arrived.connect(on_supervisor_frame)
        agent_link.start()
        sup_link.start()
        citizen = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant; we never wait
            [sys.executable, "-m", "sandbox.sim_cli", "--hub", hub.url, "--citizens", "1",
             "--items", "SI-UNEMP-QUERY", "--channels", "miniprogram",
             "--give-up", str(4 * seconds + warmup_s + 60)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

        async def window(watched: bool) -> tuple[float, float]:
            """CPU percent and wall seconds of one measured window."""
            at_agent.on, at_supervisor.on = True, watched
            cpu0, wall0 = time.process_time() + proc_cpu_s(citizen.pid), time.monotonic()
            await asyncio.sleep(seconds)
            wall = time.monotonic() - wall0
            cpu = time.process_time() + proc_cpu_s(citizen.pid) - cpu0
            at_agent.on = at_supervisor.on = False
            return 100.0 * cpu / wall, wall

        try:
            await until(lambda: agent_link.state is LinkState.CONNECTED
                        and sup_link.state is LinkState.CONNECTED, "login")
            await workstation.set_ready()
            await until(lambda: workstation.offer is not None, "offer")
            await workstation.accept()
            await until(lambda: workstation.call is not None, "call")
            call = workstation.call
            assert call is not None
            call.session.remote_video.connect(at_agent.add)
            await until(lambda: call.session.frames.received > 0, "first frame")
            await asyncio.sleep(warmup_s)
            cpu_before, _ = await window(watched=False)
            agent_unwatched = list(at_agent.values)
            await viewer.watch("0012")
            await until(lambda: viewer.frames.received > 0, "the supervisor's first frame")
            await asyncio.sleep(warmup_s)
            at_agent.values.clear()
            cpu_watched, wall_watched = await window(watched=True)
            agent_watched = list(at_agent.values)
            await viewer.stop()
            await until(lambda: viewer.state is None and relay.state is None, "watch ends")
            await asyncio.sleep(warmup_s)
            cpu_after, _ = await window(watched=False)
            await workstation.hang_up()
        finally:
            citizen.terminate()
            citizen.wait(10)
            await relay.close()
            await viewer.close()
            await workstation.close()
            await sup_link.stop()
    unwatched_cpu = (cpu_before + cpu_after) / 2
    agent_p50 = percentile(agent_watched, 50)
    supervisor_p50 = percentile(at_supervisor.values, 50)
    return {
        "agent_latency_ms_p50_unwatched": percentile(agent_unwatched, 50),
        "agent_latency_ms_p50": agent_p50,
        "supervisor_latency_ms_p50": supervisor_p50,
        "supervisor_latency_ms_p99": percentile(at_supervisor.values, 99),
        "latency_ratio_p50": supervisor_p50 / agent_p50,
        "supervisor_fps": at_supervisor.frames / wall_watched,
        "cpu_percent_unwatched_before": cpu_before,
        "cpu_percent_watched": cpu_watched,
        "cpu_percent_unwatched_after": cpu_after,
        "cpu_ratio": cpu_watched / unwatched_cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per window")
    parser.add_argument("--warmup", type=float, default=1.5)
    args = parser.parse_args()
    results = asyncio.run(measure(args.seconds, args.warmup))
    print(json.dumps({"bench": "watch",
                      "results": {k: round(v, 2) for k, v in results.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
