"""Benchmark: remote assistance, an agent's input event to the kiosk widget handling it.

In one run, on one qasync event loop (as the workstation runs), side by side:

- ``datachannel_rtt_ms``: a bare aiortc data-channel round trip between two
  peers in this process (no hub, no media, no Qt work): ping → pong;
- ``input_to_kiosk_ms``: the real path: a hub process, the workstation core
  (``Workstation`` + ``RemoteAssist``) and the kiosk simulator (offscreen
  window, camera, shared screen at 12 fps) in a real call; from
  ``RemoteAssist.send_pointer`` to the kiosk widget having handled the Qt
  mouse event (``QApplication.sendEvent`` returned), both read off
  ``time.perf_counter`` in this one process.

Pointer clicks alternate between two kiosk fields, spaced ``--interval-ms``
apart. Goal: input_to_kiosk p50 ≤ 2 × the bare round trip p50.
The last line printed is one JSON object: {"bench": "assist", "results": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyqt6")
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from aiortc import RTCConfiguration, RTCPeerConnection  # noqa: E402
from PyQt6.QtCore import QPoint  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.kiosk.app import KioskWindow  # noqa: E402
from sandbox.kiosk.peer import KioskPeer  # noqa: E402
from sandbox.kiosk.printer import KioskPrinter  # noqa: E402
from sandbox.kiosk.report import HandledInput  # noqa: E402
from seat_client.assist.audit import AssistAudit  # noqa: E402
from seat_client.assist.remote_assist import AssistState, RemoteAssist  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_common import catalog, protocol  # noqa: E402
from seat_common.media import ice_policy  # noqa: E402


async def wait_for(condition: Any, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.01)


async def bare_rtt(count: int, interval_s: float) -> list[float]:
    """Round trips (ms) of a small message over a bare aiortc data channel."""
    ice_policy.apply_from_environment()
    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    channel = a.createDataChannel("bench")
    opened = asyncio.get_running_loop().create_future()
    pong: asyncio.Queue[float] = asyncio.Queue()

    @b.on("datachannel")
    def _on_channel(remote: Any) -> None:
        remote.on("message", lambda m: remote.send(m))

    channel.on("open", lambda: opened.done() or opened.set_result(None))
    channel.on("message", lambda m: pong.put_nowait(time.perf_counter()))
    try:
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(opened, 10)
        rtts = []
        message = json.dumps({"v": 1, "type": "pointer", "seq": 0, "x": 0.5, "y": 0.5,
                              "action": "down", "button": "left"})
        for _ in range(count):
            sent = time.perf_counter()
            channel.send(message)
            back = await asyncio.wait_for(pong.get(), 5)
            rtts.append((back - sent) * 1000)
            await asyncio.sleep(interval_s)
        return rtts
    finally:
        await a.close()
        await b.close()


async def assist_path(count: int, interval_s: float, workdir: Path) -> list[float]:
    """Agent input → kiosk widget handled (ms) in a real kiosk call."""
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        token = hub.tokens["0012"]
        link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
        ws = Workstation(link)
        assist = RemoteAssist(AssistAudit(workdir / "audit"), agent_id="0012")
        ws.call_changed.connect(assist.on_call_changed)
        link.start()
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        kiosk = KioskWindow("沙田镇", items)
        kiosk.show()
        peer = KioskPeer(hub.url, kiosk, KioskPrinter(workdir / "printer"),
                         item_code="SI-PENSION-CERT", login=hub.kiosk_login())
        handled: dict[int, HandledInput] = {}
        peer.input_handled.connect(lambda h: handled.setdefault(h.seq, h))
        run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=300))
        try:
            await wait_for(lambda: link.state is LinkState.CONNECTED, "agent login")
            await ws.set_ready()
            await wait_for(lambda: ws.offer is not None, "the kiosk call rings")
            await ws.accept()
            await wait_for(lambda: assist.state is AssistState.IDLE, "assist channel")
            assist.request_control()
            await wait_for(lambda: kiosk.consent_panel.isVisible(), "consent prompt")
            kiosk.allow_button.click()
            await wait_for(lambda: assist.state is AssistState.ACTIVE, "control granted")
            await asyncio.sleep(1.0)  # media settles
            targets = []
            for widget in (kiosk.name_edit, kiosk.phone_edit):
                p = widget.mapTo(kiosk, QPoint(widget.width() // 2, widget.height() // 2))
                targets.append((p.x() / kiosk.width(), p.y() / kiosk.height()))
            latencies = []
            for i in range(count):
                x, y = targets[i % 2]
                sent = time.perf_counter()
                seq = assist.send_pointer(x, y, "click")
                assert seq is not None
                await wait_for(lambda s=seq: s in handled, f"input {seq} handled", 5)
                latencies.append((handled[seq].handled_at - sent) * 1000)
                await asyncio.sleep(interval_s)
            return latencies
        finally:
            await ws.hang_up()
            await asyncio.wait_for(run, 10)
            await ws.close()
            kiosk.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    interval = args.interval_ms / 1000
    rtts = await bare_rtt(args.events, interval)
    with tempfile.TemporaryDirectory(prefix="bench-assist-") as tmp:
        inputs = await assist_path(args.events, interval, Path(tmp))
    results = {
        "input_to_kiosk_ms_p50": round(percentile(inputs, 50), 3),
        "input_to_kiosk_ms_p99": round(percentile(inputs, 99), 3),
        "datachannel_rtt_ms_p50": round(percentile(rtts, 50), 3),
        "datachannel_rtt_ms_p99": round(percentile(rtts, 99), 3),
        "events": len(inputs),
    }
    results["goal_met"] = results["input_to_kiosk_ms_p50"] <= 2 * results["datachannel_rtt_ms_p50"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        results = loop.run_until_complete(main_async(args))
    print(json.dumps({"bench": "assist", "results": results}))


if __name__ == "__main__":
    main()
