"""Benchmark: a call's video from the citizen's camera to the paint in the workstation.

For 640x480 and 1280x720 it measures, in one run, side by side:

- ``baseline``: a bare aiortc pair in one process, no hub, no UI
  (``sandbox.bare_pair``): latency from capture to the decoded frame;
- ``full``: the real path: a hub process, a simulated citizen process
  (``seat-sim``) sending a stamped camera, and the workstation window
  offscreen in this process on qasync; latency from capture to the paint of
  that frame in the video view, read off the stamp in the painted pixels.

- ``chromium``: Debian's Chromium driven by Playwright, its own WebRTC, two peers in one
  page (canvas → ``captureStream(30)`` → pc1 → pc2 → ``<video>``), latency read off a
  stamp at ``requestVideoFrameCallback`` (``scripts/chromium_pair.py``), measured once
  Chromium has ramped up to the full resolution.

``full`` also has ``accept_to_first_frame_ms`` (the accept click to the first
painted frame) and ``loop_lag_ms_p99`` (how late a 5 ms timer on the
workstation's event loop fires during the call, measured in a window of its own after the
one for latency, frame rate and CPU, so the probe's own wake-ups are not counted as the
workstation's CPU). ``cpu_percent`` is CPU
time over wall time: for baseline the one process (both peers), for full
the workstation plus the citizen process (both peers again, and both directions of
video and voice; ``cpu_percent_workstation`` and ``cpu_percent_citizen`` are the two
parts), for chromium every Chromium process (both peers and the drawing).

The last line printed is one JSON object: {"bench": "call", "results": {...},
"goals": {size: {"p50_vs_chromium", "p99_vs_chromium", "fps", "cpu_vs_chromium", "met"}}}:
``full`` p50 at most 0.33 × chromium's, p99 at most 0.5 ×, at least 29 fps, and no more
CPU than Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyqt6")
ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/media/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PyQt6.QtCore import QSettings  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.camera import read_stamp  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from scripts.chromium_pair import measure_chromium  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_common import protocol  # noqa: E402
from ui.call.video_pane import PaintedFrame  # noqa: E402
from ui.workstation.main_window import MainWindow  # noqa: E402

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
        await asyncio.sleep(0.005)


async def measure_full(
    width: int, height: int, seconds: float, warmup_s: float
) -> dict[str, float]:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                          ring_timeout=30.0) as hub:
        token = hub.tokens["0012"]
        link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
        workstation = Workstation(link)
        state = Path(tempfile.mkdtemp(prefix="seat-bench-"))
        window = MainWindow(workstation, QSettings(str(state / "w.ini"),
                                                   QSettings.Format.IniFormat), state)
        window.resize(1366, 768)
        window.show()
        link.start()
        citizen = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant; we never wait
            [sys.executable, "-m", "sandbox.sim_cli", "--hub", hub.url, "--citizens", "1",
             "--items", "SI-UNEMP-QUERY", "--channels", "miniprogram", "--width", str(width),
             "--height", str(height), "--give-up", str(2 * seconds + warmup_s + 60)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        lags: list[float] = []
        latencies: list[float] = []
        measuring = False
        first_paint: list[float] = []

        def on_painted(painted: PaintedFrame) -> None:
            now_ms = time.time() * 1000.0
            if not first_paint:
                first_paint.append(time.monotonic())
            if measuring:
                stamp = read_stamp(painted.pixels)
                if stamp is not None:
                    latencies.append(now_ms - stamp.captured_ms)

        async def watch_loop_lag() -> None:
            while True:
                start = time.monotonic()
                await asyncio.sleep(0.005)
                lags.append((time.monotonic() - start - 0.005) * 1000.0)

        window.video_pane.view.frame_painted.connect(on_painted)
        lag_task: asyncio.Task[None] | None = None
        try:
            await until(lambda: link.state is LinkState.CONNECTED, "login")
            window.status_strip.state_chosen.emit("ready", "")
            await until(lambda: window.offer_banner.isVisible(), "offer")
            accepted_at = time.monotonic()
            window.offer_banner.accept_button.click()
            await until(lambda: bool(first_paint), "first frame")
            accept_to_first_frame_ms = (first_paint[0] - accepted_at) * 1000.0
            await asyncio.sleep(warmup_s)
            view = window.video_pane.view
            painted0, wall0 = view.painted_count, time.monotonic()
            own0, citizen0 = time.process_time(), proc_cpu_s(citizen.pid)
            measuring = True
            await asyncio.sleep(seconds)
            measuring = False
            wall = time.monotonic() - wall0
            own, citizen_cpu = time.process_time() - own0, proc_cpu_s(citizen.pid) - citizen0
            painted = view.painted_count - painted0
            # The loop's lag in a window of its own, the call going on: the 5 ms probe wakes
            # the loop 200 times a second, 1–2 % of a core on qasync, which is the bench's
            # cost and not the workstation's.
            lag_task = asyncio.get_running_loop().create_task(watch_loop_lag())
            await asyncio.sleep(seconds)
            await workstation.hang_up()
        finally:
            if lag_task is not None:
                lag_task.cancel()
            citizen.terminate()
            citizen.wait(10)
            window.close()
            await workstation.close()
    return {
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p99": percentile(latencies, 99),
        "fps": painted / wall,
        "cpu_percent": 100.0 * (own + citizen_cpu) / wall,
        "cpu_percent_workstation": 100.0 * own / wall,
        "cpu_percent_citizen": 100.0 * citizen_cpu / wall,
        "accept_to_first_frame_ms": accept_to_first_frame_ms,
        "loop_lag_ms_p99": percentile(lags, 99),
        "frames": float(len(latencies)),
    }


def measure_baseline(
    width: int, height: int, seconds: float, warmup_s: float
) -> dict[str, float]:
    """The bare pair in a process of its own on plain asyncio: no Qt, nothing else running."""
    code = (
        "import asyncio, json, sys\n"
        "from sandbox.bare_pair import measure_bare_pair\n"
        f"print(json.dumps(asyncio.run(measure_bare_pair({width}, {height}, {seconds}, "
        f"warmup_s={warmup_s}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def rounded(figures: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--chromium-warmup", type=float, default=20.0,
                        help="seconds Chromium streams at full size before measuring")
    parser.add_argument("--sizes", default="640x480,1280x720",
                        help="comma-separated WIDTHxHEIGHT sizes (default both)")
    parser.add_argument("--legs", default="baseline,full,chromium",
                        help="comma-separated legs to run; goals need full and chromium")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    legs = set(args.legs.split(","))
    if not legs <= {"baseline", "full", "chromium"}:
        parser.error(f"unknown legs: {sorted(legs - {'baseline', 'full', 'chromium'})}")
    app = QApplication.instance() or QApplication([])
    # Closing a window must not stop the event loop under a running coroutine.
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    results: dict[str, dict[str, dict[str, float]]] = {}
    asyncio.set_event_loop(loop)
    goals: dict[str, dict[str, object]] = {}
    for width, height in sizes:
        size = f"{width}x{height}"
        legs_run: dict[str, dict[str, float]] = {}
        if "baseline" in legs:
            legs_run["baseline"] = measure_baseline(width, height, args.seconds, args.warmup)
        if "full" in legs:
            legs_run["full"] = loop.run_until_complete(
                measure_full(width, height, args.seconds, args.warmup))
        if "chromium" in legs:
            legs_run["chromium"] = loop.run_until_complete(
                measure_chromium(width, height, args.seconds, args.chromium_warmup))
        results[size] = {leg: rounded(figures) for leg, figures in legs_run.items()}
        for leg, figures in results[size].items():
            print(f"{size}: {leg} {figures}", file=sys.stderr)
        if "full" not in legs_run or "chromium" not in legs_run:
            continue
        full, chromium = legs_run["full"], legs_run["chromium"]
        goals[size] = {
            "p50_vs_chromium": round(full["latency_ms_p50"] / chromium["latency_ms_p50"], 2),
            "p99_vs_chromium": round(full["latency_ms_p99"] / chromium["latency_ms_p99"], 2),
            "fps": round(full["fps"], 1),
            "cpu_vs_chromium": round(full["cpu_percent"] / chromium["cpu_percent"], 2),
        }
        goals[size]["met"] = bool(
            full["latency_ms_p50"] <= 0.33 * chromium["latency_ms_p50"]
            and full["latency_ms_p99"] <= 0.5 * chromium["latency_ms_p99"]
            and full["fps"] >= 29 and full["cpu_percent"] <= chromium["cpu_percent"])
    hd = results.get("1280x720", {})
    ratios = {}
    if "full" in hd and "baseline" in hd:
        ratios = {
            "p50_ratio": round(hd["full"]["latency_ms_p50"] / hd["baseline"]["latency_ms_p50"],
                               2),
            "p99_ratio": round(hd["full"]["latency_ms_p99"] / hd["baseline"]["latency_ms_p99"],
                               2),
        }
    print(json.dumps({"bench": "call", "results": results, "ratios_720p": ratios,
                      "goals": goals}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
